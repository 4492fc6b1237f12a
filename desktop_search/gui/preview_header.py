"""The preview's header: the file's name on a line of its own (cut in the middle when it does not
fit), then where the passage is ("p. 12 · hit 3 of 46") between the previous/next buttons, zoom
and Open."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_search.core.extract.formats import opens_at_page, page_label, page_word


def location_text(path: str, page: int, number: int, total: int) -> str:
    """'p. 12 · hit 3 of 46': the passage's real page (where the file has pages a person would
    name) and its place among every passage the search shows."""
    hit = f"hit {number} of {total}"
    where = page_label(path, page)
    return f"{where} · {hit}" if where else hit


def location_tooltip(path: str, page: int, number: int, total: int) -> str:
    label = page_label(path, page, short=False)
    where = f"On {label} of {os.path.basename(path)}. " if label else ""
    return (
        f"{where}Passage {number} of the {total} this search shows, best documents first "
        "(◀ ▶ or Ctrl+Up/Down move through them)."
    )


class ElidedLabel(QLabel):
    """A one-line label that shows all of its text when it fits and cuts the middle otherwise
    ("annual-rep…-2019.pdf"), so both the start and the extension stay readable."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def full_text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:
        return QSize(
            self.fontMetrics().horizontalAdvance("…") * 4, super().minimumSizeHint().height()
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        width = max(0, self.contentsRect().width())
        self.setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideMiddle, width))


class PreviewHeader(QWidget):
    """The two header lines; the preview connects the buttons to what they do."""

    def __init__(
        self,
        *,
        step: Callable[[int], None],
        zoom_in: Callable[[], None],
        zoom_out: Callable[[], None],
        fit_width: Callable[[], None],
        open_file: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = ElidedLabel(self)
        self.title.setObjectName("previewTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.prev_button = _tool(self, "◀", "Previous passage (Ctrl+Up)", lambda: step(-1))
        self.position = QLabel(self)
        self.position.setObjectName("previewPosition")
        self.next_button = _tool(self, "▶", "Next passage (Ctrl+Down)", lambda: step(1))
        self.zoom_out_button = _tool(self, "−", "Zoom out (Ctrl+-)", zoom_out)
        self.zoom_label = QLabel(self)
        self.zoom_label.setMinimumWidth(44)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = _tool(self, "+", "Zoom in (Ctrl++)", zoom_in)
        self.fit_button = _tool(self, "↔", "Fit page width (Ctrl+0)", fit_width)
        self.fit_button.setCheckable(True)
        self.fit_button.setChecked(True)
        self.open_button = _tool(self, "Open", "Open in its application (Enter)", open_file)

        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        for w in (self.prev_button, self.position, self.next_button):
            controls.addWidget(w)
        controls.addStretch(1)
        for w in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_button):
            controls.addWidget(w)
        controls.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 6, 2)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addLayout(controls)

    def controls(self) -> tuple[QWidget, ...]:
        return (
            self.prev_button,
            self.position,
            self.next_button,
            self.zoom_out_button,
            self.zoom_label,
            self.zoom_in_button,
            self.fit_button,
            self.open_button,
        )

    def show_location(self, path: str, page: int, number: int, total: int) -> None:
        self.title.set_full_text(os.path.basename(path))
        self.title.setToolTip(path)
        self.position.setText(location_text(path, page, number, total))
        self.position.setToolTip(location_tooltip(path, page, number, total))
        self.prev_button.setEnabled(number > 1)
        self.next_button.setEnabled(number < total)
        self.open_button.setEnabled(True)
        if opens_at_page(path) and page >= 1:
            self.open_button.setToolTip(f"Open in your viewer at {page_word(path)} {page} (Enter)")
        else:
            self.open_button.setToolTip("Open in its application (Enter)")
        self.set_controls_visible(True)

    def clear(self) -> None:
        self.title.set_full_text("")
        self.title.setToolTip("")
        self.position.setText("")
        self.set_controls_visible(False)

    def set_controls_visible(self, visible: bool) -> None:
        for w in self.controls():
            w.setVisible(visible)


def _tool(parent: QWidget, text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.clicked.connect(slot)
    return button
