"""Draws a row's first cell as two lines: a name, and under it where it is in a quieter colour
that stays readable on both themes (the middle of a long one is cut, not its end). The folders
panel shows a folder's name over its path, the problems list a file's name over its folder.
Cells without a path (a note under a folder) are drawn as usual."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop_search.gui.theme import secondary_text

PATH_ROLE = Qt.ItemDataRole.UserRole + 1  # the folders panel's and the problems list's
PADDING = 4
Index = QModelIndex | QPersistentModelIndex


def display_path(path: str) -> str:
    """The path with the home folder written '~'."""
    home = os.path.expanduser("~")
    if home != "/" and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def folder_name(path: str) -> str:
    return os.path.basename(path.rstrip(os.sep)) or path


class FolderNameDelegate(QStyledItemDelegate):
    """Name (bold) over where it is (quieter), both cut in the middle when the column is narrow.

    `where(index)` gives the second line; by default the cell's folder path, '~' for home.
    """

    def __init__(
        self, parent: QWidget | None = None, where: Callable[[Index], str] | None = None
    ) -> None:
        super().__init__(parent)
        self._where = where or (lambda index: display_path(str(index.data(PATH_ROLE))))

    @staticmethod
    def two_line_width(widget: QWidget, name: str, where: str) -> int:
        """The width that shows `name` (bold) and `where` under it whole."""
        bold = QFont(widget.font())
        bold.setBold(True)
        wanted = max(
            QFontMetrics(bold).horizontalAdvance(name),
            widget.fontMetrics().horizontalAdvance(where),
        )
        return wanted + 2 * PADDING + 8

    @staticmethod
    def width_for(widget: QWidget, path: str) -> int:
        """The width that shows both lines of a folder's `path` whole."""
        return FolderNameDelegate.two_line_width(widget, folder_name(path), display_path(path))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        path = index.data(PATH_ROLE)
        if not path:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        name = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = opt.rect.adjusted(PADDING, 2, -PADDING, -2)
        line = opt.fontMetrics.height()
        bold = QFont(opt.font)
        bold.setBold(True)
        painter.save()
        painter.setFont(bold)
        painter.setPen(opt.palette.color(role))
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(bold).elidedText(name, Qt.TextElideMode.ElideMiddle, rect.width()),
        )
        painter.setFont(opt.font)
        painter.setPen(opt.palette.color(role) if selected else secondary_text(opt.palette))
        painter.drawText(
            QRect(rect.left(), rect.top() + line, rect.width(), line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            opt.fontMetrics.elidedText(
                self._where(index), Qt.TextElideMode.ElideMiddle, rect.width()
            ),
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        path = index.data(PATH_ROLE)
        if not path:
            return super().sizeHint(option, index)
        height = 2 * option.fontMetrics.height() + 4
        widget = option.widget
        name = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        width = self.two_line_width(widget, name, self._where(index)) if widget is not None else 0
        return QSize(width, height)
