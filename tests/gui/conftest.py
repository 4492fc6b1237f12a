"""GUI fixtures: a real MainWindow on the test's home, real engine, model, Chroma and PDFs."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop_search.gui.main_window import MainWindow  # noqa: E402

GUI_THREAD_PREFIXES = ("query-runner", "gui-task", "render", "engine-lifecycle")
WAIT_MS = 60_000  # generous: the machine is shared; waits end as soon as the condition holds
# The offscreen platform can't pass a top-level window's size limits to a window system that
# isn't there, and says so whenever they change; on a real screen (xcb, Wayland, ...) they are
# passed on. Every other Qt warning fails the test that caused it (qt_log_level_fail).
OFFSCREEN_ONLY_WARNING = "This plugin does not support propagateSizeHints"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_ONLY_WARNING))


@pytest.fixture(autouse=True)
def _no_gui_threads_left() -> Iterator[None]:
    yield
    leaked = [
        t.name
        for t in threading.enumerate()
        if t.name.startswith(GUI_THREAD_PREFIXES) and t.is_alive() and not _joins(t)
    ]
    if leaked:
        pytest.fail(f"GUI worker threads still running after the test: {leaked}")


def _joins(thread: threading.Thread) -> bool:
    thread.join(5.0)
    return not thread.is_alive()


@pytest.fixture(autouse=True)
def _nothing_launched(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Opening files must not start real viewers or file managers during tests."""
    from desktop_search.gui import open_file

    launched: list[object] = []
    monkeypatch.setattr(open_file, "launcher", lambda argv: launched.append(list(argv)))
    monkeypatch.setattr(open_file, "url_opener", lambda url: launched.append(url) or True)
    monkeypatch.setattr(open_file, "desktop_command", lambda target: None)  # so: url_opener
    return launched


@pytest.fixture
def launched(_nothing_launched: list[object]) -> list[object]:
    return _nothing_launched


@pytest.fixture
def window_factory(qtbot, isolated_home: Path) -> Iterator[Callable[..., MainWindow]]:
    """Create started windows; each is closed (engine included) at teardown."""
    windows: list[MainWindow] = []

    def make(home: Path | None = None, *, start: bool = True, resize: bool = True) -> MainWindow:
        window = MainWindow(str(home or isolated_home))
        if resize:
            window.resize(1200, 800)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        if start:
            window.start()
        return window

    yield make
    for window in windows:
        close_window(qtbot, window)


def close_window(qtbot, window: MainWindow) -> None:
    if not window._closed:
        for dialog in list(window.error_dialogs):
            with contextlib.suppress(RuntimeError):  # already deleted
                dialog.close()
        window.setEnabled(True)
        window.close()
        qtbot.waitUntil(lambda: window._closed, timeout=WAIT_MS)


@pytest.fixture
def window(window_factory, qtbot) -> MainWindow:
    """A window whose engine is open and whose model is loaded, on an empty index."""
    w = window_factory()
    qtbot.waitUntil(lambda: w.search_ready and w.status is not None, timeout=WAIT_MS)
    return w


def collect_events(window: MainWindow) -> list[object]:
    """Record the window's index events.

    Tests wait on this list with waitUntil instead of qtbot.waitSignal on the bridge: the bridge
    signal is queued from worker threads, and a call still queued when a waitSignal blocker is
    gone reaches a dead blocker (PySide6 does not keep a plain method's object alive: crash).
    """
    events: list[object] = []
    window.host.bridge.event.connect(lambda event: events.append(event))
    return events


def wait_for_event(qtbot, events: list[object], predicate) -> object:
    qtbot.waitUntil(lambda: any(predicate(e) for e in events), timeout=WAIT_MS)
    return next(e for e in events if predicate(e))


def wait_indexed(qtbot, window: MainWindow, documents: int) -> None:
    """Wait until the index holds `documents` documents and the indexer is idle."""
    qtbot.waitUntil(
        lambda: (
            window.status is not None
            and window.status.documents + len(window.status.failed) >= documents
            and not window.status.indexing
            and not window.status_panel.indexing
        ),
        timeout=WAIT_MS,
    )


@pytest.fixture
def indexed_window(window, corpus: Path, qtbot) -> MainWindow:
    """A window with the shared test corpus (3 PDFs + 1 Markdown file) indexed."""
    window.add_paths([str(corpus)])
    wait_indexed(qtbot, window, 4)
    return window


def search(qtbot, window: MainWindow, text: str, *, mode: str | None = None) -> None:
    """Type a query like a person and wait until its results are in the view."""
    if mode:
        window.search_bar.set_mode(mode)
    window.search_bar.edit.clear()
    with qtbot.waitSignal(window.results_shown, timeout=WAIT_MS):
        qtbot.keyClicks(window.search_bar.edit, text)
    qtbot.waitUntil(
        lambda: window.last_outcome is not None and window.last_outcome.request.text == text,
        timeout=WAIT_MS,
    )
