"""The results area: documents and their passages, or a message when there is nothing to list."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop_search.core.extract.formats import opens_at_page, page_word
from desktop_search.core.models import DocumentResult, Hit
from desktop_search.gui.results_delegate import ResultsDelegate
from desktop_search.gui.results_model import ResultsModel


class EmptyState(QWidget):
    """A centred message, with an optional button (e.g. "Add folder…" on a first run)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setObjectName("emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.body = QLabel(self)
        self.body.setObjectName("emptyBody")
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setWordWrap(True)
        self.button = QPushButton(self)
        self.button.hide()
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def set_message(self, title: str, body: str = "", button: str = "") -> None:
        self.title.setText(title)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        self.button.setText(button)
        self.button.setVisible(bool(button))


class ResultsPanel(QWidget):
    """Shows results or a state message; the window decides which."""

    passage_selected = Signal(object, object, int, int)  # doc, hit, number, total
    selection_cleared = Signal()
    open_requested = Signal(str, int)
    open_folder_requested = Signal(str)
    more_like_this_requested = Signal(str)
    add_folder_requested = Signal()
    focus_search_requested = Signal()
    painted = Signal()  # the results view painted (used to measure typing latency)
    suggestion_chosen = Signal(str)  # a "did you mean" spelling was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel(self)
        self.header.setObjectName("resultsHeader")
        self.header.setContentsMargins(8, 2, 8, 2)
        # What the engine said about the query: "did you mean …?", a phrase no passage has.
        self.notes = QLabel(self)
        self.notes.setObjectName("resultsNotes")
        self.notes.setContentsMargins(8, 2, 8, 4)
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.RichText)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.notes.linkActivated.connect(self._note_link)
        self.notes.hide()
        self.model = ResultsModel(self)
        self.view = QTreeView(self)
        self.view.setObjectName("resultsView")
        self.view.setModel(self.model)
        self.view.setItemDelegate(ResultsDelegate(self.view))
        self.view.setHeaderHidden(True)
        self.view.setUniformRowHeights(False)
        self.view.setExpandsOnDoubleClick(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setAlternatingRowColors(True)
        self.view.setAcceptDrops(False)
        self.view.setIndentation(14)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._menu)
        self.view.activated.connect(self._activated)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.installEventFilter(self)
        self.view.viewport().installEventFilter(self)
        self.empty = EmptyState(self)
        self.empty.setObjectName("emptyState")
        self.empty.button.clicked.connect(self._empty_button_clicked)
        self._button_action: Callable[[], None] | None = None
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.notes)
        layout.addWidget(self.stack, 1)
        self.header.hide()

    # ---- content ----
    def show_results(self, results: Sequence[DocumentResult], query: str, header: str) -> None:
        keep = self.current_key()
        self.model.set_results(results, query)
        self.header.setText(header)
        self.header.show()
        self.stack.setCurrentWidget(self.view)
        if not self.model.rowCount():
            self.selection_cleared.emit()
            return
        if not self._restore(keep):
            self.selection_cleared.emit()

    def show_notes(
        self, notes: Sequence[str] = (), suggestion: str = "", corrected_query: str = ""
    ) -> None:
        """Notes about the query above the results; a spelling not run yet is a link."""
        lines = [_esc(note) for note in notes]
        if suggestion and not corrected_query:
            lines.insert(
                0, f'Did you mean <a href="{_esc(suggestion)}"><b>{_esc(suggestion)}</b></a>?'
            )
        self.notes.setText("<br>".join(lines))
        self.notes.setVisible(bool(lines))

    def _note_link(self, target: str) -> None:
        self.suggestion_chosen.emit(target)

    def show_message(
        self,
        title: str,
        body: str = "",
        button: str = "",
        on_click: Callable[[], None] | None = None,
    ) -> None:
        """A state message instead of results; the button adds a folder unless `on_click`."""
        self._button_action = on_click
        self.model.clear()
        self.header.hide()
        self.notes.hide()
        self.empty.set_message(title, body, button)
        self.stack.setCurrentWidget(self.empty)
        self.selection_cleared.emit()

    def _empty_button_clicked(self) -> None:
        if self._button_action is not None:
            self._button_action()
        else:
            self.add_folder_requested.emit()

    @property
    def showing_results(self) -> bool:
        return self.stack.currentWidget() is self.view

    def current_key(self) -> tuple[str, int] | None:
        index = self.view.currentIndex()
        doc = self.model.document_at(index)
        return (doc.path, self.model.hit_number(index)) if doc else None

    def _restore(self, key: tuple[str, int] | None) -> bool:
        if key is None:
            return False
        for index in self.model.passage_indexes():
            doc = self.model.document_at(index)
            if doc and (doc.path, self.model.hit_number(index)) == key:
                self._select(index)
                return True
        return False

    # ---- navigation ----
    def focus_results(self) -> None:
        """Give the list the keyboard, selecting the first row when nothing is selected."""
        if not self.model.rowCount():
            return
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.view.currentIndex().isValid():
            self._select(self.model.index(0, 0))

    def step(self, delta: int) -> None:
        """Move to the next/previous passage in reading order (expanding documents on the way)."""
        rows = self.model.passage_indexes()
        if not rows:
            return
        current = self.view.currentIndex()
        try:
            position = next(i for i, ix in enumerate(rows) if ix == current)
        except StopIteration:
            position = -1 if delta > 0 else len(rows)
        target = max(0, min(len(rows) - 1, position + delta))
        self._select(rows[target])

    def position_of(self, index: QModelIndex) -> tuple[int, int]:
        rows = self.model.passage_indexes()
        for i, ix in enumerate(rows):
            if ix == index:
                return i + 1, len(rows)
        return 0, len(rows)

    def current_passage(self) -> tuple[DocumentResult, Hit] | None:
        index = self.view.currentIndex()
        doc, hit = self.model.document_at(index), self.model.hit_at(index)
        return (doc, hit) if doc and hit else None

    def _select(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        parent = index.parent()
        if parent.isValid():
            self.view.expand(parent)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        doc, hit = self.model.document_at(current), self.model.hit_at(current)
        if doc is None or hit is None:
            return
        number, total = self.position_of(current)
        self.passage_selected.emit(doc, hit, number, total)

    def _activated(self, index: QModelIndex) -> None:
        doc, hit = self.model.document_at(index), self.model.hit_at(index)
        if doc is not None and hit is not None:
            self.open_requested.emit(doc.path, hit.page)

    # ---- menu and keys ----
    def _menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        doc, hit = self.model.document_at(index), self.model.hit_at(index)
        if doc is None or hit is None:
            return
        menu = self.context_menu(doc.path, hit.page)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def context_menu(self, path: str, page: int) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("resultsMenu")
        # "at page N" only where a viewer can jump to a page (not a text file or a picture).
        word = page_word(path)
        if opens_at_page(path) and page:
            menu.addAction(f"Open at {word} {page}", lambda: self.open_requested.emit(path, page))
        else:
            menu.addAction("Open", lambda: self.open_requested.emit(path, 0))
        menu.addAction("Open containing folder", lambda: self.open_folder_requested.emit(path))
        menu.addAction("Copy path", lambda: QGuiApplication.clipboard().setText(path))
        menu.addSeparator()
        menu.addAction("More like this", lambda: self.more_like_this_requested.emit(path))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return menu

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Paint:
            # Emitted after the paint has been handled (queued), so a benchmark sees it painted.
            self.painted.emit()
        elif watched is self.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape:
                self.focus_search_requested.emit()
                return True
            if event.key() == Qt.Key.Key_Up and self.view.currentIndex() == self.model.index(0, 0):
                self.focus_search_requested.emit()
                return True
        return super().eventFilter(watched, event)


def display_name(path: str) -> str:
    return os.path.basename(path)


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
