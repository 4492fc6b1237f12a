"""Live folder watching: watchdog events become settled, coalesced path updates for the indexer.

One watchdog observer (inotify on Linux) holds one recursive watch per indexed folder. Changed
paths are collected, debounced and handed to `on_paths` (the Indexer's `update_paths`) in one
call per burst, so a file written in many pieces, or saved through a temporary file and a
rename, is looked at once, after it settles; a rename's old and new path always travel in the
same call, which is what lets the indexer re-use the stored passages. A path the index's
ExcludeRules skip is dropped as it arrives.

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

import errno
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from desktop_search.core.indexing import inotify
from desktop_search.core.indexing.availability import Identity, identity, looks_unmounted
from desktop_search.core.indexing.change_buffer import ChangeBuffer
from desktop_search.core.indexing.scanning import ExcludeRules
from desktop_search.core.models import (
    POLL_INTERVAL_S,
    FolderChanged,
    FolderState,
    IndexEvent,
    Message,
    WatchMode,
)

log = logging.getLogger(__name__)

# A folder that exists but can't be watched (permissions) is retried at most this far apart.
MAX_RETRY_S = 60.0


@dataclass
class _Folder:
    path: str
    mode: WatchMode | None = None  # None until first armed
    watch: Any = None
    # The watched directory's identity when the watch was armed: a change means the folder was
    # deleted and recreated, or a drive was mounted over or off it.
    identity: Identity | None = None
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
        on_event: receives FolderChanged (`watch` whenever a folder's watch mode changes;
            `state` PENDING when a folder is back and about to be reconciled) and Message
            (watch limit reached) records.
        settle_s: quiet time after the last change before paths are handed over.
        max_delay_s: longest wait under a steady stream of changes.
        poll_interval_s: rescan interval of folders that can't be watched live.
        check_interval_s: how often folder roots are checked for disappearing and coming back.
        rules: what the index skips (the same ExcludeRules its scans use); a change to a
            skipped path is never queued. Assign `rules` when the settings change.
    """

    def __init__(
        self,
        on_paths: Callable[[list[str]], None],
        on_event: Callable[[IndexEvent], None],
        *,
        settle_s: float = 0.5,
        max_delay_s: float = 3.0,
        poll_interval_s: float = POLL_INTERVAL_S,
        check_interval_s: float = 2.0,
        rules: ExcludeRules | None = None,
    ) -> None:
        self._on_paths = on_paths
        self._on_event = on_event
        self.poll_interval_s = poll_interval_s
        self.check_interval_s = check_interval_s
        # Read once per event on watchdog's thread; replaced whole, never changed in place.
        self.rules = rules if rules is not None else ExcludeRules()
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
            entry = _Folder(path)
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
            logging.getLogger(inotify.OVERFLOW_LOGGER).removeHandler(self._overflow_handler)
            self._overflow_handler = None

    def modes(self) -> dict[str, str]:
        """Folder -> "live", "polling" or "unavailable"."""
        with self._state:
            return {p: e.mode.value for p, e in self._folders.items() if e.mode is not None}

    # ---------------------------------------------------------------- arming (under _arm_lock)
    def _arm(self, entry: _Folder) -> list[IndexEvent]:
        """Watch a folder live if possible; else poll it, or wait for it to come back."""
        armed_at = identity(entry.path)
        if armed_at is None:
            return self._set_mode(entry, WatchMode.UNAVAILABLE)
        try:
            observer = self._ensure_observer()
            handler = _FolderEventHandler(self, entry.path)
            entry.watch = inotify.schedule_watch(observer, handler, entry.path)
        except OSError as exc:
            if inotify.is_watch_limit_error(exc):
                return self._set_polling(entry, exc)
            # E.g. permission denied: try again, less and less often, saying so once.
            entry.failures += 1
            level = logging.WARNING if entry.failures == 1 else logging.DEBUG
            log.log(level, "Can't watch '%s': %s", entry.path, exc)
            backoff = min(self.check_interval_s * 2**entry.failures, MAX_RETRY_S)
            entry.next_poll = time.monotonic() + backoff
            return self._set_mode(entry, WatchMode.UNAVAILABLE)
        entry.identity = armed_at
        entry.failures = 0
        log.debug("Watching '%s' live", entry.path)
        return self._set_mode(entry, WatchMode.LIVE)

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
            inotify.ignore_duplicate_callback_warning()
            observer.start()
            self._observer = observer
            self._overflow_handler = inotify.OverflowListener(self._on_overflow)
            logging.getLogger(inotify.OVERFLOW_LOGGER).addHandler(self._overflow_handler)
        return self._observer

    def _set_mode(self, entry: _Folder, mode: WatchMode) -> list[IndexEvent]:
        """Record a folder's watch mode; the event to send when it changed."""
        with self._state:
            changed, entry.mode = entry.mode is not mode, mode
        return [FolderChanged(entry.path, watch=mode)] if changed else []

    def _set_polling(self, entry: _Folder, exc: BaseException) -> list[IndexEvent]:
        log.warning("Can't watch '%s' live (%s); polling it instead", entry.path, exc)
        entry.next_poll = time.monotonic() + self.poll_interval_s
        entry.identity = identity(entry.path)
        limit = (
            " Raise fs.inotify.max_user_watches to watch live."
            if sys.platform.startswith("linux")
            else ""
        )
        text = (
            f"The system's folder-watching limit was reached; checking '{entry.path}' every "
            f"{self.poll_interval_s:g} s instead.{limit}"
        )
        return [Message(text, "warning"), *self._set_mode(entry, WatchMode.POLLING)]

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
        """What the index skips (the same rules as its scans) is not worth a look. A single
        file is watched through its folder: its neighbours, outside the root, are skipped."""
        return path != folder and self.rules.skips_path(folder, path, is_dir=is_dir)

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
        if not any(inotify.watch_limit_reached(folder) for folder in folders):
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
            now_at = identity(entry.path)  # outside the locks: a dead share may block here
            now = time.monotonic()
            with self._arm_lock:
                with self._state:
                    if self._folders.get(entry.path) is not entry or self._stopping.is_set():
                        continue
                if now_at is None or looks_unmounted(entry.path, entry.identity, now_at):
                    if entry.mode is not WatchMode.UNAVAILABLE:
                        log.info("'%s' is unavailable; its entries are kept", entry.path)
                        self._disarm(entry)
                        notes += self._set_mode(entry, WatchMode.UNAVAILABLE)
                        if now_at is None:
                            # The indexer records the state (an empty mount point is left
                            # alone: reconciling it would purge the folder's entries).
                            reconcile.append(entry.path)
                elif (entry.mode is WatchMode.UNAVAILABLE and now >= entry.next_poll) or (
                    entry.mode is WatchMode.LIVE and now_at != entry.identity
                ):
                    log.info("'%s' is back (or was replaced); watching it again", entry.path)
                    self._disarm(entry)
                    notes += self._arm(entry)
                    if entry.mode is not WatchMode.UNAVAILABLE:
                        notes.append(FolderChanged(entry.path, state=FolderState.PENDING))
                        reconcile.append(entry.path)
                elif entry.mode is WatchMode.POLLING and now >= entry.next_poll:
                    entry.next_poll = now + self.poll_interval_s
                    reconcile.append(entry.path)
        self._send(notes)
        self._hand_over(reconcile)
