"""What a person sees of results: confidence as it is, title, date and size, the copies in
other folders (readable at the window's width), where a passage is ("p. 12", "slide 3", nothing
for a text file), why a passage was found, "did you mean" (clickable), notes about the query,
and the passage marked in a text preview (not the whole file)."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from desktop_search.core.models import DocumentResult, Hit
from desktop_search.gui.preview import PreviewWidget, hit_spans
from desktop_search.gui.results_delegate import (
    PAD,
    ResultsDelegate,
    bring_first_mark_into_view,
    small_font,
)
from desktop_search.gui.results_model import (
    DetailPart,
    ResultRole,
    ResultsModel,
    details,
    fit_details,
    format_date,
    format_size,
)
from desktop_search.gui.results_panel import ResultsPanel
from tests.core.search.test_results_trust import HEALTH_NOTE, OTHERS
from tests.gui.conftest import WAIT_MS, search, wait_indexed

SENTENCE = "Roast the aubergine with garlic."
TEXT = "A long note about dinner. " * 3 + SENTENCE + " Then blend it." * 3


def _meaning_hit() -> Hit:
    start = TEXT.index(SENTENCE)
    return Hit(
        chunk_id=1,
        page=1,
        score=0.5,
        snippet=SENTENCE,
        highlights=(),
        text=TEXT,
        start=0,
        end=len(TEXT),
        confidence=0.55,
        found_by="meaning",
        focus=(start, start + len(SENTENCE)),
        closest_sentence=SENTENCE,
    )


def _document(**extra) -> DocumentResult:
    fields = {
        "path": "/home/me/notes/dinner.md",
        "title": "Dinner ideas",
        "score": 0.5,
        "file_type": "md",
        "modified": time.mktime((2021, 5, 3, 12, 0, 0, 0, 0, -1)),
        "hits": (_meaning_hit(),),
        "confidence": 0.55,
        "size": 1_234_567,
        "also_in": ("/backup/notes/dinner.md",),
    }
    fields.update(extra)
    return DocumentResult(**fields)  # type: ignore[arg-type]


def test_a_row_shows_title_date_size_and_the_copies_elsewhere():
    model = ResultsModel()
    model.set_results([_document()], "aubergine")
    row = model.index(0, 0)
    assert row.data(ResultRole.TITLE) == "Dinner ideas"
    assert row.data(ResultRole.DETAILS) == "modified 3 May 2021 · 1.2 MB · also in 1 other folder"
    assert row.data(ResultRole.RELEVANCE) == 0.55
    assert row.data(ResultRole.WEAK) is False
    tip = row.data(Qt.ItemDataRole.ToolTipRole)
    assert "/backup/notes/dinner.md" in tip


def _hit(page: int, chunk_id: int = 1) -> Hit:
    return replace(_meaning_hit(), page=page, chunk_id=chunk_id)


def test_copies_elsewhere_read_whole_at_the_windows_width(qtbot):
    """At the results column's width when the window first opens, the folder line keeps "also
    in 1 other folder" whole (the path is cut in its middle instead) and drops what the
    tooltip still says; with room, everything is on the line."""
    deep = "/home/me/Documents/Projects/Allotment society/Minutes and accounts/2021/notes"
    doc = _document(
        path=f"{deep}/dinner-ideas-for-the-summer-meeting.pdf",
        hits=(_hit(3), _hit(7, chunk_id=2), _hit(9, chunk_id=3)),
        also_in=("/backup/notes/dinner-ideas-for-the-summer-meeting.pdf",),
    )
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.resize(436, 600)  # the window's results column, as it opens the first time
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_results([doc], "aubergine", "1 document")
    row = panel.model.index(0, 0)
    metrics = QFontMetrics(small_font(panel.view.font()))
    width = panel.view.visualRect(row).width() - 2 * PAD
    where, shown = ResultsDelegate.folder_line(row, metrics, width)
    everything = "modified 3 May 2021 · 1.2 MB · also in 1 other folder · +2 passages"
    assert "also in 1 other folder" in shown.split(" · ")
    assert set(shown.split(" · ")) < set(everything.split(" · "))  # parts whole, some left out
    assert "…" in where and where.endswith("/notes")  # the path gave way, in its middle
    assert metrics.horizontalAdvance(where) + metrics.horizontalAdvance(shown) <= width
    tip = row.data(Qt.ItemDataRole.ToolTipRole)
    assert "1.2 MB" in tip and "/backup/notes/dinner-ideas-for-the-summer-meeting.pdf" in tip
    _, roomy = ResultsDelegate.folder_line(row, metrics, 2000)
    assert roomy == everything


def test_a_narrow_row_leaves_out_whole_details_least_telling_first():
    parts = (
        DetailPart("modified 3 May 2021", keep=1),
        DetailPart("1.2 MB", keep=0),
        DetailPart("also in 2 other folders", keep=3),
    )
    fits = lambda limit: lambda text: len(text) <= limit  # noqa: E731
    assert fit_details(parts, fits(100)) == "modified 3 May 2021 · 1.2 MB · also in 2 other folders"
    assert fit_details(parts, fits(50)) == "modified 3 May 2021 · also in 2 other folders"
    assert fit_details(parts, fits(30)) == "also in 2 other folders"
    assert fit_details(parts, fits(10)) == ""


def test_a_copy_in_the_same_folder_is_not_called_another_folder():
    model = ResultsModel()
    model.set_results([_document(also_in=("/home/me/notes/dinner (copy).md",))], "x")
    assert model.index(0, 0).data(ResultRole.DETAILS).endswith("· 1 other copy")


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("report.pdf", "p. 4"),
        ("talk.pptx", "slide 4"),
        ("budget.xlsx", "sheet 4"),
        ("notes.md", ""),
        ("notes.txt", ""),
    ],
)
def test_a_row_says_where_the_passage_is_as_the_file_counts_it(name: str, shown: str):
    """Pages mean nothing in a text file (the index cuts it up for searching only): its rows
    name no page; slides and sheets are called so, as in the preview's header."""
    model = ResultsModel()
    model.set_results([_document(path=f"/home/me/{name}", hits=(_hit(4), _hit(5, 2)))], "x")
    row, passage = model.index(0, 0), model.index(0, 0, model.index(0, 0))
    assert row.data(ResultRole.LOCATION) == shown
    assert passage.data(ResultRole.LOCATION) == shown.replace("4", "5")
    for index in (row, passage):
        texts = [
            index.data(role)
            for role in (
                Qt.ItemDataRole.DisplayRole,
                Qt.ItemDataRole.ToolTipRole,
                Qt.ItemDataRole.AccessibleTextRole,
            )
        ]
        if not shown:
            assert not any("p. " in t or "page " in t for t in texts), texts
    if shown:
        assert shown in row.data(Qt.ItemDataRole.DisplayRole)
        long_name = shown.replace("p.", "page")
        assert long_name in row.data(Qt.ItemDataRole.ToolTipRole)


