"""The folders being searched: state, how changes are followed, counts, add/remove, excludes."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_search.core.extract.formats import type_groups
from desktop_search.core.models import (
    POLL_INTERVAL_S,
    FolderChanged,
    FolderInfo,
    FolderState,
    WatchMode,
    describe_other_files,
)
from desktop_search.gui.folder_name_delegate import FolderNameDelegate

PATH_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_COLUMN, STATE_COLUMN, DOCS_COLUMN, UPDATES_COLUMN = range(4)


def describe_state(state: str, failed: int) -> str:
    """What a person reads in the State column."""
    if state == FolderState.INDEXING.value:
        return "indexing…"
    if state == FolderState.PAUSED.value:
        return "paused"
    if state == FolderState.PENDING.value:
        return "waiting"
    if state == FolderState.UNAVAILABLE.value:
        return "unavailable"
    if failed:
        return f"{failed} problem{'s' if failed != 1 else ''}"
    return "up to date"


def describe_watch(watch_mode: str) -> tuple[str, str]:
    """What a person reads in the Updates column (short: it shares the side panel with the
    name), and its tooltip, which says it in full."""
    if watch_mode == WatchMode.LIVE.value:
        return "live", "Changes are indexed as they happen."
    if watch_mode == WatchMode.POLLING.value:
        return (
            f"every {POLL_INTERVAL_S:g} s",
            "The system's limit on watched folders was reached, so this folder is checked "
            "for changes at intervals instead of as they happen.",
        )
    if watch_mode == WatchMode.UNAVAILABLE.value:
        return (
            "when back",
            "The folder can't be reached (an unplugged drive, a network share that is down). "
            "Its documents stay searchable; it is checked again when it is back.",
        )
    return "not watched", "Changes are found at the next start or rescan."


def describe_other(info: FolderInfo) -> tuple[str, str]:
    """The line a person reads under the folder ("214 files of other kinds: .dwg, .psd, .zip
    …"), and its tooltip: more kinds, and the kinds that are read."""
    if not info.other_files:
        return "", ""
    short = describe_other_files(info.other_files, info.other_kinds)
    read = ", ".join(label for label, _ in type_groups())
    tooltip = (
        f"{describe_other_files(info.other_files, info.other_kinds, shown=12)}.\n"
        f"These files are left out because desktop-search does not read their kind "
        f"(it reads {read})."
    )
    return short, tooltip


class FoldersPanel(QWidget):
    """Lists folders; emits requests, the window carries them out on the engine."""

    add_requested = Signal(list)  # list[str]
    choose_requested = Signal()  # "Add folder…": the window asks, where the last choice was made
    remove_requested = Signal(str)
    excludes_requested = Signal()
    rescan_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("foldersTree")
        self.tree.setHeaderLabels(["Folder", "State", "Docs", "Updates"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAcceptDrops(False)
        # The first cell shows the name and, under it, the path (readable on both themes).
        # The other columns are as wide as what they say and the name takes the rest, cut in
        # its middle when the panel is narrow (the tooltip has the path): every column stays
        # in view at the panel's width, with no sideways scrolling.
        self.tree.setUniformRowHeights(False)
        self.tree.setItemDelegateForColumn(NAME_COLUMN, FolderNameDelegate(self.tree))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        for column in (STATE_COLUMN, DOCS_COLUMN, UPDATES_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        self.add_button = QPushButton("Add folder…", self)
        self.add_button.setToolTip("Add a folder to search (or drop folders and files anywhere)")
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setToolTip("Stop searching the selected folder and forget its index")
        self.remove_button.setEnabled(False)
        self.excludes_button = QPushButton("Leave out…", self)
        self.excludes_button.setToolTip(
            "Files and folders to leave out of the index (e.g. drafts/ or *.tmp)"
        )

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.excludes_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)

        self.add_button.clicked.connect(self._choose_folder)
        self.remove_button.clicked.connect(self._remove_selected)
        self.excludes_button.clicked.connect(self.excludes_requested)
        self.tree.itemSelectionChanged.connect(
            lambda: self.remove_button.setEnabled(bool(self.tree.selectedItems()))
        )
        self._infos: dict[str, FolderInfo] = {}
        self._paused = False

    def set_folders(self, folders: Sequence[FolderInfo]) -> None:
        selected = self.selected_path()
        self._infos = {f.path: f for f in folders}
        self.tree.clear()
        for info in folders:
            item = QTreeWidgetItem([os.path.basename(info.path.rstrip(os.sep)) or info.path])
            item.setData(NAME_COLUMN, PATH_ROLE, info.path)
            item.setToolTip(NAME_COLUMN, info.path)
            item.setTextAlignment(
                DOCS_COLUMN, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
            self.tree.addTopLevelItem(item)  # first: a row's line below it needs the tree
            self._show(item, info)
            if info.path == selected:
                item.setSelected(True)

    def apply_change(self, event: FolderChanged) -> None:
        """A FolderChanged event: update the one row without waiting for a full refresh."""
        info = self._infos.get(event.path)
        item = self._item(event.path)
        if info is None or item is None:
            return  # a folder not listed yet: the next refresh brings it
        if event.removed:
            del self._infos[event.path]
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(item))
            return
        if event.state is not None:
            info = replace(info, state=event.state.value)
        if event.watch is not None:
            info = replace(info, watch_mode=event.watch.value)
        self._infos[event.path] = info
        self._show(item, info)

    def set_paused(self, paused: bool) -> None:
        """Indexing was paused or resumed: a folder being indexed says so at once (the engine
        records "paused" once its work has stopped)."""
        self._paused = paused
        for path, info in self._infos.items():
            item = self._item(path)
            if item is not None:
                self._show(item, info)

    def _show(self, item: QTreeWidgetItem, info: FolderInfo) -> None:
        state = info.state
        if self._paused and state == FolderState.INDEXING.value:
            state = FolderState.PAUSED.value
        elif not self._paused and state == FolderState.PAUSED.value:
            state = FolderState.INDEXING.value  # resumed; the engine says so in a moment
        item.setText(STATE_COLUMN, describe_state(state, info.failed))
        item.setText(DOCS_COLUMN, f"{info.documents:,}")
        updates, why = describe_watch(info.watch_mode)
        item.setText(UPDATES_COLUMN, updates)
        item.setToolTip(UPDATES_COLUMN, why)
        self._show_other(item, info)

    def _show_other(self, item: QTreeWidgetItem, info: FolderInfo) -> None:
        """Files of other kinds: a line of its own under the folder, across the columns (a
        column of its own would not fit the panel)."""
        text, why = describe_other(info)
        line = item.child(0)
        if not text:
            if line is not None:
                item.removeChild(line)
            return
        if line is None:
            line = QTreeWidgetItem(item)
            line.setFlags(Qt.ItemFlag.ItemIsEnabled)  # not selectable: it is no folder
            line.setFirstColumnSpanned(True)
            line.setForeground(NAME_COLUMN, self.palette().placeholderText())
        line.setText(NAME_COLUMN, text)
        line.setToolTip(NAME_COLUMN, why)
        item.setExpanded(True)

    def _item(self, path: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(NAME_COLUMN, PATH_ROLE) == path:
                return item
        return None

    def paths(self) -> list[str]:
        return [
            str(self.tree.topLevelItem(i).data(NAME_COLUMN, PATH_ROLE))
            for i in range(self.tree.topLevelItemCount())
        ]

    def state_text(self, path: str) -> str:
        item = self._item(path)
        return item.text(STATE_COLUMN) if item is not None else ""

    def updates_text(self, path: str) -> str:
        item = self._item(path)
        return item.text(UPDATES_COLUMN) if item is not None else ""

    def other_text(self, path: str) -> str:
        """The folder's line about files of other kinds ('' when it has none)."""
        item = self._item(path)
        line = item.child(0) if item is not None else None
        return line.text(NAME_COLUMN) if line is not None else ""

    def selected_path(self) -> str:
        items = self.tree.selectedItems()
        return str(items[0].data(NAME_COLUMN, PATH_ROLE)) if items else ""

    def _choose_folder(self) -> None:
        self.choose_requested.emit()

    def _remove_selected(self) -> None:
        path = self.selected_path()
        if path:
            self.remove_requested.emit(path)
