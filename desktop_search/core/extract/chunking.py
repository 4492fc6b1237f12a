"""Page texts -> passages. Pure functions; every chunk keeps its page and character offsets."""

from __future__ import annotations

import re
from collections.abc import Iterable

from desktop_search.core.models import Chunk, PageText

# Prefer to end a passage at a paragraph, then a sentence, then any whitespace.
_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"[.!?;:。！？]\s"), re.compile(r"\s"))


def chunk_pages(pages: Iterable[PageText], size: int, overlap: int) -> list[Chunk]:
    """Split each page into windows of about `size` characters sharing `overlap` characters.

    Passages never span pages, so a hit always names one page. Whitespace-only pages give none.
    """
    if size <= 0 or not 0 <= overlap < size:
        raise ValueError("size must be positive and overlap in [0, size)")
    chunks: list[Chunk] = []
    for page in pages:
        chunks.extend(_chunk_text(page.page, page.text, size, overlap))
    return chunks


def _chunk_text(page: int, text: str, size: int, overlap: int) -> list[Chunk]:
    n = len(text)
    start = _skip_space(text, 0)
    out: list[Chunk] = []
    while start < n:
        end = min(n, start + size)
        if end < n:
            end = _break_before(text, start, end, size)
        piece = text[start:end]
        if piece.strip():
            stripped_end = start + len(piece.rstrip())
            out.append(
                Chunk(page=page, start=start, end=stripped_end, text=text[start:stripped_end])
            )
        if end >= n:
            break
        nxt = max(end - overlap, start + 1)
        # Start the next window at a word boundary so no passage begins mid-word.
        nxt = _word_start(text, nxt, end)
        start = _skip_space(text, nxt)
    return out


def _break_before(text: str, start: int, end: int, size: int) -> int:
    """The best break point in the last part of the window; `end` when there is none."""
    floor = start + size // 2
    window = text[floor:end]
    for pattern in _BREAKS:
        matches = list(pattern.finditer(window))
        if matches:
            return floor + matches[-1].end()
    return end


def _word_start(text: str, pos: int, limit: int) -> int:
    if pos <= 0 or text[pos - 1].isspace():
        return pos
    for i in range(pos, limit):
        if text[i].isspace():
            return i
    return pos


def _skip_space(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos].isspace():
        pos += 1
    return pos
