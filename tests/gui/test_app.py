"""The entry point, error reporting, icon and palettes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_search.core.config import Paths
from desktop_search.core.errors import InvalidPathError
from desktop_search.gui.app import EXIT_WHEN_READY_ENV, TIMING_ENV, icon_paths, load_icon
from desktop_search.gui.error_dialog import excepthook_for
from desktop_search.gui.theme import dark_palette, light_palette, mark_colors
from tests.gui.conftest import close_window

APP_COMMAND = [
    sys.executable,
    "-c",
    "from desktop_search.gui.app import main; raise SystemExit(main())",
]


def _app_env(tmp_path: Path, **extra: str) -> tuple[Path, Path, dict[str, str]]:
    """(home, timing file, environment) for running the app as a subprocess, offscreen."""
    home = tmp_path / "home"
    timing = tmp_path / "timing.jsonl"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        DESKTOP_SEARCH_HOME=str(home),
        **{TIMING_ENV: str(timing)},
        **extra,
    )
    return home, timing, env


def test_main_shows_the_window_before_search_is_ready_and_exits_cleanly(tmp_path: Path):
    home, timing, env = _app_env(tmp_path, **{EXIT_WHEN_READY_ENV: "1"})
    done = subprocess.run(
        APP_COMMAND,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    marks = [json.loads(line) for line in timing.read_text().splitlines()]
    events = [m["event"] for m in marks]
    assert events[:2] == ["window_shown", "search_ready"]
    assert marks[0]["time"] <= marks[1]["time"]
    assert "Traceback" not in done.stdout + done.stderr
    log_file = Paths.resolve(str(home)).log_file
    assert "Starting the desktop app" in log_file.read_text(encoding="utf-8")


def test_unexpected_error_opens_a_dialog_with_the_log_path(window, qtbot, tmp_path: Path):
    log_file = tmp_path / "logs" / "desktop-search.log"
    hook = excepthook_for(log_file, lambda: window)
    try:
        raise ValueError("boom in a slot")
    except ValueError as exc:
        hook(type(exc), exc, exc.__traceback__)
    boxes = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "unexpectedErrorDialog"
    ]
    assert boxes and boxes[-1].isVisible()
    box = boxes[-1]
    assert str(log_file) in box.informativeText()
    assert "ValueError" in box.detailedText() and "boom in a slot" in box.text()
    box.close()


def test_errors_written_for_people_are_shown_in_place(window):
    window.report_error(InvalidPathError("'/nowhere' does not exist."))
    assert window.statusBar().currentMessage() == "'/nowhere' does not exist."
    assert not window.error_dialogs


def test_adding_a_missing_folder_is_reported_in_the_status_bar(window, qtbot, tmp_path: Path):
    window.add_paths([str(tmp_path / "gone")])
    qtbot.waitUntil(lambda: "does not exist" in window.statusBar().currentMessage(), timeout=30_000)
    assert not window.error_dialogs


def test_application_icon_is_loaded_from_resources():
    assert icon_paths(), "resources/icons should hold the application icon"
    assert not load_icon().isNull()


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
        )

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_light_and_dark_palettes_are_readable():
    for palette, dark in ((light_palette(), False), (dark_palette(), True)):
        text, base = palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base)
        assert _contrast(text, base) >= 7
        window_text = palette.color(QPalette.ColorRole.WindowText)
        assert _contrast(window_text, palette.color(QPalette.ColorRole.Window)) >= 7
        assert (
            _contrast(
                palette.color(QPalette.ColorRole.HighlightedText),
                palette.color(QPalette.ColorRole.Highlight),
            )
            >= 4.5
        )
        mark_bg, mark_fg = mark_colors(dark)
        assert _contrast(mark_fg, mark_bg) >= 4.5


def test_theme_switch_applies_and_is_remembered(window):
    app = QApplication.instance()
    try:
        window.set_theme("dark")
        assert app.palette().color(QPalette.ColorRole.Base).lightness() < 100
        assert window.prefs.get_str("view/theme") == "dark"
        assert window.theme_actions["dark"].isChecked()
        window.set_theme("light")
        assert app.palette().color(QPalette.ColorRole.Base).lightness() > 200
    finally:
        window.set_theme("light")


def test_an_index_locked_by_another_process_opens_for_searching(
    window_factory, qtbot, isolated_home: Path
):
    from desktop_search.core.engine import Engine

    other = Engine.open(isolated_home)  # the "other process" holding the writer lock
    w = window_factory()
    try:
        qtbot.waitUntil(lambda: w.search_ready, timeout=60_000)
        assert w.engine.read_only
        assert "Another desktop-search" in w.statusBar().currentMessage()
        w.add_paths([str(isolated_home)])
        qtbot.waitUntil(lambda: "searching only" in w.statusBar().currentMessage(), timeout=60_000)
        assert not w.error_dialogs
    finally:
        close_window(qtbot, w)
        other.close()


def test_sigterm_closes_the_app_cleanly(qtbot, tmp_path: Path) -> None:
    import signal

    home, timing, env = _app_env(tmp_path)
    proc = subprocess.Popen(
        APP_COMMAND,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def ready_or_gone() -> bool:
        return proc.poll() is not None or (
            timing.exists() and "search_ready" in timing.read_text(encoding="utf-8")
        )

    qtbot.waitUntil(ready_or_gone, timeout=120_000)
    assert proc.poll() is None, "the app ended before it was ready: " + proc.stderr.read()[-2000:]
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
    log_text = Paths.resolve(str(home)).log_file.read_text(encoding="utf-8")
    assert "Desktop app closed" in log_text
