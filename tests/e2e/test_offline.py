"""With the default settings the app needs no network: it indexes and searches with every
network socket refused.

Two layers: where the test may, the CLI runs in a fresh network namespace (`unshare -n`: no
interface but a downed loopback, so native code - chromadb's Rust core, PyMuPDF - can reach
nothing either); in every case a sitecustomize on PYTHONPATH refuses and records every Python
network call (connect, connect_ex, sendto, create_connection, getaddrinfo). Local IPC
(AF_UNIX, used by multiprocessing) stays allowed: it is not the network.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import cli_env, run_cli

_GUARD = r'''
"""Test guard: refuse and record every network call made from Python."""
import errno
import json
import os
import socket

_LOG = os.environ["DS_NETWORK_LOG"]
_LOCAL = {getattr(socket, "AF_UNIX", -1)}


def _record(kind, detail):
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"pid": os.getpid(), "call": kind, "detail": repr(detail)}) + "\n")


def _refuse(kind, detail):
    _record(kind, detail)
    raise OSError(errno.ENETUNREACH, f"network refused by the test ({kind} {detail!r})")


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto


def connect(self, address):
    if self.family in _LOCAL:
        return _connect(self, address)
    _refuse("connect", address)


def connect_ex(self, address):
    if self.family in _LOCAL:
        return _connect_ex(self, address)
    _refuse("connect_ex", address)


def sendto(self, data, *args):
    if self.family in _LOCAL:
        return _sendto(self, data, *args)
    _refuse("sendto", args[-1] if args else None)


def create_connection(address, *args, **kwargs):
    _refuse("create_connection", address)


def getaddrinfo(host, *args, **kwargs):
    _refuse("getaddrinfo", host)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.create_connection = create_connection
socket.getaddrinfo = getaddrinfo
_record("guard-installed", os.getpid())
'''


def _network_namespace_prefix() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "-n", "--", "true"], capture_output=True)
    return [unshare, "-n", "--"] if probe.returncode == 0 else []


def test_indexes_and_searches_with_every_network_socket_refused(
    tmp_path: Path, corpus: Path
) -> None:
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(_GUARD, encoding="utf-8")
    log = tmp_path / "network.jsonl"
    env = cli_env(DS_NETWORK_LOG=str(log), PYTHONPATH=str(guard_dir))
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY"):
        env.pop(name, None)  # the defaults alone must keep the app offline
    prefix = _network_namespace_prefix()
    home = tmp_path / "home"

    def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return run_cli(home, *args, env=env, prefix=prefix)

    indexed = cli("index", corpus)
    assert indexed.returncode == 0, indexed.stderr
    assert "Indexed 4 files" in indexed.stderr
    found = cli("search", "magma pressure under the crust", "--json", "-k", "2")
    assert found.returncode == 0, found.stderr
    assert Path(json.loads(found.stdout)[0]["path"]).name == "volcano.pdf"
    status = cli("status", "--json")
    assert status.returncode == 0 and json.loads(status.stdout)["documents"] == 4

    assert log.exists(), f"the guard never ran: {indexed.stderr}"
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    installed = {r["pid"] for r in records if r["call"] == "guard-installed"}
    assert len(installed) >= 3, "the guard must have run in every CLI process"
    attempts = [r for r in records if r["call"] != "guard-installed"]
    assert attempts == [], attempts


def test_the_window_and_its_engine_process_stay_offline(tmp_path: Path, corpus: Path) -> None:
    """The app's window, its engine process and its page workers, on an indexed home."""
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(_GUARD, encoding="utf-8")
    log = tmp_path / "network.jsonl"
    home = tmp_path / "home"
    env = cli_env(DS_NETWORK_LOG=str(log), PYTHONPATH=str(guard_dir))
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY"):
        env.pop(name, None)
    prefix = _network_namespace_prefix()
    assert run_cli(home, "index", corpus, env=env, prefix=prefix).returncode == 0
    log.unlink()
    from desktop_search.gui.app import EXIT_WHEN_READY_ENV, TIMING_ENV

    timing = tmp_path / "timing.jsonl"
    env.update(
        QT_QPA_PLATFORM="offscreen",
        DESKTOP_SEARCH_HOME=str(home),
        **{EXIT_WHEN_READY_ENV: "1", TIMING_ENV: str(timing)},
    )
    app = [sys.executable, "-c", "from desktop_search.gui.app import main; main()"]
    done = subprocess.run(prefix + app, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert '"search_ready"' in timing.read_text(encoding="utf-8")
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    installed = {r["pid"] for r in records if r["call"] == "guard-installed"}
    assert len(installed) >= 2, "the guard must have run in the window's and the engine's process"
    attempts = [r for r in records if r["call"] != "guard-installed"]
    assert attempts == [], attempts
