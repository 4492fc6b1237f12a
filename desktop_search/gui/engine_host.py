"""Owns the window's engine: a child process (see core.engine_process), opened, loaded and closed
off the GUI thread; restarted if it dies."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from desktop_search.core.api import EngineAPI
from desktop_search.core.errors import EngineStoppedError
from desktop_search.gui.bridge import IndexerBridge, QueryRunner, TaskRunner

log = logging.getLogger(__name__)

T = TypeVar("T")


class EngineHost(QObject):
    """The window's one handle on the core.

    Signals arrive on the GUI thread: `opened` when the index is usable (folders, status),
    `model_ready` when searches can run, `open_failed` / `model_failed` with the exception.
    """

    opened = Signal(object)  # EngineAPI
    open_failed = Signal(object)
    lost = Signal(object)  # the engine's process died; EngineStoppedError
    model_loading = Signal(str)
    model_ready = Signal()
    model_failed = Signal(object)
    closed = Signal()
    _lost_in_child = Signal(object)  # emitted on the engine's reader thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = IndexerBridge(self)
        self.queries = QueryRunner(self)
        # Separate pools so a slow model load never delays a page render or a status refresh.
        self.tasks = TaskRunner(self, workers=2, name="gui-task")
        self._lifecycle = TaskRunner(self, workers=1, name="engine-lifecycle")
        self.engine: EngineAPI | None = None
        self.home: str | None = None
        self.search_ready = False
        self.closing = False
        self.timings: dict[str, float] = {}
        self._lock = threading.Lock()
        self._opened: EngineAPI | None = None
        self.locked_reason = ""  # why the index was opened read-only, if it was
        self._lost_in_child.connect(self._on_lost)

    def open(self, home: str | None, *, read_only: bool = False) -> None:
        """Open the index at `home` (None: the default) and then load the model, both off-thread.

        When another process is writing that index, it is opened for searching only and
        `opened_read_only` tells the window why folders can't be changed.
        """
        self.home = home
        started = time.perf_counter()

        def do_open() -> EngineAPI | None:
            from desktop_search.core.engine_process import RemoteEngine  # noqa: PLC0415

            engine = RemoteEngine(
                home,
                on_event=self.bridge.emit,
                on_lost=self._lost_in_child.emit,
                read_only=read_only,
                interactive=True,
            )
            self.locked_reason = engine.locked_reason
            with self._lock:
                # Recorded here, on the worker thread, so a close that races the open still
                # finds and closes it.
                self._opened = engine
                if self.closing:
                    self._opened = None
                    engine.close()
                    return None
            return engine

        def on_opened(engine: EngineAPI | None) -> None:
            if engine is None or self.closing:
                return
            with self._lock:
                current = self._opened
            if current is not engine:
                return  # it died meanwhile and `_on_lost` already dealt with it
            if not engine.alive:  # it died before its loss could be reported to us
                self._on_lost(
                    EngineStoppedError("The indexing process stopped right after opening.")
                )
                return
            self.engine = engine
            self.timings["engine_open_s"] = time.perf_counter() - started
            self.opened.emit(engine)
            self.load_model()

        self._lifecycle.run(do_open, on_opened, self._on_open_failed)

    def load_model(self) -> None:
        """(Re)load the model named in the settings; searches wait until it is ready."""
        engine = self.engine
        if engine is None:
            return
        self.search_ready = False
        self.queries.set_engine(None)
        self.model_loading.emit(engine.settings.model)
        started = time.perf_counter()

        def on_loaded(_: None) -> None:
            if self.closing or engine is not self.engine:
                return
            self.timings["model_load_s"] = time.perf_counter() - started
            self.search_ready = True
            self.queries.set_engine(engine)
            self.model_ready.emit()

        def on_failed(exc: BaseException) -> None:
            if self.closing or engine is not self.engine or isinstance(exc, EngineStoppedError):
                return  # the engine's process died: `lost` reports it and a new one loads again
            log.warning("Model load failed: %s", exc, exc_info=exc)
            # Keyword search still works without a model; let queries run and fail in place.
            self.queries.set_engine(engine)
            self.model_failed.emit(exc)

        self._lifecycle.run(engine.load_model, on_loaded, on_failed)

    def _on_lost(self, exc: BaseException) -> None:
        """The engine's process died: forget it; the window decides whether to reopen."""
        with self._lock:
            lost, self._opened = self._opened, None
        if self.closing or lost is None:
            return
        self.engine = None
        self.search_ready = False
        self.queries.set_engine(None)
        lost.close()  # reaps the dead process; nothing to flush
        self.lost.emit(exc)

    def _on_open_failed(self, exc: BaseException) -> None:
        log.warning("Opening the index failed: %s", exc, exc_info=exc)
        self.open_failed.emit(exc)

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int:
        """Run a blocking call off the GUI thread (see TaskRunner.run)."""
        return self.tasks.run(fn, on_done, on_error)

    def close(self, on_closed: Callable[[], None] | None = None) -> None:
        """Stop queries, then close the engine off-thread (it finishes the current batch)."""
        if self.closing:
            return
        engine = self._begin_close()
        self.tasks.shutdown(wait=False)  # drop pending callbacks here, on the GUI thread

        def do_close() -> None:
            self.queries.shutdown()
            self.tasks.shutdown(wait=True)
            if engine is not None:
                engine.close()

        def done(_: None = None) -> None:
            self._lifecycle.shutdown(wait=True)  # its last job (the close) has finished
            self.closed.emit()
            if on_closed is not None:
                on_closed()

        def failed(exc: BaseException) -> None:
            log.error("Closing the index failed", exc_info=exc)
            done()

        self._lifecycle.run(do_close, done, failed)

    def close_blocking(self, timeout: float = 30.0) -> None:
        """For exit paths and tests: close and wait, without an event loop."""
        if not self.closing:
            engine = self._begin_close()
            self.queries.shutdown()
            self.tasks.shutdown(wait=True)
            if engine is not None:
                engine.close(timeout)
        self._lifecycle.shutdown(wait=True)

    def _begin_close(self) -> EngineAPI | None:
        with self._lock:
            self.closing = True
            engine, self._opened = self._opened, None
        self.engine = None
        self.search_ready = False
        self.queries.set_engine(None)
        return engine
