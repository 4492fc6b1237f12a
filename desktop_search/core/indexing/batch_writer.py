"""Embed extracted files and write them to the index in batches, on a thread of its own."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np

from desktop_search.core.embed.base import Embedder
from desktop_search.core.extract.pool import ExtractionResult, lower_priority
from desktop_search.core.indexing.catalog_diff import WorkItem
from desktop_search.core.indexing.pause_gate import PauseGate
from desktop_search.core.indexing.progress import ProgressMeter, RunStats
from desktop_search.core.models import (
    ExtractedDocument,
    FileFailed,
    FileIndexed,
    IndexEvent,
    describe_scanned_pages,
)
from desktop_search.core.storage.index import DocumentWrite, Index
from desktop_search.core.storage.scan_queue import ScanQueue

log = logging.getLogger(__name__)

# A batch is written once it holds `batch_chunks` passages or its oldest file waited this long,
# so a slow trickle of files still shows up in search within a second.
MAX_BATCH_AGE_S = 0.5
# Passages embedded per call: no single call holds the GIL for long (see VECTOR_WRITE_PART).
EMBED_PART = 128
# A batch is written in parts of the index's vector write part (whole files), with a look at the
# pause gate before each write: a batch of small files can hold hundreds of them, and a Pause
# that let the rest of the batch be written would see the counts go on rising for seconds. An
# engine behind a window (where Pause is pressed) writes 32 passages at a time anyway, so there
# it costs nothing; headless, parts that small cut pass 1 on the Cranfield PDFs from 277 to
# 174-224 pages/s, so a headless engine writes whole batches (a pause holds after the batch).


def record_failure(
    index: Index,
    stats: RunStats,
    emit: Callable[[IndexEvent], None],
    item: WorkItem,
    reason: str,
) -> None:
    """A file that can't be indexed: catalogued with its reason, counted and reported."""
    found = item.found
    index.record_failure(
        found.path, item.folder, found.size, found.mtime, None, reason, found.file_type
    )
    stats.failed += 1
    emit(FileFailed(found.path, reason))


