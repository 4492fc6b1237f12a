"""Nothing skipped in silence, in the window: each folder says how many files of other kinds it
holds and which kinds, and the count is there again after a restart."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from desktop_search.gui.folders_panel import NAME_COLUMN
from tests.gui.conftest import WAIT_MS, wait_indexed

OTHER = "5 files of other kinds: .zip, .dwg, .psd"


def test_the_folder_row_names_the_kinds_that_are_not_indexed(
    window_factory, qtbot, corpus: Path, isolated_home: Path
):
    for name in ("plans.dwg", "a.zip", "b.zip", "c.zip", "cover.psd", ".hidden.zip"):
        (corpus / name).write_bytes(b"\0")
    window = window_factory()
    qtbot.waitUntil(lambda: window.search_ready and window.status is not None, timeout=WAIT_MS)
    window.add_paths([str(corpus)])
    wait_indexed(qtbot, window, 4)
    qtbot.waitUntil(lambda: window.folders.other_text(str(corpus)) != "", timeout=WAIT_MS)
    assert window.folders.other_text(str(corpus)) == OTHER
    folder = window.folders.tree.topLevelItem(0)
    line = folder.child(0)  # a line under the folder, across the columns, not selectable
    assert folder.isExpanded() and line.isFirstColumnSpanned()
    assert not line.flags() & Qt.ItemFlag.ItemIsSelectable
    assert window.folders.tree.topLevelItemCount() == 1
    tooltip = line.toolTip(NAME_COLUMN)
    assert tooltip.startswith(OTHER + ".")
    assert "does not read their kind" in tooltip and "PDF" in tooltip

    # A new window on the same index shows it before any scan has run.
    window.close()
    again = window_factory(isolated_home, start=False)
    again.start()
    qtbot.waitUntil(lambda: again.folders.paths() == [str(corpus)], timeout=WAIT_MS)
    assert again.folders.other_text(str(corpus)) == OTHER
