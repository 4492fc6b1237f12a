"""Retrieval metrics (pure): nDCG@k (linear gain as trec_eval / BEIR, or exponential) and
Recall@k."""

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


def ndcg_at_k(
    ranked_doc_ids: Sequence[str],
    qrels_for_query: dict[str, int],
    k: int = 10,
    *,
    exponential: bool = False,
) -> float:
    """nDCG@k; by default with the linear-gain definition of trec_eval / pytrec_eval `ndcg_cut`
    (used by BEIR).

    DCG = sum over ranks i=0..k-1 of gain(rel_i) / log2(i + 2); gain = the judged grade itself,
    or 2^rel - 1 with `exponential` (Burges et al., the definition DESIGN.md's reference figures
    use; the same on binary judgements); IDCG is the DCG of the judged grades sorted best first,
    cut at k. Grades <= 0 count as non-relevant. Repeated doc ids count once (first place).
    0.0 when nothing is relevant.
    """
    gains = [g for g in qrels_for_query.values() if g > 0]
    if not gains:
        return 0.0

    def gain(grade: int) -> float:
        grade = max(grade, 0)
        return float(2**grade - 1) if exponential else float(grade)

    ranked = _dedupe(ranked_doc_ids)[:k]
    dcg = sum(gain(qrels_for_query.get(d, 0)) / math.log2(i + 2) for i, d in enumerate(ranked))
    ideal = sorted(gains, reverse=True)[:k]
    idcg = sum(gain(g) / math.log2(i + 2) for i, g in enumerate(ideal))
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
    """Mean nDCG@ndcg_k (linear gain: "ndcg"; exponential: "ndcg_exp") and Recall@recall_k over
    the queries that have a relevant judgement.

    A judged query missing from `run` counts as an empty ranking (score 0), as in BEIR.
    Queries without judgements are skipped.
    """
    judged = [q for q, rels in qrels.items() if any(g > 0 for g in rels.values())]
    if not judged:
        return {"ndcg": 0.0, "ndcg_exp": 0.0, "recall": 0.0, "queries": 0}
    ndcg = [ndcg_at_k(run.get(q, []), qrels[q], ndcg_k) for q in judged]
    ndcg_exp = [ndcg_at_k(run.get(q, []), qrels[q], ndcg_k, exponential=True) for q in judged]
    rec = [recall_at_k(run.get(q, []), qrels[q], recall_k) for q in judged]
    return {
        "ndcg": sum(ndcg) / len(judged),
        "ndcg_exp": sum(ndcg_exp) / len(judged),
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
