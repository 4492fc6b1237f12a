"""Preview of Office, OpenDocument, RTF, web-page and e-mail hits: the page's text, with the
passage marked where indexing found it."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_search.core.extract.chunking import chunk_pages
from desktop_search.core.extract.reader import extract
from desktop_search.core.models import DocumentResult, Hit
from tests.core.extract.office_files import UNUSUAL_WORDS, make_one_of_each
from tests.gui.conftest import WAIT_MS


@pytest.fixture(scope="module")
def one_of_each(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_one_of_each(tmp_path_factory.mktemp("formats"))


def _indexed_passage(path: Path, word: str) -> tuple[DocumentResult, Hit]:
    """The passage holding `word`, cut as the indexer cuts it (same pages, same offsets)."""
    doc = extract(str(path))
    assert doc is not None
    chunk = next(c for c in chunk_pages(doc.pages, 900, 150) if word in c.text)
    hit = Hit(1, chunk.page, 1.0, chunk.text, (), chunk.text, chunk.start, chunk.end)
    kind = path.suffix.lstrip(".")
    return DocumentResult(str(path), doc.title, 1.0, kind, 0.0, (hit,)), hit


@pytest.fixture
def preview(qtbot):
    from desktop_search.gui.preview import PreviewWidget

    widget = PreviewWidget()
    qtbot.addWidget(widget)
    widget.resize(600, 800)
    widget.show()
    yield widget
    widget.shutdown()


@pytest.mark.parametrize("kind", list(UNUSUAL_WORDS))
def test_hit_is_marked_in_the_page_text(
    qtbot, preview, one_of_each: dict[str, Path], kind: str
) -> None:
    word = UNUSUAL_WORDS[kind]
    doc, hit = _indexed_passage(one_of_each[kind], word)
    with qtbot.waitSignal(preview.shown, timeout=WAIT_MS, check_params_cb=lambda k: k == "text"):
        preview.show_passage(doc, hit)
    selections = preview.text.extraSelections()
    marked = selections[0].cursor
    # The stored offsets point at the passage itself: the page text is the indexed text.
    assert (marked.selectionStart(), marked.selectionEnd()) == (hit.start, hit.end)
    assert word in marked.selectedText()
    assert preview.title.full_text() == one_of_each[kind].name
