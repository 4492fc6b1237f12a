"""Preview of the selected passage: the rendered page with the passage highlighted, or its text."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_search.core.errors import DesktopSearchError, ExtractionError
from desktop_search.core.extract.formats import is_drawable
from desktop_search.core.extract.ocr import WordBox
from desktop_search.core.extract.page_renderer import PageRenderer, RenderCancelled
from desktop_search.core.models import DocumentResult, Hit, RenderedPage
from desktop_search.gui.bridge import TaskRunner
from desktop_search.gui.preview_header import PreviewHeader
from desktop_search.gui.theme import is_dark, mark_colors, passage_overlay

log = logging.getLogger(__name__)

MIN_ZOOM, MAX_ZOOM = 0.25, 6.0
ZOOM_STEP = 1.25


class PageCanvas(QWidget):
    """Draws a rendered page (device pixels, shown at logical size) and the passage rectangles."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.rects: tuple[tuple[float, float, float, float], ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_page(self, image: QImage, rects: tuple[tuple[float, float, float, float], ...]) -> None:
        self.image = image
        self.rects = rects
        self.setFixedSize(self.sizeHint())
        self.update()

    def logical_rects(self) -> list[QRectF]:
        """Passage rectangles in this widget's (logical) coordinates."""
        dpr = self.image.devicePixelRatio() or 1.0
        return [
            QRectF(x0 / dpr, y0 / dpr, (x1 - x0) / dpr, (y1 - y0) / dpr)
            for x0, y0, x1, y1 in self.rects
        ]

    def sizeHint(self) -> QSize:
        if self.image.isNull():
            return QSize(0, 0)
        return self.image.deviceIndependentSize().toSize()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.image.isNull():
            return
        painter = QPainter(self)
        painter.drawImage(QPointF(0, 0), self.image)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(passage_overlay(is_dark(self.palette())))
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        for rect in self.logical_rects():
            painter.drawRect(rect.adjusted(-1, -1, 1, 1))
        painter.end()


