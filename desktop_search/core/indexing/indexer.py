"""Scan -> diff with the catalog -> extract (worker processes) -> embed -> write, with events.

The Indexer owns one worker thread that takes jobs (scan folders, follow changed paths, remove
a folder, re-embed) from a queue, and, during a run, a BatchWriter thread that embeds and
writes in batches while the extraction processes keep reading the next files. All writes to
the Index happen on these two threads. Events go to `on_event`, called on those threads, never
the caller's.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from desktop_search.core.config import Settings
from desktop_search.core.embed.base import Embedder
from desktop_search.core.errors import DesktopSearchError, StorageFullError, is_disk_full
from desktop_search.core.extract.pool import ExtractionPool, ExtractionTask, lower_priority
from desktop_search.core.indexing.availability import empty_mount_point
from desktop_search.core.indexing.batch_writer import BatchWriter, record_failure
from desktop_search.core.indexing.catalog_diff import Diff, WorkItem, diff, match_renames
from desktop_search.core.indexing.improver import Improver
from desktop_search.core.indexing.pause_gate import PauseGate
from desktop_search.core.indexing.progress import ProgressMeter, RunStats
from desktop_search.core.indexing.reembed import reembed
from desktop_search.core.indexing.scan_reader import ScanReader, scan_note
from desktop_search.core.indexing.scanning import ExcludeRules, FoundFile, owning_folder, walk
from desktop_search.core.models import (
    FileIndexed,
    FileRemoved,
    FolderChanged,
    FolderState,
    Idle,
    IndexEvent,
    Message,
    Paused,
    ScanFinished,
    ScanStarted,
)
from desktop_search.core.storage.index import FileRow, Index
from desktop_search.core.storage.meaning import MeaningVectors
from desktop_search.core.storage.ocr_cache import OcrCache
from desktop_search.core.storage.other_files import record_other_files

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Job:
    kind: str  # "scan" | "paths" | "remove" | "reembed" | "stop" | "wake" (look again)
    folders: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    refill: bool = False  # reembed: the same model into a new vector store


class Indexer:
    """Keeps the index in step with the folders. All public methods return at once."""

    def __init__(
        self,
        index: Index,
        settings: Settings,
        embedder: Callable[[], Embedder],
        on_event: Callable[[IndexEvent], None] | None = None,
        meaning_embedder: Callable[[], Embedder | None] | None = None,
    ) -> None:
        """`embedder` gives every passage its first-pass vector; `meaning_embedder`, if given,
        the model whose vectors pass 2 adds in the background (None: no second pass)."""
        self._index = index
        self.settings = settings
        self._embedder = embedder
        self._on_event = on_event or (lambda event: None)
        self._jobs: queue.Queue[_Job] = queue.Queue()
        # Parks this thread and the writer's at their next safe point (see pause_gate.py).
        self._pause = PauseGate()
        self._cancel = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        # Set while nothing is queued and every passage has its meaning vector.
        self._settled = threading.Event()
        self.meaning = MeaningVectors(index)
        self._improver = Improver(self.meaning, meaning_embedder or (lambda: None), self._emit)
        # Stage 3, after pass 2: text recognition of pages without a text layer.
        self.scans = ScanReader(
            index,
            OcrCache(index.paths.ocr_cache_file),
            lambda: self.settings,
            self._pool_for_run,
            embedder,
            self._emit,
            self.update_paths,
        )
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._pool: ExtractionPool | None = None
        self._thread = threading.Thread(
            target=self._run, name="desktop-search-indexer", daemon=True
        )
        self._started = False
        self._closed = False
        # Why the last run stopped early (disk full, damaged store...), for front ends to show.
        self.last_error: DesktopSearchError | None = None
        self._run_stats = RunStats()

    # ------------------------------------------------------------------ public API
    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def scan(self, folders: Iterable[str] | None = None) -> None:
        """Queue a scan of these folders (default: every folder of the index)."""
        self._submit(_Job("scan", folders=tuple(folders) if folders is not None else ()))

    def update_paths(self, paths: Iterable[str]) -> None:
        """Queue a look at changed paths (files or folders; created, modified or gone)."""
        self._submit(_Job("paths", paths=tuple(paths)))

    def remove_folder(self, folder: str) -> None:
        self._submit(_Job("remove", folders=(folder,)))

    def reembed(self, *, refill: bool = False) -> None:
        """Queue re-embedding every stored passage with the current model (no re-extraction);
        `refill`: even when the index already has that model's vectors (a new vector store)."""
        self._submit(_Job("reembed", refill=refill))

    def improve(self) -> None:
        """Start (or go on with) pass 2, e.g. once its model is chosen or loaded."""
        with self._pending_lock:  # see _next_job
            self._improver.reset()
            self._settled.clear()
            self._wake()

    def read_scans_again(self) -> None:
        """Text recognition was turned on or its languages changed: read what it has not."""
        with self._pending_lock:  # see _next_job
            self.scans.reset()
            self._settled.clear()
            self._wake()

    def wait_until_improved(self, timeout: float | None = None) -> bool:
        """Block until all background work is done: both passes (every passage has its
        meaning vector) and text recognition of scanned pages. False on timeout. Never
        returns while paused with work left."""
        return self._settled.wait(timeout)

    def _wake(self) -> None:
        # Not a job (no Idle event, no pending count): only gets the thread to look again.
        if self._started and not self._closed:
            self._jobs.put(_Job("wake"))
        else:
            self.start()

    def pause(self) -> None:
        """Hand out no more work: the files being read are finished and kept, the write under
        way (a few dozen passages at most, pass 2's batch) is finished, then reading, embedding
        and writing all stop until `resume`; files read but not written wait, nothing is lost."""
        if self._pause.pause():
            self._emit(Paused(True))

    def resume(self) -> None:
        if self._pause.resume():
            self._emit(Paused(False))
            self._wake()

    @property
    def paused(self) -> bool:
        return self._pause.is_set()

    def wait_until_held(self, timeout: float | None = None) -> bool:
        """Block until a pause has taken hold: nothing is being read, embedded or written.
        False when not paused (or resumed meanwhile) or on timeout."""
        return self._pause.wait_until_held(timeout)

    def cancel(self) -> None:
        """Drop queued jobs and stop the current one between files; written work stays."""
        while True:
            try:
                self._jobs.get_nowait()
                self._done_job()
            except queue.Empty:
                break
        self._cancel.set()
        self.resume()

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def wait_until_idle(self, timeout: float | None = None) -> bool:
        return self._idle.wait(timeout)

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop after the files in flight, write what was read, stop the workers.
        True when everything stopped within `timeout`."""
        if self._closed:
            return True
        self._closed = True
        self.cancel()
        if self._started:
            self._jobs.put(_Job("stop"))
            self._thread.join(timeout)
        alive = self._thread.is_alive()
        if self._pool is not None and not alive:
            self._pool.close()
            self._pool = None
        return not alive

    # ------------------------------------------------------------------ plumbing
    def _submit(self, job: _Job) -> None:
        if self._closed:
            return
        with self._pending_lock:  # with the put: see _next_job
            self._pending += 1
            self._idle.clear()
            self._settled.clear()
            self._jobs.put(job)
        self.start()

    def _done_job(self) -> None:
        with self._pending_lock:
            self._pending -= 1
            if self._pending <= 0:
                self._pending = 0
                self._idle.set()

    def _emit(self, event: IndexEvent) -> None:
        try:
            self._on_event(event)
        except Exception:  # noqa: BLE001 - a front end's bug must not stop indexing
            log.exception("Event handler failed on %r", event)

    def _run(self) -> None:
        lower_priority(thread_only=True)
        try:
            self._serve()
        finally:
            self._improver.close()
            self.scans.cache.close()

    def _next_job(self) -> _Job | None:
        """The next queued job; None when there is none and background work (pass 2, text
        recognition) is waiting."""
        while True:
            if not self._pause.is_set() and not self._closed and self._background_pending():
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    return None
            else:
                # Under the lock _submit queues with: a job queued meanwhile is seen here, so
                # "settled" is never set on a decision that a new job has made stale.
                with self._pending_lock:
                    if self._jobs.empty() and not self._background_pending():
                        self._settled.set()
                job = self._jobs.get()
            if job.kind != "wake":
                self._settled.clear()
                return job

    def _background_pending(self) -> bool:
        return self._improver.pending() or self.scans.pending()

    def _yield_to_others(self) -> bool:
        return not self._jobs.empty() or self._pause.is_set() or self._closed

    def _serve(self) -> None:
        while True:
            job = self._next_job()
            if job is None:
                self._settled.clear()
                if not self._improver.pending():
                    self._read_scans()
                    continue
                try:
                    with self._pause.working("indexer"):
                        self._improver.run(interrupted=self._yield_to_others)
                except Exception as exc:  # noqa: BLE001 - pass 2 waits for the next change
                    log.exception("Improving passages by meaning failed")
                    self._improver.fail(str(exc))
                    self._emit(Message(str(_as_person_error(exc, self._index.paths.home)), "error"))
                continue
            if job.kind == "stop":
                return
            self._cancel.clear()
            self.last_error = None
            started = time.monotonic()
            self._run_stats = RunStats()
            # Coalesce: many queued scans/path updates become one run.
            jobs = [job]
            while True:
                try:
                    nxt = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt.kind == "stop":
                    self._jobs.put(nxt)
                    break
                if nxt.kind != "wake":
                    jobs.append(nxt)
            try:
                with self._pause.working("indexer"):
                    for one in jobs:
                        if not self._cancel.is_set():
                            self._do(one)
            except Exception as exc:  # noqa: BLE001 - report, keep the thread alive
                log.exception("Indexing job failed")
                self.last_error = _as_person_error(exc, self._index.paths.home)
                self._emit(Message(str(self.last_error), "error"))
            finally:
                stats = self._run_stats
                self._emit(
                    Idle(
                        indexed=stats.indexed,
                        failed=stats.failed,
                        removed=stats.removed,
                        seconds=time.monotonic() - started,
                        cancelled=self._cancel.is_set(),
                    )
                )
                for _ in jobs:
                    self._done_job()

    def _read_scans(self) -> None:
        """Stage 3, the lowest priority: only when no job is queued and pass 2 is done."""
        try:
            with self._pause.working("indexer"):
                self.scans.run(interrupted=self._yield_to_others)
        except Exception as exc:  # noqa: BLE001 - recognition waits for the next change
            log.exception("Reading scanned pages failed")
            self.scans.fail(str(exc))
            self._emit(Message(str(_as_person_error(exc, self._index.paths.home)), "error"))

    def _do(self, job: _Job) -> None:
        if job.kind == "scan":
            self._scan(job.folders or tuple(self._index.folder_paths()))
        elif job.kind == "paths":
            self._update_paths(job.paths)
        elif job.kind == "remove":
            for folder in job.folders:
                removed = self._index.delete_folder_files(folder)
                self._index.remove_folder_record(folder)
                self._run_stats.removed += removed
                self._emit(FolderChanged(folder, removed=True))
        elif job.kind == "reembed":
            reembed(
                self._index,
                self._embedder(),
                batch_chunks=self.settings.batch_chunks,
                emit=self._emit,
                pause=self._pause,
                cancel=self._cancel,
                refill=job.refill,
                hold=lambda: self._hold(()),
            )

    # ------------------------------------------------------------------ scanning
    def _rules(self) -> ExcludeRules:
        return ExcludeRules.for_settings(self.settings)

    def _set_state(self, folder: str, state: FolderState) -> None:
        self._index.set_folder_state(folder, state.value)
        self._emit(FolderChanged(folder, state=state))

    def _scan(self, folders: Iterable[str]) -> None:
        folders = tuple(folders)
        self._emit(ScanStarted(folders))
        rules = self._rules()
        work: list[WorkItem] = []
        unchanged = removed = 0
        for folder in folders:
            if self._cancel.is_set():
                return
            if not os.path.exists(folder) or empty_mount_point(folder):
                # An unplugged drive or a share that is down: keep its entries until the
                # person removes the folder.
                self._set_state(folder, FolderState.UNAVAILABLE)
                continue
            self._set_state(folder, FolderState.INDEXING)
            errors: list[tuple[str, str]] = []
            others: Counter[str] = Counter()  # files of kinds that are not indexed, by kind
            on_disk = {f.path: f for f in walk(folder, rules, errors, others=others)}
            record_other_files(self._index.catalog, folder, others)
            for path, reason in errors:
                self._emit(Message(f"Skipped '{path}': {reason}.", "warning"))
            changes = self._diff(folder, on_disk, self._index.files_in_folder(folder))
            work += changes.work
            unchanged += changes.unchanged
            removed += self._purge_or_rename(folder, changes, work)
        self._emit(ScanFinished(total=len(work), unchanged=unchanged, removed=removed))
        self._process(work)
        for folder in folders:
            if os.path.exists(folder):
                self._set_state(folder, FolderState.UP_TO_DATE)

    def _diff(self, folder: str, on_disk: dict[str, FoundFile], known: dict[str, FileRow]) -> Diff:
        found = diff(folder, on_disk, known, self.settings.max_file_mb * 1024 * 1024)
        for item in found.too_large:
            self._fail(item, f"it is larger than the {self.settings.max_file_mb} MiB limit")
        return found

    def _purge_or_rename(self, folder: str, changes: Diff, all_work: list[WorkItem]) -> int:
        """Files that vanished: a new file with the same bytes is the same file renamed."""
        if not changes.gone:
            return 0
        renamed: set[str] = set()
        for row, item in match_renames(changes.gone, changes.work):
            found = item.found
            self._index.rename(row.path, found.path, folder, found.size, found.mtime)
            renamed.add(row.path)
            all_work.remove(item)
            self._emit(FileRemoved(row.path))
            self._emit(FileIndexed(found.path, row.chunks, row.pages))
            self._run_stats.indexed += 1
        to_delete = [r.path for r in changes.gone if r.path not in renamed]
        count = self._index.delete_files(to_delete)
        for path in to_delete:
            self._emit(FileRemoved(path))
        self._run_stats.removed += count
        return count

    def _update_paths(self, paths: Iterable[str]) -> None:
        """Follow changes reported by the watcher (or anyone): files and folders, any state.

        Only the catalog rows at and below the changed paths are read, so a change costs what
        changed, not the size of its folder.
        """
        folders = self._index.folder_paths()
        rules = self._rules()
        by_folder: dict[str, set[str]] = {}
        for path in dict.fromkeys(paths):
            folder = owning_folder(path, folders)
            if folder is None:
                continue
            by_folder.setdefault(folder, set()).add(path)
        work: list[WorkItem] = []
        reconciled: list[str] = []
        for folder, changed in by_folder.items():
            if not os.path.exists(folder):
                self._set_state(folder, FolderState.UNAVAILABLE)
                continue
            if folder in changed:
                # The whole folder was looked at (it came back, or it is polled): afterwards it
                # is up to date, whatever state it was left in.
                reconciled.append(folder)
            on_disk: dict[str, FoundFile] = {}
            affected: dict[str, FileRow] = {}
            for path in changed:
                # A folder nested in this one is indexed as its own: its rows are not ours.
                rows = self._index.files_under(path)
                affected.update({p: r for p, r in rows.items() if r.folder == folder})
                is_dir = os.path.isdir(path)
                if not is_dir and not os.path.isfile(path):
                    continue  # gone: its rows above are what is left to purge
                if path != folder and rules.skips_path(folder, path, is_dir=is_dir):
                    continue
                on_disk.update({f.path: f for f in walk(path, rules, base=folder)})
            changes = self._diff(folder, on_disk, affected)
            work += changes.work
            self._purge_or_rename(folder, changes, work)
        if work:
            self._emit(ScanFinished(total=len(work), unchanged=0, removed=self._run_stats.removed))
            self._process(work)
        for folder in reconciled:
            self._set_state(folder, FolderState.UP_TO_DATE)

    # ------------------------------------------------------------------ the pipeline
    def _pool_for_run(self) -> ExtractionPool:
        if self._pool is None:
            self._pool = ExtractionPool(
                self.settings.extraction_workers,
                timeout_s=self.settings.file_timeout_s,
                memory_mb=self.settings.worker_memory_mb,
                chunk_chars=self._chunk_chars(),
                overlap=self.settings.chunk_overlap,
            )
        return self._pool

    def _chunk_chars(self) -> int:
        try:
            limit = self._embedder().max_chars
        except Exception:  # noqa: BLE001 - the writer reports model errors
            limit = self.settings.chunk_chars
        return min(self.settings.chunk_chars, limit)

    def reset_pool(self) -> None:
        """Settings that shape passages changed: next run starts fresh workers."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _process(self, work: list[WorkItem]) -> None:
        if not work:
            return
        progress = ProgressMeter(
            len(work), self._emit, self._pause.is_set, self._pause.paused_seconds
        )
        writer = BatchWriter(
            self._index,
            self._embedder,
            batch_chunks=self.settings.batch_chunks,
            progress=progress,
            stats=self._run_stats,
            emit=self._emit,
            gate=self._pause,
            scans=self.scans.queue,
            note=lambda doc: scan_note(doc, self.settings),
        )
        folders = tuple(dict.fromkeys(w.folder for w in work))
        writer.start()
        tasks = deque(ExtractionTask(w.found.path, w.known_hash, token=w) for w in work)
        try:
            for result in self._pool_for_run().run(
                tasks,
                may_submit=lambda: not self._pause.is_set(),
                should_stop=self._cancel.is_set,
                hold=lambda: self._hold(folders, writer),
            ):
                writer.put(result, hold=lambda: self._hold(folders, writer))
        finally:
            # Paused after the last file was handed out: this thread parks in the wait.
            writer.finish(hold=lambda: self._hold(folders, writer))

    def _hold(self, folders: tuple[str, ...], writer: BatchWriter | None = None) -> None:
        """Paused: park this thread until resumed (see `_held`)."""
        before: dict[str, str] = {}
        self._pause.park("indexer", lambda: self._held(folders, writer, before))
        for folder, state in before.items():
            self._set_state(folder, FolderState(state))

    def _held(
        self, folders: tuple[str, ...], writer: BatchWriter | None, before: dict[str, str]
    ) -> None:
        """Everything has parked: the folders of this run say "paused" (catalog and event;
        `before` keeps what they said, for the resume) and the figures are brought up to date."""
        states = {row[0]: row[1] for row in self._index.folder_rows()} if folders else {}
        for folder in folders:
            if states.get(folder) in (FolderState.INDEXING.value, FolderState.UP_TO_DATE.value):
                before[folder] = states[folder]
                self._set_state(folder, FolderState.PAUSED)
        if writer is not None:
            writer.report_progress()

    def _fail(self, item: WorkItem, reason: str) -> None:
        record_failure(self._index, self._run_stats, self._emit, item, reason)


def _as_person_error(exc: Exception, home: object) -> DesktopSearchError:
    if isinstance(exc, DesktopSearchError):
        return exc
    if is_disk_full(exc, home):
        return StorageFullError(home)
    return DesktopSearchError(f"Indexing stopped on an unexpected error: {exc}")
