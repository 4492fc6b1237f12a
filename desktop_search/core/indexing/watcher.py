"""Live folder watching: watchdog events become settled, coalesced path updates for the indexer.

One watchdog observer (inotify on Linux) holds one recursive watch per indexed folder. Changed
paths are collected, debounced and handed to `on_paths` (the Indexer's `update_paths`) in one
call per burst, so a file written in many pieces, or saved through a temporary file and a
rename, is looked at once, after it settles; a rename's old and new path always travel in the
same call, which is what lets the indexer re-use the stored passages.

A folder is in one of three watch modes:
  live         changes arrive from the OS as they happen;
  polling      the OS had no watches left (Linux `fs.inotify.max_user_watches`): the folder is
               rescanned every `poll_interval_s` and the person is told why;
  unavailable  the folder's disk is gone (unplugged drive, network share down); its entries stay
               in the index, and when the folder comes back it is watched again and reconciled.

Threads: watchdog's own, plus "desktop-search-watch" (debounce, calls `on_paths`) and
"desktop-search-watch-check" (availability and polling; it may block on a dead network share
without holding up live events). `on_paths` and `on_event` are called on those threads.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import stat
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from watchdog import events as fs_events
from watchdog.events import FileSystemEvent, FileSystemEventHandler

from desktop_search.core.extract.formats import is_supported
from desktop_search.core.indexing.scanning import DEFAULT_EXCLUDED_DIRS, is_temporary
from desktop_search.core.models import FolderChanged, FolderState, IndexEvent, Message

log = logging.getLogger(__name__)

# watchdog's inotify observer warns when a folder created inside a watched tree is registered
# twice (by the recursive add for its parent and by its own event); it keeps one callback and
# loses nothing, so the warning is noise for the person, and fatal under warnings-as-errors.
WATCHDOG_DUPLICATE_CALLBACK = r"Callback with id .* already exists for watch"
warnings.filterwarnings("ignore", WATCHDOG_DUPLICATE_CALLBACK, RuntimeWarning)

# A path that keeps changing (a log being appended to, a slow copy) is held back at a forced
# flush while it is still changing, but never longer than this many times `max_delay_s`.
HOLD_FACTOR = 5.0
# A folder that exists but can't be watched (permissions) is retried at most this far apart.
MAX_RETRY_S = 60.0
# watchdog reports a kernel queue overflow (events lost) only in its log; we listen for it there.
_OVERFLOW_LOGGER = "watchdog.observers.inotify_c"

# Only events that can change what the index holds. Opens and reads are left out: the indexer's
# own reading of a file must not look like a change.
_EVENT_FILTER: list[type[FileSystemEvent]] = [
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


class WatchMode(str, Enum):
    LIVE = "live"
    POLLING = "polling"
    UNAVAILABLE = "unavailable"


# ------------------------------------------------------------------------------ watch limit
_IN_DELETE_SELF = 0x400
_IN_CLOEXEC = 0o2000000
_libc: Any = None


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
    watch = observer.schedule(handler, path, recursive=True, event_filter=_EVENT_FILTER)
    if watch_limit_reached(path):
        observer.unschedule(watch)
        raise OSError(errno.ENOSPC, "inotify watch limit reached")
    return watch


# ------------------------------------------------------------------------------ change buffer
class ChangeBuffer:
    """Changed paths waiting to settle (pure logic; the caller passes the time and locks).

    All pending paths are released once nothing changed for `settle_s`. Under a steady stream
    of changes, `max_delay_s` after the oldest pending change the paths that have settled are
    released anyway; a path still changing is held back (up to HOLD_FACTOR * max_delay_s).
    Paths added together (a move's source and destination) are always released together.
    """

    def __init__(self, settle_s: float, max_delay_s: float) -> None:
        self.settle_s = settle_s
        self.max_delay_s = max_delay_s
        self.hold_s = max_delay_s * HOLD_FACTOR
        self._seen: dict[str, tuple[float, float]] = {}  # path -> (first change, last change)
        self._links: dict[str, set[str]] = {}
        self._last_any = 0.0

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, paths: Sequence[str], now: float) -> None:
        for path in paths:
            first = self._seen[path][0] if path in self._seen else now
            self._seen[path] = (first, now)
        if len(paths) > 1:
            for path in paths:
                self._links.setdefault(path, set()).update(p for p in paths if p != path)
        self._last_any = now

    def discard_under(self, folder: str) -> None:
        prefix = folder.rstrip(os.sep) + os.sep
        for path in [p for p in self._seen if p == folder or p.startswith(prefix)]:
            self._drop(path)

    def take_due(self, now: float) -> list[str]:
        """Paths to hand over now, ancestors only (a folder stands for everything below it)."""
        if not self._seen:
            return []
        if now - self._last_any >= self.settle_s:
            taken = list(self._seen)
        elif now - min(first for first, _ in self._seen.values()) >= self.max_delay_s:
            taken = [p for group in self._groups() if self._group_due(group, now) for p in group]
        else:
            return []
        for path in taken:
            self._drop(path)
        return collapse_paths(taken)

    def next_due(self, now: float) -> float | None:
        """When `take_due` may next return something (None: nothing pending)."""
        if not self._seen:
            return None
        quiet_at = self._last_any + self.settle_s
        overdue_at = min(first for first, _ in self._seen.values()) + self.max_delay_s
        if overdue_at > now:
            return min(quiet_at, overdue_at)
        return min([quiet_at] + [self._group_due_at(group) for group in self._groups()])

    def _group_due_at(self, group: list[str]) -> float:
        settled_at = max(self._seen[p][1] for p in group) + self.settle_s
        held_until = min(self._seen[p][0] for p in group) + self.hold_s
        return min(settled_at, held_until)

    def _group_due(self, group: list[str], now: float) -> bool:
        return self._group_due_at(group) <= now

    def _groups(self) -> list[list[str]]:
        groups, placed = [], set()
        for start in self._seen:
            if start in placed:
                continue
            group, stack = [], [start]
            placed.add(start)
            while stack:
                path = stack.pop()
                group.append(path)
                for other in self._links.get(path, ()):
                    if other not in placed and other in self._seen:
                        placed.add(other)
                        stack.append(other)
            groups.append(group)
        return groups

    def _drop(self, path: str) -> None:
        self._seen.pop(path, None)
        for other in self._links.pop(path, ()):
            partners = self._links.get(other)
            if partners is not None:
                partners.discard(path)
                if not partners:
                    del self._links[other]


def collapse_paths(paths: Iterable[str]) -> list[str]:
    """Sorted, without duplicates and without paths that lie below another path of the set."""
    unique = set(paths)
    out = []
    for path in sorted(unique):
        parent, child = os.path.dirname(path), path
        while parent != child and parent not in unique:
            parent, child = os.path.dirname(parent), parent
        if parent == child:  # reached the top without meeting another path of the set
            out.append(path)
    return out


# ------------------------------------------------------------------------------ the watcher
@dataclass
class _Folder:
    path: str
    mode: WatchMode
    watch: Any = None
    # (st_dev, st_ino) of the watched directory when the watch was armed: a change means the
    # folder was deleted and recreated, or a drive was mounted over or off it.
    identity: tuple[int, int] | None = None
    # Polling: the next rescan. Unavailable after a failed watch: the next attempt.
    next_poll: float = 0.0
    failures: int = 0


class _FolderEventHandler(FileSystemEventHandler):
    def __init__(self, watcher: FolderWatcher, folder: str) -> None:
        super().__init__()
        self._watcher = watcher
        self._folder = folder

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._watcher._on_fs_event(self._folder, event)


class FolderWatcher:
    """Follows folders' changes and reports them, settled, to `on_paths`.

    Args:
        on_paths: receives changed paths (files or folders; created, changed or gone), one call
            per settled burst; called on the watcher's threads. Normally `Indexer.update_paths`.
        on_event: receives FolderChanged (watch mode "polling"/"unavailable", "pending" when an
            unavailable folder is back) and Message (watch limit reached) records.
        settle_s: quiet time after the last change before paths are handed over.
        max_delay_s: longest wait under a steady stream of changes.
        poll_interval_s: rescan interval of folders that can't be watched live.
        check_interval_s: how often folder roots are checked for disappearing and coming back.
        include_hidden: follow changes below hidden names too (match the index's setting).
    """

    def __init__(
        self,
        on_paths: Callable[[list[str]], None],
        on_event: Callable[[IndexEvent], None],
        *,
        settle_s: float = 0.5,
        max_delay_s: float = 3.0,
        poll_interval_s: float = 30.0,
        check_interval_s: float = 2.0,
        include_hidden: bool = False,
    ) -> None:
        self._on_paths = on_paths
        self._on_event = on_event
        self.poll_interval_s = poll_interval_s
        self.check_interval_s = check_interval_s
        self.include_hidden = include_hidden
        self._buffer = ChangeBuffer(settle_s, max_delay_s)
        self._cond = threading.Condition()  # guards _buffer and _grown
        self._grown: set[str] = set()  # live folders that gained subfolders since the last flush
        # _arm_lock serialises watch/unwatch/re-arm (it is held while calling the observer);
        # _state guards _folders and is never held while calling out. watchdog calls our
        # handler under its own lock, so the order is always arm -> observer -> state.
        self._arm_lock = threading.Lock()
        self._state = threading.Lock()
        self._folders: dict[str, _Folder] = {}
        self._observer: Any = None
        self._observer_error: OSError | None = None
        self._overflow_handler: logging.Handler | None = None
        self._stopping = threading.Event()
        self._wake_check = threading.Event()
        self._threads: list[threading.Thread] = []

    # ---------------------------------------------------------------- public API
    def watch(self, folder: str) -> None:
        """Start following a folder (or single file); idempotent."""
        path = os.path.abspath(folder)
        with self._arm_lock:
            if self._stopping.is_set():
                return
            with self._state:
                if path in self._folders:
                    return
            entry = _Folder(path, WatchMode.UNAVAILABLE)
            self._start_threads()
            notes = self._arm(entry)
            with self._state:  # listed once armed, so `modes()` never shows a passing state
                self._folders[path] = entry
        self._send(notes)

    def unwatch(self, folder: str) -> None:
        """Stop following a folder; changes still waiting for it are dropped."""
        path = os.path.abspath(folder)
        with self._arm_lock:
            with self._state:
                entry = self._folders.pop(path, None)
            if entry is not None:
                self._disarm(entry)
        with self._cond:
            self._buffer.discard_under(path)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every watch and thread. Changes not yet handed over are left to the next
        start's reconcile scan."""
        self._stopping.set()
        with self._arm_lock:
            observer, self._observer = self._observer, None
            with self._state:
                self._folders.clear()
        if observer is not None:
            observer.stop()
        with self._cond:
            self._cond.notify_all()
        self._wake_check.set()
        for thread in self._threads:
            thread.join(timeout)
        if observer is not None:
            observer.join(timeout)
        if self._overflow_handler is not None:
            logging.getLogger(_OVERFLOW_LOGGER).removeHandler(self._overflow_handler)
            self._overflow_handler = None

    def modes(self) -> dict[str, str]:
        """Folder -> "live", "polling" or "unavailable"."""
        with self._state:
            return {path: entry.mode.value for path, entry in self._folders.items()}

    # ---------------------------------------------------------------- arming (under _arm_lock)
    def _arm(self, entry: _Folder) -> list[IndexEvent]:
        """Watch a folder live if possible; else poll it, or wait for it to come back."""
        identity = _identity(entry.path)
        if identity is None:
            return self._set_unavailable(entry)
        try:
            observer = self._ensure_observer()
            entry.watch = schedule_watch(
                observer, _FolderEventHandler(self, entry.path), entry.path
            )
        except OSError as exc:
            if is_watch_limit_error(exc):
                return self._set_polling(entry, exc)
            # E.g. permission denied: try again, less and less often, saying so once.
            entry.failures += 1
            level = logging.WARNING if entry.failures == 1 else logging.DEBUG
            log.log(level, "Can't watch '%s': %s", entry.path, exc)
            backoff = min(self.check_interval_s * 2**entry.failures, MAX_RETRY_S)
            entry.next_poll = time.monotonic() + backoff
            return self._set_unavailable(entry)
        entry.identity = identity
        entry.failures = 0
        self._set_mode(entry, WatchMode.LIVE)
        log.debug("Watching '%s' live", entry.path)
        return []

    def _disarm(self, entry: _Folder) -> None:
        watch, entry.watch = entry.watch, None
        if watch is not None and self._observer is not None:
            try:
                self._observer.unschedule(watch)
            except (KeyError, OSError):  # its root was deleted: watchdog already dropped it
                log.debug("Watch on '%s' was already gone", entry.path)

    def _ensure_observer(self) -> Any:
        if self._observer_error is not None:
            raise self._observer_error
        if self._observer is None:
            from watchdog.observers import Observer

            try:
                observer = Observer()
            except OSError as exc:  # e.g. out of inotify instances: every folder polls
                self._observer_error = exc
                raise
            observer.name = "desktop-search-observer"
            observer.start()
            self._observer = observer
            self._overflow_handler = _OverflowListener(self._on_overflow)
            logging.getLogger(_OVERFLOW_LOGGER).addHandler(self._overflow_handler)
        return self._observer

    def _set_mode(self, entry: _Folder, mode: WatchMode) -> None:
        with self._state:
            entry.mode = mode

    def _set_unavailable(self, entry: _Folder) -> list[IndexEvent]:
        self._set_mode(entry, WatchMode.UNAVAILABLE)
        return [FolderChanged(entry.path, WatchMode.UNAVAILABLE.value)]

    def _set_polling(self, entry: _Folder, exc: BaseException) -> list[IndexEvent]:
        log.warning("Can't watch '%s' live (%s); polling it instead", entry.path, exc)
        entry.next_poll = time.monotonic() + self.poll_interval_s
        entry.identity = _identity(entry.path)
        self._set_mode(entry, WatchMode.POLLING)
        limit = (
            " Raise fs.inotify.max_user_watches to watch live."
            if sys.platform.startswith("linux")
            else ""
        )
        text = (
            f"The system's folder-watching limit was reached; checking '{entry.path}' every "
            f"{self.poll_interval_s:g} s instead.{limit}"
        )
        return [Message(text, "warning"), FolderChanged(entry.path, WatchMode.POLLING.value)]

    # ---------------------------------------------------------------- threads
    def _start_threads(self) -> None:
        if self._threads:
            return
        for name, target in (
            ("desktop-search-watch", self._debounce_loop),
            ("desktop-search-watch-check", self._check_loop),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _send(self, notes: Iterable[IndexEvent]) -> None:
        for note in notes:
            try:
                self._on_event(note)
            except Exception:  # noqa: BLE001 - a front end's bug must not stop watching
                log.exception("Event handler failed on %r", note)

    def _hand_over(self, paths: list[str]) -> None:
        if not paths:
            return
        log.debug("Changed: %s", paths if len(paths) < 10 else f"{len(paths)} paths")
        try:
            self._on_paths(paths)
        except Exception:  # noqa: BLE001 - keep watching; the next change or start catches up
            log.exception("Handing over %d changed paths failed", len(paths))

    # ---------------------------------------------------------------- events -> buffer
    def _on_fs_event(self, folder: str, event: FileSystemEvent) -> None:
        """Called by watchdog on its thread, under its lock: record and return."""
        src = os.fsdecode(event.src_path)
        dest = os.fsdecode(event.dest_path) if event.event_type == "moved" else ""
        if event.is_directory and event.event_type not in ("created", "deleted", "moved"):
            return  # a folder's own mtime/attributes: its entries' events say what changed
        paths = [p for p in (src, dest) if p and not self._ignored(folder, p, event.is_directory)]
        if not paths:
            return
        with self._cond:
            self._buffer.add(paths, time.monotonic())
            if event.is_directory and event.event_type in ("created", "moved"):
                self._grown.add(folder)
            self._cond.notify_all()
        if src == folder and event.event_type == "deleted":
            self._wake_check.set()

    def _ignored(self, folder: str, path: str, is_dir: bool) -> bool:
        if path == folder:
            return False
        relative = os.path.relpath(path, folder)
        if relative.startswith(".."):
            # A single-file root is watched through its parent; anything else there is noise.
            return True
        parts = relative.split(os.sep)
        for part in parts[:-1] if not is_dir else parts:
            if part in DEFAULT_EXCLUDED_DIRS or (part.startswith(".") and not self.include_hidden):
                return True
        name = parts[-1]
        if is_dir:
            return False
        if name.startswith(".") and not self.include_hidden:
            return True
        return is_temporary(name) or not is_supported(name)

    def _debounce_loop(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopping.is_set():
                        return
                    now = time.monotonic()
                    batch = self._buffer.take_due(now)
                    if batch:
                        break
                    due = self._buffer.next_due(now)
                    self._cond.wait(None if due is None else max(due - now, 0.01))
                grown, self._grown = self._grown, set()
            self._hand_over(batch)
            if grown:
                self._check_limit(grown)

    def _check_limit(self, folders: set[str]) -> None:
        """New subfolders need new watches; if the OS had none left, poll instead."""
        if not any(watch_limit_reached(folder) for folder in folders):
            return
        notes: list[IndexEvent] = []
        reconcile = []
        with self._arm_lock:
            for folder in folders:
                with self._state:
                    entry = self._folders.get(folder)
                if entry is None or entry.mode is not WatchMode.LIVE:
                    continue
                self._disarm(entry)
                notes += self._set_polling(entry, OSError(errno.ENOSPC, "watch limit reached"))
                reconcile.append(folder)
        self._send(notes)
        self._hand_over(reconcile)

    def _on_overflow(self) -> None:
        """The kernel dropped events: reconcile every live folder."""
        with self._state:
            live = [p for p, e in self._folders.items() if e.mode is WatchMode.LIVE]
        log.warning("File-system events were lost; rescanning %d watched folders", len(live))
        with self._cond:
            self._buffer.add(live, time.monotonic())
            self._cond.notify_all()

    def _check_loop(self) -> None:
        while not self._stopping.is_set():
            self._wake_check.wait(self._next_check_delay())
            self._wake_check.clear()
            if self._stopping.is_set():
                return
            try:
                self._check_folders()
            except Exception:  # noqa: BLE001 - keep checking
                log.exception("Checking watched folders failed")

    def _next_check_delay(self) -> float:
        now = time.monotonic()
        with self._state:
            polls = [e.next_poll for e in self._folders.values() if e.mode is WatchMode.POLLING]
        return max(0.0, min([now + self.check_interval_s, *polls]) - now)

    def _check_folders(self) -> None:
        with self._state:
            entries = list(self._folders.values())
        notes: list[IndexEvent] = []
        reconcile: list[str] = []
        for entry in entries:
            identity = _identity(entry.path)  # outside the locks: a dead share may block here
            now = time.monotonic()
            with self._arm_lock:
                with self._state:
                    if self._folders.get(entry.path) is not entry or self._stopping.is_set():
                        continue
                if identity is None or _looks_unmounted(entry, identity):
                    if entry.mode is not WatchMode.UNAVAILABLE:
                        log.info("'%s' is unavailable; its entries are kept", entry.path)
                        self._disarm(entry)
                        notes += self._set_unavailable(entry)
                        if identity is None:
                            # The indexer records the state (an empty mount point is left
                            # alone: reconciling it would purge the folder's entries).
                            reconcile.append(entry.path)
                elif (entry.mode is WatchMode.UNAVAILABLE and now >= entry.next_poll) or (
                    entry.mode is WatchMode.LIVE and identity != entry.identity
                ):
                    log.info("'%s' is back (or was replaced); watching it again", entry.path)
                    self._disarm(entry)
                    notes += self._arm(entry)
                    if entry.mode is not WatchMode.UNAVAILABLE:
                        notes.append(FolderChanged(entry.path, FolderState.PENDING.value))
                        reconcile.append(entry.path)
                elif entry.mode is WatchMode.POLLING and now >= entry.next_poll:
                    entry.next_poll = now + self.poll_interval_s
                    reconcile.append(entry.path)
        self._send(notes)
        self._hand_over(reconcile)


class _OverflowListener(logging.Handler):
    def __init__(self, callback: Callable[[], None]) -> None:
        super().__init__(logging.WARNING)
        self._callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self._callback()


def _identity(path: str) -> tuple[int, int] | None:
    """(st_dev, st_ino) of the directory watched for `path`; None when `path` is gone."""
    try:
        info = os.stat(path)
        if not stat.S_ISDIR(info.st_mode):
            info = os.stat(os.path.dirname(path))  # a single file is watched through its folder
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _looks_unmounted(entry: _Folder, identity: tuple[int, int]) -> bool:
    """An empty folder on another device than when watched: a mount point whose drive left."""
    if entry.identity is None or identity[0] == entry.identity[0]:
        return False
    try:
        with os.scandir(entry.path) as entries:
            return next(entries, None) is None
    except OSError:
        return True
