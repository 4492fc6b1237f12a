"""The folders being searched: state, document counts, add/remove, exclude patterns."""

from __future__ import annotations

import os
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_search.core.models import FolderInfo, FolderState

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


def describe_state(state: str, failed: int) -> str:
    """What a person reads in the State column."""
    if state == FolderState.INDEXING.value:
        return "indexing…"
    if state == FolderState.PENDING.value:
        return "waiting"
    if state == FolderState.UNAVAILABLE.value:
        return "unavailable"
    if failed:
        return f"{failed} problem{'s' if failed != 1 else ''}"
    return "up to date"


class FoldersPanel(QWidget):
    """Lists folders; emits requests, the window carries them out on the engine."""

    add_requested = Signal(list)  # list[str]
    remove_requested = Signal(str)
    excludes_requested = Signal()
    rescan_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("foldersTree")
        self.tree.setHeaderLabels(["Folder", "State", "Docs"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAcceptDrops(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

        self.add_button = QPushButton("Add folder…", self)
        self.add_button.setToolTip("Add a folder to search (or drop folders and files anywhere)")
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setToolTip("Stop searching the selected folder and forget its index")
        self.remove_button.setEnabled(False)
        self.excludes_button = QPushButton("Excludes…", self)
        self.excludes_button.setToolTip("Patterns of files and folders to skip")

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

    def set_folders(self, folders: Sequence[FolderInfo]) -> None:
        selected = self.selected_path()
        self._infos = {f.path: f for f in folders}
        self.tree.clear()
        for info in folders:
            item = QTreeWidgetItem(
                [
                    os.path.basename(info.path.rstrip(os.sep)) or info.path,
                    describe_state(info.state, info.failed),
                    f"{info.documents:,}",
                ]
            )
            item.setData(0, PATH_ROLE, info.path)
            item.setToolTip(0, info.path)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
            if info.path == selected:
                item.setSelected(True)

    def set_state(self, path: str, state: str) -> None:
        """A FolderChanged event: update the one row without waiting for a full refresh."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, PATH_ROLE) == path:
                info = self._infos.get(path)
                item.setText(1, describe_state(state, info.failed if info else 0))

    def paths(self) -> list[str]:
        return [
            str(self.tree.topLevelItem(i).data(0, PATH_ROLE))
            for i in range(self.tree.topLevelItemCount())
        ]

    def state_text(self, path: str) -> str:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, PATH_ROLE) == path:
                return item.text(1)
        return ""

    def selected_path(self) -> str:
        items = self.tree.selectedItems()
        return str(items[0].data(0, PATH_ROLE)) if items else ""

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder to search")
        if folder:
            self.add_requested.emit([folder])

    def _remove_selected(self) -> None:
        path = self.selected_path()
        if path:
            self.remove_requested.emit(path)
