"""How sure a result is, on one absolute scale: the evidence of a passage mapped to 0..1.

The evidence is the share of the query's word weight the passage holds (rarer words weigh
more, see term_stats.py) and its closeness in meaning to the question (cosine). Each model
gives cosines on its own scale, so each has its own logistic fit of P(judged relevant), made on
the Cranfield and CISI judgements through the quality benchmark's indexes (top 100 documents
of every query, 30,100 judged pairs). The fits:

    MiniLM vectors   logit = -6.30 + 1.48 * words + 6.96 * cosine
    fast vectors     logit = -5.79 + 2.16 * words + 6.07 * cosine
    keywords only    logit = -3.14 + 2.49 * words

A result is shown full when its P equals what the first result achieves on those collections
(41% of first results are judged relevant), so a bar is "as good as a typical best answer",
never "as good as the best of this list": junk found for a misspelt word stays near empty.

Those collections have no one- or two-word queries, and in them the words typed are common. A
passage that holds every word of a short query is what a person asked for when the words are
rare in their documents, so short queries get a floor from their words (WORD_MATCH_FLOOR times
the words' share, scaled by how rare the rarest word is).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    """logit P(relevant) = bias + words * share of word weight + meaning * cosine."""

    bias: float
    words: float
    meaning: float

    def probability(self, words: float, cosine: float | None) -> float:
        logit = self.bias + self.words * words + self.meaning * (cosine or 0.0)
        return 1.0 / (1.0 + math.exp(-logit))


MINILM = Calibration(bias=-6.30, words=1.48, meaning=6.96)
FAST = Calibration(bias=-5.79, words=2.16, meaning=6.07)
WORDS_ONLY = Calibration(bias=-3.14, words=2.49, meaning=0.0)
# P(relevant) of the first result of a fused ranking on the judged collections.
TYPICAL_BEST = 0.41

# Short queries: a passage holding all their words, the rarest of them rare, shows at least this.
SHORT_QUERY_WORDS = 4
WORD_MATCH_FLOOR = 0.75
# A passage holding a short query's words in the order they were typed ("walk every day"):
# what the person remembered, however common its words are in their documents.
TYPED_PHRASE_CONFIDENCE = 0.75
# Shown as weak below this; found by meaning alone (no word typed) and below CUT: left out.
WEAK = 0.3
CUT = 0.03


def confidence(
    calibration: Calibration,
    words: float,
    cosine: float | None,
    *,
    query_words: int,
    rarity: float,
) -> float:
    """0..1 for one passage.

    Args:
        calibration: The fit of the vectors the cosine came from (WORDS_ONLY without one).
        words: Share of the query's word weight the passage holds, 0..1.
        cosine: Closeness in meaning to the question; None when not measured.
        query_words: How many content words the query has.
        rarity: How rare its rarest word is, 0 (in every passage) .. 1 (in one).
    """
    value = calibration.probability(words, cosine) / TYPICAL_BEST
    if 0 < query_words <= SHORT_QUERY_WORDS:
        value = max(value, WORD_MATCH_FLOOR * words * words * min(1.0, rarity / 0.6))
    return max(0.0, min(1.0, value))


def fast_to_meaning(cosine: float) -> float:
    """A fast-vector cosine on the MiniLM scale: the one with the same P(relevant) (the two
    fits above, words aside), so passages that have only their fast vector yet (pass 2 not
    done) rank beside those that have their meaning vector."""
    return (FAST.bias - MINILM.bias + FAST.meaning * cosine) / MINILM.meaning
