"""Settings: edits a copy of the Settings, validates it, and hands it back to be applied."""

from __future__ import annotations

import os
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_search.core.config import BUNDLED_MODEL, Settings
from desktop_search.core.errors import ConfigError

BUNDLED_LABEL = "Built-in model (offline)"


def describe_model(name: str) -> str:
    """One line telling the person what choosing this model means."""
    name = name.strip()
    if not name or name == BUNDLED_MODEL:
        return "Built in: works offline, fast on any computer."
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
    """`settings()` and `home()` give the edited values after `accept()` succeeded."""

    def __init__(
        self,
        settings: Settings,
        home: str,
        *,
        home_editable: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self._original = settings
        self._result = settings
        self._home_result = home

        # ---- search & model ----
        self.model = QComboBox(self)
        self.model.setObjectName("modelCombo")
        self.model.setEditable(True)
        self.model.addItem(BUNDLED_LABEL, BUNDLED_MODEL)
        self.model.addItem(
            "sentence-transformers/all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"
        )
        self.model.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.set_model_text(settings.model)
        self.model_browse = QPushButton("Folder…", self)
        self.model_browse.clicked.connect(self._browse_model)
        self.model_note = QLabel(self)
        self.model_note.setWordWrap(True)
        self.model_note.setObjectName("modelNote")
        self.model.currentTextChanged.connect(lambda _: self._update_model_note())
        self.device = QComboBox(self)
        for value in ("auto", "cpu", "cuda"):
            self.device.addItem(value, value)
        self.device.setCurrentIndex(max(0, self.device.findData(settings.device)))

        self.chunk_chars = _spin(200, 20000, settings.chunk_chars, step=100)
        self.chunk_overlap = _spin(0, 10000, settings.chunk_overlap, step=25)
        self.results_per_page = _spin(1, 500, settings.results_per_page)
        self.excludes = QPlainTextEdit(self)
        self.excludes.setObjectName("excludesEdit")
        self.excludes.setPlaceholderText("One pattern per line, e.g.\ndrafts/\n*.tmp")
        self.excludes.setPlainText("\n".join(settings.excludes))
        self.excludes.setFixedHeight(90)
        self.include_hidden = QCheckBox("Index hidden files and folders", self)
        self.include_hidden.setChecked(settings.include_hidden)

        self.home = QLineEdit(home, self)
        self.home.setObjectName("homeEdit")
        self.home.setEnabled(home_editable)
        self.home_browse = QPushButton("Choose…", self)
        self.home_browse.setEnabled(home_editable)
        self.home_browse.clicked.connect(self._browse_home)

        # ---- advanced ----
        self.extraction_workers = _spin(0, 64, settings.extraction_workers)
        self.file_timeout = QDoubleSpinBox(self)
        self.file_timeout.setRange(1, 3600)
        self.file_timeout.setValue(settings.file_timeout_s)
        self.max_file_mb = _spin(1, 100_000, settings.max_file_mb)
        self.worker_memory_mb = _spin(64, 1_000_000, settings.worker_memory_mb, step=256)
        self.batch_chunks = _spin(1, 100_000, settings.batch_chunks, step=64)
        self.chroma_host = QLineEdit(settings.chroma_host, self)
        self.chroma_host.setPlaceholderText("empty: the built-in store")
        self.chroma_port = _spin(1, 65535, settings.chroma_port)
        self.chroma_token = QLineEdit(settings.chroma_token, self)
        self.chroma_token.setEchoMode(QLineEdit.EchoMode.Password)

        form = QFormLayout()
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.model_browse)
        form.addRow("Model", model_row)
        form.addRow("", self.model_note)
        form.addRow("Run model on", self.device)
        form.addRow("Passage length", self.chunk_chars)
        form.addRow("Passage overlap", self.chunk_overlap)
        form.addRow("Results per search", self.results_per_page)
        form.addRow("Exclude patterns", self.excludes)
        form.addRow("", self.include_hidden)
        home_row = QHBoxLayout()
        home_row.addWidget(self.home, 1)
        home_row.addWidget(self.home_browse)
        form.addRow("Index location", home_row)
        if not home_editable:
            form.addRow("", _note("Fixed by --home or $DESKTOP_SEARCH_HOME for this session."))

        advanced = QGroupBox("Advanced", self)
        adv = QFormLayout(advanced)
        adv.addRow("Extraction processes", self.extraction_workers)
        adv.addRow("Time limit per file (s)", self.file_timeout)
        adv.addRow("Largest file (MiB)", self.max_file_mb)
        adv.addRow("Memory per process (MiB)", self.worker_memory_mb)
        adv.addRow("Passages per batch", self.batch_chunks)
        adv.addRow("Chroma server host", self.chroma_host)
        adv.addRow("Chroma server port", self.chroma_port)
        adv.addRow("Chroma server token", self.chroma_token)

        for name, widget in (
            ("model", self.model),
            ("device", self.device),
            ("chunk_chars", self.chunk_chars),
            ("chunk_overlap", self.chunk_overlap),
            ("results_per_page", self.results_per_page),
            ("excludes", self.excludes),
            ("include_hidden", self.include_hidden),
            ("extraction_workers", self.extraction_workers),
            ("file_timeout_s", self.file_timeout),
            ("max_file_mb", self.max_file_mb),
            ("worker_memory_mb", self.worker_memory_mb),
            ("batch_chunks", self.batch_chunks),
            ("chroma_host", self.chroma_host),
            ("chroma_port", self.chroma_port),
            ("chroma_token", self.chroma_token),
        ):
            widget.setToolTip(Settings.help_for(name))
        self.home.setToolTip(
            "Folder holding the index. Changing it opens (or creates) the index "
            "there; the old one stays on disk."
        )

        self.error = QLabel(self)
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d0342c; font-weight: 600;")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(advanced)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._update_model_note()
        self.resize(560, self.sizeHint().height())

    # ---- values ----
    def model_text(self) -> str:
        text = self.model.currentText().strip()
        return BUNDLED_MODEL if text in ("", BUNDLED_LABEL) else text

    def set_model_text(self, name: str) -> None:
        index = self.model.findData(name)
        if index >= 0:
            self.model.setCurrentIndex(index)
        else:
            self.model.setEditText(name)

    def edited_settings(self) -> Settings:
        """The settings as currently edited (not validated)."""
        excludes = tuple(
            line.strip() for line in self.excludes.toPlainText().splitlines() if line.strip()
        )
        return replace(
            self._original,
            model=self.model_text(),
            device=str(self.device.currentData()),
            chunk_chars=self.chunk_chars.value(),
            chunk_overlap=self.chunk_overlap.value(),
            results_per_page=self.results_per_page.value(),
            excludes=excludes,
            include_hidden=self.include_hidden.isChecked(),
            extraction_workers=self.extraction_workers.value(),
            file_timeout_s=float(self.file_timeout.value()),
            max_file_mb=self.max_file_mb.value(),
            worker_memory_mb=self.worker_memory_mb.value(),
            batch_chunks=self.batch_chunks.value(),
            chroma_host=self.chroma_host.text().strip(),
            chroma_port=self.chroma_port.value(),
            chroma_token=self.chroma_token.text(),
        )

    def settings(self) -> Settings:
        return self._result

    def home_path(self) -> str:
        return self._home_result

    def accept(self) -> None:
        try:
            settings = self.edited_settings()
            settings.validate()
            model = settings.model
            if (
                model != BUNDLED_MODEL
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
            self.error.setText(str(exc))
            self.error.show()
            return
        self.error.hide()
        self._result = settings
        self._home_result = os.path.abspath(os.path.expanduser(home))
        super().accept()

    # ---- helpers ----
    def _update_model_note(self) -> None:
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


def _spin(low: int, high: int, value: int, *, step: int = 1) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setValue(value)
    spin.setGroupSeparatorShown(True)
    return spin


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
