"""Pause for a pipeline of threads: every part stops at its next safe point and waits there.

A flag alone is not a pause: work already handed on keeps flowing (files read ahead wait in
the writer's queue, passages wait to be embedded). So each thread of the pipeline says when it
is working and parks at a safe point (between files, between batches); the pipeline is *held*
once every working part is parked, and from then on nothing is read, embedded or written until
`resume`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator


class PauseGate:
    """A pause flag the pipeline's threads park on. `is_set()` is True while paused (the same
    test a `threading.Event` offers, so the flag reads like one)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._cond = threading.Condition()
        self._paused = False
        self._working: dict[str, int] = {}
        self._parked: set[str] = set()
        self._clock = clock
        self._paused_since = 0.0
        self._paused_before = 0.0  # seconds spent paused in pauses that have ended

    def pause(self) -> bool:
        """Ask every part to stop at its next safe point; False when already paused."""
        with self._cond:
            if self._paused:
                return False
            self._paused = True
            self._paused_since = self._clock()
            self._cond.notify_all()
            return True

    def resume(self) -> bool:
        """Let every parked part go on where it stopped; False when not paused."""
        with self._cond:
            if not self._paused:
                return False
            self._paused = False
            self._paused_before += self._clock() - self._paused_since
            self._cond.notify_all()
            return True

    def is_set(self) -> bool:
        return self._paused

    def paused_seconds(self) -> float:
        """Time spent paused so far, the pause under way included: rates and ETAs leave it out."""
        with self._cond:
            ongoing = self._clock() - self._paused_since if self._paused else 0.0
            return self._paused_before + ongoing

    def enter(self, part: str) -> None:
        """From now on `part` counts as working: the pipeline is held only once it parks."""
        with self._cond:
            self._working[part] = self._working.get(part, 0) + 1

    def leave(self, part: str) -> None:
        with self._cond:
            self._working[part] -= 1
            if not self._working[part]:
                del self._working[part]
            self._cond.notify_all()

    @contextlib.contextmanager
    def working(self, part: str) -> Iterator[None]:
        """`enter` and `leave` around a block."""
        self.enter(part)
        try:
            yield
        finally:
            self.leave(part)

    def wait_for(self, other: str, hold: Callable[[], object]) -> None:
        """Block until `other` stops working (e.g. the writer finishing its queue). Whenever a
        pause has parked `other`, `hold()` is called: it parks the waiting part (see `park`)."""
        while True:
            with self._cond:
                self._cond.wait_for(
                    lambda: other not in self._working or (self._paused and other in self._parked)
                )
                if other not in self._working:
                    return
            hold()

    def park(self, part: str, on_held: Callable[[], None] | None = None) -> bool:
        """Wait here while paused; True if it waited.

        `on_held` runs once, on this thread, when every other working part has parked (the
        lock is not held while it runs); this part counts as parked only after it, so whoever
        waits for the pipeline to be held sees what `on_held` did.
        """
        with self._cond:
            if not self._paused:
                return False
            if on_held is None:
                self._parked.add(part)
                self._cond.notify_all()
            try:
                while self._paused:
                    if part not in self._parked and self._all_parked(besides=part):
                        assert on_held is not None
                        self._cond.release()
                        try:
                            on_held()
                        finally:
                            self._cond.acquire()
                        self._parked.add(part)
                        self._cond.notify_all()
                        continue
                    self._cond.wait()
            finally:
                self._parked.discard(part)
                self._cond.notify_all()
            return True

    def is_parked(self, part: str) -> bool:
        with self._cond:
            return part in self._parked

    def _all_parked(self, besides: str = "") -> bool:
        return all(part in self._parked for part in self._working if part != besides)

    @property
    def held(self) -> bool:
        """Paused, and no part of the pipeline is reading, embedding or writing."""
        with self._cond:
            return self._paused and self._all_parked()

    def wait_until_held(self, timeout: float | None = None) -> bool:
        """Block until the pipeline is held (True), or it was resumed or `timeout` passed."""
        with self._cond:
            self._cond.wait_for(lambda: not self._paused or self._all_parked(), timeout)
            return self._paused and self._all_parked()