class BatchWriter:
    """Embeds and writes extraction results in batches on its own thread.

    Args:
        index: where the documents are written (this thread is then one of its writers).
        embedder: gives the current model (loading it on first use).
        batch_chunks: passages per write.
        progress: told after every file.
        stats: the run's figures; `indexed` and `failed` are counted here.
        emit: receives FileIndexed and FileFailed, on the writer's thread.
        gate: while it is paused the writer parks before its next write (between batches,
            and between the parts of a batch): files read ahead wait in its queue and the rest
            of the batch in hand waits with it; nothing more is written until the resume.
    """

    def __init__(
        self,
        index: Index,
        embedder: Callable[[], Embedder],
        *,
        batch_chunks: int,
        progress: ProgressMeter,
        stats: RunStats,
        emit: Callable[[IndexEvent], None],
        gate: PauseGate | None = None,
        scans: ScanQueue | None = None,
        note: Callable[[ExtractedDocument], str] | None = None,
    ) -> None:
        self._index = index
        self._scans = scans
        self._note = note or (lambda doc: describe_scanned_pages(doc.pages_without_text))
        self._gate = gate or PauseGate()
        self._embedder = embedder
        self._batch_chunks = batch_chunks
        self._progress = progress
        self._stats = stats
        self._emit = emit
        self._queue: queue.Queue[ExtractionResult | None] = queue.Queue(maxsize=256)
        self._thread = threading.Thread(target=self._run, name="desktop-search-writer", daemon=True)
        self._error: BaseException | None = None
        self.done = 0
        self.failed = 0
        self.chunks = 0

    def start(self) -> None:
        # Working from now, not from when the thread gets going: a pause never misses it.
        self._gate.enter("writer")
        try:
            self._thread.start()
        except BaseException:
            self._gate.leave("writer")
            raise

    def put(self, result: ExtractionResult, hold: Callable[[], object] | None = None) -> None:
        """Hand over one result (its task's token is a WorkItem); blocks while the queue is full.
        A pause that parked the writer with a full queue parks the caller in `hold()` (see
        `finish`). Raises RuntimeError when the writer stopped on an error."""
        while self._thread.is_alive():
            try:
                self._queue.put(result, timeout=0.5)
                return
            except queue.Full:
                if self._gate.is_parked("writer"):
                    (hold or (lambda: self._gate.park("indexer")))()
        if self._error is not None:
            raise RuntimeError("the index writer stopped") from self._error

    def finish(self, hold: Callable[[], object] | None = None) -> None:
        """Write what is left and stop; re-raises the error the writer stopped on.

        While a pause holds the writer, the caller parks in `hold()` (default: as "indexer"
        on the gate), so a pause never leaves it stuck outside the gate's view.
        """
        if self._thread.is_alive():
            self._queue.put(None)
        self._gate.wait_for("writer", hold or (lambda: self._gate.park("indexer")))
        self._thread.join()
        if self._error is not None:
            raise self._error

    def report_progress(self) -> None:
        """Send the figures as they stand now (e.g. once a pause has taken hold)."""
        self._progress.update(self.done, self.failed, "", force=True, chunks=self.chunks)

    def _run(self) -> None:
        lower_priority(thread_only=True)
        try:
            self._write_until_finished()
        finally:
            self._gate.leave("writer")

    def _write_until_finished(self) -> None:
        batch: list[tuple[WorkItem, ExtractionResult]] = []
        batch_chunks = 0
        oldest = 0.0
        try:
            while True:
                self._gate.park("writer")
                try:
                    item: ExtractionResult | None | bool = self._queue.get(timeout=0.1)
                except queue.Empty:
                    item = False  # nothing new: only check the batch's age
                if item is None:
                    break
                if isinstance(item, ExtractionResult):
                    work: WorkItem = item.task.token
                    if item.error is not None or item.unchanged:
                        self._settle(work, item)
                    else:
                        if not batch:
                            oldest = time.monotonic()
                        batch.append((work, item))
                        batch_chunks += len(item.chunks)
                if batch and (
                    batch_chunks >= self._batch_chunks
                    or time.monotonic() - oldest > MAX_BATCH_AGE_S
                ):
                    self._flush(batch)
                    batch, batch_chunks = [], 0
            if batch:
                self._flush(batch)
            self._progress.update(self.done, self.failed, "", force=True, chunks=self.chunks)
        except BaseException as exc:  # noqa: BLE001 - handed to the dispatcher thread
            log.exception("Index writer failed")
            self._error = exc

    def _settle(self, work: WorkItem, result: ExtractionResult) -> None:
        """A result with nothing to embed: an unchanged file, or one that failed."""
        if result.unchanged:
            self._index.touch(work.found.path, work.found.size, work.found.mtime)
        else:
            reason = result.error or "unknown error"
            record_failure(self._index, self._stats, self._emit, work, reason)
            self.failed += 1
        self.done += 1
        self._progress.update(self.done, self.failed, work.found.path, chunks=self.chunks)

    def _flush(self, batch: list[tuple[WorkItem, ExtractionResult]]) -> None:
        """Embed and write a batch, part by part; before each write the writer parks while
        paused, so what is written after a Pause is at most the part being written then."""
        embedder = self._embedder()
        for part in write_parts(batch, self._index.vector_write_part):
            texts = [c.text for _, r in part for c in r.chunks]
            pieces = [
                embedder.embed_documents(texts[i : i + EMBED_PART])
                for i in range(0, len(texts), EMBED_PART)
            ]
            vectors = np.concatenate(pieces) if pieces else np.zeros((0, embedder.dim), np.float32)
            # Held here, the part and the rest of the batch stay in memory (read, embedded): a
            # resume writes them, a quit writes them first (see `finish`), and a kill leaves
            # them out of the catalog, so the next scan reads them again.
            self._gate.park("writer")
            self._write(part, vectors, embedder.model_id)

    def _write(
        self, part: list[tuple[WorkItem, ExtractionResult]], vectors: np.ndarray, model_id: str
    ) -> None:
        if self._index.model_id is None:
            self._index.set_meta("model", model_id)
        docs = []
        for work, result in part:
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
                    note=self._note(doc),
                )
            )
        if self._scans is not None:
            # Pages without a text layer wait for text recognition (indexing/scan_reader.py).
            written = [(w.found.path, r.document) for w, r in part if r.document is not None]
            scanned = [(p, d.content_hash, d.pages_without_text) for p, d in written]
            self._scans.expect(
                [entry for entry in scanned if entry[2]],
                [p for p, _, pages in scanned if not pages],
            )
        self._index.write_documents(docs, vectors, model_id)
        for work, result in part:
            self.done += 1
            self.chunks += len(result.chunks)
            self._stats.indexed += 1
            doc = result.document
            assert doc is not None
            self._emit(FileIndexed(work.found.path, len(result.chunks), doc.page_count))
        self._progress.update(self.done, self.failed, part[-1][0].found.path, chunks=self.chunks)


def write_parts(
    batch: list[tuple[WorkItem, ExtractionResult]], passages: int
) -> Iterator[list[tuple[WorkItem, ExtractionResult]]]:
    """The batch cut into runs of whole files of at most `passages` passages (a larger file
    is a part of its own), in order."""
    part: list[tuple[WorkItem, ExtractionResult]] = []
    size = 0
    for entry in batch:
        count = len(entry[1].chunks)
        if part and size + count > passages:
            yield part
            part, size = [], 0
        part.append(entry)
        size += count
    if part:
        yield part
