"""Indexing progress on stderr: a tqdm bar on a terminal, a line per failed file, a summary."""

from __future__ import annotations

import os
import threading
import time
from typing import Any, TextIO


class ProgressReporter:
    """Turns index events into progress bars (on a terminal only) and failure lines.

    Events arrive on the indexer's threads; a lock keeps the bar and the lines in order. Lines
    go through `tqdm.write`, which clears the bar, prints the line and draws the bar again.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.failed = 0
        self.indexed = 0
        self.removed = 0
        self.started = time.monotonic()
        self._bar: Any = None  # a tqdm bar while one is drawn
        self._bar_kind = ""  # "files" (reading) or "passages" (improving by meaning)
        self._improved = -1  # the passage count last said to be all improved
        self._scans_read = -1  # the scanned page count last said to be all read
        self._lock = threading.Lock()

    def on_event(self, event: Any) -> None:
        from desktop_search.core import models as m

        with self._lock:
            if isinstance(event, m.Progress) and self.tty:
                self._files(event)
            elif isinstance(event, m.Improving):
                self._improving(event)
            elif isinstance(event, m.ReadingScans):
                self._reading_scans(event)
            elif isinstance(event, m.FileFailed):
                self.failed += 1
                self._line(f"failed: {event.path}: {event.reason}")
            elif isinstance(event, m.FileIndexed):
                self.indexed += 1
            elif isinstance(event, m.FileRemoved):
                self.removed += 1
            elif isinstance(event, m.Message):
                self._line(event.text)
            elif isinstance(event, m.Idle):
                self._close_bar()

    def _files(self, p: Any) -> None:
        if p.total <= 0:
            return
        name = os.path.basename(p.current)[:30]
        self._draw("files", p, "Paused" if p.paused else "Indexing", "file", name)

    def _improving(self, p: Any) -> None:
        if p.done >= p.total:
            self._close_bar()
            if p.total != self._improved:  # said once, not at every look that finds no work
                self._improved = p.total
                self._line(improving_text(p.done, p.total, p.eta))
            return
        if not self.tty:
            return  # a log gets the end only, not a line every half second
        self._draw("passages", p, "Improving results by meaning", "passage")

    def _reading_scans(self, p: Any) -> None:
        if p.done >= p.total:
            self._close_bar()
            if p.total != self._scans_read:
                self._scans_read = p.total
                self._line(reading_scans_text(p.done, p.total, p.eta))
            return
        if not self.tty:
            return
        self._draw("pages", p, "Reading scanned pages", "page")

    def _draw(self, kind: str, p: Any, description: str, unit: str, name: str = "") -> None:
        """Bring the bar of this kind up to an event's figures. The rate and time left are the
        engine's (tqdm's own would count from when the bar appeared, not from the start)."""
        bar = self._bar_for(kind, p.total, p.done, unit, description)
        figures = [f"{p.rate:.1f} {unit}s/s"] if p.rate else []
        if p.eta is not None and p.done < p.total:
            figures.append(f"about {_duration(p.eta)} left")
        bar.set_description(description, refresh=False)
        bar.set_postfix_str(", ".join([*figures, name] if name else figures), refresh=False)
        bar.update(p.done - bar.n)
        bar.refresh()

    def _bar_for(self, kind: str, total: int, done: int, unit: str, description: str) -> Any:
        """The bar of this kind and total, a new one when the run changed (a new run starts
        from 0; watching starts one per batch of changes)."""
        bar = self._bar
        if bar is not None and (self._bar_kind != kind or bar.total != total or done < bar.n):
            self._close_bar()
            bar = None
        if bar is None:
            from tqdm import tqdm

            columns, lines = _terminal_size(self.stream)
            bar = tqdm(
                desc=f"{description}: ",  # as set_description writes it
                initial=done,
                total=total,
                unit=f" {unit}s",
                file=self.stream,
                ncols=columns,
                nrows=lines,
                leave=False,
                mininterval=0.1,
                smoothing=0.1,
                bar_format="{desc}{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}{unit}{postfix}",
            )
            self._bar, self._bar_kind = bar, kind
        return bar

    def _line(self, text: str) -> None:
        if self._bar is not None:
            from tqdm import tqdm

            tqdm.write(text, file=self.stream)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar, self._bar_kind = None, ""

    def finish(self) -> None:
        with self._lock:
            self._close_bar()

    def summary(self, documents: int, chunks: int) -> str:
        took = time.monotonic() - self.started
        failed = f", {self.failed} failed (see 'desktop-search status')" if self.failed else ""
        return (
            f"Indexed {self.indexed} files{failed} in {_duration(took)}. "
            f"The index holds {documents} documents, {chunks} passages."
        )


def _terminal_size(stream: TextIO) -> tuple[int, int]:
    """The terminal's columns and lines; 100 x 24 where it does not say (a terminal whose size
    was never set reads 0 x 0, and tqdm would then draw nothing)."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return 100, 24
    return size.columns or 100, size.lines or 24


def improving_text(done: int, total: int, eta: float | None) -> str:
    """'Improving results by meaning: 3,200 of 20,000 passages, about 6 min left'."""
    if done >= total:
        return f"Results improved by meaning: all {total:,} passages."
    left = f", about {_duration(eta)} left" if eta is not None else ""
    return f"Improving results by meaning: {done:,} of {total:,} passages{left}"


def reading_scans_text(done: int, total: int, eta: float | None) -> str:
    """'Reading scanned pages: 12 of 140, about 6 min left'."""
    if done >= total:
        return f"Scanned pages read by text recognition: all {total:,}."
    left = f", about {_duration(eta)} left" if eta is not None else ""
    return f"Reading scanned pages: {done:,} of {total:,}{left}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s"
