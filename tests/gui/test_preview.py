"""Preview: a real PDF page rendered with the passage highlighted; zoom; passages; text files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor

from desktop_search.gui.results_model import ResultRole
from tests.core.extract.test_page_renderer import needs_never_finishing_page
from tests.gui.conftest import WAIT_MS, search


def _select_top(qtbot, window, kind: str = "page") -> None:
    """Until the first passage (selected with the results) is drawn in the preview."""
    preview = window.preview
    window.results.focus_results()
    current = window.results.current_passage()
    assert current is not None
    doc, hit = current
    qtbot.waitUntil(
        lambda: preview.showing == (doc.path, hit.page) and preview.mode == kind, timeout=WAIT_MS
    )


def test_pdf_page_is_rendered_with_the_passage_highlighted(indexed_window, qtbot):
    search(qtbot, indexed_window, "sourdough starter")
    _select_top(qtbot, indexed_window)
    preview = indexed_window.preview
    assert preview.mode == "page"
    canvas = preview.canvas
    image = canvas.image
    assert not image.isNull()
    # Rendered in device pixels, shown at logical size: sharp on high-DPI screens.
    dpr = preview.devicePixelRatioF()
    assert image.devicePixelRatio() == dpr
    assert abs(canvas.width() * dpr - image.width()) <= 1
    rects = canvas.logical_rects()
    assert rects, "the matched passage should be located on the page"
    for rect in rects:
        assert 0 <= rect.left() < rect.right() <= canvas.width() + 1
        assert 0 <= rect.top() < rect.bottom() <= canvas.height() + 1
    # The highlight is painted: a pixel inside the passage is tinted, a margin pixel is white.
    shot = canvas.grab().toImage()
    scale = shot.width() / canvas.width()
    inside = rects[0].center()
    tinted = QColor(shot.pixel(int(inside.x() * scale), int(inside.y() * scale)))
    margin = QColor(shot.pixel(int(5 * scale), int((canvas.height() - 5) * scale)))
    assert margin.blue() > 240
    assert tinted.blue() < tinted.red() - 60  # yellow over white (or over black text)
    assert preview.title.full_text() == "baking.pdf"


def test_zoom_in_renders_a_bigger_page(indexed_window, qtbot):
    search(qtbot, indexed_window, "sourdough")
    _select_top(qtbot, indexed_window)
    preview = indexed_window.preview
    width = preview.canvas.image.width()
    with qtbot.waitSignal(preview.shown, timeout=WAIT_MS):
        preview.zoom_in()
    assert preview.canvas.image.width() > width * 1.15
    assert not preview.fit_button.isChecked()
    with qtbot.waitSignal(preview.shown, timeout=WAIT_MS):
        preview.zoom_out()
    assert abs(preview.canvas.image.width() - width) <= 2


def test_next_and_previous_passage_buttons_move_through_hits(indexed_window, qtbot):
    search(qtbot, indexed_window, "volcano", mode="keyword")
    _select_top(qtbot, indexed_window)
    preview = indexed_window.preview
    panel = indexed_window.results
    total = len(panel.model.passage_indexes())
    page = panel.current_passage()[1].page
    assert preview.position.text() == f"p. {page} · hit 1 of {total}"
    assert not preview.prev_button.isEnabled()
    if total > 1:
        preview.next_button.click()
        page = panel.current_passage()[1].page
        assert preview.position.text() == f"p. {page} · hit 2 of {total}"
        assert preview.prev_button.isEnabled()
        preview.prev_button.click()
        assert preview.position.text().endswith(f"hit 1 of {total}")
    assert panel.view.currentIndex().data(ResultRole.FILE_NAME) == "volcano.pdf"


def test_markdown_file_gets_a_text_preview_with_the_passage_marked(indexed_window, qtbot):
    search(qtbot, indexed_window, "supernova neutron")
    assert indexed_window.results.model.index(0, 0).data(ResultRole.FILE_NAME) == "astronomy.md"
    _select_top(qtbot, indexed_window, "text")
    preview = indexed_window.preview
    assert "supernova" in preview.text.toPlainText()
    selections = preview.text.extraSelections()
    assert selections
    marked = selections[0].cursor.selectedText()
    assert "supernova" in marked.lower()


def test_a_deleted_file_shows_a_message_not_a_crash(indexed_window, qtbot, corpus: Path):
    search(qtbot, indexed_window, "dividend buyback")
    _select_top(qtbot, indexed_window)
    (corpus / "finance.pdf").unlink()
    preview = indexed_window.preview
    preview.zoom_in()  # the page is drawn again, from a file that is gone now
    qtbot.waitUntil(lambda: preview.mode == "message", timeout=WAIT_MS)
    assert "no longer exists" in preview.message.text()
    assert not indexed_window.error_dialogs


HIDPI_SCRIPT = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["QT_SCALE_FACTOR"] = "2"
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop_search.core.models import DocumentResult, Hit
from desktop_search.gui.preview import PreviewWidget
text = "Knead the dough"
hit = Hit(1, 1, 1.0, text, (), text, 0, len(text))
doc = DocumentResult(sys.argv[1], "baking", 1.0, "pdf", 0.0, (hit,))
w = PreviewWidget(); w.resize(700, 900); w.show()
shown = []
w.shown.connect(shown.append)
w.show_passage(doc, hit)
while "page" not in shown and "message" not in shown:
    app.processEvents()
img = w.canvas.image
print(w.mode, w.devicePixelRatioF(), img.devicePixelRatio(), img.width(), w.canvas.width(),
      len(w.canvas.rects))
w.shutdown()
"""


