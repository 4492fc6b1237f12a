"""Folder paths readable on both themes; "Add folder…" starts where the last choice was made."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QPalette

from desktop_search.core.models import FolderInfo
from desktop_search.gui.folder_name_delegate import FolderNameDelegate
from desktop_search.gui.folders_panel import NAME_COLUMN, NAME_MAX_WIDTH, FoldersPanel
from desktop_search.gui.prefs import GuiPrefs
from desktop_search.gui.theme import (
    MIN_CONTRAST,
    contrast,
    dark_palette,
    light_palette,
    secondary_text,
)
from tests.gui.conftest import WAIT_MS, wait_indexed


@pytest.mark.parametrize("palette", [dark_palette(), light_palette()], ids=["dark", "light"])
def test_quieter_text_still_reads_easily(palette: QPalette) -> None:
    base = palette.color(QPalette.ColorRole.Base)
    quiet = secondary_text(palette)
    assert contrast(quiet, base) >= MIN_CONTRAST
    # Quieter than the text itself, so the name above it stands out.
    assert contrast(quiet, base) < contrast(palette.color(QPalette.ColorRole.Text), base)


def test_a_folder_shows_its_name_and_whole_path(qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "Projects" / "Allotment society"
    panel = FoldersPanel()
    qtbot.addWidget(panel)
    panel.setPalette(dark_palette())
    panel.resize(300, 300)
    panel.show()
    panel.set_folders([FolderInfo(str(folder), "up to date", 3, 0)])
    item = panel.tree.topLevelItem(0)
    assert item.text(NAME_COLUMN) == "Allotment society"
    needed = FolderNameDelegate.width_for(panel.tree, str(folder))
    width = panel.tree.columnWidth(NAME_COLUMN)
    # Whole where it fits the column's cap; the cell is two lines tall (name, then path).
    assert width >= min(needed, NAME_MAX_WIDTH)
    row = panel.tree.visualItemRect(item)
    assert row.height() >= 2 * panel.tree.fontMetrics().height()


def test_add_folder_starts_where_the_last_choice_was_made(window, qtbot, corpus: Path) -> None:
    first = window.choose_folder()
    assert Path(first.directory().absolutePath()) == Path.home()
    first.selectFile(str(corpus))
    first.accept()
    wait_indexed(qtbot, window, 4)
    assert window.folders.paths() == [str(corpus)]
    again = window.choose_folder()
    # The folder the choice was made in (a neighbour is the likely next one).
    assert Path(again.directory().absolutePath()) == corpus.parent
    again.reject()
    # Remembered across starts: it is in the window's preferences file.
    assert GuiPrefs(window.prefs.path).last_folder() == str(corpus.parent)
    files = window.choose_files()
    assert Path(files.directory().absolutePath()) == corpus.parent
    files.reject()
    qtbot.waitUntil(lambda: not files.isVisible(), timeout=WAIT_MS)
