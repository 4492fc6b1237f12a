"""nDCG@k, Recall@k and percentiles on hand-worked examples."""

from __future__ import annotations

import math

import pytest

from benchmarks.metrics import evaluate, ndcg_at_k, percentile, recall_at_k

# ---- nDCG@k (linear gain, trec_eval definition) ----


def test_ndcg_graded_hand_computed() -> None:
    qrels = {"a": 3, "b": 2, "c": 1}
    # DCG = 1/log2(2) + 0 + 3/log2(4) = 2.5; IDCG = 3 + 2/log2(3) + 1/log2(4)
    expected = 2.5 / (3 + 2 / math.log2(3) + 0.5)
    assert ndcg_at_k(["c", "x", "a"], qrels, k=10) == pytest.approx(expected)
    assert expected == pytest.approx(0.52500, abs=1e-4)


def test_ndcg_uses_linear_not_exponential_gain() -> None:
    qrels = {"a": 1, "b": 4}
    # linear: (1 + 4/log2(3)) / (4 + 1/log2(3)); exponential gain (2^rel - 1) would differ
    linear = (1 + 4 / math.log2(3)) / (4 + 1 / math.log2(3))
    assert ndcg_at_k(["a", "b"], qrels) == pytest.approx(linear)
    exponential = (1 + 15 / math.log2(3)) / (15 + 1 / math.log2(3))
    assert linear != pytest.approx(exponential)


def test_ndcg_with_exponential_gain() -> None:
    qrels = {"a": 1, "b": 4}
    exponential = (1 + 15 / math.log2(3)) / (15 + 1 / math.log2(3))
    assert ndcg_at_k(["a", "b"], qrels, exponential=True) == pytest.approx(exponential)
    binary = {"a": 1, "b": 1}  # 2^1 - 1 = 1: binary judgements score the same either way
    assert ndcg_at_k(["x", "b"], binary, exponential=True) == pytest.approx(
        ndcg_at_k(["x", "b"], binary)
    )


def test_ndcg_binary_perfect_cutoff_and_duplicates() -> None:
    qrels = {"a": 1, "b": 1, "z": 0}
    assert ndcg_at_k(["a", "x", "b"], qrels) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert ndcg_at_k(["b", "a", "x"], qrels) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "a"], qrels, k=1) == 0.0
    # a repeated document counts once, at its first place: ["a", "a", "b"] == ["a", "b"]
    assert ndcg_at_k(["a", "a", "b"], qrels) == pytest.approx(1.0)
    # IDCG is cut at k too: only one relevant fits in the top 1
    assert ndcg_at_k(["a"], qrels, k=1) == pytest.approx(1.0)


def test_ndcg_without_relevant_documents_is_zero() -> None:
    assert ndcg_at_k(["a"], {"a": 0}) == 0.0
    assert ndcg_at_k([], {"a": 2}) == 0.0


# ---- Recall@k ----


def test_recall_at_k() -> None:
    qrels = {"a": 2, "b": 1, "c": 1, "d": 3, "e": 0}
    ranked = ["a", "x", "c", "e"]
    assert recall_at_k(ranked, qrels, k=3) == pytest.approx(0.5)
    assert recall_at_k(ranked, qrels, k=2) == pytest.approx(0.25)
    assert recall_at_k(["a", "a", "a"], qrels, k=100) == pytest.approx(0.25)
    assert recall_at_k(["a"], {"a": 0}) == 0.0


def test_evaluate_skips_unjudged_queries_and_zeroes_missing_runs() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}
    run = {"q1": ["a"], "q3": ["c"]}  # q2 has no ranking at all: scores 0
    scores = evaluate(run, qrels, ndcg_k=10, recall_k=100)
    assert scores["queries"] == 2
    assert scores["ndcg"] == pytest.approx(0.5)
    assert scores["ndcg_exp"] == pytest.approx(0.5)
    assert scores["recall"] == pytest.approx(0.5)


# ---- percentiles ----


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))
