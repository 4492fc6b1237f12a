"""How rare each query word is in the index: the weight a match on it carries.

A match on "cholesterol" says more than a match on "information" in a library of information
science papers; the snippet centres on the rarer word and a result's keyword evidence counts
what share of the query's weight it holds. The counts are the keyword index's own (the ones its
query plan is made from, cached there), so a query's words are counted once for both.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from desktop_search.core.search.query import stem
from desktop_search.core.storage.index import Index


class TermStats:
    """Passage frequencies of words in one index's keyword side. Safe from any thread."""

    def __init__(self, index: Index) -> None:
        self._index = index

    def frequencies(self, words: Iterable[str]) -> dict[str, int]:
        """word -> how many passages hold it (as the keyword index matches it: any form)."""
        return self._index.passage_counts(list(words))[0]

    def weights(self, words: Iterable[str]) -> dict[str, float]:
        """stem -> the weight of a match on the word: BM25's inverse passage frequency."""
        counts, total = self._index.passage_counts(list(words))
        return _weights(counts, max(1, total))

    def rarity(self, words: Iterable[str]) -> float:
        """How rare the rarest of `words` that the index holds is: its weight over the weight
        of a word found in one passage (0: in every passage, 1: in one). A word no passage
        holds is left out: it is matched by nothing, so it says nothing about the matches."""
        counts, total = self._index.passage_counts(list(words))
        total = max(1, total)
        weights = _weights({w: n for w, n in counts.items() if n > 0}, total)
        if not weights:
            return 0.0
        return max(weights.values()) / math.log(total + 1.0)


def _weights(counts: dict[str, int], total: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for word, count in counts.items():
        # A count can pass the total for a moment while passages are added: never below 0.
        weight = math.log((max(total, count) - count + 0.5) / (count + 0.5) + 1.0)
        key = stem(word)
        out[key] = max(out.get(key, 0.0), weight)
    return out
