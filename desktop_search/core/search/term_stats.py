"""How rare each query word is in the index: the weight a match on it carries.

A match on "cholesterol" says more than a match on "information" in a library of information
science papers; the snippet centres on the rarer word and a result's keyword evidence counts
what share of the query's weight it holds. Frequencies are cached until passages are added
(new passages get higher ids), so typing the same words again costs nothing.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Iterable

from desktop_search.core.search.query import stem, term_expression
from desktop_search.core.storage.index import Index

CACHE_WORDS = 20_000


class TermStats:
    """Passage frequencies of words in one index's keyword side. Safe from any thread."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self._lock = threading.Lock()
        self._frequencies: dict[str, int] = {}
        self._generation = -1
        self._passages = 1

    def frequencies(self, words: Iterable[str]) -> dict[str, int]:
        """word -> how many passages hold it (as the keyword index matches it: any form)."""
        generation = self._index.max_passage_id()
        with self._lock:
            if generation != self._generation or len(self._frequencies) > CACHE_WORDS:
                self._frequencies.clear()
                self._generation = generation
                self._passages = max(1, self._passage_count())
            known = dict(self._frequencies)
        out: dict[str, int] = {}
        for word in dict.fromkeys(words):
            count = known.get(word)
            if count is None:
                count = self._count(word)
                with self._lock:
                    self._frequencies[word] = count
            out[word] = count
        return out

    def weights(self, words: Iterable[str]) -> dict[str, float]:
        """stem -> the weight of a match on the word: BM25's inverse passage frequency."""
        words = list(dict.fromkeys(words))
        counts = self.frequencies(words)
        total = self._passages
        out: dict[str, float] = {}
        for word, count in counts.items():
            weight = math.log((total - count + 0.5) / (count + 0.5) + 1.0)
            key = stem(word)
            out[key] = max(out.get(key, 0.0), weight)
        return out

    def rarity(self, words: Iterable[str]) -> float:
        """How rare the rarest of `words` that the index holds is: its weight over the weight
        of a word found in one passage (0: in every passage, 1: in one). A word no passage
        holds is left out: it is matched by nothing, so it says nothing about the matches."""
        held = [w for w, n in self.frequencies(words).items() if n > 0]
        weights = self.weights(held)
        if not weights:
            return 0.0
        return max(weights.values()) / math.log(self._passages + 1.0)

    def _passage_count(self) -> int:
        return int(self._index.db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def _count(self, word: str) -> int:
        try:
            row = self._index.db.execute(
                "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (term_expression(word),)
            ).fetchone()
        except sqlite3.OperationalError:
            return 0  # not a word the keyword index can look up (it matches nothing)
        return int(row[0])
