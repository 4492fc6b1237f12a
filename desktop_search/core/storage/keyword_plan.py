"""How a keyword query is put to FTS5 so it stays fast on big indexes and ranks as BM25 does.

FTS5 scores every passage its MATCH expression selects, at about two microseconds each, and a
question of ten words easily selects most of a big index through its common words ("flow",
"method"). Yet those words weigh little in BM25 (the inverse document frequency of a word in a
third of all passages is a tenth of a rare word's), so a passage holding none of the query's
rarer words almost never ranks. The plan therefore splits the query's words by how many
passages hold them (counted once and cached):

- *selective* words, rarest first while the passages they select fit a budget: they choose
  which passages are scored;
- *common* words: scored exactly on those passages, through `(selective) AND (common OR
  <the token every passage has>)`, which selects the same passages as `selective` alone while
  FTS5's BM25 still counts every common word a selected passage holds;
- words in half the passages or more are left out: FTS5 gives them no weight (its IDF floors
  at zero there), so leaving them out changes no score. On the very largest indexes, common
  words past a second budget are left out too (they cost a scan of their passages each query).

A query whose words all fit the first budget (any query on a small index) runs unchanged. On
100k passages of the latency benchmark's text, the top 10 passages of its queries are 97% those
of BM25 over every word, and the ranking is 3-4 times faster (benchmarks/latency.py, 'fts5
only'); on 1M passages, 61% and about 9 times faster (the common words past the second budget
are what differs).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from desktop_search.core.storage.keyword_text import (
    EVERY_PASSAGE_TOKEN,
    RUN_BREAK_TOKEN,
    grams_phrase,
    has_cjk,
)

# Passages the selective words may select: about what FTS5 scores in 20-30 ms on 2 cores.
SELECTIVE_BUDGET = 10_000
# Passages the common words may hold between them (each is scanned once per query to weigh it).
COMMON_BUDGET = 600_000
# A count this large stays trusted while the index grows or shrinks by less than this share;
# a smaller one only until the next write (a word the index lacked a moment ago must be found
# as soon as a passage with it is written).
_STALE_SHARE = 0.1
_CACHE_MIN = 1000
_CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class KeywordQuery:
    """What keyword search ranks by: any of `terms` may match (a word said twice weighs
    twice), no passage holding one of the `excluded` phrases is returned."""

    terms: tuple[str, ...]
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeywordPlan:
    """An FTS5 expression for a KeywordQuery, and how many passages its selective words hold
    (how much scoring it will cost)."""

    expression: str
    selected: int


def word_phrase(word: str, grams: bool = True) -> str:
    """The FTS5 phrase for one query word: CJK words by their grams (found inside longer runs
    of characters), other words as they are (stemmed and accent-folded by FTS5)."""
    if grams and has_cjk(word):
        # No column filter: FTS5 reads every position to apply one, and a pair of characters
        # alone in the text (a two-character word between spaces) is the same word.
        return f'"{grams_phrase(word)}"'
    if word.strip().lower() in (EVERY_PASSAGE_TOKEN, RUN_BREAK_TOKEN):
        return f'text : "{word}"'  # the grams column's own tokens are no words
    return '"' + word.replace('"', "") + '"'


def phrase_match(phrase: str, grams: bool = True) -> str:
    """The FTS5 expression for words that must appear in this order ("an exact phrase"); a
    phrase with CJK words asks for each of its words instead."""
    words = phrase.split()
    if not words:
        return '""'
    if grams and any(has_cjk(w) for w in words):
        return "(" + " AND ".join(word_phrase(w) for w in words) + ")"
    return '"' + " ".join(w.replace('"', "") for w in words) + '"'


def term_phrase(text: str, grams: bool = True) -> str:
    """The FTS5 phrase for one query word, or for the words of an exact phrase in order."""
    return phrase_match(text, grams) if len(text.split()) > 1 else word_phrase(text, grams)


class WordCounts:
    """How many passages hold each query word, counted by FTS5 and cached: a large count (the
    costly kind to make) while the index keeps about its size, any count while the keyword
    index is unchanged (a question of thirty words would otherwise count its rare words again
    at every search: about 5 ms on 100k passages)."""

    def __init__(self) -> None:
        # phrase -> (passages, index size then, the keyword index's structure record then)
        self._counts: dict[str, tuple[int, int, bytes]] = {}
        self._lock = threading.Lock()

    def passages(self, db: sqlite3.Connection) -> int:
        """How many passages the keyword index holds (FTS5's own total, read in O(1))."""
        row = db.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone()
        return _first_varint(row[0]) if row and row[0] else 0

    def holding(self, db: sqlite3.Connection, phrases: Iterable[str]) -> tuple[dict[str, int], int]:
        """How many passages match each of `phrases` (0 for a phrase FTS5 rejects), and how
        many passages the index holds."""
        total = self.passages(db)
        structure = _structure(db)  # once for all the phrases: one query sees one index
        counts = {p: self._holding(db, p, total, structure) for p in dict.fromkeys(phrases)}
        return counts, total

    def _holding(self, db: sqlite3.Connection, phrase: str, total: int, structure: bytes) -> int:
        with self._lock:
            known = self._counts.get(phrase)
        if known is not None:
            count, total_then, structure_then = known
            if structure_then == structure or (
                count >= _CACHE_MIN and abs(total_then - total) <= _STALE_SHARE * total_then
            ):
                return count
        try:
            sql = "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?"
            count = int(db.execute(sql, (phrase,)).fetchone()[0])
        except sqlite3.OperationalError:
            count = 0
        with self._lock:
            if len(self._counts) >= _CACHE_LIMIT:
                self._counts.clear()
            self._counts[phrase] = (count, total, structure)
        return count


def plan(
    db: sqlite3.Connection, counts: WordCounts, query: KeywordQuery, grams: bool
) -> KeywordPlan | None:
    """The expression to rank `query` by (see the module's docstring), or None when none of
    its words is in the index.

    Args:
        db: A connection to the catalog.
        counts: The word counts' cache.
        query: The words.
        grams: Whether the catalog has the grams column (format 2); without it every word is
            scored everywhere it appears, as format 1 did.
    """
    phrases = [word_phrase(t, grams) for t in query.terms if t.strip()]
    if not phrases:
        return None
    held, total = counts.holding(db, phrases)
    present = sorted((p for p in held if held[p] > 0), key=lambda p: held[p])
    if not present:
        return None
    # FTS5's IDF is zero for a word in half the passages or more: leaving it out changes no
    # score, but the rarest word stays so that a query of common words still finds them.
    weighed = [p for p in present if 2 * held[p] < total] or present[:1]
    selective: list[str] = []
    common: list[str] = []
    selected = held_common = 0
    for p in weighed:
        if not selective or (selected + held[p] <= SELECTIVE_BUDGET and not common):
            selective.append(p)
            selected += held[p]
        elif held_common + held[p] <= COMMON_BUDGET or not grams:
            common.append(p)
            held_common += held[p]
    if not grams:  # format 1 has no token in every passage: score everything selected
        selective, common = selective + common, []
    # Each phrase as often as the query said it, so a repeated word weighs more.
    repeats = {p: phrases.count(p) for p in held}
    expression = _any_of([p for p in selective for _ in range(repeats[p])])
    if common:
        scored = [p for p in common for _ in range(repeats[p])]
        expression += " AND " + _any_of([*scored, f'"{EVERY_PASSAGE_TOKEN}"'])
    if query.excluded:
        excluded = " OR ".join(phrase_match(e, grams) for e in query.excluded)
        expression = f"({expression}) NOT ({excluded})"
    return KeywordPlan(expression, selected)


def _any_of(phrases: Sequence[str]) -> str:
    return "(" + " OR ".join(phrases) + ")"


def _structure(db: sqlite3.Connection) -> bytes:
    """FTS5's structure record: rewritten, with a new write counter, by every write to the
    keyword index, so counts taken under one record are still exact while it is the same."""
    row = db.execute("SELECT block FROM chunks_fts_data WHERE id = 10").fetchone()
    return bytes(row[0]) if row and row[0] else b""


def _first_varint(blob: bytes) -> int:
    """The first SQLite varint of `blob` (FTS5's averages record starts with the row count)."""
    value = 0
    for i, byte in enumerate(blob[:9]):
        if i == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value
    return value