def test_high_dpi_renders_at_device_resolution(corpus: Path, tmp_path: Path):
    """With a 2x screen the page is rendered at twice the pixels and shown at logical size."""
    import subprocess
    import sys

    script = tmp_path / "hidpi.py"
    script.write_text(HIDPI_SCRIPT, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(script), str(corpus / "baking.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    mode, screen_dpr, image_dpr, pixels, logical, rects = out.stdout.split()[-6:]
    assert mode == "page"
    assert float(screen_dpr) == 2.0 and float(image_dpr) == 2.0
    assert abs(int(pixels) - 2 * int(logical)) <= 2
    assert int(rects) >= 1


def _passage(path: Path, text: str) -> tuple[object, object]:
    from desktop_search.core.models import DocumentResult, Hit

    hit = Hit(1, 1, 1.0, text, (), text, 0, len(text))
    return DocumentResult(str(path), path.stem, 1.0, "pdf", 0.0, (hit,)), hit


def _ticks_while_drawing(preview) -> tuple[object, list[int]]:
    """A 10 ms timer on the GUI thread that counts its ticks while the renderer is drawing."""
    from PySide6.QtCore import QTimer

    ticks = [0]

    def tick() -> None:
        if preview.renderer._busy_since is not None:
            ticks[0] += 1

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    return timer, ticks


def _cancellable(renderer) -> bool:
    """The running request has run long enough for `cancel()` to abandon it."""
    import inspect
    import time

    older_than = inspect.signature(renderer.cancel).parameters["older_than_s"].default
    since = renderer._busy_since
    return since is not None and time.monotonic() - since >= older_than


@needs_never_finishing_page
def test_a_page_that_never_finishes_drawing_leaves_the_window_responsive(qtbot):
    from desktop_search.gui.preview import PreviewWidget
    from tests.core.extract.test_page_renderer import NEVER_FINISHES

    preview = PreviewWidget()
    qtbot.addWidget(preview)
    preview.renderer.timeout_s = 2.0
    preview.resize(600, 800)
    preview.show()
    timer, ticks = _ticks_while_drawing(preview)
    doc, hit = _passage(NEVER_FINISHES, "PLK1")
    with qtbot.waitSignal(preview.shown, timeout=WAIT_MS, check_params_cb=lambda k: k == "message"):
        preview.show_passage(doc, hit)
    timer.stop()
    assert preview.message.text() == (
        "Page 1 can't be previewed: drawing it took longer than 2 s. "
        "Open the file to see it in your viewer."
    )
    # The GUI thread kept handling its timer while the page was drawing elsewhere; drawing
    # in-process would have blocked it until the time limit, so no tick would be counted.
    assert ticks[0] >= 2
    preview.shutdown()


@needs_never_finishing_page
def test_choosing_another_passage_drops_a_page_still_drawing(qtbot, corpus: Path):
    from desktop_search.gui.preview import PreviewWidget
    from tests.core.extract.test_page_renderer import NEVER_FINISHES

    preview = PreviewWidget()
    qtbot.addWidget(preview)
    # Far beyond the wait below: the next page can only arrive if the stuck one is dropped.
    preview.renderer.timeout_s = 3600.0
    preview.resize(600, 800)
    preview.show()
    shown: list[str] = []
    preview.shown.connect(shown.append)
    preview.show_passage(*_passage(NEVER_FINISHES, "PLK1"))
    qtbot.waitUntil(lambda: _cancellable(preview.renderer), timeout=WAIT_MS)
    stuck_worker = preview.renderer._process.pid
    with qtbot.waitSignal(preview.shown, timeout=WAIT_MS, check_params_cb=lambda k: k == "page"):
        preview.show_passage(*_passage(corpus / "baking.pdf", "Knead the dough"))
    assert preview.renderer._process.pid != stuck_worker  # the stuck drawing was killed
    assert "message" not in shown  # the abandoned page reports nothing
    preview.shutdown()


def test_the_same_passage_found_by_another_query_is_marked_again(qtbot, tmp_path: Path):
    """A note's one passage is the first hit of two queries in a row: the preview marks the
    second query's word, not the first one's (it used to keep the old marks)."""
    from desktop_search.core.models import DocumentResult, Hit
    from desktop_search.gui.preview import PreviewWidget

    text = "The doctor said my cholesterol was a bit high."
    note = tmp_path / "health.md"
    note.write_text(text, encoding="utf-8")

    def found_by(word: str) -> tuple[DocumentResult, Hit]:
        at = text.index(word)
        hit = Hit(
            1, 1, 1.0, text, (), text, 0, len(text),
            focus=(0, len(text)), marks=((at, at + len(word)),),
        )  # fmt: skip
        return DocumentResult(str(note), "health", 1.0, "md", 0.0, (hit,)), hit

    preview = PreviewWidget()
    qtbot.addWidget(preview)
    preview.resize(600, 400)
    preview.show()
    for word in ("doctor", "cholesterol"):
        with qtbot.waitSignal(preview.shown, timeout=WAIT_MS):
            preview.show_passage(*found_by(word))
        marked = [s.cursor.selectedText() for s in preview.text.extraSelections()[1:]]
        assert marked == [word]
    preview.shutdown()
