"""The preview's header: the real page and the hit's place ("p. 12 · hit 3 of 46"), the file
name cut in the middle, the preview's share of the width, and the first result selected."""

from __future__ import annotations

from desktop_search.core.extract.formats import page_label
from desktop_search.gui.preview_header import ElidedLabel, location_text
from tests.gui.conftest import WAIT_MS, search

LONG_NAME = "Federal-Register-2020-17221-airworthiness-directives-the-boeing-company.pdf"


def test_location_names_the_real_page_and_the_hit_among_all_hits() -> None:
    assert location_text("/d/report.pdf", 12, 3, 46) == "p. 12 · hit 3 of 46"
    assert location_text("/d/talk.pptx", 2, 1, 5) == "slide 2 · hit 1 of 5"
    assert location_text("/d/budget.xlsx", 3, 2, 2) == "sheet 3 · hit 2 of 2"
    # A text note has no pages a person would name: only the hit's place.
    assert location_text("/d/notes.md", 1, 1, 46) == "hit 1 of 46"


def test_a_long_file_name_is_cut_in_the_middle(qtbot) -> None:
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.set_full_text(LONG_NAME)
    label.resize(220, 30)
    label.show()
    qtbot.waitExposed(label)
    shown = label.text()
    assert "…" in shown and shown != LONG_NAME
    start, end = shown.split("…")
    assert LONG_NAME.startswith(start) and LONG_NAME.endswith(end)
    assert end.endswith(".pdf") and len(start) >= 5  # both ends readable, not "F"
    assert label.full_text() == LONG_NAME
    label.resize(label.fontMetrics().horizontalAdvance(LONG_NAME) + 20, 30)
    qtbot.waitUntil(lambda: label.text() == LONG_NAME, timeout=WAIT_MS)


def test_the_first_result_is_selected_and_previewed_with_its_page(indexed_window, qtbot) -> None:
    window = indexed_window
    search(qtbot, window, "volcano", mode="keyword")
    results, preview = window.results, window.preview
    first = results.model.index(0, 0)
    assert results.view.currentIndex() == first
    assert results.view.selectionModel().isSelected(first)
    doc, hit = results.current_passage()
    qtbot.waitUntil(lambda: preview.showing == (doc.path, hit.page), timeout=WAIT_MS)
    total = len(results.model.passage_indexes())
    assert total >= 2  # both pages of volcano.pdf
    assert preview.position.text() == f"p. {hit.page} · hit 1 of {total}"
    assert preview.title.full_text() == "volcano.pdf"
    assert window.search_bar.edit.hasFocus()  # typing goes on in the search field
    # A passage the person picks is kept when the same query runs again (the index changed).
    results.step(1)
    picked = results.current_key()
    assert picked is not None and picked != (doc.path, 1)
    before = window.last_outcome.request.id
    with qtbot.waitSignal(window.results_shown, timeout=WAIT_MS):
        window.search.rerun()
    assert window.last_outcome.request.id > before
    assert results.current_key() == picked


def test_extra_width_goes_mostly_to_the_preview(window, qtbot) -> None:
    window.resize(1100, 800)
    qtbot.waitUntil(lambda: window.splitter.sizes()[2] > 0, timeout=WAIT_MS)
    side, results, preview = window.splitter.sizes()
    window.resize(1700, 800)
    qtbot.waitUntil(lambda: window.splitter.sizes()[2] > preview, timeout=WAIT_MS)
    side2, results2, preview2 = window.splitter.sizes()
    assert side2 == side
    assert preview2 - preview > results2 - results > 0


def test_result_rows_and_the_header_name_a_place_the_same_way() -> None:
    assert page_label("/d/report.pdf", 12) == "p. 12"
    assert page_label("/d/report.pdf", 12, short=False) == "page 12"
    assert page_label("/d/talk.pptx", 2) == "slide 2"
    assert page_label("/d/notes.md", 1) == ""  # a text file's "page" is only a cut
    assert page_label("/d/report.pdf", 0) == ""
