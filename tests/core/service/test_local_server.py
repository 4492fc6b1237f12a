"""The running engine's socket: the same answers as the engine itself, errors of the same kind
and words, a private socket, stale sockets replaced, and another protocol said clearly."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_search.core.engine import Engine
from desktop_search.core.errors import InvalidPathError, InvalidQueryError
from desktop_search.core.models import SearchFilters
from desktop_search.core.service import protocol
from desktop_search.core.service.client import ServedEngine, ServerVersionError, connect
from desktop_search.core.service.server import LocalServer


@pytest.fixture
def served_engine(
    corpus: Path, engine_factory: Callable[..., Any], isolated_home: Path
) -> Iterator[tuple[Engine, LocalServer]]:
    engine: Engine = engine_factory()
    engine.load_model()
    engine.add_folder(corpus)
    assert engine.wait_until_idle(120)
    server = LocalServer(engine, engine.paths.home)
    assert server.start() is not None
    yield engine, server
    server.close()


def _served(home: Path) -> ServedEngine:
    served = connect(home)
    assert served is not None
    return served


def _same(a: list[Any], b: list[Any]) -> None:
    assert a == b
    assert type(a) is type(b)
    assert getattr(a, "__dict__", {}) == getattr(b, "__dict__", {})  # notes, suggestions


def test_served_answers_are_the_engines_own(
    served_engine: tuple[Engine, LocalServer], corpus: Path
) -> None:
    engine, _ = served_engine
    with _served(engine.paths.home) as served:
        assert served.pid == os.getpid()
        for query, mode in [
            ("volcano eruption", "hybrid"),
            ("sourdough bread", "keyword"),
            ("exploding star", "semantic"),
            ('"share buyback" -volcano', "hybrid"),
        ]:
            _same(served.search(query, k=3, mode=mode), engine.search(query, k=3, mode=mode))
        only_pdfs = SearchFilters(file_types=("pdf",), modified_after=0.0)
        _same(
            served.search("star", k=5, filters=only_pdfs),
            engine.search("star", k=5, filters=only_pdfs),
        )
        like = corpus / "volcano.pdf"
        _same(served.more_like_this(like, k=2), engine.more_like_this(like, k=2))
        assert served.status() == engine.status()


def test_errors_keep_their_kind_and_words(served_engine: tuple[Engine, LocalServer]) -> None:
    engine, _ = served_engine
    with pytest.raises(InvalidQueryError) as own:
        engine.search("   ")
    with _served(engine.paths.home) as served:
        with pytest.raises(InvalidQueryError) as answered:
            served.search("   ")
        assert str(answered.value) == str(own.value)
        with pytest.raises(InvalidPathError, match="not in the index"):
            served.unlock("/no/such/file.pdf", "s3cret")


def test_the_socket_is_private_and_removed_at_close(
    served_engine: tuple[Engine, LocalServer],
) -> None:
    _, server = served_engine
    assert server.path is not None
    folder, sock = os.stat(server.path.parent), os.stat(server.path)
    assert stat.S_IMODE(folder.st_mode) == 0o700 and folder.st_uid == os.getuid()
    assert stat.S_ISSOCK(sock.st_mode) and stat.S_IMODE(sock.st_mode) == 0o600
    path = server.path
    with _served(server.home):
        server.close()  # ends the open connection too
    assert not path.exists()
    assert connect(server.home) is None


def test_without_a_server_or_when_told_not_to_the_cli_works_alone(
    served_engine: tuple[Engine, LocalServer], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine, _ = served_engine
    assert connect(tmp_path / "another-home") is None
    monkeypatch.setenv(protocol.LOCAL_ONLY_ENV, "1")
    assert connect(engine.paths.home) is None


def test_a_stale_socket_is_passed_over_then_replaced(
    engine_factory: Callable[..., Any], isolated_home: Path
) -> None:
    engine: Engine = engine_factory()
    path = protocol.socket_candidates(engine.paths.home)[0]
    assert protocol.private_folder(path.parent, create=True)
    # What a server killed with SIGKILL leaves: the socket file, and no one listening.
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()
    assert path.exists() and connect(engine.paths.home) is None
    server = LocalServer(engine, engine.paths.home)
    try:
        assert server.start() == path
        with _served(engine.paths.home) as served:
            assert served.status().home == str(engine.paths.home)
    finally:
        server.close()


def test_a_server_of_another_protocol_is_a_clear_error(isolated_home: Path) -> None:
    # A different version of desktop-search can't run here, so this test speaks for it: it
    # answers as a future server would, with its own protocol number.
    path = protocol.socket_candidates(isolated_home)[0]
    assert protocol.private_folder(path.parent, create=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)

    def answer_as_version_two() -> None:
        conn, _ = listener.accept()
        with conn:
            request = protocol.receive_message(conn)
            assert request is not None and request["call"] == "hello"
            reply = {"protocol": 2, "version": "2.0.0", "ok": False, "error": {"type": "X"}}
            protocol.send_message(conn, reply)

    other = threading.Thread(target=answer_as_version_two)
    other.start()
    try:
        with pytest.raises(ServerVersionError) as err:
            connect(isolated_home)
    finally:
        other.join()
        listener.close()
        path.unlink()
    message = str(err.value)
    assert "version 2.0.0" in message and "another protocol" in message
    assert protocol.LOCAL_ONLY_ENV in message


def test_a_request_of_another_protocol_is_refused_with_the_servers_number(
    served_engine: tuple[Engine, LocalServer],
) -> None:
    _, server = served_engine
    assert server.path is not None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(str(server.path))
        protocol.send_message(conn, {"protocol": 99, "call": "status", "args": {}})
        reply = protocol.receive_message(conn)
        assert reply is not None
        assert (reply["protocol"], reply["ok"]) == (protocol.PROTOCOL_VERSION, False)
        assert reply["error"]["type"] == "ProtocolMismatch"
        assert protocol.receive_message(conn) is None  # and the connection is closed


def test_peer_credentials_name_this_user() -> None:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        assert protocol.peer_uid(left) == os.getuid()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to connect as another user")
def test_another_user_is_refused_even_where_the_folder_lets_them_in(
    served_engine: tuple[Engine, LocalServer],
) -> None:
    _, server = served_engine
    assert server.path is not None
    # Open the way on purpose (the server never does): only SO_PEERCRED is left to refuse.
    os.chmod(server.path.parent, 0o711)
    os.chmod(server.path, 0o666)
    for parent in server.path.parents:  # pytest's temporary folders are private too
        if parent == Path(parent.anchor):
            break
        os.chmod(parent, os.stat(parent).st_mode | 0o111)
    script = (
        "import os, socket, sys\n"
        "sys.path.insert(0, sys.argv[2])\n"
        "from desktop_search.core.service import protocol\n"
        "os.setgid(65534); os.setuid(65534)  # after the imports: root's Python is private\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        "s.connect(sys.argv[1])\n"
        "try:\n"
        "    protocol.send_message(s, {'protocol': 1, 'call': 'status', 'args': {}})\n"
        "    print('answered' if protocol.receive_message(s) else 'refused')\n"
        "except (OSError, protocol.ProtocolError):\n"
        "    print('refused')\n"
    )
    repo = str(Path(__file__).resolve().parents[3])
    out = subprocess.run(
        [sys.executable, "-c", script, str(server.path), repo],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.strip() == "refused", out.stderr
