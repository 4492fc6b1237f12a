"""Files that could not be indexed, and files indexed only in part: the file's name over its
folder, and the reason, in two columns that sort and fit the side panel's width as it is (the
reason wrapped, never cut in its middle); a summary by reason on top, open on double-click, and
"Unlock…" for a password-protected document."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_search.core.models import FailedFile, PartialFile, needs_password
from desktop_search.gui.folder_name_delegate import PATH_ROLE, FolderNameDelegate

FOLDER_ROLE = Qt.ItemDataRole.UserRole + 2  # the short folder shown under the file's name
FILE_COLUMN, REASON_COLUMN = range(2)
PARTIAL_PREFIX = "Indexed, but "
REASON_SHARE = 0.45  # of the list's width the reason keeps when the two don't both fit
MIN_COLUMN = 48  # px: a cut name still shows its start and its extension

# (words in a reason, what the summary calls it), first match wins; anything else is named by
# its own reason (see `reason_kind`).
_KINDS = (
    ("password", "password-protected"),
    (PARTIAL_PREFIX.lower(), "indexed in part"),
    ("larger than", "too large"),
    ("took longer", "too slow to read"),
    ("memory", "need too much memory"),
    ("crashed", "crashed the reader"),
    ("stopped unexpectedly", "crashed the reader"),
    ("damaged", "damaged"),
    ("no text", "without text"),
    ("empty", "empty"),
)


def reason_kind(reason: str) -> str:
    """A short name for the kind of problem, for the summary ("password-protected")."""
    lowered = reason.lower()
    for words, kind in _KINDS:
        if words in lowered:
            return kind
    short = reason.split("(")[0].split(":")[0].strip().removeprefix("it ").rstrip(".,")
    return short or "other"


def summarize(reasons: Iterable[str]) -> str:
    """'11 problems: 6 password-protected · 3 damaged · 2 indexed in part'."""
    counts = Counter(reason_kind(r) for r in reasons)
    total = sum(counts.values())
    if not total:
        return ""
    head = f"{total} problem{'s' if total != 1 else ''}"
    parts = [f"{n} {kind}" for kind, n in counts.most_common()]
    return f"{head}: " + " · ".join(parts)


def file_column_width(room: int, file: int, reason: int, word: int) -> int:
    """Width of the File column in a list `room` px wide whose columns want `file` and `reason`
    px; the Reason column takes the rest. When both don't fit, the reason keeps a share, never
    less than its longest word (`word`), so it wraps between words instead of being cut; the
    names are cut in their middle (their tooltip has the path)."""
    if file + reason <= room:
        return file
    reason_room = min(reason, max(word, round(room * REASON_SHARE)))
    return max(MIN_COLUMN, min(file, room - reason_room))


def short_folder(path: str, roots: Iterable[str] = ()) -> str:
    """The folder a file is in, as short as still tells it apart: from the indexed folder it
    belongs to ('Documents/Taxes/2019'), else with the home folder written '~'."""
    folder = os.path.dirname(path)
    owners = [r.rstrip(os.sep) for r in roots if folder == r or folder.startswith(r + os.sep)]
    if owners:
        root = max(owners, key=len)
        name = os.path.basename(root) or root
        relative = os.path.relpath(folder, root)
        return name if relative == "." else os.path.join(name, relative)
    home = os.path.expanduser("~")
    if home != "/" and (folder == home or folder.startswith(home + os.sep)):
        return "~" + folder[len(home) :]
    return folder


class _ProblemItem(QTreeWidgetItem):
    """Sorts by its column's text without regard to case (and by path when equal)."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        tree = self.treeWidget()
        column = tree.sortColumn() if tree is not None else 0
        mine = (self.text(column).casefold(), str(self.data(FILE_COLUMN, PATH_ROLE)))
        theirs = (other.text(column).casefold(), str(other.data(FILE_COLUMN, PATH_ROLE)))
        return mine < theirs


