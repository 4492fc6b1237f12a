"""The query flow: what is typed runs off the GUI thread, stale results are dropped, and the
results panel shows results, a hint when there are none, or what to do first."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from desktop_search.core.errors import DesktopSearchError
from desktop_search.core.models import IndexStatus, SearchFilters
from desktop_search.gui.bridge import QueryOutcome
from desktop_search.gui.engine_host import EngineHost
from desktop_search.gui.error_dialog import plain_message
from desktop_search.gui.results_panel import ResultsPanel
from desktop_search.gui.search_bar import SearchBar

log = logging.getLogger(__name__)

DEFAULT_K = 20  # results asked for before the engine's settings can be read


class SearchController(QObject):
    """Runs the search bar's queries through the host's QueryRunner and shows their outcome.

    Only the newest query's outcome reaches `_on_query_finished` (QueryRunner drops the rest).
    `results_shown` fires once the results (or the "no results" hint) are in the view.
    """

    results_shown = Signal(int)  # query id
    message = Signal(str, int)  # status bar text, timeout in ms (0: until replaced)
    error = Signal(object, str)  # exception, what was being done

    def __init__(
        self,
        host: EngineHost,
        search_bar: SearchBar,
        results: ResultsPanel,
        *,
        indexing: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.search_bar = search_bar
        self.results = results
        self._indexing = indexing
        self.status: IndexStatus | None = None
        self.last_outcome: QueryOutcome | None = None
        self.model_error = ""
        self.like_path = ""  # set while "more like this" results are shown
        host.queries.finished.connect(self._on_query_finished)
        host.model_ready.connect(self._on_model_ready)
        host.model_failed.connect(self._on_model_failed)
        search_bar.query_changed.connect(self.on_query_changed)
        results.more_like_this_requested.connect(self.more_like_this)
        results.suggestion_chosen.connect(search_bar.set_query)

    # ---- queries in ----
    def on_query_changed(self, text: str, mode: str, filters: SearchFilters | None) -> None:
        self.like_path = ""
        if not text:
            self.host.queries.cancel_pending()
            self.show_idle_state()
            return
        if self.host.engine is None and not self.host.search_ready:
            self.results.show_message(
                "Opening your index…", "Your search runs as soon as it is ready."
            )
        elif not self.host.search_ready and not self.model_error:
            self.results.show_message(
                "Loading the search model…", "Your search runs as soon as it is ready."
            )
        self.host.queries.submit(text, mode=mode, filters=filters, k=self._results_per_page())

    def rerun(self) -> None:
        """Run what the search bar holds again (the model became ready, or the index changed)."""
        bar = self.search_bar
        self.on_query_changed(bar.text(), bar.current_mode(), bar.filters())

    def more_like_this(self, path: str) -> None:
        self.like_path = path
        name = os.path.basename(path)
        self.host.queries.submit(name, like_path=path)
        self.message.emit(f"Finding documents like {name}…", 3000)

    def _results_per_page(self) -> int:
        engine = self.host.engine
        return engine.settings.results_per_page if engine is not None else DEFAULT_K

    # ---- the model ----
    def _on_model_ready(self) -> None:
        self.model_error = ""
        self.rerun()

    def _on_model_failed(self, exc: BaseException) -> None:
        self.model_error = plain_message(exc)
        self.search_bar.set_mode("keyword")  # keyword search needs no model

    # ---- outcomes ----
    def _on_query_finished(self, outcome: QueryOutcome) -> None:
        self.last_outcome = outcome
        request = outcome.request
        if outcome.error is None and not request.like_path:
            self.search_bar.set_search_cost(outcome.seconds)
        if outcome.error is not None:
            exc = outcome.error
            if isinstance(exc, DesktopSearchError):
                self.results.show_message("This search can't run", str(exc))
            else:
                self.results.show_message("The search failed", plain_message(exc))
                self.error.emit(exc, "searching")
        elif request.like_path:
            name = os.path.basename(request.like_path)
            self.results.show_results(
                outcome.results,
                "",
                f"Documents like <b>{_esc(name)}</b> · {len(outcome.results)} found",
            )
            self.results.show_notes()
        elif not outcome.results:
            suggestion = outcome.suggestion
            self.results.show_message(
                f"No matches for “{request.text}”",
                self._no_results_hint(request.mode),
                f"Search for “{suggestion}”" if suggestion else "",
                (lambda: self.search_bar.set_query(suggestion)) if suggestion else None,
            )
        else:
            count = len(outcome.results)
            took = outcome.seconds * 1000
            shown_for = (
                f" for <b>{_esc(outcome.corrected_query)}</b>" if outcome.corrected_query else ""
            )
            self.results.show_results(
                outcome.results,
                outcome.corrected_query or request.text,
                f"{count} document{'s' if count != 1 else ''}{shown_for} · {took:.0f} ms"
                + (" · more appear as indexing goes on" if self._indexing() else ""),
            )
            self.results.show_notes(outcome.notes, outcome.suggestion, outcome.corrected_query)
        self.results_shown.emit(request.id)

    def _no_results_hint(self, mode: str) -> str:
        if self.status and not self.status.documents:
            return "Nothing is indexed yet: drop a folder on this window to search it."
        tips = ["Try fewer or different words"]
        if mode == "keyword":
            tips.append("or switch to Hybrid to match by meaning")
        if self.search_bar.filters() is not None:
            tips.append("or clear the filters")
        return " ".join(tips) + "."

    # ---- the index changed ----
    def apply_status(self, status: IndexStatus, rerun_query: bool = False) -> None:
        """Show the idle hint for an empty bar, or refresh the results if new documents may
        match, unless the person is browsing them."""
        self.status = status
        self.search_bar.set_folders([f.path for f in status.folders])
        text = self.search_bar.text()
        if not text and not self.like_path:
            self.show_idle_state()
        elif (
            text
            and self.host.search_ready
            and not self.like_path
            and (
                rerun_query
                or not self.results.model.rowCount()
                or not self.results.view.currentIndex().isValid()
            )
        ):
            self.host.queries.submit(
                text,
                mode=self.search_bar.current_mode(),
                filters=self.search_bar.filters(),
                k=self._results_per_page(),
            )

    def show_idle_state(self) -> None:
        status = self.status
        if status is None:
            return
        if not status.folders:
            self.results.show_message(
                "Drop a folder here to start",
                "Drag folders or files from your file manager onto this window, or use the "
                "button. They are indexed in the background and kept up to date; you can search "
                "while that happens.",
                "Add folder…",
            )
            return
        n = len(status.folders)
        where = f"{status.documents:,} documents in {n} folder{'s' if n != 1 else ''}"
        if status.indexing:
            where += " so far; more are being indexed and can be searched as they arrive"
        self.results.show_message(
            "Type to search",
            f'{where}. Use "quotes" for an exact phrase and -word to leave a word out.',
        )


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
