"""Typing a query: debounced, off the GUI thread, newest query wins; keyboard, menu, filters."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop_search.gui.results_model import ResultRole
from tests.gui.conftest import WAIT_MS, search


def _names(window) -> list[str]:
    model = window.results.model
    return [model.index(r, 0).data(ResultRole.FILE_NAME) for r in range(model.rowCount())]


def test_search_bar_has_focus_on_start(window):
    assert window.search_bar.edit.hasFocus()


def test_typing_shows_the_matching_document_first_with_terms_highlighted(indexed_window, qtbot):
    search(qtbot, indexed_window, "sourdough bread")
    assert _names(indexed_window)[0] == "baking.pdf"
    top = indexed_window.results.model.index(0, 0)
    snippet = top.data(ResultRole.SNIPPET)
    assert any(
        snippet[s:e].lower() in ("sourdough", "bread") for s, e in top.data(ResultRole.HIGHLIGHTS)
    )
    assert "document" in indexed_window.results.header.text()


def test_semantic_mode_finds_by_meaning(indexed_window, qtbot):
    search(qtbot, indexed_window, "magma eruption", mode="semantic")
    assert _names(indexed_window)[0] == "volcano.pdf"
    assert indexed_window.last_outcome.request.mode == "semantic"


def test_newest_query_wins_and_typing_is_debounced(indexed_window, qtbot):
    runner = indexed_window.host.queries
    first_id = runner.latest_id
    delivered: list[str] = []
    runner.finished.connect(lambda outcome: delivered.append(outcome.request.text))
    qtbot.keyClicks(indexed_window.search_bar.edit, "invoice revenue dividend")
    qtbot.waitUntil(
        lambda: bool(delivered) and delivered[-1] == "invoice revenue dividend", timeout=WAIT_MS
    )
    # One query per pause in typing, not one per keystroke.
    assert runner.latest_id - first_id < len("invoice revenue dividend")
    # Only the newest query's results were ever shown.
    assert delivered == ["invoice revenue dividend"]
    assert _names(indexed_window)[0] == "finance.pdf"


def test_stale_results_are_dropped(indexed_window, qtbot):
    runner = indexed_window.host.queries
    shown: list[str] = []
    runner.finished.connect(lambda outcome: shown.append(outcome.request.text))
    for text in ("volcano", "bread", "supernova star"):
        runner.submit(text)
    qtbot.waitUntil(lambda: bool(shown) and shown[-1] == "supernova star", timeout=WAIT_MS)
    # All three were submitted before the GUI thread could deliver anything: only the newest shows.
    assert shown == ["supernova star"]


def test_file_type_filter_limits_results(indexed_window, qtbot):
    bar = indexed_window.search_bar
    search(qtbot, indexed_window, "star")
    with qtbot.waitSignal(indexed_window.results_shown, timeout=WAIT_MS):
        bar.file_type.setCurrentIndex(bar.file_type.findText("Text & Markdown"))
    assert indexed_window.last_outcome.request.filters.file_types[0] == "txt"
    names = _names(indexed_window)
    assert names and all(n.endswith(".md") for n in names)


def test_no_results_shows_a_message_in_place(indexed_window, qtbot):
    search(qtbot, indexed_window, "zzqxv", mode="keyword")
    assert not indexed_window.results.showing_results
    assert "No matches" in indexed_window.results.empty.title.text()


def test_keyboard_down_enter_opens_the_file_at_its_page(indexed_window, qtbot, launched):
    search(qtbot, indexed_window, "pyroclastic flows")
    qtbot.keyClick(indexed_window.search_bar.edit, Qt.Key.Key_Down)
    view = indexed_window.results.view
    assert view.hasFocus()
    assert view.currentIndex().data(ResultRole.FILE_NAME) == "volcano.pdf"
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert launched, "Enter should open the selected file"
    opened = launched[-1]
    assert "volcano.pdf" in str(opened[-1] if isinstance(opened, list) else opened.toLocalFile())
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert indexed_window.search_bar.edit.hasFocus()


def test_ctrl_k_focuses_the_search_bar(indexed_window, qtbot):
    search(qtbot, indexed_window, "volcano")
    indexed_window.results.focus_results()
    assert not indexed_window.search_bar.edit.hasFocus()
    qtbot.keyClick(indexed_window.results.view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert indexed_window.search_bar.edit.hasFocus()
    assert indexed_window.search_bar.edit.selectedText() == "volcano"


def test_passages_expand_and_next_hit_walks_them(indexed_window, qtbot):
    search(qtbot, indexed_window, "volcano lava flows eruption")
    panel = indexed_window.results
    panel.focus_results()
    top = panel.view.currentIndex()
    assert top.data(ResultRole.FILE_NAME) == "volcano.pdf"
    if panel.model.rowCount(top):
        panel.step(1)
        current = panel.view.currentIndex()
        assert current.parent() == top
        assert panel.view.isExpanded(top)
    else:
        panel.step(1)
        assert panel.view.currentIndex() != top or panel.model.rowCount() == 1


def test_context_menu_copy_path_and_more_like_this(indexed_window, qtbot, corpus: Path):
    search(qtbot, indexed_window, "sourdough")
    path = str(corpus / "baking.pdf")
    menu = indexed_window.results.context_menu(path, 1)
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert set(actions) >= {
        "Open at page 1",
        "Open containing folder",
        "Copy path",
        "More like this",
    }
    actions["Copy path"].trigger()
    assert QGuiApplication.clipboard().text() == path
    with qtbot.waitSignal(indexed_window.results_shown, timeout=WAIT_MS):
        actions["More like this"].trigger()
    outcome = indexed_window.last_outcome
    assert outcome.request.like_path == path
    assert outcome.error is None
    assert path not in [r.path for r in outcome.results]
    assert "Documents like" in indexed_window.results.header.text()
    menu.close()


def test_open_containing_folder(indexed_window, qtbot, corpus: Path, launched):
    indexed_window.results.open_folder_requested.emit(str(corpus / "finance.pdf"))
    assert os.path.normpath(launched[-1].toLocalFile()) == os.path.normpath(str(corpus))


def test_clearing_the_query_shows_the_idle_hint(indexed_window, qtbot):
    search(qtbot, indexed_window, "volcano")
    qtbot.keyClick(indexed_window.search_bar.edit, Qt.Key.Key_Escape)
    assert indexed_window.search_bar.edit.text() == ""
    assert "Type to search" in indexed_window.results.empty.title.text()
    assert QApplication.focusWidget() is indexed_window.search_bar.edit