class _ReasonDelegate(QStyledItemDelegate):
    """The Reason column: wrapped between words to the column's width, so a reason reads whole;
    a word wider than the column (which `fit_columns` avoids) is cut at its end, never in its
    middle, and the tooltip has it all."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self._tree = tree

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        option.textElideMode = Qt.TextElideMode.ElideRight

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        # The view passes no width for an item's height unless every column wraps: give the
        # column's (the style wraps only in a valid rectangle), so the row is as tall as its
        # wrapped reason.
        opt = QStyleOptionViewItem(option)
        opt.rect = QRect(0, 0, self._tree.header().sectionSize(index.column()), 1 << 16)
        return super().sizeHint(opt, index)


class ProblemsView(QWidget):
    """One row per failed or partly indexed file; `count_changed` lets the window show the
    number on its tab and in the status bar (one count everywhere)."""

    count_changed = Signal(int)
    open_folder_requested = Signal(str)
    open_requested = Signal(str, int)
    unlock_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setObjectName("problemsSummary")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("problemsTree")
        self.tree.setHeaderLabels(["File", "Reason"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(False)
        self.tree.setAcceptDrops(False)
        self.tree.setAlternatingRowColors(True)
        # The file's name over its folder (as the Folders tab shows a folder), both cut in the
        # middle when narrow; the reason wraps instead. The columns fit the panel as it is:
        # the panel never widens for them, and nothing scrolls sideways.
        self.tree.setItemDelegateForColumn(
            FILE_COLUMN, FolderNameDelegate(self.tree, lambda index: str(index.data(FOLDER_ROLE)))
        )
        self.tree.setItemDelegateForColumn(REASON_COLUMN, _ReasonDelegate(self.tree))
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(FILE_COLUMN, Qt.SortOrder.AscendingOrder)
        header = self.tree.header()
        header.setSectionsClickable(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(MIN_COLUMN)
        header.sectionResized.connect(self._column_resized)
        self.tree.viewport().installEventFilter(self)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.itemDoubleClicked.connect(lambda item, _col: self._open(item))
        self.tree.itemSelectionChanged.connect(self._update_buttons)

        self.open_button = QPushButton("Open", self)
        self.open_button.setToolTip("Open the selected file in its application (double-click)")
        self.open_button.clicked.connect(lambda: self._open(self._selected()))
        self.unlock_button = QPushButton("Unlock…", self)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setToolTip(
            "Give the password of the selected document, so it can be searched; it is kept "
            "in your system keyring only"
        )
        self.unlock_button.clicked.connect(self._unlock_selected)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.unlock_button)
        buttons.addStretch(1)

        self.empty = QLabel("No problems: every file found so far was read.", self)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.empty)
        self._rows: dict[str, QTreeWidgetItem] = {}
        self._roots: tuple[str, ...] = ()
        self._changed()

    # ---- content ----
    def set_problems(
        self,
        failed: Iterable[FailedFile],
        partial: Iterable[PartialFile] = (),
        folders: Iterable[str] = (),
    ) -> None:
        """Show these problems; `folders` (the indexed ones) shorten the Folder column."""
        self._roots = tuple(folders)
        selected = self.selected_path()
        self.tree.setSortingEnabled(False)  # one sort at the end, not one per row
        self.tree.clear()
        self._rows.clear()
        for f in failed:
            self._add(f.path, f.reason)
        for p in partial:
            self._add(p.path, f"{PARTIAL_PREFIX}{p.reason}")
        self.tree.setSortingEnabled(True)
        if selected in self._rows:
            self._rows[selected].setSelected(True)
        self._changed()

    def add_problem(self, path: str, reason: str) -> None:
        self._add(path, reason)
        self._changed()

    def remove_problem(self, path: str) -> None:
        item = self._rows.pop(path, None)
        if item is not None:
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(item))
            self._changed()

    def problems(self) -> dict[str, str]:
        return {path: item.text(REASON_COLUMN) for path, item in self._rows.items()}

    def folders(self) -> dict[str, str]:
        """Each problem's folder as shown under its name (short: from its indexed folder)."""
        return {path: str(item.data(FILE_COLUMN, FOLDER_ROLE)) for path, item in self._rows.items()}

    def count(self) -> int:
        return len(self._rows)

    def counts_by_folder(self, folders: Iterable[str]) -> dict[str, int]:
        """Problems under each of these folders (the folders panel shows the same count)."""
        counts = dict.fromkeys(folders, 0)
        for path in self._rows:
            for folder in counts:
                if path == folder or path.startswith(folder.rstrip(os.sep) + os.sep):
                    counts[folder] += 1
        return counts

    def selected_path(self) -> str:
        item = self._selected()
        return str(item.data(FILE_COLUMN, PATH_ROLE)) if item is not None else ""

    # ---- internals ----
    def _add(self, path: str, reason: str) -> None:
        item = self._rows.get(path)
        if item is None:
            item = _ProblemItem([os.path.basename(path), reason])
            item.setData(FILE_COLUMN, PATH_ROLE, path)
            item.setData(FILE_COLUMN, FOLDER_ROLE, short_folder(path, self._roots))
            item.setToolTip(FILE_COLUMN, path)
            # Beside the two lines of the name and folder, a short reason reads from the top.
            item.setTextAlignment(
                REASON_COLUMN, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
            )
            self.tree.addTopLevelItem(item)
            self._rows[path] = item
        item.setText(REASON_COLUMN, reason)
        tip = reason + ("\n\nUnlock… gives its password." if needs_password(reason) else "")
        item.setToolTip(REASON_COLUMN, tip)

    def fit_columns(self) -> None:
        """Size the columns to the list's width (see `fit_columns`); the person may drag them
        wider or narrower until the list's width or its rows change."""
        if not self._rows:
            return
        metrics = self.tree.fontMetrics()
        pad = 2 * (self.tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
        items = self._rows.values()
        file = max(
            FolderNameDelegate.two_line_width(
                self.tree, item.text(FILE_COLUMN), str(item.data(FILE_COLUMN, FOLDER_ROLE))
            )
            for item in items
        )
        reasons = [item.text(REASON_COLUMN) for item in items]
        reason = max(metrics.horizontalAdvance(r) for r in reasons) + pad
        word = max(metrics.horizontalAdvance(w) for r in reasons for w in r.split() or [""])
        width = file_column_width(self.tree.viewport().width(), file, reason, word + pad)
        self.tree.header().resizeSection(FILE_COLUMN, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().eventFilter(watched, event)

    def _column_resized(self, _column: int, _old: int, _new: int) -> None:
        # The view keeps each row's height until its rows are laid out again, and any column's
        # new width changes the reason's (it takes the rest): more or fewer lines.
        self.tree.doItemsLayout()

    def _changed(self) -> None:
        has_rows = bool(self._rows)
        self.tree.setVisible(has_rows)
        self.summary.setVisible(has_rows)
        self.open_button.setVisible(has_rows)
        self.unlock_button.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        self.summary.setText(summarize(item.text(REASON_COLUMN) for item in self._rows.values()))
        self._update_buttons()
        self.fit_columns()
        self.count_changed.emit(len(self._rows))

    def _selected(self) -> QTreeWidgetItem | None:
        items = self.tree.selectedItems()
        return items[0] if items else None

    def _update_buttons(self) -> None:
        item = self._selected()
        self.open_button.setEnabled(item is not None)
        self.unlock_button.setEnabled(item is not None and needs_password(item.text(REASON_COLUMN)))

    def _open(self, item: QTreeWidgetItem | None) -> None:
        if item is not None:
            self.open_requested.emit(str(item.data(FILE_COLUMN, PATH_ROLE)), 0)

    def _unlock_selected(self) -> None:
        path = self.selected_path()
        if path and needs_password(self._rows[path].text(REASON_COLUMN)):
            self.unlock_requested.emit(path)

    def _menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        self.context_menu(item).popup(self.tree.viewport().mapToGlobal(pos))

    def context_menu(self, item: QTreeWidgetItem) -> QMenu:
        path = str(item.data(FILE_COLUMN, PATH_ROLE))
        reason = item.text(REASON_COLUMN)
        menu = QMenu(self)
        menu.setObjectName("problemsMenu")
        if needs_password(reason):
            menu.addAction("Unlock…", lambda: self.unlock_requested.emit(path))
        menu.addAction("Open", lambda: self.open_requested.emit(path, 0))
        menu.addAction("Open containing folder", lambda: self.open_folder_requested.emit(path))
        menu.addSeparator()
        menu.addAction("Copy path", lambda: QGuiApplication.clipboard().setText(path))
        menu.addAction("Copy reason", lambda: QGuiApplication.clipboard().setText(reason))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return menu
