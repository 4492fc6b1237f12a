"""The side panel widens while the Problems tab is shown (its file, folder and reason columns
don't fit the folders list's width) and gives the width back when the Folders tab returns."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSplitter, QTabWidget, QWidget

PROBLEMS_WIDTH = 560  # file and folder whole, the reason wrapped beside them
MAX_SHARE = 0.45  # of the window: results and preview stay usable


class SideWidth(QObject):
    """Follows `tabs`' current tab; `sizes()` are the splitter's sizes to remember (with the
    folders list's own width, not the widened one)."""

    def __init__(self, splitter: QSplitter, tabs: QTabWidget, wide_tab: QWidget) -> None:
        super().__init__(splitter)
        self._splitter = splitter
        self._tabs = tabs
        self._wide_tab = wide_tab
        self._narrow: int | None = None  # the side's width before it widened
        tabs.currentChanged.connect(lambda _: self._follow_tab())

    def sizes(self) -> list[int]:
        sizes = self._splitter.sizes()
        if self._narrow is not None:
            return self._resized(sizes, self._narrow)
        return sizes

    def _follow_tab(self) -> None:
        sizes = self._splitter.sizes()
        if self._tabs.currentWidget() is self._wide_tab:
            if self._narrow is not None or not sum(sizes):
                return
            wanted = min(max(sizes[0], PROBLEMS_WIDTH), int(sum(sizes) * MAX_SHARE))
            if wanted > sizes[0]:
                self._narrow = sizes[0]
                self._splitter.setSizes(self._resized(sizes, wanted))
        elif self._narrow is not None:
            self._splitter.setSizes(self._resized(sizes, self._narrow))
            self._narrow = None

    @staticmethod
    def _resized(sizes: list[int], side: int) -> list[int]:
        """`side` for the first pane; the others give or take the difference in proportion."""
        rest = sum(sizes[1:])
        if rest <= 0:
            return [side, *sizes[1:]]
        change = side - sizes[0]
        others = [max(0, round(s - change * s / rest)) for s in sizes[1:]]
        return [side, *others]
