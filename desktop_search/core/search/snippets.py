"""Snippets: the window of a passage centred on its best-matching span, and which words are marked.

The best-matching span is the shortest stretch that holds the most (and the rarest) of the
query's words; for a passage found by meaning alone it is the sentence nearest the question.
Stop words are never marked: "with" lights up in every passage and tells the reader nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from desktop_search.core.models import Hit, ParsedQuery
from desktop_search.core.search.query import STOPWORDS, cjk_matches, stem
from desktop_search.core.storage.index import ChunkRow

SNIPPET_CHARS = 260
# Matched words closer than this belong to one span (the snippet shows a span whole).
SPAN_CHARS = int(SNIPPET_CHARS * 0.8)
_WORD_SPAN = re.compile(r"\w+", re.UNICODE)
# A sentence ends at . ! ? ; (or their CJK forms) before a space, or at a blank line.
_SENTENCE_END = re.compile(r"(?<=[.!?;。！？])\s+|\n\s*\n")


def mark_terms(parsed: ParsedQuery) -> frozenset[str]:
    """The stems a snippet marks: the query's words and its phrases' words, minus stop words
    (unless the query is nothing else, as in a search for "The Who")."""
    found = [t for t in parsed.terms] + [w for p in parsed.phrases for w in p.split()]
    content = [t for t in found if t and t not in STOPWORDS]
    return frozenset(stem(t) for t in (content or [t for t in found if t]))


@dataclass(frozen=True)
class Evidence:
    """What is known about one passage when its hit is made: `weights`, stem -> how much a
    match on it says (rarer words weigh more); `confidence` and `found_by` as in Hit."""

    weights: Mapping[str, float]
    confidence: float = 0.0
    found_by: str = ""


def make_hit(
    chunk: ChunkRow, score: float, marks: frozenset[str], evidence: Evidence | None = None
) -> Hit:
    """A passage as a result: its snippet centred on the best-matching span, marked words."""
    evidence = evidence or Evidence({})
    text = chunk.text
    words = matched_words(text, marks)
    focus = best_span(words, evidence.weights) or sentence_around(text, 0)
    snippet = snippet_around(text, focus)
    highlights = tuple((start, end) for _, start, end in matched_words(snippet, marks))
    return Hit(
        chunk_id=chunk.id,
        page=chunk.page,
        score=round(score, 6),
        snippet=snippet,
        highlights=highlights,
        text=text,
        start=chunk.start,
        end=chunk.end,
        confidence=round(evidence.confidence, 3),
        found_by=evidence.found_by,
        matched_terms=tuple(dict.fromkeys(w.lower() for w, _, _ in words)),
        focus=focus,
        marks=tuple((s, e) for _, s, e in words),
    )


@lru_cache(maxsize=65536)
def _is_mark(word: str, marks: frozenset[str]) -> bool:
    # Cached: a search marks every word of about thirty passages, most of them seen before
    # (a frozenset keeps its hash, so the key costs little).
    lower = word.lower()
    return stem(lower) in marks and (lower not in STOPWORDS or lower in marks)


@lru_cache(maxsize=256)
def _candidates(marks: frozenset[str]) -> re.Pattern[str] | None:
    """ASCII words that may be marks: those starting with a mark's first three letters."""
    starts = sorted({re.escape(m[:3]) for m in marks if m and m.isascii()})
    if not starts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(starts) + r")\w*", re.IGNORECASE)


def matched_words(text: str, marks: set[str] | frozenset[str]) -> list[tuple[str, int, int]]:
    """(word, start, end) of every marked word in `text`, in order (CJK words found inside
    longer runs of characters too)."""
    frozen = marks if isinstance(marks, frozenset) else frozenset(marks)
    return list(_matched_words(text, frozen))


