"""A damaged index is detected at open and the person is offered a rebuild that loses nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from desktop_search.core.engine import Engine
from tests.gui.conftest import WAIT_MS, wait_indexed


def _index_and_close(home: Path, folder: Path) -> None:
    engine = Engine.open(home)
    engine.load_model()
    engine.add_folder(folder)
    assert engine.wait_until_idle(60)
    engine.close()


def test_damaged_index_offers_a_rebuild_and_reindexes_its_folders(
    window_factory, qtbot, corpus: Path, isolated_home: Path
) -> None:
    _index_and_close(isolated_home, corpus)
    catalog = isolated_home / "catalog.sqlite3"
    # Junk it entirely: the folder list is lost too, so the new index starts empty.
    catalog.write_bytes(b"junk " * 2000)

    window = window_factory()
    qtbot.waitUntil(lambda: getattr(window, "rebuild_prompt", None) is not None, timeout=WAIT_MS)
    box = window.rebuild_prompt
    assert "rebuild" in box.informativeText().lower()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: window.engine is not None and window.search_ready, timeout=WAIT_MS)
    aside = [p for p in isolated_home.iterdir() if p.name.startswith("broken-")]
    assert len(aside) == 1
    assert (aside[0] / "catalog.sqlite3").read_bytes() == b"junk " * 2000  # kept, not deleted
    window.add_paths([str(corpus)])
    wait_indexed(qtbot, window, 4)


def test_rebuild_keeps_the_folder_list_when_it_is_readable(
    window_factory, qtbot, corpus: Path, isolated_home: Path
) -> None:
    _index_and_close(isolated_home, corpus)
    # A version from the future: readable, but not usable by this version.
    import sqlite3

    with sqlite3.connect(isolated_home / "catalog.sqlite3") as conn:
        conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")

    window = window_factory()
    qtbot.waitUntil(lambda: getattr(window, "rebuild_prompt", None) is not None, timeout=WAIT_MS)
    window.rebuild_prompt.button(QMessageBox.StandardButton.Yes).click()
    wait_indexed(qtbot, window, 4)  # its folder came back and was indexed again
    assert window.status.folders[0].path == str(corpus)
