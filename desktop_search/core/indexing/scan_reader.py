"""Stage 3: text recognition of the pages that have no text layer (scans, pictures).

Pass 1 indexes every file's text pages at full speed and lists its scanned pages in the scan
queue (storage/scan_queue.py). This stage runs on the indexer's thread only when nothing else
is waiting (no new files, pass 2 done), in the extraction worker processes with their time and
memory caps, one page per task. Every page read is kept in the OCR cache at once, so a quit or
a kill loses at most the pages being read; once all of a file's scanned pages are read, the
file is read again with their text among its pages and written as usual, so its recognised
passages are searchable by keywords at once and get their meaning vectors from pass 2.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from desktop_search.core.config import Settings
from desktop_search.core.embed.base import Embedder
from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.formats import IMAGES, format_of
from desktop_search.core.extract.ocr import (
    OcrPage,
    OcrRequest,
    OcrUnavailableError,
    WordBox,
    request_for,
)
from desktop_search.core.extract.pool import (
    PIPELINE_DEPTH,
    ExtractionPool,
    ExtractionResult,
    ExtractionTask,
)
from desktop_search.core.extract.reader import content_hash
from desktop_search.core.models import (
    ExtractedDocument,
    IndexEvent,
    Message,
    ReadingScans,
    describe_scanned_pages,
    describe_unread_pages,
)
from desktop_search.core.storage.index import DocumentWrite, Index
from desktop_search.core.storage.ocr_cache import OcrCache
from desktop_search.core.storage.scan_queue import ScannedFile, ScanQueue

log = logging.getLogger(__name__)

EVENT_INTERVAL_S = 0.5


def scan_note(doc: ExtractedDocument, settings: Settings) -> str:
    """What pass 1 says about a file's pages without a text layer: nothing while text
    recognition will read them (waiting is not a problem), why not otherwise."""
    if settings.ocr or not doc.pages_without_text:
        return ""
    fmt = format_of(doc.path)
    if fmt is not None and fmt.group == IMAGES:
        return "it is a picture, and text recognition is turned off"
    return describe_scanned_pages(doc.pages_without_text, "text recognition is turned off")


@dataclass
class _File:
    """One file being read: its scanned pages, and what recognition made of each so far."""

    scanned: ScannedFile
    read: dict[int, OcrPage] = field(default_factory=dict)
    handed_out: set[int] = field(default_factory=set)
    changed: bool = False  # changed or gone since it was queued: pass 1 takes it from here

    @property
    def path(self) -> str:
        return self.scanned.row.path

    @property
    def digest(self) -> str:
        return self.scanned.row.hash or ""

    def missing(self) -> list[int]:
        """Pages not read yet (being read or not handed out)."""
        return [p for p in self.scanned.pages if p not in self.read]

    def to_hand_out(self) -> list[int]:
        return [p for p in self.missing() if p not in self.handed_out]


class ScanReader:
    """Reads the scanned pages of indexed files, in the background. Use from the indexer's
    thread only: `pending` says whether there is work, `run` does it until interrupted."""

    def __init__(
        self,
        index: Index,
        cache: OcrCache,
        settings: Callable[[], Settings],
        pool: Callable[[], ExtractionPool],
        embedder: Callable[[], Embedder],
        emit: Callable[[IndexEvent], None],
        changed: Callable[[list[str]], None],
    ) -> None:
        """`changed(paths)` is told of files that changed or vanished since pass 1 read them:
        pass 1 must read them again (their scanned pages are queued anew then)."""
        self._index = index
        self.queue = ScanQueue(index.catalog)
        self.cache = cache
        self._settings = settings
        self._pool = pool
        self._embedder = embedder
        self._emit = emit
        self._changed = changed
        self._unavailable: str | None = None  # why recognition can't run, until `reset`
        # Engine calls made by this process's runs: proof in tests that a cached page is not
        # recognised again.
        self.pages_recognised = 0

    def request(self) -> OcrRequest | None:
        """The recognition the settings ask for; None when it is off or can't run."""
        settings = self._settings()
        if not settings.ocr or self._unavailable is not None:
            return None
        try:
            return request_for(settings.ocr_language_codes)
        except OcrUnavailableError as exc:
            self._unavailable = str(exc)
            self._emit(Message(f"Scanned pages can't be read: {exc}", "error"))
            return None

    def reset(self) -> None:
        """Settings changed: try again even if recognition could not run before."""
        self._unavailable = None

    def fail(self, reason: str) -> None:
        """Stop trying until `reset` (a failure would otherwise repeat at once, forever)."""
        self._unavailable = reason

    def pending(self) -> bool:
        request = self.request()
        return request is not None and self.queue.has_pending(_read_with(request))

    def progress(self) -> tuple[int, int]:
        """(scanned pages read, scanned pages of indexed files) for the current settings;
        (0, 0) while text recognition is off or can't run. Any thread."""
        settings = self._settings()
        if not settings.ocr:
            return (0, 0)
        try:
            request = request_for(settings.ocr_language_codes)
        except OcrUnavailableError:
            return (0, 0)
        return self.queue.progress(_read_with(request))

    def words(self, path: str, page: int) -> tuple[WordBox, ...]:
        """Where text recognition found each word on a page of an indexed file, for the
        preview's highlight; () for a page it did not read. Any thread."""
        row = self._index.file_by_path(path)
        if row is None or not row.hash or page not in self.queue.pages_of(path):
            return ()
        return self.cache.words(row.hash, page)

    def run(self, interrupted: Callable[[], bool]) -> None:
        """Read scanned pages file by file until all are read or `interrupted()`."""
        request = self.request()
        if request is None:
            return
        read_with = _read_with(request)
        files = deque(_File(s) for s in self.queue.pending(read_with))
        # Pages of every scanned file, those of files already read counted done: the figures
        # go on where a run that was interrupted left them.
        done, total = self.queue.progress(read_with)
        meter = _Meter(done, total, self._emit)
        for file in files:
            file.read = self.cache.get(
                file.digest, file.scanned.pages, request.engine, request.languages
            )
            meter.done += len(file.read)
        meter.report(force=True)
        tasks: deque[ExtractionTask] = deque()
        waiting = files  # files whose pages are not all handed out yet
        size = self._pool().size * PIPELINE_DEPTH

        def top_up() -> None:
            # A few tasks ahead of the workers, file by file: files finish (and are written)
            # in order, rather than all at the end.
            while waiting and len(tasks) < size:
                file = waiting[0]
                pages = file.to_hand_out()
                if not pages:
                    waiting.popleft()
                    if not file.missing():  # every page was in the cache
                        tasks.append(_merge_task(file))
                    continue
                for page in pages[: size - len(tasks)]:
                    file.handed_out.add(page)
                    ocr = replace(request, expected_hash=file.digest)
                    tasks.append(ExtractionTask(file.path, token=file, ocr=ocr, ocr_page=page))

        top_up()
        for result in self._pool().run(tasks, should_stop=interrupted):
            file = result.task.token
            if file.changed:
                pass
            elif result.task.ocr is None:
                self._write(file, result, read_with)
            elif self._keep_page(file, result, request):
                meter.add(1)
                if not file.missing():
                    tasks.append(_merge_task(file))
            top_up()
        meter.report(force=True)

    def _keep_page(self, file: _File, result: ExtractionResult, request: OcrRequest) -> bool:
        """Cache what one page task read (or why it could not); False when the file changed
        or vanished meanwhile (pass 1 reads it again, and queues it anew)."""
        page = result.recognised
        if page is None:
            if not self._unchanged(file):
                file.changed = True
                self._changed([file.path])
                return False
            page = OcrPage(result.task.ocr_page, "", (), result.error or "unknown error")
        else:
            self.pages_recognised += 1
        self.cache.put(file.digest, request.engine, request.languages, page)
        file.read[page.page] = page
        return True

    def _unchanged(self, file: _File) -> bool:
        try:
            return content_hash(file.path) == file.digest
        except ExtractionError:
            return False

    def _write(self, file: _File, result: ExtractionResult, read_with: str) -> None:
        """The file read again with its recognised pages: written like any other."""
        doc = result.document
        if doc is None and self._unchanged(file):
            # Read once, failed the second time (time or memory cap): its text pages stay as
            # pass 1 wrote them; trying again would fail again, forever.
            log.warning("Recognised pages of %s not added: %s", file.path, result.error)
            self.queue.mark_read(file.path, file.digest, read_with)
            return
        if doc is None or doc.content_hash != file.digest:
            self._changed([file.path])
            return
        row = file.scanned.row
        failed = tuple(p for p in doc.pages_without_text if file.read.get(p, OcrPage(p, "")).error)
        reasons = {file.read[p].error for p in failed}
        note = describe_unread_pages(failed, reasons.pop() if len(reasons) == 1 else "")
        fmt = format_of(file.path)
        if not result.chunks and not note and (fmt is None or fmt.group != IMAGES):
            note = "text recognition found no words on its scanned pages"
        embedder = self._embedder()
        texts = [c.text for c in result.chunks]
        vectors = (
            embedder.embed_documents(texts) if texts else np.zeros((0, embedder.dim), np.float32)
        )
        write = DocumentWrite(
            path=row.path,
            folder=row.folder,
            size=row.size,
            mtime=row.mtime,
            hash=doc.content_hash,
            title=doc.title,
            file_type=row.file_type,
            pages=doc.page_count,
            chunks=result.chunks,
            note=note,
        )
        if self._index.model_id is None:
            self._index.set_meta("model", embedder.model_id)
        self._index.write_documents([write], vectors, embedder.model_id)
        self.queue.mark_read(row.path, file.digest, read_with)


def _read_with(request: OcrRequest) -> str:
    return f"{request.engine} {request.languages}"


def _merge_task(file: _File) -> ExtractionTask:
    recognised = tuple((p, page.text) for p, page in sorted(file.read.items()) if not page.error)
    return ExtractionTask(file.path, token=file, recognised=recognised)


class _Meter:
    """Pages read of those waiting, rate over this run, ETA; sent as ReadingScans events."""

    def __init__(self, done: int, total: int, emit: Callable[[IndexEvent], None]) -> None:
        self.done, self.total = done, total
        self._emit = emit
        self._started = time.monotonic()
        self._start_done: int | None = None
        self._last = 0.0

    def add(self, pages: int) -> None:
        self.done = min(self.total, self.done + pages)
        self.report()

    def report(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if self._start_done is None:
            self._start_done = self.done
        if not force and now - self._last < EVENT_INTERVAL_S:
            return
        self._last = now
        new = self.done - self._start_done
        rate = new / max(now - self._started, 1e-6)
        eta = (self.total - self.done) / rate if rate > 0 and new > 0 else None
        self._emit(ReadingScans(done=self.done, total=self.total, rate=rate, eta=eta))