@lru_cache(maxsize=512)
def _matched_words(text: str, frozen: frozenset[str]) -> tuple[tuple[str, int, int], ...]:
    # Cached: a passage's words are looked at twice per search (for its evidence, then for
    # its snippet), and a long question marks thirty words or more.
    words = []
    # In ASCII text a word's stem is a prefix of the word, so only words that start like a
    # mark are looked at (most passages: a few candidates instead of every word).
    finder = _candidates(frozen) if text.isascii() else _WORD_SPAN
    for m in finder.finditer(text) if finder is not None else ():
        word = m.group()
        if _is_mark(word, frozen):
            words.append((word, m.start(), m.end()))
    found = cjk_matches(text, frozen)
    return tuple(sorted(words + found, key=lambda w: w[1]) if found else words)


def best_span(
    words: list[tuple[str, int, int]], weights: Mapping[str, float]
) -> tuple[int, int] | None:
    """The stretch of at most SPAN_CHARS holding the most weight of distinct query words
    (a repeat adds a little; shorter wins a tie), as (start, end) offsets; None when no
    word matched."""
    if not words:
        return None
    best: tuple[float, int, int, int] | None = None  # (weight, -length, start, end)
    for i, (_, first_start, _) in enumerate(words):
        seen: set[str] = set()
        weight = 0.0
        for word, _, end in words[i:]:
            if end - first_start > SPAN_CHARS:
                break
            key = stem(word.lower())
            if key in seen:
                weight += 0.05
            else:
                seen.add(key)
                weight += weights.get(key, 1.0)
            candidate = (weight, first_start - end, first_start, end)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    assert best is not None
    return best[2], best[3]


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text` (whitespace at its ends left out)."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.start() if m is not None else len(text)
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((start + lead, start + len(piece.rstrip())))
        if m is not None:
            start = m.end()
    return out


def sentence_around(text: str, position: int) -> tuple[int, int]:
    """The sentence of `text` that holds `position` (the whole text when it has none)."""
    for start, end in sentences(text):
        if start <= position < end or position < start:
            return start, end
    return 0, len(text)


def snippet_around(text: str, focus: tuple[int, int]) -> str:
    """About SNIPPET_CHARS of `text` with `focus` in the middle (from its start when the
    focus is longer), cut at word boundaries, whitespace collapsed, '…' where text is cut."""
    n = len(text)
    if len(" ".join(text.split())) <= SNIPPET_CHARS:
        return " ".join(text.split())
    focus_start, focus_end = max(0, focus[0]), min(n, max(focus[1], focus[0]))
    middle = (focus_start + focus_end) // 2
    start = max(0, min(middle - SNIPPET_CHARS // 2, focus_start))
    end = min(n, start + SNIPPET_CHARS)
    start = max(0, min(start, end - SNIPPET_CHARS))
    # A sentence that starts a little before the window reads better from its start.
    sentence_start = _sentence_start_before(text, start)
    if (
        sentence_start is not None
        and start - sentence_start <= 40
        and focus_end - sentence_start <= SNIPPET_CHARS
    ):
        start = sentence_start
        end = min(n, start + SNIPPET_CHARS)
    if start > 0 and not text[start - 1].isspace():
        space = _next_space(text, start, min(start + 30, focus_start))
        if space is None:  # no space before the focus: start at the word's own beginning
            space = max(text.rfind(" ", max(0, start - 30), start), text.rfind("\n", 0, start))
            space = space if space >= start - 30 else None
        start = space + 1 if space is not None else start
    if end < n and not text[end].isspace():
        space = text.rfind(" ", max(start, focus_end), end)
        cut = max(space, text.rfind("\n", max(start, focus_end), end))
        end = cut if cut > end - 30 else end
    snippet = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + snippet + ("…" if end < n and text[end:].strip() else "")


def _sentence_start_before(text: str, position: int) -> int | None:
    best = None
    for m in _SENTENCE_END.finditer(text, max(0, position - 60), position + 1):
        if m.end() <= position:
            best = m.end()
    return best


def _next_space(text: str, start: int, limit: int) -> int | None:
    for i in range(start, max(start, limit)):
        if text[i].isspace():
            return i
    return None
