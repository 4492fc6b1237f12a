"""The window's engine in a child process: the same answers as in-process, errors of the same
kind, events and log records carried back, and no lost or orphaned work when either side dies."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desktop_search.core import models as m
from desktop_search.core.engine import Engine
from desktop_search.core.engine_process import RemoteEngine
from desktop_search.core.errors import (
    EngineStoppedError,
    ExtractionError,
    InvalidPathError,
    InvalidQueryError,
    StorageFullError,
)
from tests.conftest import make_pdf


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    make_pdf(folder / "wings.pdf", ["Flutter of swept wings at transonic speed.", "Page two."])
    make_pdf(folder / "heat.pdf", ["Heat transfer in a hypersonic boundary layer."])
    return folder


def test_indexes_and_searches_like_the_engine_in_process(docs: Path, isolated_home: Path) -> None:
    events: list[m.IndexEvent] = []
    with RemoteEngine(isolated_home, on_event=events.append) as engine:
        assert engine.pid != os.getpid()
        assert not engine.read_only
        engine.load_model()
        engine.add_folder(docs)
        assert engine.wait_until_idle(120)
        results = engine.search("wing flutter")
        assert Path(results[0].path).name == "wings.pdf"
        assert results[0].hits[0].page == 1
        status = engine.status()
        assert (status.documents, status.indexing) == (2, False)
        assert [f.path for f in engine.folders()] == [str(docs)]
        assert engine.more_like_this(docs / "wings.pdf")[0].path == str(docs / "heat.pdf")
    indexed = [e for e in events if isinstance(e, m.FileIndexed)]
    assert sorted(Path(e.path).name for e in indexed) == ["heat.pdf", "wings.pdf"]
    assert any(isinstance(e, m.Idle) for e in events)
    # What the child wrote is there for the next process, in order.
    with Engine.open(isolated_home, read_only=True) as again:
        assert again.status().documents == 2


def test_errors_keep_their_kind_and_words(isolated_home: Path) -> None:
    with RemoteEngine(isolated_home) as engine:
        with pytest.raises(InvalidPathError, match="does not exist"):
            engine.add_folder("/no/such/folder")
        with pytest.raises(InvalidQueryError):
            engine.search("   ")


def test_errors_with_extra_fields_cross_processes() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(ExtractionError("/a.pdf", "password-protected")))
    assert (error.path, error.reason) == ("/a.pdf", "password-protected")
    assert str(error) == "Couldn't read '/a.pdf': password-protected"
    full = pickle.loads(pickle.dumps(StorageFullError("/home/x")))
    assert "is full" in str(full)


def test_settings_and_pause_are_answered_without_a_round_trip(isolated_home: Path) -> None:
    from dataclasses import replace

    with RemoteEngine(isolated_home) as engine:
        engine.apply_settings(replace(engine.settings, results_per_page=7))
        assert engine.settings.results_per_page == 7
        engine.pause()
        assert engine.paused
        engine.resume()
        assert not engine.paused
    with Engine.open(isolated_home, read_only=True) as again:
        assert again.settings.results_per_page == 7


def test_a_locked_index_opens_for_searching_only(
    isolated_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with Engine.open(isolated_home), RemoteEngine(isolated_home) as engine:
        assert engine.read_only
        assert "is already updating the index" in engine.locked_reason
        # The warning was logged in the child and written by this process's logging.
        assert any("searching only" in r.getMessage() for r in caplog.records)


def test_a_killed_child_fails_waiting_calls_and_reports_once(
    docs: Path, isolated_home: Path
) -> None:
    lost: list[BaseException] = []
    engine = RemoteEngine(isolated_home, on_lost=lost.append)
    try:
        waiting: list[BaseException] = []

        def wait_forever() -> None:
            try:
                engine.wait_until_idle(None)
                engine.wait_until_idle(None)
                time.sleep(0.2)
                engine.wait_until_idle(None)
            except BaseException as exc:  # noqa: BLE001
                waiting.append(exc)

        engine.pause()  # keeps the indexer busy so the waits can't return
        engine.add_folder(docs)
        waiter = threading.Thread(target=wait_forever)
        waiter.start()
        time.sleep(0.5)
        os.kill(engine.pid, signal.SIGKILL)
        waiter.join(30)
        assert not waiter.is_alive()
        assert len(waiting) == 1 and isinstance(waiting[0], EngineStoppedError)
        assert "SIGKILL" in str(waiting[0])
        deadline = time.monotonic() + 10
        while not lost and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(lost) == 1 and "SIGKILL" in str(lost[0])
        with pytest.raises(EngineStoppedError):
            engine.status()
    finally:
        engine.close()
    # Nothing is left locked: a new engine opens the index for writing.
    with RemoteEngine(isolated_home) as again:
        assert not again.read_only


_WINDOW_SCRIPT = """
import sys, time
from desktop_search.core.engine_process import RemoteEngine

def main():
    engine = RemoteEngine(sys.argv[1])
    engine.add_folder(sys.argv[2])
    print(engine.pid, flush=True)
    if sys.argv[3] == "stay":
        time.sleep(600)  # until killed
    # else: returns without engine.close(); the process must still end, and end cleanly

if __name__ == "__main__":
    main()
"""


def _window_process(
    home: Path, docs: Path, tmp_path: Path, how: str, **popen: object
) -> subprocess.Popen[str]:
    """A stand-in for the window's process, driving an engine process of its own."""
    script = tmp_path / "window.py"
    script.write_text(_WINDOW_SCRIPT)
    return subprocess.Popen(
        [sys.executable, str(script), str(home), str(docs), how],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        **popen,
    )


def test_the_child_closes_the_index_when_the_window_process_is_killed(
    docs: Path, isolated_home: Path, tmp_path: Path
) -> None:
    parent = _window_process(isolated_home, docs, tmp_path, "stay")
    try:
        child_pid = int(parent.stdout.readline())  # type: ignore[union-attr]
        parent.kill()
        parent.wait(10)
        deadline = time.monotonic() + 60
        while _running(child_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(child_pid), "the engine process outlived the window's process"
    finally:
        parent.kill()
        if parent.stdout is not None:
            parent.stdout.close()
    # It let go of the writer lock on its way out, and left a usable index behind.
    with Engine.open(isolated_home) as engine:
        engine.indexer.scan()
        assert engine.wait_until_idle(120)
        assert engine.status().documents == 2


def test_a_process_that_exits_without_closing_still_ends_cleanly(
    docs: Path, isolated_home: Path, tmp_path: Path
) -> None:
    window = _window_process(isolated_home, docs, tmp_path, "return", stderr=subprocess.PIPE)
    out, err = window.communicate(timeout=120)
    assert window.returncode == 0, err
    assert not _running(int(out.split()[0]))
    with Engine.open(isolated_home) as engine:  # the writer lock was let go
        assert [f.path for f in engine.folders()] == [str(docs)]


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
