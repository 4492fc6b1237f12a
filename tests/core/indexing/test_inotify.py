"""The OS side of watching: the inotify limit probe, and watchdog's duplicate-watch warning kept
out of the process's warning filters until a watch starts, and then scoped to watchdog."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_search.core.indexing import inotify
from desktop_search.core.indexing.watcher import FolderWatcher

DEADLINE_S = 30.0
WATCHDOG_MODULE = "watchdog.observers.inotify"
DUPLICATE = "Callback with id '1' already exists for watch <Watch: wd=1>. It will be Overwritten."


def wait_for(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux only")
def test_watch_limit_probe_is_quiet_below_the_limit(tmp_path: Path) -> None:
    assert inotify.watch_limit_reached(str(tmp_path)) is False


def test_watch_limit_errors_are_told_from_other_errors() -> None:
    assert inotify.is_watch_limit_error(OSError(errno.ENOSPC, "inotify watch limit reached"))
    assert inotify.is_watch_limit_error(OSError(errno.EMFILE, "inotify instance limit reached"))
    assert not inotify.is_watch_limit_error(PermissionError(errno.EACCES, "Permission denied"))
    assert not inotify.is_watch_limit_error(FileNotFoundError(errno.ENOENT, "No such file"))


def test_importing_the_watcher_leaves_the_warning_filters_alone() -> None:
    # A fresh interpreter: this one has long imported the watcher. Third-party libraries that
    # add filters of their own on import (numpy does) are imported first.
    script = (
        "import warnings, numpy, watchdog.observers, pathspec\n"
        "before = list(warnings.filters)\n"
        "import desktop_search.core.indexing.watcher\n"
        "assert warnings.filters == before, [f for f in warnings.filters if f not in before]\n"
        "import desktop_search.core.engine\n"
        "assert not [f for f in warnings.filters if 'Callback' in str(f[1])], warnings.filters\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_the_duplicate_watch_warning_is_ignored_from_watchdog_only() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        inotify.ignore_duplicate_callback_warning()
        inotify.ignore_duplicate_callback_warning()  # once more: still one filter
        ours = [f for f in warnings.filters if "watchdog" in str(getattr(f[3], "pattern", f[3]))]
        assert len(ours) == 1

        warnings.warn_explicit(DUPLICATE, RuntimeWarning, "inotify.py", 1, WATCHDOG_MODULE)
        with pytest.raises(RuntimeWarning):
            warnings.warn_explicit(DUPLICATE, RuntimeWarning, "ours.py", 1, "desktop_search.x")
        with pytest.raises(RuntimeWarning, match="does not exist"):
            other = "Callback with id '1' does not exist for watch <Watch: wd=1>"
            warnings.warn_explicit(other, RuntimeWarning, "inotify.py", 1, WATCHDOG_MODULE)


def test_watching_survives_folders_created_in_bursts_under_warnings_as_errors(
    tmp_path: Path,
) -> None:
    # Folders made faster than watchdog registers them are where it warns, on its own reader
    # thread: as an error that thread would die, and every watch with it.
    crashed: list[BaseException | None] = []
    previous_hook = threading.excepthook
    threading.excepthook = lambda args: crashed.append(args.exc_value)
    calls: list[list[str]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            watcher = FolderWatcher(calls.append, lambda event: None, settle_s=0.2)
            try:
                watcher.watch(str(tmp_path))
                for i in range(40):
                    os.makedirs(tmp_path / f"a{i}" / "b" / "c" / "d")
                last = tmp_path / "a39" / "b" / "c" / "d" / "last.txt"
                wait_for(lambda: any(str(tmp_path / "a39") in call for call in calls), "a39")
                last.write_text("still watched", encoding="utf-8")
                wait_for(lambda: [str(last)] in calls, "a change deep in the new folders")
            finally:
                watcher.stop()
    finally:
        threading.excepthook = previous_hook
    assert crashed == []
