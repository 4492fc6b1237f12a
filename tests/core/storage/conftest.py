"""Storage fixtures: documents and vectors to write, and a real Chroma server on loopback."""

from __future__ import annotations

import http.client
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from desktop_search.core.config import Paths
from desktop_search.core.models import Chunk
from desktop_search.core.storage.catalog import Catalog
from desktop_search.core.storage.records import DocumentWrite

MODEL = "test-model"
LOOPBACK = "127.0.0.1"
SERVER_START_LIMIT_S = 120.0  # a generous bound for a loaded machine, never a wait


def make_doc(path: str, n: int, word: str = "alpha", folder: str = "/f") -> DocumentWrite:
    """A document of `n` one-page passages that all hold `word`."""
    chunks = [
        Chunk(page=1, start=i * 10, end=i * 10 + 9, text=f"{word} passage {i}") for i in range(n)
    ]
    return DocumentWrite(
        path=path,
        folder=folder,
        size=n,
        mtime=1.0,
        hash=f"h-{path}-{n}",
        title=path,
        file_type="pdf",
        pages=1,
        chunks=chunks,
    )


def unit_vectors(n: int, seed: int = 0) -> np.ndarray:
    """`n` random unit vectors of 8 dimensions."""
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, 8)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def heartbeat(port: int) -> bool:
    """Whether a Chroma server answers on this loopback port (http.client: no proxy)."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
    try:
        conn.request("GET", "/api/v2/heartbeat")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@dataclass
class ChromaServer:
    """A `chroma run` child process listening on 127.0.0.1."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def sockets_off_loopback(self) -> list[str]:
        """The server's TCP/UDP sockets whose either end is not a loopback address."""
        inodes = set()
        fd_dir = Path(f"/proc/{self.process.pid}/fd")
        for fd in fd_dir.iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
        strays = []
        for table in ("tcp", "tcp6", "udp", "udp6"):
            lines = Path(f"/proc/{self.process.pid}/net/{table}").read_text().splitlines()[1:]
            for line in lines:
                fields = line.split()
                local, remote, inode = fields[1], fields[2], fields[9]
                if inode in inodes and not (_is_loopback(local) and _is_loopback(remote)):
                    strays.append(f"{table} {local} -> {remote}")
        return strays


def _is_loopback(hex_address: str) -> bool:
    """/proc/net/* 'ADDR:PORT' in hex: 127.x.x.x, ::1, or the unspecified address (unused)."""
    addr = hex_address.split(":")[0]
    if len(addr) == 8:  # IPv4, little-endian: 127 is the last byte
        return addr.endswith("7F") or addr == "00000000"
    if addr in ("00000000000000000000000001000000", "0" * 32):  # ::1 and ::
        return True
    return addr.startswith("0000000000000000FFFF0000") and addr.endswith("7F")  # ::ffff:127.x


def _chroma_command() -> str:
    found = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"the 'chroma' command that chromadb installs is not beside {sys.executable}")
    return found


def start_chroma_server(folder: Path) -> ChromaServer:
    """Start `chroma run` on a free loopback port and return once its heartbeat answers.

    Fails the test with the server's own output if it exits or never answers.
    """
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "server.log"
    # No proxy or tracing exporter inherited from the environment: loopback only.
    env = {
        k: v
        for k, v in os.environ.items()
        if "proxy" not in k.lower() and not k.startswith("OTEL_")
    }
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [_chroma_command(), "run", "--host", LOOPBACK, "--port", str(port)]
            + ["--path", str(folder / "data")],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    server = ChromaServer(port, process, log)
    deadline = time.monotonic() + SERVER_START_LIMIT_S
    while not heartbeat(port):
        try:
            # Waiting on the process doubles as the poll interval and notices an early exit.
            code = process.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None or time.monotonic() > deadline:
            stop_chroma_server(server)
            what = f"exited with {code}" if code is not None else "never answered its heartbeat"
            tail = log.read_text(errors="replace")[-3000:]
            pytest.fail(f"'chroma run' on {LOOPBACK}:{port} {what}:\n{tail}")
    return server


def stop_chroma_server(server: ChromaServer) -> None:
    """Stop the server (SIGTERM, then SIGKILL if it lingers) and reap it."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture
def catalog(isolated_home: Path) -> Iterator[Catalog]:
    """A new, empty catalog in the test's home."""
    paths = Paths.resolve(isolated_home)
    paths.home.mkdir(parents=True, exist_ok=True)
    cat = Catalog(paths.sqlite_file, paths.home)
    cat.open_schema(lambda: False)
    yield cat
    cat.close()


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One real Chroma server per test module (tests keep apart by model id)."""
    server = start_chroma_server(tmp_path_factory.mktemp("chroma-server"))
    yield server
    strays = server.sockets_off_loopback() if server.process.poll() is None else []
    stop_chroma_server(server)
    assert strays == [], f"the Chroma server used the network beyond loopback: {strays}"


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse, and fail the test on, any network call from this process that is not to a
    loopback address. Yields the list of refused calls."""
    for name in list(os.environ):
        if "proxy" in name.lower():
            monkeypatch.delenv(name)  # a proxy would carry loopback traffic off the machine
    refused: list[str] = []

    def check(kind: str, host: object) -> None:
        try:
            if ipaddress.ip_address(str(host)).is_loopback:
                return
        except ValueError:
            pass  # a name, not an address: resolving it is already the network
        refused.append(f"{kind} {host!r}")
        raise OSError(f"network refused by the test: {kind} {host!r}")

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo
    local = {getattr(socket, "AF_UNIX", -1)}

    def connect(self: socket.socket, address: object) -> None:
        if self.family not in local:
            check("connect", address[0] if isinstance(address, tuple) else address)
        real_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        if self.family not in local:
            check("connect_ex", address[0] if isinstance(address, tuple) else address)
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        check("getaddrinfo", host)
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield refused
    assert refused == [], f"network beyond loopback was touched: {refused}"
