"""Settings: a row per Settings field (read from its metadata); edits a copy, validates it in
place, and hands it back to be applied."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_search.core.config import (
    BUNDLED_MODEL,
    FAST_MODEL,
    SECTIONS,
    SettingInfo,
    Settings,
)
from desktop_search.core.errors import ConfigError
from desktop_search.gui.bridge import TaskRunner
from desktop_search.gui.error_dialog import plain_message
from desktop_search.gui.setting_editors import BusyRow, editor_for, note_label

BUNDLED_LABEL = "Built-in model (offline)"
FAST_LABEL = "Built-in fast model (offline, word vectors only)"
HUB_MODELS = ("sentence-transformers/all-mpnet-base-v2",)
HOME_HELP = (
    "Folder holding the index. Changing it opens (or creates) the index there; the old one "
    "stays on disk."
)


def describe_model(name: str) -> str:
    """One line telling the person what choosing this model means."""
    name = name.strip()
    if not name or name == BUNDLED_MODEL:
        return (
            "Built in (all-MiniLM-L6-v2), offline. New files are searchable at once; "
            "answers to questions get better as each passage gets its meaning vector in the "
            "background."
        )
    if name == FAST_MODEL:
        return "Built in, offline, word vectors only: no background pass, weaker on questions."
    if _looks_like_path(name):
        if os.path.isdir(os.path.expanduser(name)):
            return "A model folder on this computer."
        return "This folder does not exist."
    return (
        "A sentence-transformers model from the Hugging Face hub: downloaded on first use "
        "(needs a network connection; the download shows in the status bar). Offline, use "
        "a model folder instead."
    )


def _looks_like_path(name: str) -> bool:
    # Hub names look like "org/name"; anything anchored or existing on disk is a folder.
    return (
        name.startswith((".", "~", "/", "\\"))
        or os.path.isabs(name)
        or os.path.isdir(os.path.expanduser(name))
    )


class SettingsDialog(QDialog):
    """`settings()` and `home_path()` give the edited values after `accept()` succeeded.

    `widgets[name]` is the editor of the setting `name`; every shown setting has one.
    `check_model(model, device)`, when given, loads a newly chosen model before anything is
    saved (on a worker thread, while the dialog shows that it is busy): a model that can't be
    used is explained here and the old one stays.
    """

    def __init__(
        self,
        settings: Settings,
        home: str,
        *,
        home_editable: bool = True,
        check_model: Callable[[str, str], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._check_model = check_model
        self._tasks: TaskRunner | None = None  # a thread only while a model is tried
        self._check_id = 0  # a check that returns after a newer one (or Cancel) is ignored
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self._original = settings
        self._result = settings
        self._home_result = home
        self.widgets: dict[str, QWidget] = {}
        self._readers: dict[str, Callable[[], Any]] = {}
        self._labels: list[QLabel] = []

        layout = QVBoxLayout(self)
        for section in SECTIONS:
            infos = [i for i in type(settings).infos() if i.section == section]
            if not infos:
                continue
            box = QGroupBox(section, self)
            box.setObjectName(f"section{section}")
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            if section == "Index":
                self._add_home_row(form, home, home_editable)
            for info in infos:
                self._add_row(form, info, getattr(settings, info.name))
            layout.addWidget(box)

        # Labels in every section share one width, so the values line up down the dialog.
        width = max(label.sizeHint().width() for label in self._labels)
        for label in self._labels:
            label.setMinimumWidth(width)

        self.error = QLabel(self)
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #d0342c; font-weight: 600;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.busy = BusyRow(self)
        self.busy.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.finished.connect(lambda _: self._stop_checking())
        self._update_modelnote_label()
        self.resize(600, self.sizeHint().height())

    @classmethod
    def edit(
        cls,
        settings: Settings,
        home: str,
        *,
        home_editable: bool,
        parent: QWidget,
        on_accepted: Callable[[Settings, str], None],
        check_model: Callable[[str, str], str] | None = None,
    ) -> SettingsDialog:
        """Open the dialog (non-modal); `on_accepted(settings, home)` runs once OK succeeded."""
        dialog = cls(
            settings, home, home_editable=home_editable, check_model=check_model, parent=parent
        )
        dialog.accepted.connect(lambda: on_accepted(dialog.settings(), dialog.home_path()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # ---- rows ----
    def _add_row(self, form: QFormLayout, info: SettingInfo, value: Any) -> None:
        if info.editor == "model":
            self._add_model_rows(form, info, value)
            return
        widget, read = editor_for(info, value, self)
        widget.setObjectName(f"setting_{info.name}")
        widget.setToolTip(info.help)
        self.widgets[info.name] = widget
        self._readers[info.name] = read
        if isinstance(widget, QCheckBox):  # its own text is the label
            form.addRow(self._label(""), widget)
        else:
            form.addRow(self._label(info.label, widget), widget)

    def _add_model_rows(self, form: QFormLayout, info: SettingInfo, value: str) -> None:
        self.model = QComboBox(self)
        self.model.setObjectName("modelCombo")
        self.model.setEditable(True)
        self.model.addItem(BUNDLED_LABEL, BUNDLED_MODEL)
        self.model.addItem(FAST_LABEL, FAST_MODEL)
        for name in HUB_MODELS:
            self.model.addItem(name, name)
        self.model.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model.setToolTip(info.help)
        self.set_model_text(value)
        self.model_browse = QPushButton("Folder…", self)
        self.model_browse.clicked.connect(self._browse_model)
        self.model_note = QLabel(self)
        self.model_note.setWordWrap(True)
        self.model_note.setObjectName("modelNote")
        self.model.currentTextChanged.connect(lambda _: self._update_modelnote_label())
        self.widgets[info.name] = self.model
        self._readers[info.name] = self.model_text
        row = QHBoxLayout()
        row.addWidget(self.model, 1)
        row.addWidget(self.model_browse)
        form.addRow(self._label(info.label, self.model), row)
        form.addRow(self._label(""), self.model_note)

    def _add_home_row(self, form: QFormLayout, home: str, editable: bool) -> None:
        # Not a setting: where the index (and its settings file) lives.
        self.home = QLineEdit(home, self)
        self.home.setObjectName("homeEdit")
        self.home.setEnabled(editable)
        self.home.setToolTip(HOME_HELP)
        self.home_browse = QPushButton("Choose…", self)
        self.home_browse.setEnabled(editable)
        self.home_browse.clicked.connect(self._browse_home)
        row = QHBoxLayout()
        row.addWidget(self.home, 1)
        row.addWidget(self.home_browse)
        form.addRow(self._label("Index location", self.home), row)
        if not editable:
            form.addRow(
                self._label(""),
                note_label("Fixed by --home or $DESKTOP_SEARCH_HOME for this session."),
            )

    def _label(self, text: str, buddy: QWidget | None = None) -> QLabel:
        label = QLabel(text, self)
        if buddy is not None:
            label.setBuddy(buddy)
        self._labels.append(label)
        return label

    # ---- values ----
    def model_text(self) -> str:
        text = self.model.currentText().strip()
        if text == FAST_LABEL:
            return FAST_MODEL
        return BUNDLED_MODEL if text in ("", BUNDLED_LABEL) else text

    def set_model_text(self, name: str) -> None:
        index = self.model.findData(name)
        if index >= 0:
            self.model.setCurrentIndex(index)
        else:
            self.model.setEditText(name)

    def edited_settings(self) -> Settings:
        """The settings as currently edited (not validated)."""
        return replace(self._original, **{name: read() for name, read in self._readers.items()})

    def settings(self) -> Settings:
        return self._result

    def home_path(self) -> str:
        return self._home_result

    @property
    def checking(self) -> bool:
        """A chosen model is being loaded to see that it works (OK waits for it)."""
        return self.busy.isVisibleTo(self)

    def accept(self) -> None:
        if self.checking:
            return
        try:
            settings = self.edited_settings()
            settings.validate()
            model = settings.model
            if (
                model not in (BUNDLED_MODEL, FAST_MODEL)
                and _looks_like_path(model)
                and not os.path.isdir(os.path.expanduser(model))
            ):
                raise ConfigError(f"The model folder '{model}' does not exist.")
            home = self.home.text().strip()
            if not home:
                raise ConfigError("Choose a folder for the index.")
            if os.path.exists(home) and not os.path.isdir(home):
                raise ConfigError(f"The index location '{home}' is a file, not a folder.")
        except ConfigError as exc:
            self._show_error(str(exc))
            return
        self.error.hide()
        home = os.path.abspath(os.path.expanduser(home))
        new_model = (settings.model, settings.device) != (
            self._original.model,
            self._original.device,
        )
        if new_model and self._check_model is not None:
            self._start_check(settings, home)
            return
        self._accept_checked(settings, home)

    def _accept_checked(self, settings: Settings, home: str) -> None:
        self._result = settings
        self._home_result = home
        super().accept()

    # ---- the model check ----
    def _start_check(self, settings: Settings, home: str) -> None:
        check = self._check_model
        assert check is not None
        self._check_id += 1
        check_id = self._check_id
        self.busy.start(f"Checking that {_model_name(settings.model)} can be loaded…")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.model.setEnabled(False)
        self.model_browse.setEnabled(False)
        self._tasks = self._tasks or TaskRunner(self, workers=1, name="gui-task-model-check")
        self._tasks.run(
            lambda: check(settings.model, settings.device),
            lambda _name: self._check_done(check_id, settings, home, None),
            lambda exc: self._check_done(check_id, settings, home, exc),
        )

    def _check_done(
        self, check_id: int, settings: Settings, home: str, exc: BaseException | None
    ) -> None:
        if check_id != self._check_id:
            return
        self._stop_checking()
        if exc is None:
            self._accept_checked(settings, home)
            return
        old = _model_name(self._original.model)
        self._show_error(
            f"{_model_name(settings.model).capitalize()} can't be used, so nothing was saved "
            f"and {old} stays in use. {plain_message(exc)}"
        )

    def _stop_checking(self) -> None:
        self._check_id += 1
        if self._tasks is not None:
            # No waiting: a load still under way ends on its own and its answer is dropped.
            self._tasks.shutdown(wait=False)
            self._tasks = None
        self.busy.stop()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        self.model.setEnabled(True)
        self.model_browse.setEnabled(True)

    def _show_error(self, text: str) -> None:
        """In the dialog, wrapped, all of it: the dialog grows to fit."""
        self.error.setText(text)
        self.error.show()
        layout = self.layout()
        if layout is not None:
            layout.activate()
        needed = self.sizeHint().height()
        if self.height() < needed:
            self.resize(self.width(), needed)

    # ---- helpers ----
    def _update_modelnote_label(self) -> None:
        self.model_note.setText(describe_model(self.model_text()))

    def _browse_model(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Choose a sentence-transformers model folder"
        )
        if folder:
            self.model.setEditText(folder)

    def _browse_home(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Choose where to keep the index", self.home.text()
        )
        if folder:
            self.home.setText(folder)


def _model_name(model: str) -> str:
    if model == BUNDLED_MODEL:
        return "the built-in model"
    if model == FAST_MODEL:
        return "the built-in fast model"
    return f"the model '{model}'"
