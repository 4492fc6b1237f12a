"""Settings that do what they say: a new model is tried before it is saved (busy, in the
background), a failure is explained in full inside the dialog and the old model stays; the
chosen search mode comes back; plain words instead of jargon; a custom date range."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialogButtonBox

from desktop_search.core.config import Paths, Settings
from desktop_search.core.errors import ModelError
from desktop_search.gui.date_range import range_bounds
from desktop_search.gui.search_bar import CUSTOM_RANGE, SearchBar
from desktop_search.gui.settings_dialog import SettingsDialog
from tests.gui.conftest import WAIT_MS, search

MISSING_MODEL = "someone/a-model-that-is-not-here"


def _ok(dialog: SettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_a_model_that_cannot_be_loaded_is_explained_and_the_old_one_stays(
    window, qtbot, isolated_home: Path
) -> None:
    config = Paths.resolve(str(isolated_home)).config_file
    saved = config.read_text(encoding="utf-8")
    old_model = window.engine.settings.model
    mode = window.search_bar.current_mode()
    dialog = window.open_settings()
    dialog.set_model_text(MISSING_MODEL)
    _ok(dialog)
    # Tried in the engine, off the GUI thread: the dialog shows it is busy meanwhile.
    assert dialog.checking and dialog.busy.bar.maximum() == 0
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT_MS)
    assert dialog.isVisible() and dialog.error.isVisible()
    text = dialog.error.text()
    assert MISSING_MODEL in text and "nothing was saved" in text
    assert "is not on this computer" in text  # the reason, not cut off
    # All of it readable: wrapped, and the label is as tall as its wrapped text needs.
    error = dialog.error
    assert error.wordWrap() and error.height() >= error.heightForWidth(error.width())
    assert error.width() <= dialog.width()
    assert config.read_text(encoding="utf-8") == saved
    assert window.engine.settings.model == old_model
    assert window.search_bar.current_mode() == mode  # no silent switch to keywords
    dialog.reject()


def test_a_model_that_loads_is_saved(window, qtbot, tiny_transformer: Path) -> None:
    dialog = window.open_settings()
    accepted: list[bool] = []
    dialog.accepted.connect(lambda: accepted.append(True))
    dialog.set_model_text(str(tiny_transformer))
    _ok(dialog)
    assert dialog.checking and not accepted  # OK waits for the model to load
    qtbot.waitUntil(lambda: window.engine.settings.model == str(tiny_transformer), timeout=WAIT_MS)
    assert accepted == [True]


def test_an_unchanged_model_is_not_tried_again(window, qtbot) -> None:
    dialog = window.open_settings()
    dialog.widgets["results_per_page"].setValue(7)
    _ok(dialog)
    assert not dialog.checking
    qtbot.waitUntil(lambda: window.engine.settings.results_per_page == 7, timeout=WAIT_MS)


def test_the_chosen_search_mode_comes_back_once_a_model_is_ready(window, qtbot) -> None:
    bar = window.search_bar
    bar.set_mode("semantic")
    bar.mode.activated.emit(bar.mode.currentIndex())  # as a person's choice arrives
    # The model fails to load (as the host reports it), then loads after a fix.
    window.host.model_failed.emit(ModelError(f"The model '{MISSING_MODEL}' is not here."))
    assert bar.current_mode() == "keyword"
    assert window.statusBar().currentMessage().startswith("Searching by keywords only")
    window.host.model_ready.emit()
    assert bar.current_mode() == "semantic"


def test_settings_speak_plain_words_with_examples() -> None:
    shown = [i for i in Settings.infos() if i.section]
    words = " ".join(f"{i.label} {i.help}" for i in shown).lower()
    for jargon in ("per batch", "gitignore", "embedded and written", "extraction processes"):
        assert jargon not in words, jargon
    excludes = Settings.info("excludes")
    assert "drafts/" in excludes.help and "*.tmp" in excludes.help
    assert "drafts/" in excludes.placeholder
    assert Settings.info("batch_chunks").suffix == " passages"


def test_the_dialog_rows_keep_their_labels(qtbot, tmp_path: Path) -> None:
    dialog = SettingsDialog(Settings(), str(tmp_path / "home"))
    qtbot.addWidget(dialog)
    assert dialog.widgets["batch_chunks"].suffix() == " passages"
    dialog.reject()


# ---- the custom date range ----
def test_a_custom_range_gives_both_days_included(qtbot) -> None:
    bar = SearchBar()
    qtbot.addWidget(bar)
    bar.edit.setText("herons")
    first, last = QDate(2020, 3, 1), QDate(2020, 3, 31)
    with qtbot.waitSignal(bar.query_changed, timeout=WAIT_MS) as changed:
        bar.set_date_range(first, last)
    filters = changed.args[2]
    assert (filters.modified_after, filters.modified_before) == range_bounds(first, last)
    assert time.localtime(filters.modified_after)[:5] == (2020, 3, 1, 0, 0)
    assert time.localtime(filters.modified_before)[:3] == (2020, 3, 31)
    assert bar.modified.currentText() == "1 Mar 2020 – 31 Mar 2020"


def test_choosing_custom_range_asks_for_the_days_and_cancel_goes_back(qtbot) -> None:
    bar = SearchBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.modified.setCurrentIndex(2)  # "Past week"
    custom = bar.modified.findData(CUSTOM_RANGE)
    bar.modified.setCurrentIndex(custom)
    bar.modified.activated.emit(custom)  # as a person's choice arrives
    dialog = bar.range_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.first.setDate(QDate(2021, 5, 10))
    dialog.last.setDate(QDate(2021, 5, 1))
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert dialog.note.isVisible()
    dialog.reject()
    assert bar.modified.currentIndex() == 2 and bar.date_range is None
    # Again, with days in order: OK applies them.
    bar.modified.setCurrentIndex(custom)
    bar.modified.activated.emit(custom)
    dialog = bar.range_dialog
    dialog.first.setDate(QDate(2021, 5, 1))
    dialog.last.setDate(QDate(2021, 5, 10))
    with qtbot.waitSignal(bar.query_changed, timeout=WAIT_MS):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert bar.date_range == (QDate(2021, 5, 1), QDate(2021, 5, 10))
    assert bar.modified.currentText() == "1 May 2021 – 10 May 2021"


@pytest.fixture
def dated_corpus(corpus: Path) -> Path:
    """The corpus with known modification days: volcano.pdf in 2020, the others in 2023."""
    for path in corpus.rglob("*.*"):
        year = 2020 if path.name == "volcano.pdf" else 2023
        day = time.mktime((year, 6, 15, 12, 0, 0, 0, 0, -1))
        os.utime(path, (day, day))
    return corpus


def test_a_custom_range_filters_the_results(window, qtbot, dated_corpus: Path) -> None:
    from tests.gui.conftest import wait_indexed

    window.add_paths([str(dated_corpus)])
    wait_indexed(qtbot, window, 4)
    search(qtbot, window, "crust", mode="keyword")  # the volcano's crust and the bread's
    assert {Path(d.path).name for d in window.last_outcome.results} == {
        "volcano.pdf",
        "baking.pdf",
    }
    with qtbot.waitSignal(window.results_shown, timeout=WAIT_MS):
        window.search_bar.set_date_range(QDate(2020, 1, 1), QDate(2020, 12, 31))
    assert {Path(d.path).name for d in window.last_outcome.results} == {"volcano.pdf"}
