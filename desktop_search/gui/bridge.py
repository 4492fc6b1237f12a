"""Core callbacks and blocking core calls, turned into Qt signals delivered on the GUI thread.

Three helpers, all used by the window and by tests:
- `IndexerBridge`: its `emit` is the Engine's `on_event`; the indexer calls it on a worker thread
  and Qt queues the event to the GUI thread.
- `QueryRunner`: one worker thread that runs searches; each query gets an id, a newer query replaces
  any query still waiting, and results of a query that is no longer the newest are dropped.
- `TaskRunner`: runs any other blocking call (open the engine, load the model, render a page,
  status) on a small thread pool and hands the result or the exception back on the GUI thread.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop_search.core.api import EngineAPI
from desktop_search.core.models import DocumentResult, IndexEvent, SearchFilters, SearchResults

log = logging.getLogger(__name__)

T = TypeVar("T")


class IndexerBridge(QObject):
    """Re-emits core index events as a Qt signal; connect widgets to `event`.

    Pass `bridge.emit` as the Engine's `on_event`: it runs on the indexer's thread and the signal
    is queued to the GUI thread, where the connected widgets run.
    """

    # Shadows QObject.event() for Python callers only (Qt's own event dispatch is unaffected);
    # the name is kept because scripts and benchmarks connect to `bridge.event`.
    event = Signal(object)  # type: ignore[assignment]

    def emit(self, event: IndexEvent) -> None:  # type: ignore[override]  # not QObject's emit
        with contextlib.suppress(RuntimeError):  # the window is gone (shutdown race)
            self.event.emit(event)


@dataclass(frozen=True)
class QueryRequest:
    """One query as the person typed it. `like_path` set means "more like this" that document."""

    id: int
    text: str
    mode: str = "hybrid"
    filters: SearchFilters | None = None
    k: int = 20
    like_path: str = ""
    submitted: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class QueryOutcome:
    """What a query gave: results, or an error (a DesktopSearchError is shown in place)."""

    request: QueryRequest
    results: tuple[DocumentResult, ...] = ()
    error: BaseException | None = None
    seconds: float = 0.0
    # What the engine said about the query (see SearchResults); empty for "more like this".
    notes: tuple[str, ...] = ()
    suggestion: str = ""
    corrected_query: str = ""


class QueryRunner(QObject):
    """Runs queries one at a time on its own thread; the newest query always wins.

    A query submitted while another runs waits in a single slot, so typing "neural" never queues
    six searches: at most the running one and the newest finish. Results that are stale when they
    arrive are dropped here and never reach `finished`.
    """

    finished = Signal(object)  # QueryOutcome of the newest query, on the GUI thread
    _arrived = Signal(object)  # emitted by the worker thread; filtered again on the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine: EngineAPI | None = None
        self._ids = itertools.count(1)
        self._latest = 0
        self._pending: QueryRequest | None = None
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="query-runner", daemon=True)
        self._thread.start()
        self._arrived.connect(self._drop_stale_on_arrival)

    def set_engine(self, engine: EngineAPI | None) -> None:
        """Queries wait until an engine (with its model) is set; None pauses them again."""
        with self._cond:
            self._engine = engine
            self._cond.notify_all()

    @property
    def latest_id(self) -> int:
        return self._latest

    def submit(
        self,
        text: str,
        *,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
        k: int = 20,
        like_path: str = "",
    ) -> int:
        """Queue a query, replacing any query not started yet; returns its id."""
        with self._cond:
            self._latest = next(self._ids)
            self._pending = QueryRequest(self._latest, text, mode, filters, k, like_path)
            self._cond.notify_all()
            return self._latest

    def cancel_pending(self) -> None:
        """Forget the waiting query and make any running one stale (e.g. the bar was cleared)."""
        with self._cond:
            self._latest = next(self._ids)
            self._pending = None

    def shutdown(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stopping = True
            self._pending = None
            self._cond.notify_all()
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (self._pending is None or self._engine is None):
                    self._cond.wait()
                if self._stopping:
                    return
                request, self._pending = self._pending, None
                engine = self._engine
            assert request is not None and engine is not None
            started = time.perf_counter()
            try:
                if request.like_path:
                    results = engine.more_like_this(request.like_path, k=request.k)
                else:
                    results = engine.search(
                        request.text, k=request.k, mode=request.mode, filters=request.filters
                    )
                found = results if isinstance(results, SearchResults) else SearchResults(results)
                outcome = QueryOutcome(
                    request,
                    tuple(found),
                    None,
                    time.perf_counter() - started,
                    notes=found.notes,
                    suggestion=found.suggestion,
                    corrected_query=found.corrected_query,
                )
            except Exception as exc:  # handed to the GUI: shown in place or in the error dialog
                outcome = QueryOutcome(request, (), exc, time.perf_counter() - started)
            if request.id != self._latest:
                continue  # a newer query exists: nobody wants these results
            try:
                self._arrived.emit(outcome)
            except RuntimeError:  # the Qt object is gone (window closed mid-query)
                return

    def _drop_stale_on_arrival(self, outcome: QueryOutcome) -> None:
        # Checked again on the GUI thread: a key may have been typed while the signal was queued.
        if outcome.request.id == self._latest:
            self.finished.emit(outcome)


class _TaskSignals(QObject):
    settled = Signal(int, object, object)  # token, result, exception


class TaskRunner(QObject):
    """Runs blocking calls off the GUI thread; callbacks run on the GUI thread.

    `run(fn, on_done, on_error)` returns a token. Exceptions go to `on_error` when given, else to
    `unhandled` (the window shows DesktopSearchErrors in place and anything else in a dialog).
    """

    unhandled = Signal(object)

    def __init__(self, parent: QObject | None = None, *, workers: int = 2, name: str = "gui-task"):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._signals = _TaskSignals()
        self._signals.settled.connect(self._on_settled)
        self._callbacks: dict[
            int, tuple[Callable[[Any], None] | None, Callable[[BaseException], None] | None]
        ] = {}
        self._tokens = itertools.count(1)
        self._closed = False

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int:
        if self._closed:
            return 0
        token = next(self._tokens)
        self._callbacks[token] = (on_done, on_error)
        future = self._pool.submit(fn)
        future.add_done_callback(functools.partial(self._settle, token))
        return token

    @property
    def pending(self) -> int:
        return len(self._callbacks)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work and wait for calls already running (their callbacks are dropped)."""
        self._closed = True
        self._callbacks.clear()
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def _settle(self, token: int, future: Future[Any]) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        with contextlib.suppress(RuntimeError):  # the Qt side is already gone at exit
            self._signals.settled.emit(token, None if exc else future.result(), exc)

    def _on_settled(self, token: int, result: Any, exc: BaseException | None) -> None:
        callbacks = self._callbacks.pop(token, None)
        if callbacks is None:
            return
        on_done, on_error = callbacks
        if exc is None:
            if on_done is not None:
                on_done(result)
        elif on_error is not None:
            on_error(exc)
        else:
            self.unhandled.emit(exc)