def test_a_title_that_is_only_the_file_name_is_not_repeated():
    model = ResultsModel()
    model.set_results([_document(title="dinner.md")], "x")
    assert model.index(0, 0).data(ResultRole.TITLE) == ""


def test_why_a_passage_found_by_meaning_is_in_its_tooltip():
    model = ResultsModel()
    model.set_results([_document()], "aubergine")
    why = model.index(0, 0).data(ResultRole.WHY)
    assert "Found by meaning" in why
    assert SENTENCE in why
    assert SENTENCE in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)


@pytest.mark.parametrize(
    ("size", "shown"), [(980, "980 B"), (14_200, "14 KB"), (1_234_567, "1.2 MB")]
)
def test_sizes_read_as_a_person_reads_them(size: int, shown: str):
    assert format_size(size) == shown


def test_dates_are_short_this_year_and_full_before():
    now = time.mktime((2024, 6, 1, 12, 0, 0, 0, 0, -1))
    assert format_date(time.mktime((2024, 2, 9, 8, 0, 0, 0, 0, -1)), now) == "9 Feb"
    assert format_date(time.mktime((2020, 2, 9, 8, 0, 0, 0, 0, -1)), now) == "9 Feb 2020"
    assert format_date(now - 60, now).startswith("today ")
    assert details(_document(also_in=(), size=0, modified=0.0)) == ""


def test_did_you_mean_is_a_link_that_asks_for_the_spelling(qtbot):
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.show_results([_document()], "cholestrol", "1 document")
    panel.show_notes(("A note.",), "cholesterol", "")
    assert panel.notes.isVisibleTo(panel)
    assert 'href="cholesterol"' in panel.notes.text()
    with qtbot.waitSignal(panel.suggestion_chosen) as chosen:
        panel.notes.linkActivated.emit("cholesterol")  # what a click on the link sends
    assert chosen.args == ["cholesterol"]
    panel.show_notes()
    assert not panel.notes.isVisibleTo(panel)


def test_a_text_preview_marks_the_matched_span_not_the_whole_file():
    hit = _meaning_hit()
    spans = hit_spans(hit, 0, len(TEXT), len(TEXT))
    assert spans[0] == hit.focus  # the sentence, lightly
    assert spans[0] != (0, len(TEXT))
    # Offsets that can't be trusted mark the passage found, never more.
    assert hit_spans(hit, 5, 9, 100) == [(5, 9)]


