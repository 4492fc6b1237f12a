"""Fusion of the keyword and meaning sides into one ranking of documents and their passages.

Each passage's evidence is put on one scale: its keyword (BM25) score divided by the query's
best, its closeness in meaning (cosine) to the question, and, once the transformer has given it
its meaning vector, also its fast vector's cosine (the two models err differently). A passage's
score is their weighted sum; a document scores by its best passage. A passage one side did not
return gets that side's lowest returned score (it is at most that).

Scores, not ranks, are fused: reciprocal-rank fusion gives the tenth keyword match the same pull
whether it holds one word of twenty or all of them. Measured through PDFs with the queries
verbatim (benchmarks.quality, MiniLM vectors at 100%), nDCG@10 went from 0.437 to 0.467 on CISI
and from 0.412 to 0.418 on Cranfield; the weights below were tuned on those two collections
(at 1,200-character passages the keyword share 0.3 beat 0.25 on both: Cranfield 0.4058 against
0.4035, CISI 0.4727 against 0.4720, exponential gain; checked again at 100 characters of overlap
on int8 vectors: Cranfield 0.4054 either way, CISI 0.4724 against 0.4721, and 0.35 gave 0.4030
and 0.4746).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Weights:
    """How much each side counts. `keyword` is the keyword side's share for a question; a
    short query of words common in the index gets `keyword_common_short` instead, rising to
    `keyword` as its rarest word gets rarer (common words say little that meaning does not,
    while a rare name or code is what the person is after). `fast` is the fast vectors' extra
    say beside the meaning vectors."""

    keyword: float
    keyword_common_short: float
    fast: float


# With the transformer's vectors, and with the fast vectors alone (before pass 2).
MEANING_WEIGHTS = Weights(keyword=0.3, keyword_common_short=0.0, fast=0.2)
FAST_WEIGHTS = Weights(keyword=0.35, keyword_common_short=0.2, fast=0.0)
# The rarity (see TermStats.rarity) at which a short query's words count fully, and below
# which they count as common.
RARE_FROM, COMMON_BELOW = 0.9, 0.5


def keyword_share(weights: Weights, short: bool, rarity: float) -> float:
    """The keyword side's share for one query."""
    if not short:
        return weights.keyword
    ramp = min(1.0, max(0.0, (rarity - COMMON_BELOW) / (RARE_FROM - COMMON_BELOW)))
    low = weights.keyword_common_short
    return low + (weights.keyword - low) * ramp


@dataclass
class Candidate:
    """One document in the making: its best evidence on each side, and its passages' scores."""

    file_id: int
    score: float = 0.0
    passages: dict[int, float] = field(default_factory=dict)  # passage id -> fused score
    keyword_passages: set[int] = field(default_factory=set)
    meaning_passages: set[int] = field(default_factory=set)


@dataclass
class Fused:
    """Documents best first, and each returned passage's cosine (on the meaning scale)."""

    candidates: list[Candidate]
    cosines: dict[int, float]
    floor: float | None  # the lowest cosine returned (None: no meaning side ran)


def fuse(
    keyword: Sequence[tuple[int, int, float]],
    semantic: Sequence[tuple[int, int, float]],
    fast: Sequence[tuple[int, int, float]] = (),
    *,
    keyword_weight: float,
    fast_weight: float = 0.0,
) -> Fused:
    """Fuse (passage id, file id, score) lists: BM25 (higher is better), cosines on the
    meaning scale, and fast-vector cosines (only beside meaning vectors). Any may be empty."""
    if not keyword:
        keyword_weight = 0.0
    elif not semantic:
        keyword_weight = 1.0
    if not semantic:
        fast_weight = 0.0
    top = max((s for _, _, s in keyword), default=0.0)
    scale = 1.0 / top if top > 0 else 0.0
    floor = min((s for _, _, s in semantic), default=None)
    fast_floor = min((s for _, _, s in fast), default=0.0)
    bm25 = {cid: s * scale for cid, _, s in keyword}
    cosine = {cid: s for cid, _, s in semantic}
    fast_cosine = {cid: s for cid, _, s in fast}
    owners = {cid: fid for cid, fid, _ in (*keyword, *semantic, *(fast if fast_weight else ()))}
    candidates: dict[int, Candidate] = {}
    for cid, fid in owners.items():
        cand = candidates.get(fid)
        if cand is None:
            cand = candidates[fid] = Candidate(fid)
        if cid in bm25:
            cand.keyword_passages.add(cid)
        if cid in cosine:
            cand.meaning_passages.add(cid)
        cand.passages[cid] = (
            keyword_weight * bm25.get(cid, 0.0)
            + (1.0 - keyword_weight) * cosine.get(cid, floor or 0.0)
            + fast_weight * fast_cosine.get(cid, fast_floor)
        )
    for cand in candidates.values():
        cand.score = max(cand.passages.values())
    ordered = sorted(candidates.values(), key=lambda c: (-c.score, c.file_id))
    return Fused(ordered, cosine, floor)


def lift(first: list[Candidate], rest: list[Candidate]) -> list[Candidate]:
    """`first` before `rest`, their scores raised just above the rest's so scores stay in
    rank order."""
    if first and rest:
        floor = max(c.score for c in rest)
        raise_by = max(0.0, floor - min(c.score for c in first) + 1e-6)
        for cand in first:
            cand.score += raise_by
    return first + rest


def lift_files(ordered: list[Candidate], file_ids: set[int] | frozenset[int]) -> list[Candidate]:
    """`lift`: the documents of `file_ids` first, in their order, then the others."""
    return lift(
        [c for c in ordered if c.file_id in file_ids],
        [c for c in ordered if c.file_id not in file_ids],
    )


def top_passages(cand: Candidate, n: int) -> list[int]:
    """The document's `n` best passages, best first."""
    return sorted(cand.passages, key=lambda c: -cand.passages[c])[:n]
