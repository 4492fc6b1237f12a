"""An Engine in a child process, driven over a pipe: what the window uses.

Why a process and not a thread: Chroma's native calls hold the GIL while the indexer writes
(tens of milliseconds at a time), and any thread of the window's process that wants the GIL
meanwhile, the GUI thread included, waits. With the engine in a child process, the window's
process only draws; indexing, watching and searching all happen in the child.

`RemoteEngine` satisfies `EngineAPI` (core/api.py), like `Engine`; the calls it forwards are
read from that protocol. Calls block the calling thread
(never call them on a GUI thread, except the fire-and-forget `pause`, `resume` and `cancel`).
Events and log records from the child arrive on a reader thread, in order. If the child dies,
every waiting call fails with EngineStoppedError and `on_lost` is called once.

Qt-free, like the rest of the core.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import logging
import multiprocessing as mp
import pickle
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_search.core.api import EngineAPI
from desktop_search.core.config import Paths, Settings
from desktop_search.core.engine_child import Opened, serve
from desktop_search.core.errors import DesktopSearchError, EngineStoppedError
from desktop_search.core.extract.ocr import WordBox
from desktop_search.core.extract.pool import signal_name
from desktop_search.core.models import (
    FolderInfo,
    IndexEvent,
    IndexStatus,
    Paused,
    SearchFilters,
    SearchResults,
)

log = logging.getLogger(__name__)


class RemoteEngine:
    """A handle on an Engine running in a child process (see the module's docstring)."""

    def __init__(
        self,
        home: str | Path | None = None,
        *,
        on_event: Callable[[IndexEvent], None] | None = None,
        on_lost: Callable[[EngineStoppedError], None] | None = None,
        read_only: bool = False,
        interactive: bool = True,
        open_timeout: float = 300.0,
    ) -> None:
        """Start the child and open the index in it; raises what `Engine.open` raises.

        An index another process writes is opened for searching only: `read_only` is then
        True and `locked_reason` says why.
        """
        self._on_event = on_event
        self._on_lost = on_lost
        self._ids = itertools.count(1)
        self._pending: dict[int, Future[Any]] = {}
        self._lock = threading.Lock()  # guards _pending, _stopped and _opened
        self._send_lock = threading.Lock()
        self._stopped: EngineStoppedError | None = None
        self._closing = False
        self._opened = False
        self._paused = False
        ctx = mp.get_context("spawn")  # a fresh interpreter: never fork a process with Qt threads
        self._conn, child_conn = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=serve,
            args=(child_conn, None if home is None else str(home), read_only, interactive),
            name="desktop-search-engine",
        )
        self.process.start()
        child_conn.close()
        # Runs before multiprocessing's own exit handler, which would wait for the child
        # forever: the child would never hear that this process is ending.
        atexit.register(self.close)
        opened: Future[Any] = Future()
        self._pending[0] = opened  # id 0: the reply to the open
        self._reader = threading.Thread(
            target=self._read, name="desktop-search-engine-reader", daemon=True
        )
        self._reader.start()
        try:
            info: Opened = opened.result(open_timeout)
        except FutureTimeout:
            self._closing = True
            self._terminate()
            raise EngineStoppedError(
                f"The indexing process did not open the index within {open_timeout:.0f} s."
            ) from None
        except BaseException:
            self._closing = True
            self.process.join(5.0)
            self._terminate()
            raise
        self.pid = info.pid
        self.read_only = info.read_only
        self.locked_reason = info.locked_reason
        self.paths = Paths.resolve(info.home)
        self._settings = info.settings

    # ---- the Engine API the window uses ----
    def search(
        self,
        query: str,
        *,
        k: int = 20,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
    ) -> SearchResults:
        return self._call("search", query, k=k, mode=mode, filters=filters)

    def more_like_this(self, path: str | Path, *, k: int = 20) -> SearchResults:
        return self._call("more_like_this", str(path), k=k)

    def status(self) -> IndexStatus:
        return self._call("status")

    def page_words(self, path: str, page: int) -> tuple[WordBox, ...]:
        return self._call("page_words", str(path), page)

    def folders(self) -> list[FolderInfo]:
        return self._call("folders")

    def watch_modes(self) -> dict[str, str]:
        return self._call("watch_modes")

    def add_folder(self, path: str | Path) -> None:
        self._call("add_folder", str(path))

    def remove_folder(self, path: str | Path) -> None:
        self._call("remove_folder", str(path))

    def rescan(self) -> None:
        self._call("rescan")

    def unlock(self, path: str | Path, password: str) -> None:
        # The password crosses to the child over the pipe only (never a file or a log line).
        self._call("unlock", str(path), password)

    def start_watching(self) -> None:
        self._call("start_watching")

    def stop_watching(self) -> None:
        self._call("stop_watching")

    def load_model(self) -> None:
        self._call("load_model")

    def wait_until_idle(self, timeout: float | None = None) -> bool:
        return bool(self._call("wait_until_idle", timeout))

    def apply_settings(self, settings: Settings) -> None:
        self._call("apply_settings", settings)
        self._settings = settings

    def check_model(self, model: str, device: str = "auto") -> str:
        return str(self._call("check_model", model, device))

    @property
    def settings(self) -> Settings:
        """The settings in force (kept here, so reading them never waits on the child)."""
        return self._settings

    @property
    def busy(self) -> bool:
        return bool(self._call("busy"))

    @property
    def model_ready(self) -> bool:
        return bool(self._call("model_ready"))

    # Fire-and-forget: the window calls these on its GUI thread, which must never wait.
    def pause(self) -> None:
        self._paused = True
        self._cast("pause")

    def resume(self) -> None:
        self._paused = False
        self._cast("resume")

    def cancel(self) -> None:
        self._cast("cancel")

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def alive(self) -> bool:
        return self._stopped is None and self.process.is_alive()

    def close(self, timeout: float = 10.0) -> None:
        """Let the child finish or abandon its current batch cleanly, then wait for it to exit."""
        if self._closing:
            return
        self._closing = True
        if self._stopped is not None:  # already gone: only reap it
            self._terminate()
            return
        try:
            self._call("close", timeout, wait=timeout + 20.0)
        except EngineStoppedError:
            pass
        except Exception as exc:  # noqa: BLE001 - the child is reaped below either way
            log.warning("The indexing process did not close cleanly: %s", exc)
        finally:
            self.process.join(timeout + 5.0)
            self._terminate()

    def __enter__(self) -> RemoteEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- plumbing ----
    def _call(self, method: str, *args: Any, wait: float | None = None, **kwargs: Any) -> Any:
        future: Future[Any] = Future()
        with self._lock:
            if self._stopped is not None:
                raise self._stopped
            request_id = next(self._ids)
            self._pending[request_id] = future
        try:
            with self._send_lock:
                self._conn.send(("call", request_id, method, args, kwargs))
            return future.result(wait)
        except (OSError, ValueError):
            raise self._stopped_error() from None
        finally:
            with self._lock:
                self._pending.pop(request_id, None)

    def _cast(self, method: str) -> None:
        if self._stopped is None:
            with self._send_lock, contextlib.suppress(OSError, ValueError):  # the reader reports
                self._conn.send(("cast", 0, method, (), {}))

    def _read(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                break
            except Exception:  # noqa: BLE001 - one message that can't be read must not stop us
                if self._conn.closed:
                    break
                log.exception("Unreadable message from the engine process")
                continue
            kind = message[0]
            if kind == "event":
                self._dispatch_event(message[1])
            elif kind == "log":
                record: logging.LogRecord = message[1]
                logging.getLogger(record.name).handle(record)
            elif kind == "reply":
                _, request_id, ok, payload = message
                try:
                    value = pickle.loads(payload)
                except Exception as exc:  # noqa: BLE001 - fails this call, not the others
                    ok, value = (
                        False,
                        DesktopSearchError(f"The engine's answer can't be read: {exc}"),
                    )
                with self._lock:
                    future = self._pending.pop(request_id, None)
                    if request_id == 0 and ok:
                        self._opened = True  # before the opener wakes: a loss from now is reported
                if future is not None:
                    (future.set_result if ok else future.set_exception)(value)
        self._on_child_gone()

    def _dispatch_event(self, event: IndexEvent) -> None:
        if isinstance(event, Paused):
            self._paused = event.paused
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:  # noqa: BLE001 - a failing listener must not stop the reader
                log.exception("Event listener failed")

    def _on_child_gone(self) -> None:
        self.process.join(5.0)
        error = self._stopped_error()
        with self._lock:
            self._stopped = error
            pending, self._pending = self._pending, {}
            opened = self._opened
        for future in pending.values():
            if not future.done():
                future.set_exception(error)
        if opened and not self._closing:
            log.error("%s", error)
            if self._on_lost is not None:
                self._on_lost(error)

    def _stopped_error(self) -> EngineStoppedError:
        if self._closing:
            return EngineStoppedError("The index is closed.")
        code = self.process.exitcode
        killed_by = signal_name(code)
        if killed_by is not None:
            how = f"was stopped by {killed_by}"
        elif code is None:
            how = "stopped answering"
        else:
            how = f"exited with code {code}"
        return EngineStoppedError(f"The indexing process {how}.")

    def _terminate(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5.0)
        self._conn.close()
        atexit.unregister(self.close)


if TYPE_CHECKING:
    _checked: type[EngineAPI] = RemoteEngine  # mypy proves it satisfies the protocol
