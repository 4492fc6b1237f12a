"""Scan -> diff with the catalog -> extract (worker processes) -> embed -> write, with events.

The Indexer owns one worker thread that takes jobs (scan folders, follow changed paths, remove
a folder, re-embed) from a queue, and, during a run, a writer thread that embeds and writes in
batches while the extraction processes keep reading the next files. All writes to the Index
happen on these two threads. Events go to `on_event`, called on those threads, never the
caller's.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from desktop_search.core.config import Settings
from desktop_search.core.embed.base import Embedder
from desktop_search.core.errors import DesktopSearchError, StorageFullError, is_disk_full
from desktop_search.core.extract.pool import (
    ExtractionPool,
    ExtractionResult,
    ExtractionTask,
    lower_priority,
)
from desktop_search.core.indexing.scanning import ExcludeRules, FoundFile, walk
from desktop_search.core.models import (
    FileFailed,
    FileIndexed,
    FileRemoved,
    FolderChanged,
    FolderState,
    Idle,
    IndexEvent,
    Message,
    Paused,
    Progress,
    ScanFinished,
    ScanStarted,
)
from desktop_search.core.storage.index import DocumentWrite, FileRow, Index

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.1


@dataclass(frozen=True)
class _Work:
    found: FoundFile
    folder: str
    known_hash: str | None


@dataclass(frozen=True)
class _Job:
    kind: str  # "scan" | "paths" | "remove" | "reembed" | "stop"
    folders: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()


class Indexer:
    """Keeps the index in step with the folders. All public methods return at once."""

    def __init__(
        self,
        index: Index,
        settings: Settings,
        embedder: Callable[[], Embedder],
        on_event: Callable[[IndexEvent], None] | None = None,
    ) -> None:
        self._index = index
        self.settings = settings
        self._embedder = embedder
        self._on_event = on_event or (lambda event: None)
        self._jobs: queue.Queue[_Job] = queue.Queue()
        self._pause = threading.Event()
        self._cancel = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
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
        self._run_stats = _RunStats()

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

    def reembed(self) -> None:
        """Queue re-embedding every stored passage with the current model (no re-extraction)."""
        self._submit(_Job("reembed"))

    def pause(self) -> None:
        if not self._pause.is_set():
            self._pause.set()
            self._emit(Paused(True))

    def resume(self) -> None:
        if self._pause.is_set():
            self._pause.clear()
            self._emit(Paused(False))

    @property
    def paused(self) -> bool:
        return self._pause.is_set()

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
        with self._pending_lock:
            self._pending += 1
            self._idle.clear()
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
        while True:
            job = self._jobs.get()
            if job.kind == "stop":
                return
            self._cancel.clear()
            self.last_error = None
            started = time.monotonic()
            self._run_stats = _RunStats()
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
                jobs.append(nxt)
            try:
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
                self._emit(FolderChanged(folder, "removed"))
        elif job.kind == "reembed":
            self._reembed()

    # ------------------------------------------------------------------ scanning
    def _rules(self) -> ExcludeRules:
        return ExcludeRules(self.settings.excludes, self.settings.include_hidden)

    def _scan(self, folders: Iterable[str]) -> None:
        folders = tuple(folders)
        self._emit(ScanStarted(folders))
        rules = self._rules()
        work: list[_Work] = []
        unchanged = removed = 0
        for folder in folders:
            if self._cancel.is_set():
                return
            if not os.path.exists(folder) or _empty_mount_point(folder):
                # An unplugged drive or a share that is down: keep its entries until the
                # person removes the folder.
                self._index.set_folder_state(folder, FolderState.UNAVAILABLE.value)
                self._emit(FolderChanged(folder, FolderState.UNAVAILABLE.value))
                continue
            self._index.set_folder_state(folder, FolderState.INDEXING.value)
            self._emit(FolderChanged(folder, FolderState.INDEXING.value))
            errors: list[tuple[str, str]] = []
            on_disk = {f.path: f for f in walk(folder, rules, errors)}
            for path, reason in errors:
                self._emit(Message(f"Skipped '{path}': {reason}.", "warning"))
            known = self._index.files_in_folder(folder)
            new_work, same, gone = self._diff(folder, on_disk, known)
            work += new_work
            unchanged += same
            removed += self._purge_or_rename(folder, gone, new_work, work)
        self._emit(ScanFinished(total=len(work), unchanged=unchanged, removed=removed))
        self._process(work)
        for folder in folders:
            if os.path.exists(folder):
                self._index.set_folder_state(folder, FolderState.UP_TO_DATE.value)
                self._emit(FolderChanged(folder, FolderState.UP_TO_DATE.value))

    def _diff(
        self, folder: str, on_disk: dict[str, FoundFile], known: dict[str, FileRow]
    ) -> tuple[list[_Work], int, list[FileRow]]:
        work: list[_Work] = []
        unchanged = 0
        max_bytes = self.settings.max_file_mb * 1024 * 1024
        for path, found in on_disk.items():
            row = known.get(path)
            if row is not None and row.size == found.size and abs(row.mtime - found.mtime) < 1e-6:
                unchanged += 1
                continue
            if found.size > max_bytes:
                self._fail(
                    found,
                    folder,
                    None,
                    f"it is larger than the {self.settings.max_file_mb} MiB limit",
                )
                continue
            # A failed file is retried only when it changed; a changed indexed file is hashed
            # first, and re-read only when its bytes differ.
            known_hash = row.hash if row is not None and row.status == "indexed" else None
            work.append(_Work(found, folder, known_hash))
        gone = [row for path, row in known.items() if path not in on_disk]
        return work, unchanged, gone

    def _purge_or_rename(
        self, folder: str, gone: list[FileRow], new_work: list[_Work], all_work: list[_Work]
    ) -> int:
        """Files that vanished: a new file with the same bytes is the same file renamed."""
        if not gone:
            return 0
        from desktop_search.core.errors import ExtractionError
        from desktop_search.core.extract.reader import content_hash

        by_size: dict[int, list[FileRow]] = {}
        for row in gone:
            if row.status == "indexed" and row.hash:
                by_size.setdefault(row.size, []).append(row)
        renamed: set[str] = set()
        for item in list(new_work):
            if item.known_hash is not None or item.found.size not in by_size:
                continue
            try:
                digest = content_hash(item.found.path)
            except ExtractionError:
                continue
            match = next(
                (r for r in by_size[item.found.size] if r.hash == digest and r.path not in renamed),
                None,
            )
            if match is None:
                continue
            self._index.rename(
                match.path, item.found.path, folder, item.found.size, item.found.mtime
            )
            renamed.add(match.path)
            all_work.remove(item)
            self._emit(FileRemoved(match.path))
            self._emit(FileIndexed(item.found.path, match.chunks, match.pages))
            self._run_stats.indexed += 1
        to_delete = [r.path for r in gone if r.path not in renamed]
        count = self._index.delete_files(to_delete)
        for path in to_delete:
            self._emit(FileRemoved(path))
        self._run_stats.removed += count
        return count

    def _update_paths(self, paths: Iterable[str]) -> None:
        """Follow changes reported by the watcher (or anyone): files and folders, any state."""
        folders = self._index.folder_paths()
        rules = self._rules()
        by_folder: dict[str, set[str]] = {}
        for path in dict.fromkeys(paths):
            folder = _owning_folder(path, folders)
            if folder is None:
                continue
            by_folder.setdefault(folder, set()).add(path)
        work: list[_Work] = []
        reconciled: list[str] = []
        for folder, changed in by_folder.items():
            if not os.path.exists(folder):
                self._index.set_folder_state(folder, FolderState.UNAVAILABLE.value)
                self._emit(FolderChanged(folder, FolderState.UNAVAILABLE.value))
                continue
            if folder in changed:
                # The whole folder was looked at (it came back, or it is polled): afterwards it
                # is up to date, whatever state it was left in.
                reconciled.append(folder)
            known = self._index.files_in_folder(folder)
            on_disk: dict[str, FoundFile] = {}
            affected: dict[str, FileRow] = {}
            for path in changed:
                prefix = path.rstrip(os.sep) + os.sep
                affected.update(
                    {p: r for p, r in known.items() if p == path or p.startswith(prefix)}
                )
                if os.path.isdir(path):
                    if path != folder and rules.skips_path(folder, os.path.join(path, "x.pdf")):
                        continue
                    on_disk.update({f.path: f for f in walk(path, rules)})
                elif os.path.isfile(path):
                    if folder != path and rules.skips_path(folder, path):
                        continue
                    on_disk.update({f.path: f for f in walk(path, rules)})
            new_work, _, gone = self._diff(folder, on_disk, affected)
            work += new_work
            self._purge_or_rename(folder, gone, new_work, work)
        if work:
            self._emit(ScanFinished(total=len(work), unchanged=0, removed=self._run_stats.removed))
            self._process(work)
        for folder in reconciled:
            self._index.set_folder_state(folder, FolderState.UP_TO_DATE.value)
            self._emit(FolderChanged(folder, FolderState.UP_TO_DATE.value))

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

    def _process(self, work: list[_Work]) -> None:
        if not work:
            return
        total = len(work)
        progress = _ProgressMeter(total, self._emit, lambda: self._pause.is_set())
        writer = _BatchWriter(self, progress)
        writer.start()
        tasks = deque(ExtractionTask(w.found.path, w.known_hash, token=w) for w in work)
        try:
            for result in self._pool_for_run().run(
                tasks,
                may_submit=lambda: not self._pause.is_set(),
                should_stop=self._cancel.is_set,
            ):
                writer.put(result)
        finally:
            writer.finish()

    def _fail(self, found: FoundFile, folder: str, file_hash: str | None, reason: str) -> None:
        self._index.record_failure(
            found.path, folder, found.size, found.mtime, file_hash, reason, found.file_type
        )
        self._run_stats.failed += 1
        self._emit(FileFailed(found.path, reason))

    # ------------------------------------------------------------------ model change
    def _reembed(self) -> None:
        embedder = self._embedder()
        old = self._index.model_id
        if old == embedder.model_id:
            return
        self._emit(Message(f"Re-embedding stored passages with {embedder.model_id}…"))
        self._index.drop_collection(embedder.model_id)  # a half-done earlier attempt
        total = self._index.counts()[1]
        done = 0
        progress = _ProgressMeter(total, self._emit, lambda: self._pause.is_set())
        for rows in self._index.iter_chunk_batches(self.settings.batch_chunks):
            while self._pause.is_set() and not self._cancel.is_set():
                time.sleep(0.1)
            if self._cancel.is_set():
                self._emit(Message("Re-embedding stopped; it starts again next time.", "warning"))
                return
            vectors = embedder.embed_documents([r[3] for r in rows])
            self._index.add_vectors(embedder.model_id, rows, vectors)
            done += len(rows)
            progress.update(done, 0, "", chunks=done)
        self._index.set_meta("model", embedder.model_id)
        if old:
            self._index.drop_collection(old)
        progress.update(done, 0, "", force=True, chunks=done)


class _RunStats:
    def __init__(self) -> None:
        self.indexed = 0
        self.failed = 0
        self.removed = 0


class _ProgressMeter:
    """done/total, rate and ETA, sent at most every PROGRESS_INTERVAL_S."""

    def __init__(
        self, total: int, emit: Callable[[IndexEvent], None], paused: Callable[[], bool]
    ) -> None:
        self.total = total
        self._emit = emit
        self._paused = paused
        self._started = time.monotonic()
        self._last = 0.0
        self._paused_time = 0.0

    def update(
        self, done: int, failed: int, current: str, *, force: bool = False, chunks: int = 0
    ) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        elapsed = max(now - self._started, 1e-6)
        rate = done / elapsed
        remaining = self.total - done
        eta = remaining / rate if rate > 0 and done >= 3 else None
        self._emit(
            Progress(
                done=done,
                total=self.total,
                failed=failed,
                current=current,
                rate=rate,
                eta=eta,
                chunks=chunks,
                paused=self._paused(),
            )
        )


class _BatchWriter:
    """Embeds and writes extracted files in batches on its own thread."""

    def __init__(self, indexer: Indexer, progress: _ProgressMeter) -> None:
        self._ix = indexer
        self._progress = progress
        self._queue: queue.Queue[ExtractionResult | None] = queue.Queue(maxsize=256)
        self._thread = threading.Thread(target=self._run, name="desktop-search-writer", daemon=True)
        self._error: BaseException | None = None
        self.done = 0
        self.failed = 0
        self.chunks = 0

    def start(self) -> None:
        self._thread.start()

    def put(self, result: ExtractionResult) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(result, timeout=0.5)
                return
            except queue.Full:
                continue
        if self._error is not None:
            raise RuntimeError("the index writer stopped") from self._error

    def finish(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        lower_priority(thread_only=True)
        batch: list[tuple[_Work, ExtractionResult]] = []
        batch_chunks = 0
        oldest = 0.0
        limit = self._ix.settings.batch_chunks
        try:
            while True:
                try:
                    item = self._queue.get(timeout=0.1)
                except queue.Empty:
                    item = False  # type: ignore[assignment]
                if item is None:
                    break
                if item:
                    work: _Work = item.task.token
                    if item.error is not None or item.unchanged:
                        self._settle(work, item)
                    else:
                        if not batch:
                            oldest = time.monotonic()
                        batch.append((work, item))
                        batch_chunks += len(item.chunks)
                if batch and (batch_chunks >= limit or time.monotonic() - oldest > 0.5):
                    self._flush(batch)
                    batch, batch_chunks = [], 0
            if batch:
                self._flush(batch)
            self._progress.update(self.done, self.failed, "", force=True, chunks=self.chunks)
        except BaseException as exc:  # noqa: BLE001 - handed to the dispatcher thread
            log.exception("Index writer failed")
            self._error = exc

    def _settle(self, work: _Work, result: ExtractionResult) -> None:
        ix = self._ix
        if result.unchanged:
            ix._index.touch(work.found.path, work.found.size, work.found.mtime)
        else:
            ix._fail(work.found, work.folder, None, result.error or "unknown error")
            self.failed += 1
        self.done += 1
        self._progress.update(self.done, self.failed, work.found.path, chunks=self.chunks)

    def _flush(self, batch: list[tuple[_Work, ExtractionResult]]) -> None:
        ix = self._ix
        embedder = ix._embedder()
        texts = [c.text for _, r in batch for c in r.chunks]
        # Embedded in parts, so no single call holds the GIL for long (see VECTOR_WRITE_PART).
        parts = [embedder.embed_documents(texts[i : i + 128]) for i in range(0, len(texts), 128)]
        vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dim), np.float32)
        model_id = embedder.model_id
        if ix._index.model_id is None:
            ix._index.set_meta("model", model_id)
        docs = []
        for work, result in batch:
            doc = result.document
            assert doc is not None
            docs.append(
                DocumentWrite(
                    path=work.found.path,
                    folder=work.folder,
                    size=work.found.size,
                    mtime=work.found.mtime,
                    hash=doc.content_hash,
                    title=doc.title,
                    file_type=work.found.file_type,
                    pages=doc.page_count,
                    chunks=result.chunks,
                )
            )
        ix._index.write_documents(docs, vectors, model_id)
        for work, result in batch:
            self.done += 1
            self.chunks += len(result.chunks)
            ix._run_stats.indexed += 1
            doc = result.document
            assert doc is not None
            ix._emit(FileIndexed(work.found.path, len(result.chunks), doc.page_count))
        self._progress.update(self.done, self.failed, batch[-1][0].found.path, chunks=self.chunks)


def _as_person_error(exc: Exception, home: object) -> DesktopSearchError:
    if isinstance(exc, DesktopSearchError):
        return exc
    if is_disk_full(exc, home):
        return StorageFullError(home)
    return DesktopSearchError(f"Indexing stopped on an unexpected error: {exc}")


def _owning_folder(path: str, folders: list[str]) -> str | None:
    best = None
    for folder in folders:
        inside = path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
        if inside and (best is None or len(folder) > len(best)):
            best = folder
    return best


def _empty_mount_point(folder: str) -> bool:
    """A mount point with nothing in it is a drive that is not there, not an emptied folder."""
    try:
        return os.path.ismount(folder) and not any(os.scandir(folder))
    except OSError:
        return False
