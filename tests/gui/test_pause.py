"""Pause pauses, in the window: clicked mid-run, nothing more is written; the status panel, the
folders panel, the status bar and `desktop-search status` all say so; Resume loses nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop_search.core.models import FileIndexed, FolderChanged, FolderState, Progress
from desktop_search.gui.index_controller import PAUSED_MESSAGE
from tests.gui.conftest import WAIT_MS, collect_events, wait_for_event, wait_indexed

FILES = 300


@pytest.fixture
def slow_writes(isolated_home: Path) -> Path:
    # One passage per write: a run of 300 notes is 300 writes, so Pause lands mid-run.
    (isolated_home / "settings.toml").write_text(
        'model = "bundled-fast"\nbatch_chunks = 1\n', encoding="utf-8"
    )
    return isolated_home


def _notes(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for i in range(FILES):
        (folder / f"note{i:03d}.txt").write_text(
            f"Field note {i}: the heron waited in the reeds near marker {i}.", encoding="utf-8"
        )
    return folder


def _cli_status(home: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "desktop_search", "--home", str(home), "status", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_pause_stops_the_run_everywhere_and_resume_finishes_it(
    slow_writes: Path, window_factory, qtbot, tmp_path: Path
) -> None:
    window = window_factory()
    qtbot.waitUntil(lambda: window.search_ready and window.status is not None, timeout=WAIT_MS)
    folder = _notes(tmp_path / "notes")
    panel = window.status_panel
    events = collect_events(window)
    window.add_paths([str(folder)])
    wait_for_event(qtbot, events, lambda e: isinstance(e, Progress) and e.done > 0)
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)

    # The engine records "paused" for the folder only once every part of its pipeline has
    # stopped (workers idle, writer parked): the event proves the pause has taken hold.
    paused = FolderChanged(str(folder), state=FolderState.PAUSED)
    wait_for_event(qtbot, events, lambda e: e == paused)
    written = sum(isinstance(e, FileIndexed) for e in events[: events.index(paused)])
    engine = window.engine
    status = engine.status()
    assert 0 < status.documents == written < FILES
    assert [f.state for f in status.folders] == ["paused"]

    # Every place that shows state says so.
    assert panel.pause_button.text() == "Resume" and panel.pause_button.isVisible()
    assert panel.current.text().startswith("Paused at ")
    assert window.folders.state_text(str(folder)) == "paused"
    assert window.statusBar().currentMessage() == PAUSED_MESSAGE
    assert _cli_status(slow_writes)["folders"][0]["state"] == "paused"

    # Nothing moved meanwhile: no file event after the pause took hold, the same count.
    assert engine.status().documents == written
    assert not any(isinstance(e, FileIndexed) for e in events[events.index(paused) :])

    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    bar = window.statusBar()
    qtbot.waitUntil(lambda: bar.currentMessage() == "Indexing resumed.", timeout=WAIT_MS)
    assert panel.pause_button.text() == "Pause"
    wait_indexed(qtbot, window, FILES)
    assert window.status.documents == FILES
    indexed = [e.path for e in events if isinstance(e, FileIndexed)]
    assert len(indexed) == len(set(indexed)) == FILES  # none lost, none done twice
    assert window.folders.state_text(str(folder)) == "up to date"
    assert not panel.pause_button.isVisible()


def test_a_pause_outlives_the_run_so_resume_stays_offered(window, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "a.txt").write_text("A lone note about herons.", encoding="utf-8")
    panel = window.status_panel
    events = collect_events(window)
    window.engine.pause()
    window.add_paths([str(folder)])
    wait_for_event(qtbot, events, lambda e: e == FolderChanged(str(folder), FolderState.PAUSED))
    qtbot.waitUntil(lambda: window.folders.state_text(str(folder)) == "paused", timeout=WAIT_MS)
    assert panel.pause_button.isVisible() and panel.pause_button.text() == "Resume"
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    wait_indexed(qtbot, window, 1)
    assert not panel.paused and not panel.pause_button.isVisible()
