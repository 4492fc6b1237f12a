"""Extraction in worker processes: every core busy, and one bad file can't take the indexer down.

Each worker reads files and returns page texts already cut into passages. A file that runs past
the time limit, crashes its worker or exceeds the memory cap fails with a reason; the worker is
replaced and the run goes on.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from typing import Any

from desktop_search.core.config import Settings
from desktop_search.core.extract.ocr import OcrPage, OcrRequest
from desktop_search.core.models import Chunk, ExtractedDocument

log = logging.getLogger(__name__)

PIPELINE_DEPTH = 2
BACKGROUND_NICENESS = 10


@dataclass(frozen=True)
class ExtractionTask:
    """One file to read; or, with `ocr`, one page of it to recognise (page `ocr_page`).

    `recognised` holds (page, text) that text recognition already read from the file's pages
    without a text layer: they join its pages (see `reader.extract`).
    """

    path: str
    known_hash: str | None = None
    token: Any = None  # carried back untouched: lets the caller attach its own bookkeeping
    ocr: OcrRequest | None = None
    ocr_page: int = 0
    recognised: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class ExtractionResult:
    task: ExtractionTask
    document: ExtractedDocument | None = None
    chunks: tuple[Chunk, ...] = ()
    unchanged: bool = False
    error: str | None = None
    seconds: float = 0.0
    recognised: OcrPage | None = None  # what an `ocr` task read


def lower_priority(thread_only: bool = False) -> None:
    """Background work yields the CPU to whatever the person is doing (the window above all).

    On Linux a niceness applies per thread, so `thread_only` lowers just the calling thread.
    """
    try:
        if thread_only:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
        else:
            os.nice(BACKGROUND_NICENESS)
    except (AttributeError, OSError):  # pragma: no cover - not on this platform
        pass


def signal_name(exitcode: int | None) -> str | None:
    """The signal that ended a worker process ("SIGKILL"), or None if it was not a signal."""
    if exitcode is None or exitcode >= 0:
        return None
    import signal

    try:
        return signal.Signals(-exitcode).name
    except ValueError:
        return f"signal {-exitcode}"


def cap_memory(memory_mb: int) -> None:
    """Make this process fail with MemoryError past `memory_mb` instead of eating the machine."""
    try:
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):  # pragma: no cover - platform without rlimits
        pass


def _worker_main(conn: Connection, memory_mb: int, chunk_chars: int, overlap: int) -> None:
    """Loop in the child: receive a task, send back a result. Never raises."""
    lower_priority()
    cap_memory(memory_mb)
    from desktop_search.core.errors import ExtractionError
    from desktop_search.core.extract.ocr import read_file_page

    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        started = time.monotonic()
        try:
            if task.ocr is not None:
                page = read_file_page(task.path, task.ocr_page, task.ocr)
                result = ExtractionResult(task, recognised=page)
            else:
                result = _read_file(task, chunk_chars, overlap)
        except ExtractionError as exc:
            result = ExtractionResult(task, error=exc.reason)
        except MemoryError:
            result = ExtractionResult(
                task, error=f"it needs more than the {memory_mb} MiB memory limit to read"
            )
        except RecursionError:
            result = ExtractionResult(task, error="its structure is too deeply nested to read")
        except Exception as exc:  # noqa: BLE001 - any library failure is this file's problem
            result = ExtractionResult(task, error=f"it can't be read ({type(exc).__name__}: {exc})")
        try:
            conn.send(
                ExtractionResult(
                    result.task,
                    result.document,
                    result.chunks,
                    result.unchanged,
                    result.error,
                    time.monotonic() - started,
                    result.recognised,
                )
            )
        except MemoryError:
            conn.send(ExtractionResult(task, error="its text is too large to handle"))


def _read_file(task: ExtractionTask, chunk_chars: int, overlap: int) -> ExtractionResult:
    from desktop_search.core.extract.chunking import chunk_pages
    from desktop_search.core.extract.reader import extract

    # Pages without a text layer are left for text recognition (in the background, see
    # indexing/scan_reader.py), so a scan is indexed, not refused.
    doc = extract(task.path, task.known_hash, read_scans=True, recognised=task.recognised)
    if doc is None:
        return ExtractionResult(task, unchanged=True)
    chunks = tuple(chunk_pages(doc.pages, chunk_chars, overlap))
    # The passages carry the text; sending the pages too would double the bytes pickled
    # across the pipe for nothing.
    return ExtractionResult(task, document=replace(doc, pages=()), chunks=chunks)


class _Worker:
    def __init__(self, ctx: Any, memory_mb: int, chunk_chars: int, overlap: int) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=_worker_main,
            args=(child, memory_mb, chunk_chars, overlap),
            name="desktop-search-extract",
            daemon=True,
        )
        self.process.start()
        child.close()
        # Tasks sent and not yet answered, oldest first. Keeping two in flight means the
        # worker never waits on the parent between files; the head's clock starts when it
        # becomes the head, so the time limit still applies to one file.
        self.in_flight: deque[ExtractionTask] = deque()
        self.started = 0.0

    @property
    def task(self) -> ExtractionTask | None:
        return self.in_flight[0] if self.in_flight else None

    def send(self, task: ExtractionTask) -> None:
        if not self.in_flight:
            self.started = time.monotonic()
        self.in_flight.append(task)
        # Only the path crosses: the caller's token stays here, so the child never unpickles
        # (imports) the indexer's own types under its memory cap.
        self.conn.send(replace(task, token=None))

    def answered(self) -> ExtractionTask:
        task = self.in_flight.popleft()
        self.started = time.monotonic()
        return task

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(2)
        finally:
            self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(1)
        self.conn.close()


def worker_context() -> Any:
    # forkserver: children come from a small clean process, not from the indexer with its
    # threads (forking a threaded process can deadlock); spawn where forkserver is missing.
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        ctx.set_forkserver_preload(
            [
                "desktop_search.core.extract.pool",
                "desktop_search.core.extract.reader",
                "desktop_search.core.extract.page_renderer",
                "pymupdf",
            ]
        )
    return ctx


class ExtractionPool:
    """A fixed set of worker processes; `run` yields results as files finish (any order)."""

    def __init__(
        self,
        workers: int = 0,
        *,
        timeout_s: float = Settings.file_timeout_s,
        memory_mb: int = Settings.worker_memory_mb,
        chunk_chars: int = Settings.chunk_chars,
        overlap: int = Settings.chunk_overlap,
    ) -> None:
        self.size = workers or max(1, os.cpu_count() or 1)
        self.timeout_s = timeout_s
        self._args = (memory_mb, chunk_chars, overlap)
        self._ctx = worker_context()
        self._workers: list[_Worker] = []

    def _spawn(self) -> _Worker:
        return _Worker(self._ctx, *self._args)

    def run(
        self,
        tasks: Iterable[ExtractionTask],
        *,
        may_submit: Callable[[], bool] = lambda: True,
        should_stop: Callable[[], bool] = lambda: False,
        hold: Callable[[], None] | None = None,
    ) -> Iterator[ExtractionResult]:
        """Extract every task. `may_submit` false holds new work back (pause): the files in
        flight are finished and yielded, then `hold()` is called (it returns once work may go
        on); `should_stop` true ends the run after the files in flight (cancel)."""
        pending = deque(tasks) if not isinstance(tasks, deque) else tasks
        while len(self._workers) < self.size:
            self._workers.append(self._spawn())
        while True:
            stopping = should_stop()
            if not stopping and may_submit():
                # Breadth first: every worker gets a file before any gets a second one.
                for depth in range(1, PIPELINE_DEPTH + 1):
                    for worker in self._workers:
                        if len(worker.in_flight) < depth and pending:
                            worker.send(pending.popleft())
            busy = {w.conn: w for w in self._workers if w.in_flight}
            if not busy:
                if stopping or not pending:
                    return
                if hold is not None:
                    hold()  # paused, and every worker is idle: wait for the resume
                else:
                    time.sleep(0.05)
                continue
            for conn in wait(list(busy), timeout=0.1):
                worker = busy[conn]  # type: ignore[index]
                try:
                    result: ExtractionResult = worker.conn.recv()
                except (EOFError, OSError):
                    task = worker.task
                    assert task is not None
                    lost = list(worker.in_flight)[1:]
                    yield ExtractionResult(task, error=self._crash_reason(worker))
                    self._replace(worker)
                    pending.extendleft(reversed(lost))  # innocent files queued behind it
                    continue
                yield replace(result, task=worker.answered())
            now = time.monotonic()
            for worker in list(self._workers):
                task = worker.task
                if task is not None and now - worker.started > self.timeout_s:
                    log.warning(
                        "Extraction of %s timed out after %.0f s", task.path, self.timeout_s
                    )
                    lost = list(worker.in_flight)[1:]
                    elapsed = now - worker.started
                    self._replace(worker)
                    pending.extendleft(reversed(lost))
                    yield ExtractionResult(
                        task,
                        error=f"it took longer than {self.timeout_s:g} s to read, so it was "
                        "skipped",
                        seconds=elapsed,
                    )

    def _crash_reason(self, worker: _Worker) -> str:
        worker.process.join(1)
        name = signal_name(worker.process.exitcode)
        if name is not None:
            return f"the reader crashed on this file ({name})"
        return "the reader stopped unexpectedly on this file"

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        index = self._workers.index(worker)
        self._workers[index] = self._spawn()

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._workers.clear()

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
