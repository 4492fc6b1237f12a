"""The window's controllers on their own: what each shows for what the engine host reports.

The host here never opens an engine: these tests drive the controllers through the host's
signals (the same records the real host emits) to reach states an engine gives only by
accident (a damaged index, a process that keeps dying). The window tests run them for real.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_search.core.config import Paths
from desktop_search.core.errors import (
    EngineStoppedError,
    IndexCorruptError,
    InvalidQueryError,
    ModelError,
)
from desktop_search.core.models import (
    DocumentResult,
    FailedFile,
    FileFailed,
    FileIndexed,
    FolderInfo,
    Hit,
    IndexStatus,
    Message,
)
from desktop_search.gui.bridge import QueryOutcome, QueryRequest
from desktop_search.gui.engine_host import EngineHost
from desktop_search.gui.folders_panel import FoldersPanel
from desktop_search.gui.index_controller import IndexController
from desktop_search.gui.problems_view import ProblemsView
from desktop_search.gui.results_panel import ResultsPanel
from desktop_search.gui.search_bar import SearchBar
from desktop_search.gui.search_controller import SearchController
from desktop_search.gui.status_panel import StatusPanel


class Parts:
    """The widgets and controllers of a window, without the window."""

    def __init__(self, qtbot, home: Path) -> None:
        self.host = EngineHost()
        self.search_bar = SearchBar(debounce_ms=0)
        self.results = ResultsPanel()
        self.status_panel = StatusPanel()
        self.folders = FoldersPanel()
        self.problems = ProblemsView()
        for widget in (
            self.search_bar,
            self.results,
            self.status_panel,
            self.folders,
            self.problems,
        ):
            qtbot.addWidget(widget)
        self.index = IndexController(
            self.host,
            Paths.resolve(str(home)),
            home=str(home),
            read_only=False,
            results=self.results,
            status_panel=self.status_panel,
            folders=self.folders,
            problems=self.problems,
        )
        self.search = SearchController(
            self.host, self.search_bar, self.results, indexing=lambda: self.status_panel.indexing
        )
        self.index.status_changed.connect(self.search.apply_status)
        self.messages: list[str] = []
        self.errors: list[tuple[BaseException, str]] = []
        for controller in (self.index, self.search):
            controller.message.connect(lambda text, _ms: self.messages.append(text))
            controller.error.connect(lambda exc, what: self.errors.append((exc, what)))


@pytest.fixture
def parts(qtbot, tmp_path: Path) -> Iterator[Parts]:
    p = Parts(qtbot, tmp_path / "home")
    yield p
    p.host.close_blocking()


def _status(folders: int = 0, documents: int = 0, indexing: bool = False) -> IndexStatus:
    infos = tuple(FolderInfo(f"/data/f{i}", "up to date", documents, 0) for i in range(folders))
    return IndexStatus("bundled", documents, documents * 3, indexing, infos, ())


def _outcome(text: str, *, results=(), error=None, like_path: str = "") -> QueryOutcome:
    return QueryOutcome(QueryRequest(1, text, like_path=like_path), tuple(results), error, 0.02)


def _doc(path: str) -> DocumentResult:
    hit = Hit(1, 1, 1.0, "lava flows", ((0, 4),), "lava flows", 0, 10)
    return DocumentResult(path, Path(path).stem, 1.0, "pdf", 0.0, (hit,))


# ---- search controller ----
def test_a_query_typed_before_the_index_is_open_waits_with_a_message(parts):
    parts.search_bar.edit.setText("volcano")
    parts.search_bar.emit_now()
    assert parts.results.empty.title.text() == "Opening your index…"
    assert parts.host.queries.latest_id > 0  # queued: it runs once an engine is set


def test_the_idle_hint_follows_the_index(parts):
    parts.search.apply_status(_status())
    assert parts.results.empty.title.text() == "Drop a folder here to start"
    assert parts.results.empty.button.text() == "Add folder…"
    parts.search.apply_status(_status(folders=2, documents=7, indexing=True))
    assert parts.results.empty.title.text() == "Type to search"
    assert "7 documents in 2 folders so far" in parts.results.empty.body.text()
    assert parts.search_bar.folder.count() >= 2  # the folder filter lists them


def test_results_are_shown_and_announced(parts, qtbot):
    with qtbot.waitSignal(parts.search.results_shown) as shown:
        parts.host.queries.finished.emit(_outcome("lava", results=[_doc("/d/volcano.pdf")]))
    assert shown.args == [1]
    assert parts.results.showing_results
    assert parts.results.header.text().startswith("1 document ·")
    assert parts.search.last_outcome.request.text == "lava"


def test_no_results_give_a_hint_that_fits(parts):
    parts.search.apply_status(_status(folders=1, documents=0))
    parts.host.queries.finished.emit(_outcome("lava"))
    assert parts.results.empty.title.text() == "No matches for “lava”"
    assert "Nothing is indexed yet" in parts.results.empty.body.text()
    parts.search.apply_status(_status(folders=1, documents=5))
    parts.host.queries.finished.emit(
        QueryOutcome(QueryRequest(2, "lava", mode="keyword"), (), None, 0.01)
    )
    assert "switch to Hybrid" in parts.results.empty.body.text()


def test_more_like_this_results_name_the_document(parts):
    parts.search.more_like_this("/d/volcano.pdf")
    assert parts.search.like_path == "/d/volcano.pdf"
    assert parts.messages[-1] == "Finding documents like volcano.pdf…"
    outcome = _outcome("volcano.pdf", results=[_doc("/d/lava.pdf")], like_path="/d/volcano.pdf")
    parts.host.queries.finished.emit(outcome)
    assert "Documents like <b>volcano.pdf</b>" in parts.results.header.text()


def test_search_errors_are_shown_in_place_and_unexpected_ones_reported(parts):
    parts.host.queries.finished.emit(_outcome("-", error=InvalidQueryError("Nothing to search.")))
    assert parts.results.empty.title.text() == "This search can't run"
    assert not parts.errors
    boom = RuntimeError("boom")
    parts.host.queries.finished.emit(_outcome("lava", error=boom))
    assert parts.results.empty.title.text() == "The search failed"
    assert parts.errors == [(boom, "searching")]


def test_a_model_that_fails_to_load_leaves_keyword_search(parts):
    parts.search_bar.set_mode("hybrid")
    parts.host.model_failed.emit(ModelError("The model 'x' is not on this computer."))
    assert parts.search_bar.current_mode() == "keyword"
    assert parts.search.model_error == "The model 'x' is not on this computer."
    assert parts.messages[-1].startswith("Searching by keywords only")
    assert not parts.errors  # written for people: no error dialog


# ---- index controller ----
def test_index_events_reach_the_panels(parts):
    parts.host.bridge.event.emit(FileFailed("/d/broken.pdf", "it is damaged"))
    assert parts.problems.problems() == {"/d/broken.pdf": "it is damaged"}
    parts.host.bridge.event.emit(FileIndexed("/d/broken.pdf", 3, 1))
    assert parts.problems.problems() == {}
    parts.host.bridge.event.emit(Message("The disk is almost full.", "error"))
    assert parts.messages[-1] == "The disk is almost full."


def test_paths_added_before_the_index_is_open_wait_for_it(parts, tmp_path: Path):
    parts.index.add_paths([str(tmp_path)])
    assert parts.messages[-1] == f"{tmp_path.name} is added once the index is open."
    assert parts.index._pending_paths == [str(tmp_path)]


def test_a_damaged_index_is_explained_and_a_rebuild_offered(parts, qtbot):
    damaged = IndexCorruptError("The index file is damaged.")
    with qtbot.waitSignal(parts.index.rebuild_offered) as offered:
        parts.host.open_failed.emit(damaged)
    assert offered.args == [damaged]
    assert parts.results.empty.title.text() == "The index can't be opened"
    assert parts.messages[-1] == "The index file is damaged."
    assert not parts.errors


def test_an_engine_that_keeps_dying_is_left_stopped_with_try_again(parts, monkeypatch):
    reopened: list[str | None] = []
    monkeypatch.setattr(parts.host, "open", lambda home, **_: reopened.append(home))
    parts.host.lost.emit(EngineStoppedError("The indexing process was stopped by SIGKILL."))
    assert len(reopened) == 1 and "Restarting it" in parts.messages[-1]
    parts.host.lost.emit(EngineStoppedError("The indexing process was stopped by SIGKILL."))
    assert len(reopened) == 1  # not restarted again within the minute
    assert parts.results.empty.title.text() == "Searching and indexing stopped"
    assert parts.results.empty.button.text() == "Try again"
    parts.results.empty.button.click()
    assert len(reopened) == 2
    assert parts.results.empty.title.text() == "Restarting…"


def test_status_refreshes_feed_the_panels_then_the_search(parts, qtbot):
    status = IndexStatus(
        "bundled",
        3,
        9,
        False,
        (FolderInfo("/data/papers", "up to date", 3, 1),),
        (FailedFile("/data/papers/x.pdf", "it is encrypted"),),
    )
    with qtbot.waitSignal(parts.index.status_changed) as changed:
        parts.index._apply_status(status, True)
    assert changed.args == [status, True]
    assert parts.index.status is status and parts.search.status is status
    assert parts.folders.paths() == ["/data/papers"]
    assert parts.problems.problems() == {"/data/papers/x.pdf": "it is encrypted"}
    assert parts.status_panel.summary.text() == "3 documents"
    assert parts.results.empty.title.text() == "Type to search"


def test_nothing_is_asked_of_an_index_that_is_not_open(parts):
    assert parts.index.settings is None
    parts.index.set_paused(True)
    parts.index.rescan()
    parts.index.remove_folder("/data/papers")
    parts.index.refresh_status()
    assert parts.host.tasks.pending == 0
    assert not parts.messages and not parts.errors
