"""Scanned pages in the window: their own progress line, and a hit on a scanned page
highlighted in the preview from the words text recognition found."""

from __future__ import annotations

from pathlib import Path

from desktop_search.core.models import ReadingScans
from desktop_search.gui.status_panel import StatusPanel
from tests.gui.conftest import WAIT_MS, collect_events, search, wait_for_event
from tests.scanned_files import make_mixed_scanned_pdf


def test_reading_scanned_pages_has_its_own_progress_line(qtbot) -> None:
    panel = StatusPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.handle_event(ReadingScans(done=12, total=140, rate=0.5, eta=256.0))
    assert panel.scans.isVisible()
    assert panel.scans.text() == "Reading scanned pages: 12 of 140, about 4 min left"
    assert panel.pause_button.isVisible()  # reading scans can be paused like the rest
    panel.handle_event(ReadingScans(done=140, total=140, rate=0.5, eta=0.0))
    assert not panel.scans.isVisible() and not panel.pause_button.isVisible()


def test_a_hit_on_a_scanned_page_is_highlighted_in_the_preview(window, qtbot, tmp_path: Path):
    folder = tmp_path / "scans"
    make_mixed_scanned_pdf(
        folder / "mixed.pdf",
        ["Glaciers carve valleys over thousands of years."],
        "The quartermaster counted seven xylophones in the harbour warehouse.",
    )
    events = collect_events(window)
    window.add_paths([str(folder)])
    wait_for_event(qtbot, events, lambda e: isinstance(e, ReadingScans) and e.done == e.total)
    search(qtbot, window, "xylophones")
    window.results.focus_results()
    current = window.results.current_passage()
    assert current is not None
    doc, hit = current
    assert hit.page == 2
    preview = window.preview
    qtbot.waitUntil(
        lambda: preview.showing == (doc.path, 2) and preview.mode == "page", timeout=WAIT_MS
    )
    rects = preview.canvas.logical_rects()
    assert rects, "the passage should be located on the scanned page from its word boxes"
    for rect in rects:
        assert 0 <= rect.left() < rect.right() <= preview.canvas.width() + 1
        assert 0 <= rect.top() < rect.bottom() <= preview.canvas.height() + 1
