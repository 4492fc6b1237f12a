"""The child process's side of `RemoteEngine`: open an Engine, answer calls from the pipe,
send events and log records back, and close the index cleanly when told to or orphaned."""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop_search.core.api import API_CALLS, API_PROPERTIES
from desktop_search.core.config import Settings
from desktop_search.core.errors import DesktopSearchError, IndexLockedError
from desktop_search.core.service.server import LocalServer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Opened:
    """What the child reports once its Engine is open."""

    pid: int
    read_only: bool
    locked_reason: str
    settings: Settings
    home: str


def serve(conn: Any, home: str | None, read_only: bool, interactive: bool) -> None:
    """Entry point of the child: open the Engine, answer calls until closed or orphaned."""
    # Ctrl+C in a terminal reaches the whole process group: the window handles it and closes
    # this process in order, so the child must not die of it halfway through a write.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    send_lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        try:
            if message[0] == "reply":
                # The value travels pickled on its own, so one the window can't unpickle
                # fails only its own call, never the reader that serves all of them.
                kind, request_id, ok, value = message
                try:
                    inner = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as exc:  # noqa: BLE001 - becomes a plain error
                    ok, inner = False, pickle.dumps(portable(exc))
                message = (kind, request_id, ok, inner)
            payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an event or log record that can't travel
            log.debug("Dropped a message that can't be pickled", exc_info=True)
            return
        with send_lock, contextlib.suppress(OSError):  # the window's process is gone
            conn.send_bytes(payload)

    _forward_logging(send)
    from desktop_search.core.engine import Engine  # noqa: PLC0415 (after logging is set up)

    locked_reason = ""
    try:
        try:
            engine = Engine.open(
                home,
                on_event=lambda e: send(("event", e)),
                read_only=read_only,
                interactive=interactive,
            )
        except IndexLockedError as exc:
            log.warning("Index is locked (%s); opening it for searching only", exc)
            locked_reason = str(exc)
            engine = Engine.open(home, on_event=lambda e: send(("event", e)), read_only=True)
    except BaseException as exc:  # noqa: BLE001 - reported to the window, which shows it
        if not isinstance(exc, DesktopSearchError):
            log.exception("Opening the index failed")
        send(("reply", 0, False, portable(exc)))
        return
    info = Opened(
        os.getpid(), engine.read_only, locked_reason, engine.settings, str(engine.paths.home)
    )
    send(("reply", 0, True, info))
    # The index's writer also answers CLI commands (search, status, unlock) over a local
    # socket, so `desktop-search search` needs no model of its own while the app runs.
    server = None if engine.read_only else LocalServer(engine, engine.paths.home)
    if server is not None:
        server.start()

    def answer(request_id: int, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            if method in API_PROPERTIES:
                value = getattr(engine, method)
            elif method in API_CALLS:
                value = getattr(engine, method)(*args, **kwargs)
            else:
                raise DesktopSearchError(f"The engine has no call named '{method}'.")
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
            if not isinstance(exc, DesktopSearchError):
                log.exception("Engine call %s failed", method)
            if request_id:
                send(("reply", request_id, False, portable(exc)))
            return
        if request_id:
            send(("reply", request_id, True, value))

    close_request: tuple[int, float] | None = None
    while True:
        try:
            kind, request_id, method, args, kwargs = conn.recv()
        except (EOFError, OSError):
            log.warning("The window's process is gone; closing the index")
            break
        if method == "close":
            close_request = (request_id, float(args[0]) if args else 10.0)
            break
        if kind == "cast":
            answer(0, method, args, kwargs)  # flags only: quick, and in order
        else:
            threading.Thread(
                target=answer,
                args=(request_id, method, args, kwargs),
                daemon=True,
                name=f"call-{method}",
            ).start()
    if server is not None:
        server.close()
    try:
        engine.close(close_request[1] if close_request else 10.0)
    except Exception as exc:  # noqa: BLE001 - reported; the process ends either way
        log.exception("Closing the index failed")
        if close_request:
            send(("reply", close_request[0], False, portable(exc)))
            return
    if close_request:
        send(("reply", close_request[0], True, None))


class _PipeLogHandler(logging.Handler):
    """Sends the child's log records to the window's process, which writes the one log file."""

    def __init__(self, send: Callable[[tuple[Any, ...]], None]) -> None:
        super().__init__(logging.INFO)
        self._send = send

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.exc_info:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.msg = record.getMessage()
            record.args = None
            record.exc_info = None
            record.processName = "engine"
            self._send(("log", record))
        except Exception:  # noqa: BLE001 - logging must never break the engine
            self.handleError(record)


def _forward_logging(send: Callable[[tuple[Any, ...]], None]) -> None:
    from desktop_search.core.logging_setup import quiet_chatty_libraries  # noqa: PLC0415

    logging.raiseExceptions = False
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(_PipeLogHandler(send))
    quiet_chatty_libraries()


def portable(exc: BaseException) -> BaseException:
    """`exc` if it survives pickling, else an error of the nearest kind with the same text."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        if isinstance(exc, DesktopSearchError):
            return DesktopSearchError(str(exc))
        return RuntimeError(f"{type(exc).__name__}: {exc}")
