"""Retrieval metrics (pure): nDCG@k and Recall@k as trec_eval / BEIR define them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence


def _dedupe(ranked: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for doc_id in ranked:
        if doc_id not in seen:
            seen.add(doc_id)
            out.append(doc_id)
    return out


def ndcg_at_k(ranked_doc_ids: Sequence[str], qrels_for_query: dict[str, int], k: int = 10) -> float:
    """nDCG@k with the linear-gain definition of trec_eval / pytrec_eval `ndcg_cut` (used by BEIR).

    DCG = sum over ranks i=0..k-1 of rel_i / log2(i + 2), with gain = the judged grade itself (not
    2^rel - 1); IDCG is the DCG of the judged grades sorted best first, cut at k. Grades <= 0 count
    as non-relevant. Repeated doc ids count once (first place). 0.0 when nothing is relevant.
    """
    gains = [g for g in qrels_for_query.values() if g > 0]
    if not gains:
        return 0.0
    ranked = _dedupe(ranked_doc_ids)[:k]
    dcg = sum(max(qrels_for_query.get(d, 0), 0) / math.log2(i + 2) for i, d in enumerate(ranked))
    ideal = sorted(gains, reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg


def recall_at_k(
    ranked_doc_ids: Sequence[str], qrels_for_query: dict[str, int], k: int = 100
) -> float:
    """Share of the relevant documents (grade > 0) found in the top k. 0.0 when none is relevant."""
    relevant = {d for d, g in qrels_for_query.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(_dedupe(ranked_doc_ids)[:k])) / len(relevant)


def evaluate(
    run: Mapping[str, Sequence[str]],
    qrels: Mapping[str, dict[str, int]],
    *,
    ndcg_k: int = 10,
    recall_k: int = 100,
) -> dict[str, float]:
    """Mean nDCG@ndcg_k and Recall@recall_k over the queries that have a relevant judgement.

    A judged query missing from `run` counts as an empty ranking (score 0), as in BEIR.
    Queries without judgements are skipped.
    """
    judged = [q for q, rels in qrels.items() if any(g > 0 for g in rels.values())]
    if not judged:
        return {"ndcg": 0.0, "recall": 0.0, "queries": 0}
    ndcg = [ndcg_at_k(run.get(q, []), qrels[q], ndcg_k) for q in judged]
    rec = [recall_at_k(run.get(q, []), qrels[q], recall_k) for q in judged]
    return {
        "ndcg": sum(ndcg) / len(judged),
        "recall": sum(rec) / len(judged),
        "queries": len(judged),
    }


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (numpy's default), without needing numpy."""
    data = sorted(values)
    if not data:
        return float("nan")
    pos = (len(data) - 1) * pct / 100
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)
