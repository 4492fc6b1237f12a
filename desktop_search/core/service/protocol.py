"""The local socket's protocol: where the socket lives, and how messages are framed.

Each message is a 4-byte big-endian length and that many bytes of UTF-8 JSON. A request is
`{"protocol": N, "call": NAME, "args": {...}}`; every reply carries the server's `protocol`,
and either `"ok": true, "value": ...` or `"ok": false, "error": {"type", "message"}`. The
first call on a connection is "hello", whose reply names the server's version, process and
home, so a client never talks on to a server of another protocol or another index.

Only the standard library is imported here, and not pathlib (paths are strings, Path is made
for the server only): the CLI's fast path imports this module before it knows whether an
engine will answer at all, and every module it imports is paid for in every command.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import struct

# Annotations only (never evaluated): `typing` itself is a cost the CLI's fast path does without.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

try:
    from _blake2 import blake2b  # hashlib's own, without loading OpenSSL (~10 ms a command)
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

PROTOCOL_VERSION = 1
SOCKET_NAME = "engine.sock"
# Set (to anything but "" or "0") to make the CLI answer in its own process even while an
# engine runs: for comparisons and benchmarks, and a way round a server of another version.
LOCAL_ONLY_ENV = "DESKTOP_SEARCH_NO_SERVER"

_HEADER = struct.Struct(">I")
MAX_MESSAGE_BYTES = 256 << 20
# sockaddr_un.sun_path holds 108 bytes on Linux and 104 on macOS, with the closing NUL.
_MAX_SOCKET_PATH = 100


class ProtocolError(Exception):
    """A message that breaks the framing (too large, not JSON, cut short)."""


def socket_candidates(home: Path) -> list[Path]:
    """Where a server of `home` may listen, most preferred first, as the server's Paths (see
    socket_paths, the same places as text)."""
    from pathlib import Path

    return [Path(path) for path in socket_paths(home)]


def socket_paths(home: str | os.PathLike[str]) -> list[str]:
    """Where a server of `home` may listen, most preferred first.

    The per-user runtime folder ($XDG_RUNTIME_DIR, private by definition) when there is one,
    else a private folder inside the home, else (a home whose path is too long for a socket
    address) a private per-user folder in the temporary folder. A client tries each, so a
    command started without $XDG_RUNTIME_DIR (over ssh, say) still finds the app's engine.
    """
    home = os.fspath(home)
    key = blake2b(os.fsencode(home), digest_size=10).hexdigest()
    candidates = []
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime):
        candidates.append(os.path.join(runtime, "desktop-search", f"{key}.sock"))
    candidates.append(os.path.join(home, "run", SOCKET_NAME))
    # $TMPDIR as tempfile reads it, without importing tempfile (and random, shutil...).
    temporary = os.environ.get("TMPDIR") or "/tmp"
    candidates.append(os.path.join(temporary, f"desktop-search-{_uid()}", f"{key}.sock"))
    return [c for c in candidates if len(os.fsencode(c)) <= _MAX_SOCKET_PATH]


def private_folder(folder: str | os.PathLike[str], *, create: bool) -> bool:
    """Whether `folder` is a folder of this user that no one else may enter (made so when
    `create`); a socket inside it can then only be opened by this user."""
    try:
        if create:
            os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != _uid():
            return False
        if info.st_mode & 0o077:
            if not create:
                return False
            os.chmod(folder, 0o700)
        return True
    except OSError:
        return False


def is_own_socket(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is a socket file that belongs to this user."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISSOCK(info.st_mode) and info.st_uid == _uid()


def peer_uid(sock: socket.socket) -> int | None:
    """The user id of the process at the other end (SO_PEERCRED); None where the system has
    no such option (the socket's private folder is then what keeps others out)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    creds = struct.Struct("3i")  # pid, uid, gid
    _pid, uid, _gid = creds.unpack(sock.getsockopt(socket.SOL_SOCKET, option, creds.size))
    return int(uid)


def send_message(sock: socket.socket, message: dict[str, Any]) -> None:
    """Frame and send one message."""
    data = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"a message of {len(data):,} bytes is too large to send")
    sock.sendall(_HEADER.pack(len(data)) + data)


def receive_message(sock: socket.socket) -> dict[str, Any] | None:
    """The next message; None when the other end closed the connection between messages."""
    header = _receive_exactly(sock, _HEADER.size, at_start=True)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"a message of {size:,} bytes is too large")
    body = _receive_exactly(sock, size, at_start=False)
    assert body is not None
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"a message is not JSON ({exc})") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message is not a JSON object")
    return message


def _receive_exactly(sock: socket.socket, size: int, *, at_start: bool) -> bytes | None:
    parts = []
    left = size
    while left:
        part = sock.recv(min(left, 1 << 20))
        if not part:
            if at_start and left == size:
                return None
            raise ProtocolError("the connection closed in the middle of a message")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else 0
