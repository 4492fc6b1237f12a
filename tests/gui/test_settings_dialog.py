"""The settings dialog is generated from the Settings fields: a row each, read back exactly,
validated in place."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from desktop_search.core.config import SECTIONS, Settings
from desktop_search.gui.settings_dialog import SettingsDialog

# Every shown setting differs from its default here, and the whole is valid.
EDITED = Settings(
    model="sentence-transformers/all-MiniLM-L6-v2",
    device="cpu",
    chunk_chars=1500,
    chunk_overlap=150,
    excludes=("drafts/", "*.tmp"),
    include_hidden=True,
    ocr=False,
    ocr_languages="eng+deu",
    extraction_workers=3,
    file_timeout_s=12.5,
    worker_memory_mb=1024,
    max_file_mb=50,
    batch_chunks=128,
    chroma_host="search.example.org",
    chroma_port=8123,
    chroma_token="s3cret",
    results_per_page=35,
)


def _dialog(qtbot, settings: Settings, home: Path) -> SettingsDialog:
    dialog = SettingsDialog(settings, str(home))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _set(dialog: SettingsDialog, name: str, value: object) -> None:
    """Edit one row the way its widget is edited."""
    widget = dialog.widgets[name]
    if name == "model":
        dialog.set_model_text(str(value))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QSpinBox | QDoubleSpinBox):
        widget.setValue(value)
    elif isinstance(widget, QComboBox):
        widget.setCurrentIndex(widget.findData(value))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText("\n".join(value))
    elif isinstance(widget, QLineEdit):
        widget.setText(str(value))
    else:
        raise AssertionError(f"no way to edit {name}: {type(widget).__name__}")


def _ok(dialog: SettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def _section_of(widget: QWidget) -> str:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QGroupBox):
        parent = parent.parentWidget()
    return parent.title() if parent is not None else ""


def test_every_shown_setting_has_a_labelled_row_in_its_section(qtbot, tmp_path: Path):
    dialog = _dialog(qtbot, Settings(), tmp_path)
    shown = [info for info in Settings.infos() if info.section]
    assert {info.name for info in shown} == set(dialog.widgets)
    assert "schema_version" not in dialog.widgets  # not something a person edits
    labels = {label.buddy(): label.text() for label in dialog.findChildren(QLabel)}
    for info in shown:
        assert info.label and info.help and info.section in SECTIONS, info.name
        widget = dialog.widgets[info.name]
        assert widget.isVisible(), info.name
        assert widget.toolTip() == info.help
        assert _section_of(widget) == info.section
        text = widget.text() if isinstance(widget, QCheckBox) else labels.get(widget)
        assert text == info.label, info.name


def test_rows_show_the_current_values_and_read_them_back_unchanged(qtbot, tmp_path: Path):
    dialog = _dialog(qtbot, EDITED, tmp_path)
    assert dialog.edited_settings() == EDITED
    assert dialog.widgets["chroma_token"].echoMode() == QLineEdit.EchoMode.Password


def test_editing_every_row_and_accepting_gives_the_edited_settings(qtbot, tmp_path: Path):
    for f in fields(Settings):
        if Settings.info(f.name).section:
            assert getattr(EDITED, f.name) != f.default, f"EDITED should change {f.name}"
    dialog = _dialog(qtbot, Settings(), tmp_path)
    for name in dialog.widgets:
        _set(dialog, name, getattr(EDITED, name))
    _ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.error.isHidden()
    assert dialog.settings() == EDITED
    assert dialog.home_path() == str(tmp_path)


def test_an_invalid_value_is_explained_in_the_dialog_and_nothing_is_returned(qtbot, tmp_path: Path):
    dialog = _dialog(qtbot, Settings(), tmp_path)
    _set(dialog, "chunk_chars", 400)
    _set(dialog, "chunk_overlap", 300)  # more than half the passage length
    _ok(dialog)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.isVisible()
    assert "overlap" in dialog.error.text().lower()
    assert dialog.settings() == Settings()  # the edit was not handed back
    _set(dialog, "chunk_overlap", 50)
    _ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.error.isHidden()
    assert dialog.settings() == replace(Settings(), chunk_chars=400, chunk_overlap=50)


def test_widget_hints_come_from_the_field_metadata(qtbot, tmp_path: Path):
    dialog = _dialog(qtbot, Settings(), tmp_path)
    info = Settings.info("chunk_chars")
    spin = dialog.widgets["chunk_chars"]
    assert (spin.minimum(), spin.maximum(), spin.singleStep()) == (
        info.minimum,
        info.maximum,
        info.step,
    )
    assert spin.suffix() == info.suffix
    workers = dialog.widgets["extraction_workers"]
    assert workers.value() == 0 and workers.text() == Settings.info("extraction_workers").zero_text
    device = dialog.widgets["device"]
    assert [device.itemData(i) for i in range(device.count())] == [
        value for value, _ in Settings.info("device").choices
    ]


def test_a_value_the_choices_do_not_name_is_kept(qtbot, tmp_path: Path):
    dialog = _dialog(qtbot, Settings(device="mps"), tmp_path)
    assert dialog.edited_settings().device == "mps"


def test_a_new_setting_is_one_field(qtbot, tmp_path: Path):
    @dataclass(frozen=True)
    class MoreSettings(Settings):
        snippet_lines: int = field(
            default=3,
            metadata={
                "help": "Lines of context shown around a match.",
                "label": "Snippet lines",
                "section": "Search",
                "minimum": 1,
                "maximum": 10,
            },
        )

    dialog = _dialog(qtbot, MoreSettings(), tmp_path)
    spin = dialog.widgets["snippet_lines"]
    assert spin.value() == 3 and spin.maximum() == 10
    assert _section_of(spin) == "Search"
    spin.setValue(5)
    _ok(dialog)
    assert dialog.settings() == MoreSettings(snippet_lines=5)


def test_labels_line_up_and_are_not_cut_off(qtbot, tmp_path: Path):
    dialog = _dialog(qtbot, Settings(), tmp_path)
    labels = [label for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    assert labels
    # One label column for every section, each label wide enough for its text.
    assert len({label.mapTo(dialog, label.rect().topLeft()).x() for label in labels}) == 1
    assert len({label.width() for label in labels}) == 1
    for label in labels:
        assert label.width() >= label.sizeHint().width(), label.text()
