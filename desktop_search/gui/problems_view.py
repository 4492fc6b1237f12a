"""Files that could not be indexed, and files indexed only in part, each with the reason,
written for a person."""

from __future__ import annotations

import os
from collections.abc import Iterable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_search.core.models import FailedFile, PartialFile

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class ProblemsView(QWidget):
    """One row per failed or partly indexed file; `count_changed` lets the window show the
    number on its tab."""

    count_changed = Signal(int)
    open_folder_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("problemsTree")
        self.tree.setHeaderLabels(["File", "Reason"])
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        self.tree.setAcceptDrops(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().resizeSection(0, 180)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.empty = QLabel("No problems: every file found so far was read.", self)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        self._rows: dict[str, QTreeWidgetItem] = {}
        self._update_empty()

    def set_problems(
        self, failed: Iterable[FailedFile], partial: Iterable[PartialFile] = ()
    ) -> None:
        self.tree.clear()
        self._rows.clear()
        for f in failed:
            self._add(f.path, f.reason)
        for p in partial:
            self._add(p.path, f"Indexed, but {p.reason}")
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
        return {path: item.text(1) for path, item in self._rows.items()}

    def count(self) -> int:
        return len(self._rows)

    def _add(self, path: str, reason: str) -> None:
        item = self._rows.get(path)
        if item is None:
            item = QTreeWidgetItem([os.path.basename(path), reason])
            item.setData(0, PATH_ROLE, path)
            self.tree.addTopLevelItem(item)
            self._rows[path] = item
        item.setText(1, reason)
        item.setToolTip(0, path)
        item.setToolTip(1, reason)

    def _changed(self) -> None:
        self._update_empty()
        self.count_changed.emit(len(self._rows))

    def _update_empty(self) -> None:
        has_rows = bool(self._rows)
        self.tree.setVisible(has_rows)
        self.empty.setVisible(not has_rows)

    def _menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        path = str(item.data(0, PATH_ROLE))
        menu = QMenu(self)
        menu.addAction("Copy path", lambda: QGuiApplication.clipboard().setText(path))
        menu.addAction("Copy reason", lambda: QGuiApplication.clipboard().setText(item.text(1)))
        menu.addAction("Open containing folder", lambda: self.open_folder_requested.emit(path))
        menu.popup(self.tree.viewport().mapToGlobal(pos))