class PreviewWidget(QWidget):
    """Shows one passage at a time; `step_requested(±1)` asks the window for the next/prev one."""

    step_requested = Signal(int)
    open_requested = Signal(str, int)
    shown = Signal(str)  # "page", "text" or "message", once the preview is on screen

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = TaskRunner(self, workers=1, name="render")  # one render at a time
        self.renderer = PageRenderer()  # draws in a worker process: a bad page can't freeze us
        # Where text recognition found each word on a scanned page (set by the window, asked
        # off the GUI thread): such a page has no text of its own to find a passage in.
        self.words_for: Callable[[str, int], Sequence[WordBox]] = lambda path, page: ()
        self._render_id = 0
        self._doc: DocumentResult | None = None
        self._hit: Hit | None = None
        self._zoom = 1.5
        self._fit_width = True
        self._page_points_width = 0.0
        self.page: RenderedPage | None = None
        # (path, page) of the passage on screen, once drawn; None while a message shows.
        self.showing: tuple[str, int] | None = None

        self.header = PreviewHeader(
            step=self.step_requested.emit,
            zoom_in=self.zoom_in,
            zoom_out=self.zoom_out,
            fit_width=self.fit_width,
            open_file=self._request_open,
            parent=self,
        )
        header = self.header
        self.title, self.position = header.title, header.position
        self.prev_button, self.next_button = header.prev_button, header.next_button
        self.zoom_out_button, self.zoom_in_button = header.zoom_out_button, header.zoom_in_button
        self.zoom_label, self.fit_button = header.zoom_label, header.fit_button
        self.open_button = header.open_button

        self.canvas = PageCanvas()
        self.page_scroll = QScrollArea(self)
        self.page_scroll.setWidget(self.canvas)
        self.page_scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.page_scroll.setBackgroundRole(QPalette.ColorRole.Dark)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAcceptDrops(False)
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setObjectName("previewMessage")
        self.stack = QStackedWidget(self)
        for w in (self.message, self.page_scroll, self.text):
            self.stack.addWidget(w)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)

        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(150)
        self._refit.timeout.connect(self._render)
        self.clear()

    # ---- public ----
    @property
    def mode(self) -> str:
        return {0: "message", 1: "page", 2: "text"}[self.stack.currentIndex()]

    @property
    def zoom(self) -> float:
        return self._zoom

    def clear(self, message: str = "Select a result to see its page here.") -> None:
        self._render_id += 1
        self._doc = self._hit = None
        self.page = None
        self.header.clear()
        self._show_message(message)

    def show_passage(self, doc: DocumentResult, hit: Hit, number: int = 1, total: int = 1) -> None:
        """Preview `hit` of `doc`; `number`/`total` place it among all the shown passages."""
        marked_as = (hit.focus, hit.marks)
        same_page = (
            self._doc is not None
            and self._hit is not None
            and self._doc.path == doc.path
            and self._hit.page == hit.page
            and self._hit.text == hit.text
            # A text preview marks the query's words: the same passage found by another
            # query must be marked again, or the old query's words stay highlighted.
            and (self.mode != "text" or (self._hit.focus, self._hit.marks) == marked_as)
        )
        self._doc, self._hit = doc, hit
        self.header.show_location(doc.path, hit.page, number, total)
        if not same_page or self.mode == "message":
            self._render()

    def zoom_in(self) -> None:
        self._set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self._zoom / ZOOM_STEP)

    def fit_width(self) -> None:
        self._fit_width = True
        self.fit_button.setChecked(True)
        self._render()

    def warm_up(self) -> None:
        """Start the drawing process now, so the first preview does not wait for it."""
        self._tasks.run(self.renderer.start)

    def shutdown(self) -> None:
        self.renderer.close()  # first: a page still drawing is abandoned, not waited for
        self._tasks.shutdown(wait=True)

    # ---- rendering ----
    def _set_zoom(self, zoom: float) -> None:
        self._fit_width = False
        self.fit_button.setChecked(False)
        self._zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self._render()

    def _render(self) -> None:
        doc, hit = self._doc, self._hit
        if doc is None or hit is None:
            return
        self._render_id += 1
        render_id = self._render_id
        self.renderer.cancel()  # a slow page still drawing for an older request is dropped
        ext = doc.file_type or os.path.splitext(doc.path)[1].lstrip(".")
        if not is_drawable(ext):
            self._tasks.run(
                lambda: _read_text(doc.path, hit.page),
                lambda text: self._on_text(render_id, text, hit),
                lambda exc: self._on_error(render_id, exc),
            )
            return
        if self._fit_width and self._page_points_width:
            self._zoom = self._fit_zoom()
        dpr = self.devicePixelRatioF() or 1.0
        zoom, path, needle, words_for = self._zoom, doc.path, hit.text, self.words_for
        self.zoom_label.setText(f"{round(zoom * 100)}%")
        self._tasks.run(
            lambda: _render(self.renderer, path, hit.page, zoom * dpr, needle, words_for),
            lambda page: self._on_page(render_id, page, zoom, dpr),
            lambda exc: self._on_render_error(render_id, exc, doc, hit),
        )

    def _fit_zoom(self) -> float:
        # The stack, not the scroll area: a hidden page of a stack keeps a stale size.
        scrollbar = self.page_scroll.verticalScrollBar().sizeHint().width()
        available = self.stack.width() - scrollbar - 2 * self.page_scroll.frameWidth() - 16
        return max(MIN_ZOOM, min(MAX_ZOOM, available / self._page_points_width))

    def _on_page(self, render_id: int, page: RenderedPage, zoom: float, dpr: float) -> None:
        if render_id != self._render_id:
            return  # a newer passage or zoom was asked for meanwhile
        first_fit = self._fit_width and not self._page_points_width
        self._page_points_width = page.width / (zoom * dpr)
        if first_fit and abs(self._fit_zoom() - zoom) / zoom > 0.03:
            self._render()  # now that the page size is known, render at the fitting zoom
            return
        image = QImage(
            page.samples, page.width, page.height, page.stride, QImage.Format.Format_RGB888
        ).copy()  # copy: own the pixels
        image.setDevicePixelRatio(dpr)
        self.page = page
        self.canvas.set_page(image, page.highlights)
        self.stack.setCurrentWidget(self.page_scroll)
        rects = self.canvas.logical_rects()
        if rects:
            top = min(r.top() for r in rects)
            bottom = max(r.bottom() for r in rects)
            left = min(r.left() for r in rects)
            self.page_scroll.ensureVisible(
                int(left), int((top + bottom) / 2), 40, int((bottom - top) / 2) + 60
            )
        else:
            self.page_scroll.verticalScrollBar().setValue(0)
        self._mark_showing()
        self.shown.emit("page")

    def _on_text(self, render_id: int, text: str, hit: Hit) -> None:
        if render_id != self._render_id:
            return
        self.text.setPlainText(text)
        start, end = _locate(text, hit)
        # The best-matching span of the passage lightly, its matched words strongly: a small
        # note is one passage, so marking the whole passage would mark the whole file.
        background, foreground = mark_colors(is_dark(self.palette()))
        span = QTextCharFormat()
        span.setBackground(passage_overlay(is_dark(self.palette())))
        word = QTextCharFormat()
        word.setBackground(background)
        word.setForeground(foreground)
        focus = hit_spans(hit, start, end, len(text))
        self.text.setExtraSelections(
            [self._selection(a, b, span) for a, b in focus[:1]]
            + [self._selection(a, b, word) for a, b in focus[1:]]
        )
        caret = QTextCursor(self.text.document())
        caret.setPosition(focus[0][0] if focus else start)
        self.text.setTextCursor(caret)
        self.text.centerCursor()
        self.zoom_label.setText("")
        self.stack.setCurrentWidget(self.text)
        self._mark_showing()
        self.shown.emit("text")

    def _selection(self, start: int, end: int, fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.format = fmt  # type: ignore[assignment]
        selection.cursor = cursor  # type: ignore[assignment]
        return selection

    def _on_render_error(
        self, render_id: int, exc: BaseException, doc: DocumentResult, hit: Hit
    ) -> None:
        if render_id != self._render_id or isinstance(exc, RenderCancelled):
            return
        if doc.file_type.lower() != "pdf" and not isinstance(exc, FileNotFoundError):
            # Not every format renders; its text is still worth showing.
            self._tasks.run(
                lambda: self.renderer.page_text(doc.path, hit.page),
                lambda text: self._on_text(render_id, text, hit),
                lambda e: self._on_error(render_id, e),
            )
            return
        self._on_error(render_id, exc)

    def _on_error(self, render_id: int, exc: BaseException) -> None:
        if render_id != self._render_id or isinstance(exc, RenderCancelled):
            return
        if isinstance(exc, ExtractionError) and self._hit is not None:
            message = (
                f"Page {self._hit.page} can't be previewed: {exc.reason}. "
                "Open the file to see it in your viewer."
            )
        elif isinstance(exc, DesktopSearchError | OSError):
            message = str(exc)
        else:
            log.error("Preview failed", exc_info=exc)
            message = f"This page can't be previewed ({type(exc).__name__}: {exc})."
        self._show_message(message)

    def _mark_showing(self) -> None:
        if self._doc is not None and self._hit is not None:
            self.showing = (self._doc.path, self._hit.page)

    def _show_message(self, message: str) -> None:
        self.showing = None
        self.message.setText(message)
        self.stack.setCurrentWidget(self.message)
        self.shown.emit("message")

    def _request_open(self) -> None:
        if self._doc is not None and self._hit is not None:
            self.open_requested.emit(self._doc.path, self._hit.page)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_width and self._doc is not None and self.mode == "page":
            self._refit.start()


def _render(
    renderer: PageRenderer,
    path: str,
    page: int,
    zoom: float,
    needle: str,
    words_for: Callable[[str, int], Sequence[WordBox]],
) -> RenderedPage:
    if not os.path.exists(path):
        raise FileNotFoundError(f"'{path}' no longer exists; it may have been moved or deleted.")
    return renderer.render(path, page, zoom=zoom, highlight=needle, words=words_for(path, page))


def _read_text(path: str, page: int) -> str:
    if not os.path.exists(path):
        raise FileNotFoundError(f"'{path}' no longer exists; it may have been moved or deleted.")
    from desktop_search.core.extract.reader import read_page_text  # noqa: PLC0415

    return read_page_text(path, page)


def _locate(text: str, hit: Hit) -> tuple[int, int]:
    """Where the passage is in the page text: its stored offsets, else a search for its start."""
    if 0 <= hit.start < hit.end <= len(text) and text[hit.start : hit.end] == hit.text:
        return hit.start, hit.end
    probe = hit.text[:60]
    found = text.find(probe) if probe else -1
    if found >= 0:
        return found, min(len(text), found + len(hit.text))
    return (hit.start, min(len(text), hit.end)) if hit.start < len(text) else (0, 0)


def hit_spans(hit: Hit, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Page-text offsets of the passage's best-matching span, then of each matched word; the
    passage was found at `start`..`end` of a page text `size` characters long."""
    if end - start != len(hit.text) or hit.focus[1] <= hit.focus[0]:
        return [(start, end)] if end > start else []  # offsets can't be trusted: all of it
    spans = [hit.focus, *hit.marks]
    return [(min(size, start + a), min(size, start + b)) for a, b in spans if 0 <= a < b]
