"""Chunking: windows with overlap that never cross pages and map back to page offsets."""

from __future__ import annotations

import pytest

from desktop_search.core.extract.chunking import chunk_pages
from desktop_search.core.models import PageText


def test_offsets_point_into_the_page_text() -> None:
    text = "One sentence here. " * 200
    chunks = chunk_pages([PageText(4, text)], size=300, overlap=60)
    assert len(chunks) > 5
    for chunk in chunks:
        assert chunk.page == 4
        assert text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 300
    # neighbours overlap, and together they cover the page
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.start < a.end
    assert chunks[0].start == 0 and chunks[-1].end == len(text.rstrip())


def test_breaks_prefer_sentence_ends() -> None:
    text = ("Alpha beta gamma delta. " * 30).strip()
    chunks = chunk_pages([PageText(1, text)], size=200, overlap=20)
    assert all(c.text.endswith(".") for c in chunks[:-1])


def test_pages_are_never_merged_and_blank_pages_vanish() -> None:
    chunks = chunk_pages([PageText(1, "short"), PageText(2, "  \n "), PageText(3, "also")], 200, 20)
    assert [(c.page, c.text) for c in chunks] == [(1, "short"), (3, "also")]


def test_text_without_spaces_is_still_cut() -> None:
    text = "x" * 1000
    chunks = chunk_pages([PageText(1, text)], size=300, overlap=50)
    assert "".join(c.text for c in chunks).count("x") >= 1000
    assert max(len(c.text) for c in chunks) <= 300


def test_bad_sizes_are_rejected() -> None:
    with pytest.raises(ValueError):
        chunk_pages([PageText(1, "a")], size=100, overlap=100)
