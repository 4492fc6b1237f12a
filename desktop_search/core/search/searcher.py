"""Hybrid retrieval: BM25 (FTS5) and vectors (Chroma) fused per document, with snippets.

Fusion is reciprocal-rank fusion at the document level, with one guard: for short queries the
documents that contain every word typed rank first, so a query the model reads badly (codes,
names, rare words) never loses the exact matches keyword search alone would have put on top.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from desktop_search.core.embed.base import Embedder
from desktop_search.core.errors import InvalidQueryError
from desktop_search.core.models import DocumentResult, Hit, ParsedQuery, SearchFilters
from desktop_search.core.search.query import (
    STOPWORDS,
    content_terms,
    exclusion_expression,
    keyword_expression,
    parse_query,
    phrase_expression,
    term_expression,
    words,
)
from desktop_search.core.search.snippets import make_hit, mark_terms
from desktop_search.core.storage.index import FileRow, Index
from desktop_search.core.storage.meaning import MeaningVectors

log = logging.getLogger(__name__)

MODES = ("hybrid", "semantic", "keyword")
RRF_K = 60
HITS_PER_DOCUMENT = 3
# Queries this short are "a few words": a person expects documents with all of them first.
ALL_TERMS_FIRST_MAX_TERMS = 4


@dataclass
class _Candidate:
    file_id: int
    keyword_rank: int | None = None
    semantic_rank: int | None = None
    score: float = 0.0
    chunk_scores: dict[int, float] = field(default_factory=dict)


class Searcher:
    """Runs queries against an Index. Safe to call from any thread."""

    def __init__(
        self,
        index: Index,
        fast: Callable[[], Embedder],
        meaning: Callable[[], Embedder | None] = lambda: None,
        meaning_vectors: MeaningVectors | None = None,
    ) -> None:
        """`fast`: the model of every passage's first-pass vector; `meaning`: the second
        pass's model if it is loaded (None otherwise), whose vectors `meaning_vectors` hold."""
        self._index = index
        self._fast = fast
        self._meaning = meaning
        self._meaning_vectors = meaning_vectors

    def search(
        self,
        query: str,
        *,
        k: int = 20,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
    ) -> list[DocumentResult]:
        if mode not in MODES:
            raise InvalidQueryError(
                f"Unknown search mode '{mode}': use hybrid, semantic or keyword."
            )
        if k < 1:
            raise InvalidQueryError("The number of results must be at least 1.")
        parsed = parse_query(query)
        allowed = self._allowed_files(filters)
        pool = max(k * 3, 100)
        keyword: list[tuple[int, int, float]] = []
        semantic: list[tuple[int, int, float]] = []
        # A query of stopwords only ("what is the", typed on the way to a question) matches
        # every passage: BM25 would rank noise slowly, so in hybrid mode the model answers it.
        only_stopwords = not parsed.phrases and all(t in STOPWORDS for t in parsed.terms)
        if mode == "keyword" or (mode == "hybrid" and not only_stopwords):
            expr = keyword_expression(parsed)
            if expr:
                keyword = self._index.keyword_search(expr, pool, allowed)
        if mode in ("hybrid", "semantic") and parsed.text:
            semantic = self._nearest(parsed.text, pool, allowed)
            semantic = self._apply_query_syntax(parsed, semantic)
        return self._assemble(parsed, keyword, semantic, k, mode)

    def more_like_this(self, path: str, *, k: int = 20) -> list[DocumentResult]:
        row = self._index.file_by_path(path)
        if row is None or row.status != "indexed":
            raise InvalidQueryError(
                f"'{path}' is not in the index, so there is nothing to compare."
            )
        chunk_ids = self._index.chunk_ids_of_file(row.id)[:256]
        vectors = self._index.vectors_of(chunk_ids)
        if vectors.size == 0:
            return []
        centre = vectors.mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        found = self._index.vector_search(centre, max(k * 3, 100) + len(chunk_ids))
        found = [f for f in found if f[1] != row.id]
        title_words = tuple(dict.fromkeys(words(row.title)))[:8]
        parsed = ParsedQuery(text=row.title, terms=title_words or ("",), raw=row.title)
        return self._assemble(parsed, [], found, k, "semantic")

    def _nearest(
        self, text: str, pool: int, allowed: list[int] | None
    ) -> list[tuple[int, int, float]]:
        """The passages nearest in meaning, each judged by the best vector it has: its
        meaning vector once pass 2 gave it one, its fast vector until then."""
        fast = self._index.vector_search(self._fast().embed_query(text), pool, allowed)
        meaning, vectors = self._meaning(), self._meaning_vectors
        if meaning is None or vectors is None or vectors.model_id != meaning.model_id:
            return fast
        upto = vectors.upto
        if upto <= 0:
            return fast
        improved = vectors.search(meaning.embed_query(text), pool, allowed)
        rest = [hit for hit in fast if hit[0] > upto]  # not improved yet
        if not rest:
            return improved
        # Two ranked lists over two parts of the index: a hit's rank is scaled by its part's
        # share of the passages, so rank 3 among a tenth of them counts as rank 30 overall.
        share = min(1.0, upto / max(self._index.max_passage_id(), 1))
        ranked = [((i + 1) / max(share, 1e-3), hit) for i, hit in enumerate(improved)]
        ranked += [((i + 1) / max(1.0 - share, 1e-3), hit) for i, hit in enumerate(rest)]
        ranked.sort(key=lambda pair: pair[0])
        return [hit for _, hit in ranked][:pool]

    # ------------------------------------------------------------------ helpers
    def _allowed_files(self, filters: SearchFilters | None) -> list[int] | None:
        if filters is None or filters == SearchFilters():
            return None
        return self._index.filter_file_ids(
            filters.folders, filters.file_types, filters.modified_after, filters.modified_before
        )

    def _apply_query_syntax(
        self, parsed: ParsedQuery, found: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """Vector hits honour -exclusions exactly as keyword hits do."""
        excluded = exclusion_expression(parsed)
        if excluded and found:
            drop = self._index.files_matching(excluded)
            found = [f for f in found if f[1] not in drop]
        return found

    def _assemble(
        self,
        parsed: ParsedQuery,
        keyword: Sequence[tuple[int, int, float]],
        semantic: Sequence[tuple[int, int, float]],
        k: int,
        mode: str,
    ) -> list[DocumentResult]:
        candidates: dict[int, _Candidate] = {}
        for side, hits in (("keyword", keyword), ("semantic", semantic)):
            rank = 0
            seen_in_doc: dict[int, int] = {}
            for chunk_id, file_id, _score in hits:
                cand = candidates.get(file_id)
                if cand is None:
                    cand = candidates[file_id] = _Candidate(file_id)
                if getattr(cand, f"{side}_rank") is None:
                    rank += 1
                    setattr(cand, f"{side}_rank", rank)
                # Passages inside one document are ordered by the same fusion, per passage.
                pos = seen_in_doc[file_id] = seen_in_doc.get(file_id, 0) + 1
                cand.chunk_scores[chunk_id] = cand.chunk_scores.get(chunk_id, 0.0) + 1.0 / (
                    RRF_K + pos
                )
        for cand in candidates.values():
            cand.score = sum(
                1.0 / (RRF_K + r) for r in (cand.keyword_rank, cand.semantic_rank) if r is not None
            )
        ordered = sorted(candidates.values(), key=lambda c: -c.score)
        if mode == "hybrid" and keyword:
            ordered = self._all_terms_first(parsed, ordered, keyword)
        if parsed.phrases:
            ordered = self._phrases_first(parsed, ordered)
        ordered = ordered[:k]
        files = self._index.files_by_id(c.file_id for c in ordered)
        chunk_ids = [cid for c in ordered for cid in _top_chunks(c)]
        chunks = self._index.chunks_by_id(chunk_ids)
        marks = mark_terms(parsed)
        results = []
        for cand in ordered:
            file = files.get(cand.file_id)
            if file is None:
                continue  # removed while the query ran
            passages = [
                make_hit(chunks[cid], cand.chunk_scores[cid], marks)
                for cid in _top_chunks(cand)
                if cid in chunks
            ]
            if passages:
                results.append(_document(file, cand.score, passages))
        return results

    def _phrases_first(self, parsed: ParsedQuery, ordered: list[_Candidate]) -> list[_Candidate]:
        """Documents holding every "exact phrase" go first; the rest follow, best first."""
        expr = phrase_expression(parsed)
        if not expr or not ordered:
            return ordered
        exact = self._index.files_matching(expr, [c.file_id for c in ordered])
        if not exact:
            return ordered
        return _lift(
            [c for c in ordered if c.file_id in exact],
            [c for c in ordered if c.file_id not in exact],
        )

    def _all_terms_first(
        self,
        parsed: ParsedQuery,
        ordered: list[_Candidate],
        keyword: Sequence[tuple[int, int, float]],
    ) -> list[_Candidate]:
        terms = tuple(dict.fromkeys(content_terms(parsed)))
        if not 1 < len(terms) <= ALL_TERMS_FIRST_MAX_TERMS and not (
            len(terms) == 1 and not parsed.phrases
        ):
            return ordered
        if len(terms) == 1:
            complete = {c[1] for c in keyword}  # every keyword hit holds the one word
        else:
            # One conjunctive query: passages holding every word, among the candidates only.
            every = " AND ".join(term_expression(t) for t in terms)
            complete = self._index.files_matching(every, [c.file_id for c in ordered])
        if not complete:
            return ordered
        first = [c for c in ordered if c.file_id in complete]
        rest = [c for c in ordered if c.file_id not in complete]
        return _lift(first, rest)


def _lift(first: list[_Candidate], rest: list[_Candidate]) -> list[_Candidate]:
    """`first` before `rest`, their scores raised just above the rest's so scores stay in
    rank order."""
    if first and rest:
        floor = max(c.score for c in rest)
        lift = max(0.0, floor - min(c.score for c in first) + 1e-6)
        for cand in first:
            cand.score += lift
    return first + rest


def _top_chunks(cand: _Candidate) -> list[int]:
    return sorted(cand.chunk_scores, key=lambda c: -cand.chunk_scores[c])[:HITS_PER_DOCUMENT]


def _document(file: FileRow, score: float, hits: list[Hit]) -> DocumentResult:
    return DocumentResult(
        path=file.path,
        title=file.title or file.path.rsplit("/", 1)[-1],
        score=round(score, 6),
        file_type=file.file_type,
        modified=file.mtime,
        hits=tuple(hits),
    )
