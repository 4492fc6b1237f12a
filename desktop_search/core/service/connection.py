"""A connection to the running engine of a home, speaking plain JSON: found, greeted, asked.

The fewest imports that reach the engine (the standard library, the protocol and the errors,
no records, no logging): the CLI's fast path answers `search` and `status` with this alone,
and client.py builds the engine's records on top of it.
"""

from __future__ import annotations

import os
import socket

from desktop_search import __version__
from desktop_search.core import errors
from desktop_search.core.errors import DesktopSearchError
from desktop_search.core.service.protocol import (
    LOCAL_ONLY_ENV,
    PROTOCOL_VERSION,
    ProtocolError,
    is_own_socket,
    peer_uid,
    private_folder,
    receive_message,
    send_message,
    socket_paths,
)

# Annotations only (never evaluated): `typing` itself is a cost the fast path does without.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# A server that does not say hello within this is taken as hung: the CLI works on its own.
HELLO_TIMEOUT_S = 5.0
# Long enough for a first query that waits for the engine's meaning model to load.
CALL_TIMEOUT_S = 600.0


class ServerVersionError(DesktopSearchError):
    """The running engine speaks another version of the socket's protocol."""


class ServedError(RuntimeError):
    """An unexpected failure inside the running engine (its log has the details)."""


class EngineConnection:
    """One open connection to a home's running engine; `call` returns its answer as JSON."""

    def __init__(self, sock: socket.socket, hello: dict[str, Any], path: str) -> None:
        self._sock = sock
        self.pid = int(hello["pid"])
        self.version = str(hello["version"])
        self.socket_path = path

    def call(self, call: str, args: dict[str, Any]) -> Any:
        """The engine's answer to `call`; its own error (same kind, same words) when it fails.

        Raises:
            DesktopSearchError: The engine refused (its message), or stopped answering.
            ServedError: Something unexpected failed inside the engine.
        """
        try:
            reply = _ask(self._sock, call, args)
        except (OSError, ProtocolError) as exc:
            raise DesktopSearchError(
                f"The running desktop-search (process {self.pid}) stopped answering ({exc}); "
                "run the command again."
            ) from None
        return answer_value(reply, self.pid)

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> EngineConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def find_engine(
    home: str | os.PathLike[str], note: Callable[[str], None] | None = None
) -> EngineConnection | None:
    """The running engine of `home`, or None when none answers (the CLI then works on its own).

    `note` hears, in a sentence each, why a socket was passed over and which one answered.

    Raises:
        ServerVersionError: An engine runs, but speaks another protocol version.
    """
    if os.environ.get(LOCAL_ONLY_ENV, "") not in ("", "0"):
        return None
    home = os.fspath(home)
    for path in socket_paths(home):
        if not is_own_socket(path) or not private_folder(os.path.dirname(path), create=False):
            continue
        connection = _hello(path, home, note)
        if connection is not None:
            return connection
    return None


def _hello(path: str, home: str, note: Callable[[str], None] | None) -> EngineConnection | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(HELLO_TIMEOUT_S)
    try:
        sock.connect(path)
        uid = peer_uid(sock)
        if uid is not None and uid != os.getuid():
            raise OSError(f"the socket's server runs as user id {uid}")
        reply = _ask(sock, "hello", {})
    except (OSError, ProtocolError) as exc:
        # Refused: a socket file left by an engine that was killed; the next one replaces it.
        if note is not None:
            note(f"No running engine at {path} ({exc})")
        sock.close()
        return None
    if reply.get("protocol") != PROTOCOL_VERSION:
        sock.close()
        raise ServerVersionError(
            f"The running desktop-search (version {reply.get('version', 'unknown')}) speaks "
            f"another protocol than this command (version {__version__}): restart the app or "
            f"'desktop-search watch', or set {LOCAL_ONLY_ENV}=1 to run the command on its own."
        )
    hello = answer_value(reply, 0)
    if hello.get("home") != home:
        if note is not None:
            note(f"The engine at {path} serves another index ({hello.get('home')})")
        sock.close()
        return None
    sock.settimeout(CALL_TIMEOUT_S)
    if note is not None:
        note(f"Answered by the running desktop-search (process {hello['pid']}) at {path}")
    return EngineConnection(sock, hello, path)


def _ask(sock: socket.socket, call: str, args: dict[str, Any]) -> dict[str, Any]:
    send_message(sock, {"protocol": PROTOCOL_VERSION, "call": call, "args": args})
    reply = receive_message(sock)
    if reply is None:
        raise ProtocolError("the running engine closed the connection")
    return reply


def answer_value(reply: dict[str, Any], pid: int) -> Any:
    """The value of a reply, or the engine's error raised here as the same kind of error."""
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
