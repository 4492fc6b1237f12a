"""What the results show follows what the person chose: the first passage is selected with new
results (so the list marks the passage the preview shows), a passage they picked is kept, and
the search mode they chose comes back after a stand-in (keywords while no model is loaded)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from desktop_search.gui.results_panel import ResultsPanel
from desktop_search.gui.search_bar import SearchBar


class SearchFollow(QObject):
    """Connect `results_shown` to `on_results_shown` and the model's readiness to
    `on_model_ready`; `chosen_mode` is what to save as the person's mode."""

    def __init__(
        self,
        search_bar: SearchBar,
        results: ResultsPanel,
        tell: Callable[[str, int], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bar = search_bar
        self._results = results
        self._tell = tell
        self._auto_selected: tuple[str, int] | None = None  # chosen for them, not by them
        self.chosen_mode = search_bar.current_mode()
        # Between a failed model load and the next ready one, modes set by code are the
        # keyword stand-in, not a choice; the person's own picks (activated) still count.
        self._standing_in = False
        search_bar.mode.currentIndexChanged.connect(lambda _: self._mode_changed())
        search_bar.mode.activated.connect(lambda _: self._mode_chosen())

    def _mode_changed(self) -> None:
        if not self._standing_in:
            self.chosen_mode = self._bar.current_mode()

    def _mode_chosen(self) -> None:
        self.chosen_mode = self._bar.current_mode()

    def on_model_failed(self) -> None:
        """Connect before whoever switches to the keyword stand-in, so the switch is known."""
        self._standing_in = True

    def on_model_ready(self) -> None:
        """A model is loaded again: the mode the person chose comes back."""
        self._standing_in = False
        if self._bar.current_mode() != self.chosen_mode:
            self._bar.set_mode(self.chosen_mode)
            self._tell(f"Searching in {self._bar.mode.currentText()} mode again.", 5000)

    def on_results_shown(self, _query_id: int = 0) -> None:
        """New results: select the first passage unless the person picked another one."""
        results = self._results
        if not results.showing_results or not results.model.rowCount():
            self._auto_selected = None
            return
        key = results.current_key()
        if key is not None and key != self._auto_selected:
            return  # their own choice, kept across re-runs of the query
        first = results.model.index(0, 0)
        if results.view.currentIndex() != first:
            results.view.setCurrentIndex(first)  # the preview follows (passage_selected)
            results.view.scrollTo(first)
        self._auto_selected = results.current_key()
