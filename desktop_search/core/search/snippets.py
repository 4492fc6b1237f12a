"""Snippets: the window of a passage around its matched words, and which words are marked."""

from __future__ import annotations

import re

from desktop_search.core.models import Hit, ParsedQuery
from desktop_search.core.search.query import stem
from desktop_search.core.storage.index import ChunkRow

SNIPPET_CHARS = 260
_WORD_SPAN = re.compile(r"\w+", re.UNICODE)


def mark_terms(parsed: ParsedQuery) -> set[str]:
    """The stems a snippet marks: the query's words and its phrases' words, minus the
    smallest function words."""
    found = [t for t in parsed.terms] + [w for p in parsed.phrases for w in p.split()]
    return {stem(t) for t in found if t and t not in _SKIP_MARK}


_SKIP_MARK = frozenset({"a", "an", "the", "of", "and", "or", "to", "in", "is", "on", "for"})


def make_hit(chunk: ChunkRow, score: float, marks: set[str]) -> Hit:
    """A passage as a result: its snippet with the marked words' spans."""
    snippet = _snippet_window(chunk.text, marks)
    highlights = tuple(
        (m.start(), m.end()) for m in _WORD_SPAN.finditer(snippet) if stem(m.group()) in marks
    )
    return Hit(
        chunk_id=chunk.id,
        page=chunk.page,
        score=round(score, 6),
        snippet=snippet,
        highlights=highlights,
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
    )


def _snippet_window(text: str, marks: set[str]) -> str:
    """About SNIPPET_CHARS of the passage around its densest cluster of matched words."""
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    positions = [m.start() for m in _WORD_SPAN.finditer(flat) if stem(m.group()) in marks]
    start = 0
    if positions:
        best, best_count = positions[0], 0
        for i, pos in enumerate(positions):
            count = sum(1 for p in positions[i:] if p - pos < SNIPPET_CHARS * 0.8)
            if count > best_count:
                best, best_count = pos, count
        start = max(0, best - SNIPPET_CHARS // 5)
    end = min(len(flat), start + SNIPPET_CHARS)
    start = max(0, end - SNIPPET_CHARS)
    if start > 0:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > end - 30 else end
    snippet = flat[start:end]
    return ("…" if start > 0 else "") + snippet + ("…" if end < len(flat) else "")
