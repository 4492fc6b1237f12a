"""The CLI's side of the local socket: find the running engine of a home, and ask it.

Imports only the standard library, the records (core.models) and the errors: a one-off
`desktop-search search` served here never loads a model, a store or a numeric library.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import Any

from desktop_search import __version__
from desktop_search.core import errors
from desktop_search.core.errors import DesktopSearchError
from desktop_search.core.models import DocumentResult, IndexStatus, SearchFilters
from desktop_search.core.service import codec
from desktop_search.core.service.protocol import (
    LOCAL_ONLY_ENV,
    PROTOCOL_VERSION,
    ProtocolError,
    is_own_socket,
    peer_uid,
    private_folder,
    receive_message,
    send_message,
    socket_candidates,
)

log = logging.getLogger(__name__)

# A server that does not say hello within this is taken as hung: the CLI works on its own.
HELLO_TIMEOUT_S = 5.0
# Long enough for a first query that waits for the engine's meaning model to load.
CALL_TIMEOUT_S = 600.0


class ServerVersionError(DesktopSearchError):
    """The running engine speaks another version of the socket's protocol."""


class ServedError(RuntimeError):
    """An unexpected failure inside the running engine (its log has the details)."""


class ServedEngine:
    """The running engine of a home, as the CLI uses it: search, status, unlock.

    Answers are rebuilt into the engine's own records, so the CLI prints them with the code
    it uses for its own engine's answers: the output is the same either way.
    """

    read_only = True  # this process writes nothing

    def __init__(self, sock: socket.socket, hello: dict[str, Any], path: Path) -> None:
        self._sock = sock
        self.pid = int(hello["pid"])
        self.version = str(hello["version"])
        self.socket_path = path

    def load_model(self) -> None:
        """Nothing to load here: the running engine has its models."""

    def search(
        self,
        query: str,
        *,
        k: int = 20,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
    ) -> list[DocumentResult]:
        args = {"query": query, "k": k, "mode": mode, "filters": codec.to_json(filters)}
        return codec.from_json(list[DocumentResult], self._call("search", args))  # type: ignore[no-any-return]

    def more_like_this(self, path: str | Path, *, k: int = 20) -> list[DocumentResult]:
        # Made absolute here: the running engine's working folder is not this command's.
        args = {"path": os.path.abspath(str(path)), "k": k}
        return codec.from_json(list[DocumentResult], self._call("more_like_this", args))  # type: ignore[no-any-return]

    def status(self) -> IndexStatus:
        return codec.from_json(IndexStatus, self._call("status", {}))  # type: ignore[no-any-return]

    def unlock(self, path: str | Path, password: str) -> None:
        # Over the socket only: the password is never written to a file or a log.
        self._call(
            "unlock", {"path": os.path.abspath(os.path.expanduser(str(path))), "password": password}
        )

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> ServedEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, call: str, args: dict[str, Any]) -> Any:
        try:
            reply = _ask(self._sock, call, args)
        except (OSError, ProtocolError) as exc:
            raise DesktopSearchError(
                f"The running desktop-search (process {self.pid}) stopped answering ({exc}); "
                "run the command again."
            ) from None
        return _value(reply, self.pid)


def connect(home: Path) -> ServedEngine | None:
    """The running engine of `home`, or None when none answers (the CLI then works on its own).

    Raises:
        ServerVersionError: An engine runs, but speaks another protocol version.
    """
    if os.environ.get(LOCAL_ONLY_ENV, "") not in ("", "0"):
        return None
    for path in socket_candidates(home):
        if not is_own_socket(path) or not private_folder(path.parent, create=False):
            continue
        served = _hello(path, home)
        if served is not None:
            return served
    return None


def _hello(path: Path, home: Path) -> ServedEngine | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(HELLO_TIMEOUT_S)
    try:
        sock.connect(str(path))
        uid = peer_uid(sock)
        if uid is not None and uid != os.getuid():
            raise OSError(f"the socket's server runs as user id {uid}")
        reply = _ask(sock, "hello", {})
    except (OSError, ProtocolError) as exc:
        # Refused: a socket file left by an engine that was killed; the next one replaces it.
        log.info("No running engine at %s (%s)", path, exc)
        sock.close()
        return None
    if reply.get("protocol") != PROTOCOL_VERSION:
        sock.close()
        raise ServerVersionError(
            f"The running desktop-search (version {reply.get('version', 'unknown')}) speaks "
            f"another protocol than this command (version {__version__}): restart the app or "
            f"'desktop-search watch', or set {LOCAL_ONLY_ENV}=1 to run the command on its own."
        )
    hello = _value(reply, 0)
    if hello.get("home") != str(home):
        log.info("The engine at %s serves another index (%s)", path, hello.get("home"))
        sock.close()
        return None
    sock.settimeout(CALL_TIMEOUT_S)
    log.info("Answered by the running desktop-search (process %s) at %s", hello["pid"], path)
    return ServedEngine(sock, hello, path)


def _ask(sock: socket.socket, call: str, args: dict[str, Any]) -> dict[str, Any]:
    send_message(sock, {"protocol": PROTOCOL_VERSION, "call": call, "args": args})
    reply = receive_message(sock)
    if reply is None:
        raise ProtocolError("the running engine closed the connection")
    return reply


def _value(reply: dict[str, Any], pid: int) -> Any:
    if reply.get("ok"):
        return reply.get("value")
    error = reply.get("error") or {}
    kind, message = str(error.get("type", "")), str(error.get("message", ""))
    if kind == "Unexpected":
        raise ServedError(f"{message} (in the running desktop-search, process {pid})")
    cls = getattr(errors, kind, None)
    # The engine's own error, with its words; a kind whose constructor takes more than a
    # message (or one this side does not know) keeps the words all the same.
    if (
        isinstance(cls, type)
        and issubclass(cls, DesktopSearchError)
        and all("__init__" not in vars(c) for c in cls.__mro__[: cls.__mro__.index(Exception)])
    ):
        raise cls(message)
    raise DesktopSearchError(message)
