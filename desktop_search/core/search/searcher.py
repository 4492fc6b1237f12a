"""Hybrid retrieval: BM25 (FTS5) and vectors (Chroma) fused per document, with snippets, an
absolute confidence per result, notes about how the query was read, and spelling suggestions.

Fusion is by score (see fusion.py), with two guards: a one-word query, or a short one holding a
code ("XK-4471"), lists the documents that hold every word first, so a query the model reads
badly never loses the exact matches keyword search alone would have put on top; and documents
holding every "quoted phrase" come first. What the person should know about the query (no
passage holds the phrase, nothing close was found, a spelling from the index's own words) comes
back beside the results (`SearchResults`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from desktop_search.core.embed.base import Embedder
from desktop_search.core.errors import InvalidQueryError
from desktop_search.core.models import ParsedQuery, SearchFilters, SearchResults
from desktop_search.core.search.assemble import Context, Retrieved, assemble
from desktop_search.core.search.confidence import WEAK, fast_to_meaning
from desktop_search.core.search.query import (
    STOPWORDS,
    exclusion_expression,
    keyword_query,
    parse_query,
    words,
)
from desktop_search.core.search.term_stats import TermStats
from desktop_search.core.storage.index import Index
from desktop_search.core.storage.meaning import MeaningVectors

log = logging.getLogger(__name__)

MODES = ("hybrid", "semantic", "keyword")
_WORD = re.compile(r"\w+", re.UNICODE)
# The model ids of the bundled fast model: its cosines have their own calibration.
FAST_MODEL_PREFIX = "bundled:wordllama"
# Documents found by file name or title at most, per query.
NAMED_DOCUMENTS = 10


@dataclass(frozen=True)
class _Nearest:
    semantic: list[tuple[int, int, float]]  # cosines on the meaning scale when `meaning`
    fast: list[tuple[int, int, float]]  # fast-vector cosines, beside meaning vectors only
    meaning: bool  # the transformer's vectors answered (part of) the query


class Searcher:
    """Runs queries against an Index. Safe to call from any thread."""

    def __init__(
        self,
        index: Index,
        fast: Callable[[], Embedder],
        meaning: Callable[[], Embedder | None] = lambda: None,
        meaning_vectors: MeaningVectors | None = None,
        spelling: Callable[[str], str | None] | None = None,
    ) -> None:
        """`fast`: the model of every passage's first-pass vector; `meaning`: the second
        pass's model if it is loaded (None otherwise), whose vectors `meaning_vectors` hold;
        `spelling`: the index's spelling suggester (a word it lacks -> a word it has)."""
        self._index = index
        self._fast = fast
        self._meaning = meaning
        self._meaning_vectors = meaning_vectors
        self._spelling = spelling
        self.stats = TermStats(index)
        # The meaning side of searches, run beside their keyword side (one per searching
        # thread that can be at work at once: the window's and the CLI server's).
        self._sides = ThreadPoolExecutor(2, thread_name_prefix="desktop-search-nearest")

    def close(self) -> None:
        """Stop the meaning side's threads (waiting for a search in progress)."""
        self._sides.shutdown(wait=True)

    def search(
        self,
        query: str,
        *,
        k: int = 20,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
    ) -> SearchResults:
        """Documents best first, with notes; see Engine.search."""
        if mode not in MODES:
            raise InvalidQueryError(
                f"Unknown search mode '{mode}': use hybrid, semantic or keyword."
            )
        if k < 1:
            raise InvalidQueryError("The number of results must be at least 1.")
        parsed = parse_query(query)
        allowed = self._allowed_files(filters)
        results = self._search(parsed, k, mode, allowed)
        suggestion, unknown = self._suggest(parsed)
        if not suggestion:
            return results
        results.suggestion = suggestion
        if any(r.confidence >= WEAK for r in results):
            return results
        # Nothing close: the person most likely meant the words the index has.
        corrected = self._search(parse_query(suggestion), k, mode, allowed)
        if not corrected or max(r.confidence for r in corrected) <= max(
            (r.confidence for r in results), default=0.0
        ):
            return results
        absent = ", ".join(f"“{w}”" for w in unknown)
        corrected.notes = (
            f"No document has {absent}; showing results for “{suggestion}”.",
            *corrected.notes,
        )
        corrected.suggestion = suggestion
        corrected.corrected_query = suggestion
        return corrected

    def more_like_this(self, path: str, *, k: int = 20) -> SearchResults:
        row = self._index.file_by_path(path)
        if row is None or row.status != "indexed":
            raise InvalidQueryError(
                f"'{path}' is not in the index, so there is nothing to compare."
            )
        chunk_ids = self._index.chunk_ids_of_file(row.id)[:256]
        vectors = self._index.vectors_of(chunk_ids)
        if vectors.size == 0:
            return SearchResults()
        centre = vectors.mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        found = self._index.vector_search(centre, max(k * 3, 100) + len(chunk_ids))
        found = [f for f in found if f[1] != row.id]
        title_words = tuple(dict.fromkeys(words(row.title)))[:8]
        parsed = ParsedQuery(text=row.title, terms=title_words or ("",), raw=row.title)
        retrieved = Retrieved([], found, [], meaning=False, fast_model=self._fast_is_static())
        return assemble(
            self._context(), parsed, retrieved, k, "semantic", explain=False, keep_weak=True
        )

    # ------------------------------------------------------------------ retrieval
    def _search(
        self, parsed: ParsedQuery, k: int, mode: str, allowed: list[int] | None
    ) -> SearchResults:
        pool = max(k * 3, 100)
        keyword: list[tuple[int, int, float]] = []
        named: list[tuple[int, float]] = []  # files whose name or title holds every word
        # The two sides run at once: the model and the vector search (numpy, ONNX or torch)
        # and FTS5 (SQLite) each let go of the GIL while they work, so a hybrid search costs
        # about its slower side instead of both.
        nearest_later: Future[_Nearest] | None = None
        if mode == "hybrid" and parsed.text:
            nearest_later = self._sides.submit(self._nearest, parsed.text, pool, allowed)
        # A query of stopwords only ("what is the", typed on the way to a question) matches
        # every passage: BM25 would rank noise slowly, so in hybrid mode the model answers it.
        only_stopwords = not parsed.phrases and all(t in STOPWORDS for t in parsed.terms)
        if mode == "keyword" or (mode == "hybrid" and not only_stopwords):
            expr = keyword_query(parsed)
            if expr:
                keyword = self._index.keyword_search(expr, pool, allowed)
                named = self._index.name_search(expr.terms, NAMED_DOCUMENTS, allowed)
                keyword = _named_first([f for f, _ in named], keyword, self._index)
        nearest = _Nearest([], [], meaning=False)
        if nearest_later is not None:
            nearest = nearest_later.result()
        elif mode == "semantic" and parsed.text:
            nearest = self._nearest(parsed.text, pool, allowed)
        retrieved = Retrieved(
            keyword,
            self._apply_query_syntax(parsed, nearest.semantic),
            self._apply_query_syntax(parsed, nearest.fast),
            meaning=nearest.meaning,
            fast_model=self._fast_is_static(),
            named=frozenset(f for f, _ in named),
        )
        return assemble(self._context(), parsed, retrieved, k, mode, explain=True)

    def _nearest(self, text: str, pool: int, allowed: list[int] | None) -> _Nearest:
        """The passages nearest in meaning, each judged by the best vector it has: its
        meaning vector once pass 2 gave it one, its fast vector (moved to the meaning scale)
        until then; beside meaning vectors, the fast vectors' own list as well."""
        fast = self._index.vector_search(self._fast().embed_query(text), pool, allowed)
        meaning, vectors = self._meaning(), self._meaning_vectors
        if meaning is None or vectors is None or vectors.model_id != meaning.model_id:
            return _Nearest(fast, [], meaning=False)
        upto = vectors.upto
        if upto <= 0:
            return _Nearest(fast, [], meaning=False)
        improved = vectors.search(meaning.embed_query(text), pool, allowed)
        rest = [(c, f, fast_to_meaning(s)) for c, f, s in fast if c > upto]  # not improved yet
        semantic = sorted([*improved, *rest], key=lambda hit: -hit[2])[:pool]
        return _Nearest(semantic, fast, meaning=True)

    def _context(self) -> Context:
        return Context(self._index, self.stats, self._fast)

    def _fast_is_static(self) -> bool:
        return self._fast().model_id.startswith(FAST_MODEL_PREFIX)

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

    def _suggest(self, parsed: ParsedQuery) -> tuple[str, list[str]]:
        """The query with each word no passage holds spelt as the index's nearest word, and
        those words; ('', {}) when every word is known or nothing near is."""
        if self._spelling is None:
            return "", []
        typed = [t for t in dict.fromkeys(parsed.terms) if t not in STOPWORDS]
        typed += [w for p in parsed.phrases for w in p.split() if w not in typed]
        if len(typed) > SPELLING_MAX_WORDS:
            # A question in sentences: a word no passage holds is most likely a real word the
            # documents don't use ("plant", "lipids"), which meaning search answers; respelling
            # it turns the question into nonsense ("low blvd limit with diet").
            return "", []
        counts = self.stats.frequencies(typed)
        replacements: dict[str, str] = {}
        for word, count in counts.items():
            if count > 0 or any(c.isdigit() for c in word):
                # A word some passage holds is taken as meant (a rare name is no typo), and
                # a number or code is never a misspelling.
                continue
            better = self._spelling(word)
            if better and better.lower() != word:
                replacements[word] = better
        if not replacements:
            return "", []

        def respell(match: re.Match[str]) -> str:
            found = match.group()
            key = words(found)[0] if words(found) else found
            better = replacements.get(key)
            if better is None:
                return found
            return better.capitalize() if found[:1].isupper() else better

        suggestion = _WORD.sub(respell, parsed.raw.strip())
        return suggestion, list(replacements)


# Queries of more content words than this are never respelt (see _suggest).
SPELLING_MAX_WORDS = 3


def _named_first(
    named: list[int], keyword: list[tuple[int, int, float]], index: Index
) -> list[tuple[int, int, float]]:
    """The keyword hits with the documents found by name or title first, each by its best
    keyword passage (or its first passage, when no passage holds the words)."""
    if not named:
        return keyword
    best: dict[int, tuple[int, int, float]] = {}
    for hit in keyword:
        best.setdefault(hit[1], hit)
    top = keyword[0][2] if keyword else 1.0
    first = []
    for file_id in named:
        if file_id in best:
            first.append(best[file_id])
        elif passages := index.chunk_ids_of_file(file_id):
            first.append((min(passages), file_id, top))
    chosen = {h[0] for h in first}
    return first + [h for h in keyword if h[0] not in chosen]
