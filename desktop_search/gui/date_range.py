"""A custom "changed between" range for the search bar's date filter: two days, both included,
like the command line's --after/--before."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

DATE_FORMAT = "d MMM yyyy"


def range_bounds(first: QDate, last: QDate) -> tuple[float, float]:
    """Timestamps from the start of `first` to the end of `last` (local time), as the CLI's
    --after FIRST --before LAST give them."""
    start = datetime.combine(first.toPython(), time.min)
    end = datetime.combine(last.toPython(), time.min) + timedelta(days=1)
    return start.timestamp(), end.timestamp() - 0.001


def range_label(first: QDate, last: QDate) -> str:
    """'3 Mar 2024 – 30 Jun 2024', or one day when both are the same."""
    if first == last:
        return first.toString(DATE_FORMAT)
    return f"{first.toString(DATE_FORMAT)} – {last.toString(DATE_FORMAT)}"


class DateRangeDialog(QDialog):
    """Asks for the first and last day a document may have been changed on; `chosen(first,
    last)` follows OK."""

    chosen = Signal(QDate, QDate)

    def __init__(self, first: QDate, last: QDate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Changed between")
        self.setObjectName("dateRangeDialog")
        self.first = self._date_edit(first)
        self.first.setObjectName("rangeFirst")
        self.last = self._date_edit(last)
        self.last.setObjectName("rangeLast")
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setObjectName("rangeNote")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("From", self.first)
        form.addRow("To", self.last)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Only documents changed on or between these days (both included):", self)
        )
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.first.dateChanged.connect(self._check)
        self.last.dateChanged.connect(self._check)
        self._check()

    def _date_edit(self, day: QDate) -> QDateEdit:
        edit = QDateEdit(day, self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(DATE_FORMAT)
        edit.setMaximumDate(QDate.currentDate().addYears(1))
        return edit

    def days(self) -> tuple[QDate, QDate]:
        return self.first.date(), self.last.date()

    def accept(self) -> None:
        first, last = self.days()
        if first > last:
            return
        super().accept()
        self.chosen.emit(first, last)

    def _check(self) -> None:
        first, last = self.days()
        wrong = first > last
        self.note.setText("The first day is after the last one." if wrong else "")
        self.note.setVisible(wrong)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not wrong)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
