"""The OS side of watching: scheduling a watchdog watch, probing the inotify watch limit, and
hearing of lost events and watchdog's harmless duplicate-registration warning."""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any

from watchdog import events as fs_events
from watchdog.events import FileSystemEvent, FileSystemEventHandler

# watchdog reports a kernel queue overflow (events lost) only in its log; we listen for it there.
OVERFLOW_LOGGER = "watchdog.observers.inotify_c"

# watchdog's inotify observer warns when a folder created inside a watched tree is registered
# twice (by the recursive add for its parent and by its own creation event); it keeps one
# callback and loses nothing. The warning is raised on watchdog's reader thread, which one
# thread serves every watch: under warnings-as-errors it would kill that thread and all
# watching with it, and `catch_warnings` can't reach another thread.
DUPLICATE_CALLBACK_MESSAGE = r"Callback with id .* already exists for watch"
DUPLICATE_CALLBACK_MODULE = r"watchdog\.observers\.inotify\Z"

# Only events that can change what the index holds. Opens and reads are left out: the indexer's
# own reading of a file must not look like a change.
EVENT_FILTER: list[type[FileSystemEvent]] = [
    getattr(fs_events, name)
    for name in (
        "FileCreatedEvent",
        "DirCreatedEvent",
        "FileDeletedEvent",
        "DirDeletedEvent",
        "FileMovedEvent",
        "DirMovedEvent",
        "FileModifiedEvent",
        "FileClosedEvent",
        "FileAttribEvent",
    )
    if hasattr(fs_events, name)
]

_IN_DELETE_SELF = 0x400
_IN_CLOEXEC = 0o2000000
_libc: Any = None


def ignore_duplicate_callback_warning() -> None:
    """Silence that one warning from watchdog's module, nothing else.

    Called when an observer starts, not on import: a process that never watches keeps its
    warning filters as they were. Idempotent (the filter is moved to the front, not repeated),
    so it survives a test runner resetting the filters between tests.
    """
    warnings.filterwarnings(
        "ignore", DUPLICATE_CALLBACK_MESSAGE, RuntimeWarning, DUPLICATE_CALLBACK_MODULE
    )


def watch_limit_reached(path: str) -> bool:
    """Whether the OS has no file-system watch left for this user (Linux inotify only).

    watchdog raises when the watch on a folder's root can't be added, but silently skips
    subfolders it can't watch; probing with a throw-away inotify instance after scheduling is
    how a half-watched folder is caught. False when unknown (not Linux, no libc).
    """
    global _libc
    if not sys.platform.startswith("linux"):
        return False
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        fd = _libc.inotify_init1(_IN_CLOEXEC)
    except (OSError, AttributeError):
        return False
    if fd < 0:
        return False  # out of inotify instances: says nothing about watches already added
    try:
        wd = _libc.inotify_add_watch(fd, os.fsencode(path), _IN_DELETE_SELF)
        return wd < 0 and ctypes.get_errno() == errno.ENOSPC
    finally:
        os.close(fd)


def is_watch_limit_error(exc: BaseException) -> bool:
    """An error that means "no more watches", as opposed to a missing or unreadable folder."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EMFILE):
        return True
    return "limit" in str(exc).lower() and "inotify" in str(exc).lower()


def schedule_watch(observer: Any, handler: FileSystemEventHandler, path: str) -> Any:
    """Add a recursive watch, raising OSError(ENOSPC) when the OS ran out of watches on the way."""
    watch = observer.schedule(handler, path, recursive=True, event_filter=EVENT_FILTER)
    if watch_limit_reached(path):
        observer.unschedule(watch)
        raise OSError(errno.ENOSPC, "inotify watch limit reached")
    return watch


class OverflowListener(logging.Handler):
    """Calls back when watchdog logs that the kernel's event queue overflowed."""

    def __init__(self, callback: Callable[[], None]) -> None:
        super().__init__(logging.WARNING)
        self._callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self._callback()