def test_the_preview_of_a_note_highlights_the_passage_span(qtbot, tmp_path: Path):
    note = tmp_path / "dinner.md"
    note.write_text(TEXT, encoding="utf-8")
    preview = PreviewWidget()
    qtbot.addWidget(preview)
    preview.resize(500, 400)
    doc = _document(path=str(note))
    with qtbot.waitSignal(preview.shown, timeout=WAIT_MS) as shown:
        preview.show_passage(doc, doc.best)
    assert shown.args == ["text"]
    selections = preview.text.extraSelections()
    first = selections[0].cursor
    assert first.selectedText() == SENTENCE
    assert (first.selectionStart(), first.selectionEnd()) != (0, len(TEXT))
    preview.shutdown()


@pytest.fixture
def notes_window(window, qtbot, tmp_path: Path):
    root = tmp_path / "notes"
    root.mkdir()
    (root / "health.md").write_text(HEALTH_NOTE, encoding="utf-8")
    for name, text in OTHERS.items():
        (root / name).write_text(text, encoding="utf-8")
    window.add_paths([str(root)])
    wait_indexed(qtbot, window, 1 + len(OTHERS))
    return window


def test_a_misspelt_word_shows_the_results_of_its_spelling_and_says_so(notes_window, qtbot):
    search(qtbot, notes_window, "cholestrol")
    panel = notes_window.results
    assert os.path.basename(panel.model.index(0, 0).data(ResultRole.PATH)) == "health.md"
    assert "cholesterol" in panel.header.text()
    assert panel.notes.isVisibleTo(panel)
    assert "No document has “cholestrol”" in panel.notes.text()


def test_clicking_did_you_mean_searches_the_spelling(notes_window, qtbot):
    search(qtbot, notes_window, "cholestrol oats")
    panel = notes_window.results
    assert "Did you mean" in panel.notes.text()
    with qtbot.waitSignal(notes_window.results_shown, timeout=WAIT_MS):
        panel.notes.linkActivated.emit("cholesterol oats")
    assert notes_window.search_bar.text() == "cholesterol oats"
    qtbot.waitUntil(
        lambda: notes_window.last_outcome.request.text == "cholesterol oats", timeout=WAIT_MS
    )
    assert "Did you mean" not in panel.notes.text()


def test_a_missing_phrase_is_said_above_the_results(indexed_window, qtbot):
    search(qtbot, indexed_window, '"oven hot"')
    panel = indexed_window.results
    assert panel.model.rowCount() > 0
    assert "exact phrase “oven hot”" in panel.notes.text()
    search(qtbot, indexed_window, "volcano")
    assert not panel.notes.isVisibleTo(panel)


def test_a_row_cuts_the_snippet_start_to_show_its_first_marked_word() -> None:
    # The core centres a snippet on its match (the CLI prints it whole); a row shows two lines,
    # which could end just before the match.
    text = (
        "Annual check-up, March. Blood pressure normal, weight steady, sleep fine. "
        "Cholesterol was a little high. Walk every day, at least thirty minutes."
    )
    start = text.index("Walk")
    marks = ((start, start + 4), (start + 5, start + 10), (start + 11, start + 14))
    shown, moved = bring_first_mark_into_view(text, marks, visible=90)
    assert shown.startswith("…") and [shown[s:e] for s, e in moved] == ["Walk", "every", "day"]
    assert moved[0][0] < 40 and shown[1:].split()[0] in text.split()
    # A mark already in view, or no mark at all: the snippet as it was.
    assert bring_first_mark_into_view(text, marks, visible=len(text)) == (text, marks)
    assert bring_first_mark_into_view(text, (), visible=10) == (text, ())


def test_a_snippet_laid_out_for_one_width_is_laid_out_again_for_another(qtbot) -> None:
    """Rows keep their laid-out snippets between repaints, but a wider or narrower list (or
    other marks) gets its own: the '…' goes where the text is cut at that width."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette

    from desktop_search.gui import results_delegate

    text = "Roast the aubergine with garlic, then blend it with lemon and tahini. " * 10
    marks = ((10, 19),)
    font, palette = QFont(), QPalette()
    image = QImage(1200, 200, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        results_delegate._SNIPPET_LAYOUTS.clear()
        for width in (300, 300, 1100):
            ResultsDelegate._paint_snippet(
                painter, QRectF(0, 0, width, 80), text, marks, font, QColor("black"), palette
            )
        ResultsDelegate._paint_snippet(
            painter, QRectF(0, 0, 300, 80), text, ((0, 5),), font, QColor("black"), palette
        )
    finally:
        painter.end()
    layouts = list(results_delegate._SNIPPET_LAYOUTS.values())
    assert len(layouts) == 3  # the repaint at 300 px reused the first
    (narrow, narrow_cut), (wide, wide_cut), _ = layouts
    assert narrow_cut is not None and wide_cut is not None  # the text is longer than 2 lines
    assert narrow.lineAt(1).textStart() < wide.lineAt(1).textStart()
    assert narrow_cut.x() <= 300 < wide_cut.x()
