"""The running engine's side of the local socket: answers the CLI's search, status and unlock.

Started by whoever holds the index's writer lock and keeps the engine open: the app's engine
process (engine_child.py) and `desktop-search watch`. Only one process can hold that lock, so
a socket file left behind by one that was killed (kill -9) is stale, and is replaced.
Connections from another user are refused (SO_PEERCRED), on top of the socket's folder being
private to its user. Nothing a request carries (a password above all) is ever logged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_search import __version__
from desktop_search.core.errors import DesktopSearchError
from desktop_search.core.models import SearchFilters
from desktop_search.core.service import codec
from desktop_search.core.service.protocol import (
    PROTOCOL_VERSION,
    ProtocolError,
    is_own_socket,
    peer_uid,
    private_folder,
    receive_message,
    send_message,
    socket_candidates,
)

if TYPE_CHECKING:
    from desktop_search.core.engine import Engine

log = logging.getLogger(__name__)


class LocalServer:
    """Serves one open Engine to CLI commands of the same user, one thread per connection.

    `start` returns at once; `close` stops accepting, ends open connections and removes the
    socket file. Failing to start is logged and never fatal: the CLI then works on its own.
    """

    def __init__(self, engine: Engine, home: Path) -> None:
        self.engine = engine
        self.home = home
        self.path: Path | None = None
        self._listener: socket.socket | None = None
        self._inode: tuple[int, int] | None = None
        self._wake_r, self._wake_w = os.pipe()
        self._closing = False
        self._lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._acceptor: threading.Thread | None = None

    # ---- lifetime ----
    def start(self) -> Path | None:
        """Listen at the first usable place (see protocol.socket_candidates); the socket's
        path, or None when there is none (the reason is logged)."""
        if not hasattr(socket, "AF_UNIX"):
            log.info("No local sockets on this system: CLI commands run on their own")
            return None
        for candidate in socket_candidates(self.home):
            if private_folder(candidate.parent, create=True) and self._listen(candidate):
                self.path = candidate
                break
        else:
            log.warning("No private folder for the CLI's socket; CLI commands run on their own")
            return None
        self._acceptor = threading.Thread(
            target=self._accept, name="desktop-search-socket", daemon=True
        )
        self._acceptor.start()
        log.info("Answering CLI commands at %s", self.path)
        return self.path

    def close(self) -> None:
        """Stop serving: no new connections, open ones are ended, the socket file removed."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            connections = dict(self._connections)
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        if self._acceptor is not None:
            self._acceptor.join()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in connections.values():
            thread.join()
        if self._listener is not None:
            self._listener.close()
            self._remove_socket_file()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def _listen(self, path: Path) -> bool:
        if path.exists() or path.is_symlink():
            if not is_own_socket(path) or _answers(path):
                # Not a socket of ours, or a live server (of another process of this home,
                # which the writer lock says can't be): leave it and look elsewhere.
                log.warning("Not replacing %s: it is in use or not a socket of ours", path)
                return False
            log.info("Replacing the stale socket %s (its server was stopped abruptly)", path)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(path))
            os.chmod(path, 0o600)
            listener.listen(16)
        except OSError as exc:
            log.info("Can't listen at %s: %s", path, exc)
            listener.close()
            return False
        info = os.stat(path)
        self._inode = (info.st_dev, info.st_ino)
        self._listener = listener
        return True

    def _remove_socket_file(self) -> None:
        # Only our own file: a later server of this home may have replaced it already.
        assert self.path is not None
        try:
            info = os.stat(self.path)
            if (info.st_dev, info.st_ino) == self._inode:
                self.path.unlink()
        except OSError:
            pass

    # ---- connections ----
    def _accept(self) -> None:
        assert self._listener is not None
        # A selector, not select(): the engine's process may hold more than 1,024 files.
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while all(key.fileobj != self._wake_r for key, _ in selector.select()):
                self._accept_one()

    def _accept_one(self) -> None:
        assert self._listener is not None
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return
        uid = peer_uid(conn)
        if uid is not None and uid != os.getuid():
            log.warning("Refused a connection to the CLI socket from user id %d", uid)
            conn.close()
            return
        thread = threading.Thread(
            target=self._serve, args=(conn,), name="desktop-search-socket-client", daemon=True
        )
        with self._lock:
            if self._closing:
                conn.close()
                return
            self._connections[conn] = thread
        thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            while True:
                try:
                    request = receive_message(conn)
                except (OSError, ProtocolError) as exc:
                    log.info("A CLI connection ended badly: %s", exc)
                    return
                if request is None:
                    return
                reply = self._answer(request)
                try:
                    send_message(conn, reply)
                except (OSError, ProtocolError) as exc:
                    log.info("Could not answer a CLI command: %s", exc)
                    return
                if not reply["ok"] and reply["error"]["type"] == "ProtocolMismatch":
                    return
        finally:
            with self._lock:
                self._connections.pop(conn, None)
            conn.close()

    def _answer(self, request: dict[str, Any]) -> dict[str, Any]:
        reply: dict[str, Any] = {"protocol": PROTOCOL_VERSION, "version": __version__}
        if request.get("protocol") != PROTOCOL_VERSION:
            reply.update(ok=False, error=_error("ProtocolMismatch", "protocol versions differ"))
            return reply
        call = str(request.get("call", ""))
        args = request.get("args") or {}
        try:
            reply.update(ok=True, value=codec.to_json(self._call(call, args)))
        except DesktopSearchError as exc:
            reply.update(ok=False, error=_error(type(exc).__name__, str(exc)))
        except Exception as exc:  # noqa: BLE001 - the CLI says it in one line; details here
            log.exception("Answering the CLI's %s failed", call)
            reply.update(ok=False, error=_error("Unexpected", f"{type(exc).__name__}: {exc}"))
        return reply

    def _call(self, call: str, args: dict[str, Any]) -> Any:
        engine = self.engine
        if call == "hello":
            return {"version": __version__, "pid": os.getpid(), "home": str(self.home)}
        if call == "search":
            engine.prepare_one_off_search()
            filters = codec.from_json(SearchFilters | None, args.get("filters"))
            return engine.search(
                str(args["query"]), k=int(args["k"]), mode=str(args["mode"]), filters=filters
            )
        if call == "more_like_this":
            engine.prepare_one_off_search()
            return engine.more_like_this(str(args["path"]), k=int(args["k"]))
        if call == "status":
            return engine.status()
        if call == "unlock":
            engine.unlock(str(args["path"]), str(args["password"]))
            return None
        raise DesktopSearchError(f"The running engine has no command '{call}'.")


def _error(kind: str, message: str) -> dict[str, str]:
    return {"type": kind, "message": message}


def _answers(path: Path) -> bool:
    """Whether a server is listening at `path` (a stale file refuses the connection)."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(str(path))
    except OSError:
        return False
    finally:
        probe.close()
    return True
