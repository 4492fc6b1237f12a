"""Settings dialog round trip, validation in place, model notes; window state saved and restored."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from desktop_search.core.config import Paths, Settings, load_settings
from desktop_search.gui.settings_dialog import SettingsDialog, describe_model
from tests.gui.conftest import WAIT_MS, close_window


def test_settings_round_trip_through_the_dialog(window, qtbot, isolated_home: Path):
    dialog = window.open_settings()
    assert isinstance(dialog, SettingsDialog)
    rows = dialog.widgets
    assert rows["chunk_chars"].value() == Settings().chunk_chars
    rows["chunk_chars"].setValue(1500)
    rows["chunk_overlap"].setValue(150)
    rows["excludes"].setPlainText("drafts/\n*.tmp\n")
    rows["results_per_page"].setValue(15)
    dialog.buttons.accepted.emit()
    # Applied: the engine's call has returned (the file is written before it does).
    qtbot.waitUntil(lambda: window.engine.settings.chunk_chars == 1500, timeout=WAIT_MS)
    saved = load_settings(Paths.resolve(str(isolated_home)).config_file)
    assert saved.excludes == ("drafts/", "*.tmp")
    assert saved.chunk_overlap == 150 and saved.results_per_page == 15
    assert window.engine.settings == saved
    # Reopened, the dialog shows what was saved.
    again = window.open_settings()
    assert again.widgets["chunk_chars"].value() == 1500
    assert again.widgets["excludes"].toPlainText() == "drafts/\n*.tmp"
    again.reject()


def test_invalid_values_are_explained_in_place_and_not_saved(window, qtbot, isolated_home: Path):
    config = Paths.resolve(str(isolated_home)).config_file
    saved = config.read_text(encoding="utf-8")
    dialog = window.open_settings()
    dialog.widgets["chunk_chars"].setValue(400)
    dialog.widgets["chunk_overlap"].setValue(300)  # more than half the passage length
    dialog.buttons.accepted.emit()
    assert dialog.isVisible()
    assert not dialog.error.isHidden()
    assert "overlap" in dialog.error.text().lower()
    assert config.read_text(encoding="utf-8") == saved
    dialog.reject()


def test_missing_model_folder_is_refused(qtbot, tmp_path: Path):
    dialog = SettingsDialog(Settings(), str(tmp_path / "home"))
    qtbot.addWidget(dialog)
    dialog.model.setEditText(str(tmp_path / "no-such-model"))
    assert "does not exist" in dialog.model_note.text()
    dialog.accept()
    assert "does not exist" in dialog.error.text()
    dialog.set_model_text("bundled")
    assert dialog.model_text() == "bundled"
    assert "offline" in dialog.model_note.text()


def test_model_notes_tell_what_a_choice_means(tmp_path: Path):
    assert "offline" in describe_model("bundled")
    assert "network" in describe_model("sentence-transformers/all-MiniLM-L6-v2")
    assert "folder on this computer" in describe_model(str(tmp_path))


def test_help_text_is_shown_as_tooltips(qtbot, tmp_path: Path):
    dialog = SettingsDialog(Settings(), str(tmp_path))
    qtbot.addWidget(dialog)
    assert dialog.widgets["chunk_chars"].toolTip() == Settings.help_for("chunk_chars")
    assert dialog.widgets["excludes"].toolTip() == Settings.help_for("excludes")


def test_excludes_apply_and_purge_matching_files(window, qtbot, corpus: Path):
    window.add_paths([str(corpus)])
    qtbot.waitUntil(
        lambda: (
            window.status is not None
            and window.status.documents == 4
            and not window.status.indexing
        ),
        timeout=WAIT_MS,
    )
    window.apply_settings(replace(window.engine.settings, excludes=("notes/",)))
    qtbot.waitUntil(
        lambda: window.status.documents == 3 and not window.status.indexing, timeout=WAIT_MS
    )
    assert window.engine.settings.excludes == ("notes/",)


def test_fixed_home_cannot_be_changed_in_the_dialog(qtbot, tmp_path: Path):
    dialog = SettingsDialog(Settings(), str(tmp_path), home_editable=False)
    qtbot.addWidget(dialog)
    assert not dialog.home.isEnabled()


def test_window_geometry_and_splitter_sizes_are_restored(window_factory, qtbot):
    first = window_factory(start=False)
    first.resize(760, 560)  # within the 800x600 offscreen screen
    first.splitter.setSizes([150, 350, 250])
    sizes = first.splitter.sizes()
    first.search_bar.set_mode("keyword")
    close_window(qtbot, first)
    second = window_factory(start=False, resize=False)
    assert (second.size().width(), second.size().height()) == (760, 560)
    assert second.splitter.sizes() == sizes
    assert second.search_bar.current_mode() == "keyword"
