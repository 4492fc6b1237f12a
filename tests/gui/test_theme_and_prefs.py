"""Folder paths readable on both themes, every column of the folders list in view at the side
panel's width; "Add folder…" starts where the last choice was made."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QPalette

from desktop_search.core.models import FolderInfo
from desktop_search.gui.folder_name_delegate import FolderNameDelegate
from desktop_search.gui.folders_panel import (
    DOCS_COLUMN,
    NAME_COLUMN,
    STATE_COLUMN,
    UPDATES_COLUMN,
    FoldersPanel,
)
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
    panel.resize(900, 300)
    panel.show()
    panel.set_folders([FolderInfo(str(folder), "up to date", 3, 0)])
    item = panel.tree.topLevelItem(0)
    assert item.text(NAME_COLUMN) == "Allotment society"
    needed = FolderNameDelegate.width_for(panel.tree, str(folder))
    # Whole where the panel has room; the cell is two lines tall (name, then path).
    qtbot.waitUntil(lambda: panel.tree.columnWidth(NAME_COLUMN) >= needed, timeout=WAIT_MS)
    row = panel.tree.visualItemRect(item)
    assert row.height() >= 2 * panel.tree.fontMetrics().height()


def test_every_column_is_in_view_at_the_side_panels_width(qtbot, tmp_path: Path) -> None:
    """The state and the count are never cut off at the right edge: they are as wide as what
    they say, and the name takes the rest (cut in its middle, the path in its tooltip)."""
    folder = tmp_path / "Projects" / "Allotment society minutes and accounts"
    panel = FoldersPanel()
    qtbot.addWidget(panel)
    panel.resize(280, 300)  # the window's side panel, as it opens the first time
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_folders([FolderInfo(str(folder), "up to date", 12_345, 3, watch_mode="polling")])
    tree, item = panel.tree, panel.tree.topLevelItem(0)
    metrics = tree.fontMetrics()
    columns = (NAME_COLUMN, STATE_COLUMN, DOCS_COLUMN, UPDATES_COLUMN)
    qtbot.waitUntil(
        lambda: sum(tree.columnWidth(c) for c in columns) <= tree.viewport().width(),
        timeout=WAIT_MS,
    )
    for column in (STATE_COLUMN, DOCS_COLUMN, UPDATES_COLUMN):
        assert tree.columnWidth(column) > metrics.horizontalAdvance(item.text(column)), column
    assert not tree.horizontalScrollBar().isVisible()
    assert tree.columnWidth(NAME_COLUMN) < FolderNameDelegate.width_for(tree, str(folder))
    assert item.toolTip(NAME_COLUMN) == str(folder)


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
