"""A run's figures and its throttled Progress events (done/total, rate, ETA)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop_search.core.models import IndexEvent, Progress

# Front ends redraw on every Progress event: about ten a second is smooth and cheap.
PROGRESS_INTERVAL_S = 0.1


@dataclass
class RunStats:
    """What one indexer run did, for its Idle event."""

    indexed: int = 0
    failed: int = 0
    removed: int = 0


class ProgressMeter:
    """done/total, rate and ETA, sent at most every PROGRESS_INTERVAL_S.

    `paused_for()` gives the seconds spent paused so far (see PauseGate.paused_seconds): the
    rate counts working time only, so after a long pause the ETA is what is really left.
    """

    def __init__(
        self,
        total: int,
        emit: Callable[[IndexEvent], None],
        paused: Callable[[], bool],
        paused_for: Callable[[], float] = lambda: 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self._emit = emit
        self._paused = paused
        self._paused_for = paused_for
        self._clock = clock
        self._started = clock()
        self._paused_at_start = paused_for()
        self._last = 0.0

    def update(
        self, done: int, failed: int, current: str, *, force: bool = False, chunks: int = 0
    ) -> None:
        now = self._clock()
        if not force and now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        paused = self._paused_for() - self._paused_at_start
        elapsed = max(now - self._started - paused, 1e-6)
        rate = done / elapsed
        remaining = self.total - done
        # Too few files for a rate to mean anything yet: say nothing rather than guess.
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
