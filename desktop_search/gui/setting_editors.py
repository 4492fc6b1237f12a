"""The settings dialog's parts: an editor per setting, chosen from the field's metadata (see
core.config.SettingInfo: a check box, a number with its unit and limits, a closed list, lines of
patterns, or a line of text), and the row that shows what the dialog is waiting for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from desktop_search.core.config import SettingInfo

FIELD_WIDTH = 170


def editor_for(info: SettingInfo, value: Any, parent: QWidget) -> tuple[QWidget, Callable[[], Any]]:
    """A plain editor for one setting, chosen by its default's type, and how to read it back."""
    default = info.default
    if isinstance(default, bool):
        check = QCheckBox(info.label, parent)
        check.setChecked(bool(value))
        return check, check.isChecked
    if isinstance(default, int):
        spin = QSpinBox(parent)
        _number_hints(spin, info)
        spin.setValue(int(value))
        return spin, spin.value
    if isinstance(default, float):
        dspin = QDoubleSpinBox(parent)
        dspin.setDecimals(info.decimals)
        _number_hints(dspin, info)
        dspin.setValue(float(value))
        return dspin, lambda: float(dspin.value())
    if isinstance(default, tuple):
        lines = QPlainTextEdit(parent)
        lines.setPlaceholderText(info.placeholder)
        lines.setPlainText("\n".join(value))
        lines.setFixedHeight(90)
        return lines, lambda: tuple(
            line.strip() for line in lines.toPlainText().splitlines() if line.strip()
        )
    if info.choices:
        combo = QComboBox(parent)
        for choice, label in info.choices:
            combo.addItem(label, choice)
        if combo.findData(value) < 0:  # a value this list does not name is kept, not replaced
            combo.addItem(str(value), value)
        combo.setCurrentIndex(combo.findData(value))
        _modest_width(combo)
        return combo, lambda: str(combo.currentData())
    edit = QLineEdit(str(value), parent)
    edit.setPlaceholderText(info.placeholder)
    if info.secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit, edit.text
    return edit, lambda: edit.text().strip()


def _number_hints(spin: QSpinBox | QDoubleSpinBox, info: SettingInfo) -> None:
    low = info.minimum if info.minimum is not None else 0
    high = info.maximum if info.maximum is not None else 1_000_000_000
    if isinstance(spin, QSpinBox):
        spin.setRange(int(low), int(high))
        spin.setSingleStep(int(info.step or 1))
    else:
        spin.setRange(float(low), float(high))
        spin.setSingleStep(float(info.step or 1))
    spin.setSuffix(info.suffix)
    spin.setSpecialValueText(info.zero_text if info.zero_text and low == 0 else "")
    spin.setGroupSeparatorShown(info.grouping)
    _modest_width(spin)


def _modest_width(widget: QWidget) -> None:
    # Numbers and short choices keep one width instead of stretching across the dialog.
    widget.setMinimumWidth(FIELD_WIDTH)
    widget.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)


def note_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class BusyRow(QWidget):
    """A moving bar and what is being waited for; the dialog stays usable meanwhile."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("settingsBusy")
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy: no known end
        self.bar.setTextVisible(False)
        self.bar.setMaximumWidth(120)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.label, 1)

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def stop(self) -> None:
        self.hide()
