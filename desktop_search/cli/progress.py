"""Indexing progress on stderr: a one-line bar on a terminal, a line per failed file, a summary."""

from __future__ import annotations

import os
import threading
import time
from typing import Any, TextIO


class ProgressReporter:
    """Turns index events into a one-line progress bar (terminal) and failure lines."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.failed = 0
        self.indexed = 0
        self.removed = 0
        self.started = time.monotonic()
        self._bar_shown = False
        self._lock = threading.Lock()

    def on_event(self, event: Any) -> None:
        from desktop_search.core import models as m

        with self._lock:
            if isinstance(event, m.Progress) and self.tty:
                self._bar(event)
            elif isinstance(event, m.Improving):
                self._improving(event)
            elif isinstance(event, m.FileFailed):
                self.failed += 1
                self._line(f"failed: {event.path}: {event.reason}")
            elif isinstance(event, m.FileIndexed):
                self.indexed += 1
            elif isinstance(event, m.FileRemoved):
                self.removed += 1
            elif isinstance(event, m.Message):
                self._line(event.text)

    def _bar(self, p: Any) -> None:
        width = 24
        filled = int(width * p.done / p.total) if p.total else width
        eta = f" · ETA {_duration(p.eta)}" if p.eta is not None else ""
        name = os.path.basename(p.current)[:30]
        text = (
            f"\r[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total} files · "
            f"{p.rate:.1f}/s{eta}{' · paused' if p.paused else ''} {name}"
        )
        self.stream.write(text.ljust(100)[:100])
        self.stream.flush()
        self._bar_shown = True

    def _improving(self, p: Any) -> None:
        text = improving_text(p.done, p.total, p.eta)
        if self.tty:
            self.stream.write("\r" + text.ljust(100)[:100])
            self.stream.flush()
            self._bar_shown = True
        elif p.done == p.total:
            self._line(text)  # a log gets the end, not a line every half second

    def _line(self, text: str) -> None:
        if self._bar_shown:
            self.stream.write("\r" + " " * 100 + "\r")
            self._bar_shown = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        with self._lock:
            if self._bar_shown:
                self.stream.write("\n")
                self._bar_shown = False

    def summary(self, documents: int, chunks: int) -> str:
        took = time.monotonic() - self.started
        failed = f", {self.failed} failed (see 'desktop-search status')" if self.failed else ""
        return (
            f"Indexed {self.indexed} files{failed} in {_duration(took)}. "
            f"The index holds {documents} documents, {chunks} passages."
        )


def improving_text(done: int, total: int, eta: float | None) -> str:
    """'Improving results by meaning: 3,200 of 20,000 passages, about 6 min left'."""
    if done >= total:
        return f"Results improved by meaning: all {total:,} passages."
    left = f", about {_duration(eta)} left" if eta is not None else ""
    return f"Improving results by meaning: {done:,} of {total:,} passages{left}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s"
