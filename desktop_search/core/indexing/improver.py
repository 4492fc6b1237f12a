"""Pass 2: gives every passage its meaning vector (the transformer's), in the background.

It runs on the indexer's thread whenever no first-pass work is waiting, one batch at a time, so
new and changed files always come first and the store keeps one writer. While one batch's
vectors are written, the next batch is already being embedded on a helper thread: the model
never waits on the store. Progress is the watermark stored in the index (see
`storage/meaning.py`), so quitting, pausing or a kill -9 loses at most one batch, and a pause
stops it within one: the batch being written then, no other.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from desktop_search.core.embed.base import Embedder
from desktop_search.core.errors import ModelError
from desktop_search.core.models import Improving, IndexEvent, Message
from desktop_search.core.storage.meaning import MeaningVectors

log = logging.getLogger(__name__)

BATCH_PASSAGES = 64
# Improving events are a status line, not an animation: a few a second is plenty.
EVENT_INTERVAL_S = 0.5


class Improver:
    """Pass 2 over one index. Call `run` from the indexer's thread only."""

    def __init__(
        self,
        meaning: MeaningVectors,
        embedder: Callable[[], Embedder | None],
        emit: Callable[[IndexEvent], None],
    ) -> None:
        self._meaning = meaning
        self._embedder = embedder
        self._emit = emit
        self._executor: ThreadPoolExecutor | None = None
        self._failed_model: str | None = None
        # (model id, passage ids, their vectors): a batch embedded ahead when a run was
        # interrupted, used by the next run if it starts with the same passages.
        self._ready: tuple[str, list[int], np.ndarray] | None = None

    def pending(self) -> bool:
        """Whether some indexed passage still lacks its meaning vector."""
        return self._failed_model is None and self._meaning.pending()

    def reset(self) -> None:
        """A new model or store: try again even if the last attempt failed."""
        self._failed_model = None

    def fail(self, reason: str) -> None:
        """Stop trying until `reset` (a failure would otherwise repeat at once, forever)."""
        self._failed_model = reason

    def run(self, interrupted: Callable[[], bool]) -> None:
        """Improve batch after batch until everything has its vector or `interrupted()`."""
        done, total = self._meaning.progress()
        meter = _Meter(done, total, self._emit)
        meter.report(force=True)  # the line shows at once, even while the model loads
        try:
            embedder = self._embedder()
        except ModelError as exc:
            self.fail(str(exc))
            self._emit(Message(f"Search by meaning is not available: {exc}", "error"))
            return
        if embedder is None or embedder.model_id != self._meaning.model_id:
            # The index waits for another model (chosen, not loaded yet): wait for `reset`.
            self.fail("the meaning model is not loaded")
            return
        rows = self._meaning.next_batch(self._meaning.upto, BATCH_PASSAGES)
        ahead: Future[np.ndarray] | None = self._embed_later(embedder, rows)
        while rows and ahead is not None:
            vectors = ahead.result()
            upcoming = (
                [] if interrupted() else self._meaning.next_batch(rows[-1][0], BATCH_PASSAGES)
            )
            ahead = self._embed_later(embedder, upcoming) if upcoming else None
            if not self._meaning.write(embedder.model_id, rows, vectors):
                break  # the model changed under us; the new one starts from the beginning
            meter.add(len(rows))
            rows = upcoming
            if interrupted():
                # Paused (or new files came) while that batch was written: it is the one
                # write after the pause. The batch embedded ahead waits for the next run.
                self._keep(embedder.model_id, rows, ahead)
                ahead = None
                break
        if ahead is not None:
            ahead.cancel()
        meter.report(force=True)

    def _keep(
        self, model_id: str, rows: list[tuple[int, int, int, str]], ahead: Future | None
    ) -> None:
        """Hold a batch being embedded until the next run: the embedding under way finishes
        here (so an interrupted pass is idle once `run` returns) and is not done twice."""
        if ahead is None or ahead.cancel():
            return
        try:
            vectors = ahead.result()
        except Exception:  # noqa: BLE001 - the next run embeds the batch again, and reports
            log.debug("Embedding a batch ahead failed", exc_info=True)
            return
        self._ready = (model_id, [r[0] for r in rows], vectors)

    def _embed_later(self, embedder: Embedder, rows: list[tuple[int, int, int, str]]) -> Future:
        ready, self._ready = self._ready, None
        if ready is not None and ready[:2] == (embedder.model_id, [r[0] for r in rows]):
            # The same passages (ids are never reused, so the same texts) with the same model.
            done: Future[np.ndarray] = Future()
            done.set_result(ready[2])
            return done
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="desktop-search-embed")
        return self._executor.submit(embedder.embed_documents, [r[3] for r in rows])

    def close(self) -> None:
        self._ready = None
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


class _Meter:
    """Passages done of total, rate over this run, ETA; sent as Improving events."""

    def __init__(self, done: int, total: int, emit: Callable[[IndexEvent], None]) -> None:
        self.done, self.total = done, total
        self._emit = emit
        self._start_done = done
        self._started = time.monotonic()
        self._last = 0.0
        self._reported = -1

    def add(self, passages: int) -> None:
        self.done = min(self.total, self.done + passages)
        self.report()

    def report(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if self.done == self._reported or (not force and now - self._last < EVENT_INTERVAL_S):
            return
        self._last, self._reported = now, self.done
        rate = (self.done - self._start_done) / max(now - self._started, 1e-6)
        remaining = self.total - self.done
        eta = remaining / rate if rate > 0 and self.done > self._start_done else None
        self._emit(Improving(done=self.done, total=self.total, rate=rate, eta=eta))
