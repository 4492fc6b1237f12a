"""The search bar: query text, search mode and filters; emits debounced query changes."""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from desktop_search.core.extract.formats import type_groups
from desktop_search.core.models import SearchFilters
from desktop_search.gui.date_range import DateRangeDialog, range_bounds, range_label

MODES = (("Hybrid", "hybrid"), ("Semantic", "semantic"), ("Keyword", "keyword"))
FILE_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (("Any type", ()), *type_groups())
DAY = 86400.0
MODIFIED = (
    ("Any time", None),
    ("Past day", DAY),
    ("Past week", 7 * DAY),
    ("Past month", 31 * DAY),
    ("Past year", 366 * DAY),
)
COMBO_MIN_WIDTH = 72
CUSTOM_RANGE = "custom"  # the date filter's last item: two days chosen in a small dialog
CUSTOM_LABEL = "Custom range…"
DEBOUNCE_MS = 60  # until the first searches tell how long a search takes here
MIN_DEBOUNCE_MS, MAX_DEBOUNCE_MS = 40, 150


class SearchBar(QWidget):
    """Emits `query_changed(text, mode, filters)` once typing pauses (or at once for Enter,
    mode and filter changes). The line edit never waits on a search: queries run elsewhere."""

    query_changed = Signal(str, str, object)
    move_to_results = Signal()
    activated = Signal()  # Enter pressed in the query field

    def __init__(self, parent: QWidget | None = None, *, debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("searchEdit")
        self.edit.setPlaceholderText("Search your documents…   (Ctrl+K)")
        self.edit.setClearButtonEnabled(True)
        self.edit.setAcceptDrops(False)  # dropped folders go to the window, not into the text
        self.edit.setMinimumWidth(280)
        font = self.edit.font()
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.2)
        self.edit.setFont(font)
        self.edit.installEventFilter(self)

        self.mode = QComboBox(self)
        self.mode.setObjectName("modeCombo")
        self.mode.setToolTip(
            "Hybrid: meaning and keywords together (best in most cases).\n"
            "Semantic: by meaning only.  Keyword: exact words only.\n"
            'Syntax: "exact phrase", -excluded'
        )
        for label, value in MODES:
            self.mode.addItem(label, value)

        self.folder = QComboBox(self)
        self.folder.setObjectName("folderFilter")
        self.folder.setToolTip("Only documents in this folder")
        self.folder.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.folder.addItem("All folders", "")
        self.file_type = QComboBox(self)
        self.file_type.setObjectName("typeFilter")
        self.file_type.setToolTip("Only documents of this type")
        for label, exts in FILE_TYPES:
            self.file_type.addItem(label, exts)
        self.modified = QComboBox(self)
        self.modified.setObjectName("modifiedFilter")
        self.modified.setToolTip("Only documents changed within this time")
        for label, seconds in MODIFIED:
            self.modified.addItem(label, seconds)
        self.modified.addItem(CUSTOM_LABEL, CUSTOM_RANGE)
        self.modified.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.date_range: tuple[QDate, QDate] | None = None  # the custom range, once chosen
        self.range_dialog: DateRangeDialog | None = None
        self._modified_index = 0  # what to go back to when a custom range is cancelled

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addWidget(self.edit, 1)
        for combo in (self.mode, self.folder, self.file_type, self.modified):
            # Full width when there is room; on a narrow window they shrink (eliding their
            # text) instead of making the window wider than the screen.
            combo.setMinimumWidth(COMBO_MIN_WIDTH)
            layout.addWidget(combo)
            if combo is not self.modified:
                combo.currentIndexChanged.connect(self.emit_now)
        self.modified.currentIndexChanged.connect(self._on_modified_changed)
        self.modified.activated.connect(self._on_modified_activated)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.emit_now)
        self.edit.textEdited.connect(self._on_edited)
        self.edit.textChanged.connect(self._on_changed)
        self.edit.returnPressed.connect(self._on_return)
        self.last_edit_time = 0.0  # perf_counter of the last keystroke (latency benchmark)
        self._cost_ms = 0.0

    # ---- state ----
    def text(self) -> str:
        return self.edit.text().strip()

    def current_mode(self) -> str:
        return str(self.mode.currentData())

    def set_mode(self, mode: str) -> None:
        index = self.mode.findData(mode)
        if index >= 0:
            self.mode.setCurrentIndex(index)

    def filters(self) -> SearchFilters | None:
        folder = str(self.folder.currentData() or "")
        exts = tuple(self.file_type.currentData() or ())
        window = self.modified.currentData()
        before = None
        if window == CUSTOM_RANGE and self.date_range is not None:
            after, before = range_bounds(*self.date_range)
        else:
            after = time.time() - float(window) if window and window != CUSTOM_RANGE else None
        if not folder and not exts and after is None:
            return None
        return SearchFilters(
            folders=(folder,) if folder else (),
            file_types=exts,
            modified_after=after,
            modified_before=before,
        )

    def set_date_range(self, first: QDate, last: QDate) -> None:
        """Only documents changed from `first` to `last` (both days included); searches now."""
        self.date_range = (first, last)
        index = self.modified.findData(CUSTOM_RANGE)
        self.modified.setItemText(index, range_label(first, last))
        self.modified.setItemData(
            index,
            "Changed on or between these days; choose again to change them",
            Qt.ItemDataRole.ToolTipRole,
        )
        self._modified_index = index
        self.modified.blockSignals(True)
        self.modified.setCurrentIndex(index)
        self.modified.blockSignals(False)
        self.emit_now()

    def _on_modified_changed(self, index: int) -> None:
        if self.modified.itemData(index) == CUSTOM_RANGE and self.date_range is None:
            return  # the range is asked for (activated); nothing to search by yet
        if self.modified.itemData(index) != CUSTOM_RANGE:
            self._modified_index = index
        self.emit_now()

    def _on_modified_activated(self, index: int) -> None:
        if self.modified.itemData(index) == CUSTOM_RANGE:
            self.ask_date_range()

    def ask_date_range(self) -> DateRangeDialog:
        """Open the two-day dialog (non-modal); Cancel puts the filter back as it was."""
        today = QDate.currentDate()
        first, last = self.date_range or (today.addMonths(-1), today)
        dialog = DateRangeDialog(first, last, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self.set_date_range)  # (a lambda holding the dialog crashes)
        dialog.rejected.connect(self._range_cancelled)
        self.range_dialog = dialog
        dialog.open()
        return dialog

    def _range_cancelled(self) -> None:
        if self.date_range is None or self.modified.currentData() != CUSTOM_RANGE:
            self.modified.setCurrentIndex(self._modified_index)

    def set_folders(self, folders: list[str]) -> None:
        """Refill the folder filter, keeping the current choice when it still exists."""
        current = str(self.folder.currentData() or "")
        wanted = ["", *folders]
        have = [str(self.folder.itemData(i) or "") for i in range(self.folder.count())]
        if wanted == have:
            return
        self.folder.blockSignals(True)
        self.folder.clear()
        self.folder.addItem("All folders", "")
        for path in folders:
            self.folder.addItem(os.path.basename(path.rstrip(os.sep)) or path, path)
            self.folder.setItemData(self.folder.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
        index = self.folder.findData(current)
        self.folder.setCurrentIndex(max(0, index))
        self.folder.blockSignals(False)
        if current and index < 0:
            self.emit_now()

    def set_search_cost(self, seconds: float) -> None:
        """Adapt the typing pause that starts a search to how long searches take.

        A search that starts while the person is still typing is wasted, and it delays the one
        they want: the worker runs one query at a time. When searches are slow the pause grows
        (up to 150 ms, about one keystroke) so a search rarely starts mid-word; when they are
        fast it shrinks.
        """
        self._cost_ms = (
            0.7 * self._cost_ms + 0.3 * seconds * 1000 if self._cost_ms else (seconds * 1000)
        )
        pause = int(max(MIN_DEBOUNCE_MS, min(MAX_DEBOUNCE_MS, 0.6 * self._cost_ms)))
        self._timer.setInterval(pause)

    @property
    def debounce_ms(self) -> int:
        return self._timer.interval()

    def focus_query(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def set_query(self, text: str) -> None:
        """Put `text` in the field (e.g. a "did you mean" spelling chosen) and search it now."""
        self.edit.setText(text)
        self.emit_now()

    # ---- emitting ----
    def emit_now(self) -> None:
        self._timer.stop()
        self.query_changed.emit(self.text(), self.current_mode(), self.filters())

    def _on_edited(self, _: str) -> None:
        self.last_edit_time = time.perf_counter()
        self._timer.start()

    def _on_changed(self, text: str) -> None:
        if not text:  # cleared (clear button, Esc, setText("")): show that at once
            self.emit_now()

    def _on_return(self) -> None:
        if self._timer.isActive():
            self.emit_now()
        self.activated.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down:
                self.move_to_results.emit()
                return True
            if event.key() == Qt.Key.Key_Escape and self.edit.text():
                self.edit.clear()
                return True
        return super().eventFilter(watched, event)
