"""Score fusion and the confidence scale, as pure functions."""

from __future__ import annotations

import pytest

from desktop_search.core.search.confidence import (
    FAST,
    MINILM,
    WEAK,
    WORDS_ONLY,
    confidence,
    fast_to_meaning,
)
from desktop_search.core.search.fusion import (
    FAST_WEIGHTS,
    MEANING_WEIGHTS,
    fuse,
    keyword_share,
    lift,
    top_passages,
)


def test_documents_score_by_their_best_passage_and_both_sides_count() -> None:
    keyword = [(1, 10, 8.0), (2, 20, 4.0)]  # passage, file, bm25
    semantic = [(3, 30, 0.7), (2, 20, 0.6), (1, 10, 0.2)]  # cosines
    fused = fuse(keyword, semantic, keyword_weight=0.25)
    order = [c.file_id for c in fused.candidates]
    # file 20: 0.25 * 0.5 + 0.75 * 0.6 = 0.575; file 30: 0.525; file 10: 0.25 + 0.15 = 0.4
    assert order == [20, 30, 10]
    assert fused.candidates[0].score == pytest.approx(0.575)
    assert fused.floor == pytest.approx(0.2)
    assert fused.candidates[0].keyword_passages == {2}


def test_a_passage_one_side_missed_gets_that_sides_lowest_score() -> None:
    fused = fuse([(1, 10, 5.0)], [(2, 20, 0.5), (3, 30, 0.3)], keyword_weight=0.5)
    ten = next(c for c in fused.candidates if c.file_id == 10)
    assert ten.score == pytest.approx(0.5 * 1.0 + 0.5 * 0.3)


def test_one_sided_searches_rank_by_that_side_alone() -> None:
    keyword_only = fuse([(1, 1, 2.0), (2, 2, 6.0)], [], keyword_weight=0.25)
    assert [c.file_id for c in keyword_only.candidates] == [2, 1]
    semantic_only = fuse([], [(1, 1, 0.2), (2, 2, 0.9)], keyword_weight=0.25)
    assert [c.file_id for c in semantic_only.candidates] == [2, 1]


def test_lift_keeps_scores_in_rank_order() -> None:
    fused = fuse([], [(1, 1, 0.9), (2, 2, 0.5), (3, 3, 0.1)], keyword_weight=0.0)
    first = [c for c in fused.candidates if c.file_id == 3]
    rest = [c for c in fused.candidates if c.file_id != 3]
    lifted = lift(first, rest)
    assert [c.file_id for c in lifted] == [3, 1, 2]
    assert lifted[0].score > lifted[1].score > lifted[2].score


def test_passages_within_a_document_are_ordered_by_their_fused_score() -> None:
    fused = fuse([(1, 5, 1.0), (2, 5, 4.0)], [(1, 5, 0.8), (2, 5, 0.1)], keyword_weight=0.5)
    assert top_passages(fused.candidates[0], 3) == [2, 1]


def test_a_short_query_of_common_words_leans_on_meaning_a_rare_word_on_keywords() -> None:
    common = keyword_share(MEANING_WEIGHTS, short=True, rarity=0.3)
    rare = keyword_share(MEANING_WEIGHTS, short=True, rarity=0.95)
    question = keyword_share(MEANING_WEIGHTS, short=False, rarity=0.3)
    assert common < rare == question == MEANING_WEIGHTS.keyword
    # The fast vectors alone are weaker: keywords keep more say.
    assert keyword_share(FAST_WEIGHTS, short=True, rarity=0.3) > common


def test_confidence_is_absolute_and_grows_with_each_kind_of_evidence() -> None:
    def conf(cal, words, cosine, n=8):
        return confidence(cal, words, cosine, query_words=n, rarity=0.5)

    assert conf(MINILM, 0.0, 0.1) < 0.05  # far in meaning, no word: junk
    assert conf(MINILM, 1.0, 0.7) == 1.0  # every word, close in meaning
    assert conf(MINILM, 0.0, 0.3) < conf(MINILM, 0.0, 0.5) < conf(MINILM, 0.5, 0.5)
    assert conf(FAST, 0.0, 0.2) < WEAK
    assert conf(WORDS_ONLY, 0.0, None) < conf(WORDS_ONLY, 1.0, None)


def test_every_word_of_a_short_query_is_a_good_match_when_the_words_are_rare() -> None:
    rare = confidence(MINILM, 1.0, 0.2, query_words=1, rarity=0.9)
    common = confidence(MINILM, 1.0, 0.2, query_words=1, rarity=0.1)
    assert rare >= 0.7 > common


def test_fast_cosines_move_onto_the_meaning_scale_with_equal_odds() -> None:
    for cosine in (0.1, 0.4, 0.7):
        moved = fast_to_meaning(cosine)
        assert MINILM.probability(0.0, moved) == pytest.approx(FAST.probability(0.0, cosine))
