"""Indexing progress for the status bar: files done/total, current file, rate, ETA, pause."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QWidget

from desktop_search.core.models import (
    FileFailed,
    FileIndexed,
    Idle,
    Improving,
    IndexEvent,
    Paused,
    Progress,
    ReadingScans,
    ScanFinished,
    ScanStarted,
)

CURRENT_WIDTH = 240


def format_eta(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    if seconds < 3600:
        return f"about {round(seconds / 60)} min left"
    return f"about {seconds / 3600:.1f} h left"


class StatusPanel(QWidget):
    """Shows what the indexer is doing; hidden parts stay out of the way when it is idle."""

    pause_toggled = Signal(bool)  # True: pause requested

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setObjectName("indexSummary")
        self.current = QLabel(self)
        self.current.setObjectName("currentFile")
        self.current.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.current.setFixedWidth(CURRENT_WIDTH)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("indexProgress")
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(True)
        self.progress.setFormat("%v / %m")
        self.rate = QLabel(self)
        self.rate.setObjectName("indexRate")
        # Pass 2 (meaning vectors) has its own line: files are searchable before it ends.
        self.meaning = QLabel(self)
        self.meaning.setObjectName("meaningProgress")
        self.meaning.setVisible(False)
        # Text recognition of scanned pages, last of all: its own line too.
        self.scans = QLabel(self)
        self.scans.setObjectName("scanProgress")
        self.scans.setVisible(False)
        self.pause_button = QPushButton("Pause", self)
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Pause indexing and improving; searches keep working")
        self.pause_button.toggled.connect(self._on_toggled)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(self.current)
        layout.addWidget(self.progress)
        layout.addWidget(self.rate)
        layout.addWidget(self.meaning)
        layout.addWidget(self.scans)
        layout.addWidget(self.pause_button)
        layout.addWidget(self.summary)
        self.done = 0
        self.total = 0
        self.failed = 0
        self.indexing = False
        self.improving = False
        self.reading_scans = False
        self.paused = False
        self._improving_figures = (0, 0)
        self._documents = self._chunks = self._problems = 0
        self._set_indexing(False)

    # ---- fed by the window ----
    def set_documents(self, documents: int, chunks: int = 0) -> None:
        self._documents = documents
        self._chunks = chunks
        self._show_summary()

    def set_problem_count(self, problems: int) -> None:
        """The number the Problems tab shows: one count everywhere."""
        self._problems = problems
        self._show_summary()

    def _show_summary(self) -> None:
        documents, problems = self._documents, self._problems
        text = f"{documents:,} document{'s' if documents != 1 else ''}"
        if problems:
            text += f" · {problems:,} problem{'s' if problems != 1 else ''}"
        self.summary.setText(text)
        tips = [f"{self._chunks:,} passages indexed"] if self._chunks else []
        if problems:
            tips.append("The Problems tab lists each file that could not be read, and why.")
        self.summary.setToolTip("\n".join(tips))

    def handle_event(self, event: IndexEvent) -> None:
        if isinstance(event, ScanStarted):
            self.done = self.failed = 0
            self.total = 0
            self._set_indexing(True)
            self.current.setText("Looking for new and changed files…")
            self.progress.setRange(0, 0)  # busy until the total is known
        elif isinstance(event, ScanFinished):
            self.total = event.total
            if event.total:
                self._set_indexing(True)
                self.progress.setRange(0, event.total)
                self.progress.setValue(0)
        elif isinstance(event, Progress):
            self._set_indexing(True)
            self.done, self.total, self.failed = event.done, event.total, event.failed
            self.progress.setRange(0, max(event.total, 1))
            self.progress.setValue(min(event.done, max(event.total, 1)))
            if event.current and not self.paused:  # else keep what the label says
                self._show_current(event.current)
            parts = []
            if event.rate > 0 and not self.paused:  # a rate while paused would mislead
                parts.append(f"{event.rate:.1f} files/s")
            eta = format_eta(event.eta)
            if eta and not self.paused:
                parts.append(eta)
            self.rate.setText(" · ".join(parts))
            if event.paused != self.paused:
                self._set_paused(event.paused)
            elif self.paused:
                self._show_paused()
        elif isinstance(event, FileIndexed | FileFailed):
            if not self.paused:  # the batch being written when Pause came: "Paused" stays
                self._show_current(event.path)
        elif isinstance(event, Paused):
            self._set_paused(event.paused)
        elif isinstance(event, Improving):
            self._show_improving(event)
        elif isinstance(event, ReadingScans):
            self._show_reading_scans(event)
        elif isinstance(event, Idle):
            # A pause outlives the run: work that comes later waits until Resume.
            self._set_indexing(False)

    # ---- internals ----
    def _show_current(self, path: str) -> None:
        metrics = self.current.fontMetrics()
        self.current.setText(
            metrics.elidedText(os.path.basename(path), Qt.TextElideMode.ElideMiddle, CURRENT_WIDTH)
        )
        self.current.setToolTip(path)

    def _show_improving(self, event: Improving) -> None:
        self.improving = event.done < event.total
        self._improving_figures = (event.done, event.total)
        if self.improving:
            eta = format_eta(event.eta)
            self.meaning.setText(
                f"Improving results by meaning: {event.done:,} of {event.total:,} passages"
                + (", paused" if self.paused else f", {eta}" if eta else "")
            )
            self.meaning.setToolTip(
                "Every passage is searchable already; this gives each one a vector from the "
                "model that understands questions, in the background."
            )
        self.meaning.setVisible(self.improving)
        self._update_pause_button()

    def _show_reading_scans(self, event: ReadingScans) -> None:
        self.reading_scans = event.done < event.total
        if self.reading_scans:
            eta = format_eta(event.eta)
            self.scans.setText(
                f"Reading scanned pages: {event.done:,} of {event.total:,}"
                + (f", {eta}" if eta and not self.paused else "")
            )
            self.scans.setToolTip(
                "Pages without a text layer (scans, pictures) are read by text recognition, "
                "after everything else: each page is searchable once it is read."
            )
        self.scans.setVisible(self.reading_scans)
        self._update_pause_button()

    def _update_pause_button(self) -> None:
        # While paused the button stays, even when nothing runs: it is the way to Resume.
        self.pause_button.setVisible(
            self.indexing or self.improving or self.reading_scans or self.paused
        )

    def _set_indexing(self, indexing: bool) -> None:
        self.indexing = indexing
        for w in (self.current, self.progress, self.rate):
            w.setVisible(indexing)
        self._update_pause_button()
        if not indexing:
            self.current.setText("")
            self.rate.setText("")
        elif self.paused:
            self._show_paused()

    def set_paused(self, paused: bool) -> None:
        """Show the engine's pause state (e.g. a new engine after a restart is not paused)."""
        if paused != self.paused:
            self._set_paused(paused)

    def _set_paused(self, paused: bool) -> None:
        self.paused = paused
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(paused)
        self.pause_button.blockSignals(False)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setToolTip(
            "Go on from where indexing stopped"
            if paused
            else "Pause indexing and improving; searches keep working"
        )
        self._update_pause_button()
        if paused:
            self._show_paused()
        if self.improving:
            done, total = self._improving_figures
            self._show_improving(Improving(done=done, total=total, rate=0.0, eta=None))

    def _show_paused(self) -> None:
        self.rate.setText("")
        if self.indexing and self.total:
            self.current.setText(f"Paused at {self.done:,} of {self.total:,}")
        else:
            self.current.setText("Paused")
        self.current.setToolTip("Nothing is read or written until you click Resume.")

    def _on_toggled(self, checked: bool) -> None:
        self.pause_button.setText("Resume" if checked else "Pause")
        self.pause_toggled.emit(checked)
