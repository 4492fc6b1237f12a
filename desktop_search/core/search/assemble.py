"""From retrieved passages to the result list: fusion, the guards, confidence, weak matches cut,
duplicates merged, snippets and the notes a person should read beside the results."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from desktop_search.core.embed.base import Embedder
from desktop_search.core.models import DocumentResult, Hit, ParsedQuery, SearchResults
from desktop_search.core.search.confidence import (
    CUT,
    FAST,
    MINILM,
    SHORT_QUERY_WORDS,
    TYPED_PHRASE_CONFIDENCE,
    TYPICAL_BEST,
    WEAK,
    WORDS_ONLY,
    Calibration,
    confidence,
)
from desktop_search.core.search.explain import closest_sentences
from desktop_search.core.search.fusion import (
    FAST_WEIGHTS,
    MEANING_WEIGHTS,
    Candidate,
    Fused,
    fuse,
    keyword_share,
    lift_files,
    top_passages,
)
from desktop_search.core.search.query import (
    content_terms,
    stem,
    term_expression,
    words,
)
from desktop_search.core.search.snippets import (
    Evidence,
    make_hit,
    mark_terms,
    matched_words,
    snippet_around,
)
from desktop_search.core.search.term_stats import TermStats
from desktop_search.core.storage.index import ChunkRow, FileRow, Index
from desktop_search.core.storage.keyword_plan import phrase_match

HITS_PER_DOCUMENT = 3
# Sentences compared per query to explain passages found by meaning (about 20 ms with the fast
# model); passages are explained in the order they are shown until this is spent.
EXPLAIN_SENTENCES = 200
# A token like these makes a short query a search for an exact thing: XK-4471, A4, NASA.
_CODE = re.compile(r"\b\w*\d\w*\b|\b[A-Z]{2,10}\b")
# A query of up to this many words, typed without quotes, is also looked for as it was typed:
# "walk every day" found word for word in a note is what the person remembered.
TYPED_PHRASE_MAX_WORDS = 6


@dataclass(frozen=True)
class Retrieved:
    """What each side returned: (passage id, file id, score) lists."""

    keyword: Sequence[tuple[int, int, float]]
    semantic: Sequence[tuple[int, int, float]]  # on the meaning scale when `meaning`
    fast: Sequence[tuple[int, int, float]]  # the fast vectors' own list, beside meaning
    meaning: bool  # the transformer's vectors answered (part of) the query
    fast_model: bool  # without them: the cosines are the bundled fast model's
    named: frozenset[int] = frozenset()  # files whose name or title holds every query word


@dataclass(frozen=True)
class Context:
    """The parts of a searcher that assembling results reads."""

    index: Index
    stats: TermStats
    fast: Callable[[], Embedder]


def assemble(
    ctx: Context,
    parsed: ParsedQuery,
    got: Retrieved,
    k: int,
    mode: str,
    *,
    explain: bool,
    keep_weak: bool = False,
) -> SearchResults:
    """The `k` best documents, with notes, from what the sides retrieved. `keep_weak` keeps
    meaning-only matches that are not close (for "more like this", which asks for the nearest
    documents whatever their distance; they are still shown as weak)."""
    terms = tuple(dict.fromkeys(content_terms(parsed)))
    rarity = ctx.stats.rarity(terms) if terms else 0.0
    weights = MEANING_WEIGHTS if got.meaning else FAST_WEIGHTS
    share = keyword_share(weights, len(terms) <= SHORT_QUERY_WORDS, rarity)
    fused = fuse(
        got.keyword,
        got.semantic,
        got.fast if got.meaning else (),
        keyword_weight=share,
        fast_weight=weights.fast,
    )
    ordered = fused.candidates
    typed = _typed_phrase(parsed, terms) if mode == "hybrid" and got.keyword else ()
    if mode == "hybrid" and got.keyword:
        ordered = _all_terms_first(ctx.index, parsed, terms, ordered, got.keyword)
    if typed and ordered:
        ordered = _typed_phrase_first(ctx.index, typed, ordered)
    missing: list[str] = []
    if parsed.phrases and ordered:
        ordered, missing = _phrases_first(ctx.index, parsed, ordered)
    if got.named:  # the person typed the document's name or title
        ordered = lift_files(ordered, got.named)
    if mode == "keyword" or not got.semantic:
        calibration = WORDS_ONLY
    else:
        calibration = MINILM if got.meaning or not got.fast_model else FAST
    judge = _Judge(ctx.stats.weights(terms), calibration, fused, len(terms), rarity, typed)
    documents = _documents(ctx, parsed, ordered, k, judge, got.named, keep_weak=keep_weak)
    if explain and mode != "keyword":
        documents = _explained(ctx.fast(), parsed.text, documents)
    notes = [
        f"No passage has the exact phrase “{phrase}”; these are the best results for its words."
        for phrase in missing
    ]
    if documents and max(d.confidence for d in documents) < WEAK:
        # Said as what is known: weak evidence, not "nothing here" (a right answer the model
        # finds only a little close, as a plain question often is, can be among them).
        notes.append(
            f"No strong match for “{parsed.raw.strip()}”; these are the closest passages, "
            "weak ones included."
        )
    return SearchResults(documents, notes=notes, missing_phrases=missing)


@dataclass(frozen=True)
class _Judge:
    """Turns one passage's evidence into its hit (see confidence.py)."""

    weights: dict[str, float]
    calibration: Calibration
    fused: Fused
    query_words: int
    rarity: float
    typed: tuple[str, ...] = ()  # the query's words, when a passage holding them in order counts

    @cached_property
    def marks(self) -> frozenset[str]:
        return frozenset(self.weights)

    def evidence(self, chunk: ChunkRow) -> Evidence:
        total = sum(self.weights.values())
        # The query's words the passage holds, found as snippets find them (CJK words inside
        # runs too): only words that can be one are looked at, not every word of the passage.
        held = {stem(w) for w, _, _ in matched_words(chunk.text, self.marks)}
        share = sum(w for s, w in self.weights.items() if s in held) / total if total else 0.0
        cosine = self.fused.cosines.get(chunk.id, self.fused.floor)
        value = confidence(
            self.calibration,
            share,
            cosine,
            query_words=self.query_words,
            rarity=self.rarity,
        )
        if self.typed and _holds_in_order(words(chunk.text), self.typed):
            value = max(value, TYPED_PHRASE_CONFIDENCE)
        # "Found by meaning" when closeness alone makes it at least a fair match.
        by_meaning = (
            chunk.id in self.fused.cosines
            and self.calibration is not WORDS_ONLY
            and self.calibration.probability(0.0, cosine) / TYPICAL_BEST >= WEAK
        )
        by_words = share > 0
        found_by = (
            "words and meaning"
            if by_words and by_meaning
            else "meaning"
            if by_meaning
            else "words"
            if by_words
            else "meaning"
        )
        return Evidence(self.weights, value, found_by)


def _documents(
    ctx: Context,
    parsed: ParsedQuery,
    ordered: list[Candidate],
    k: int,
    judge: _Judge,
    named: frozenset[int] = frozenset(),
    *,
    keep_weak: bool = False,
) -> list[DocumentResult]:
    """Documents in order, weak meaning-only matches left out, one per content (the others
    holding the same bytes named in `also_in`), confidence never rising down the list."""
    marks = mark_terms(parsed)
    kept: list[DocumentResult] = []
    by_hash: dict[str, int] = {}
    also: dict[int, list[str]] = {}
    batch = k + 10  # a few spare for the documents left out
    for start in range(0, len(ordered), batch):
        part = ordered[start : start + batch]
        files = ctx.index.files_by_id(c.file_id for c in part)
        chunks = ctx.index.chunks_by_id(
            cid for c in part for cid in top_passages(c, HITS_PER_DOCUMENT)
        )
        for cand in part:
            file = files.get(cand.file_id)
            if file is None:
                continue  # removed while the query ran
            if file.hash and file.hash in by_hash:
                also.setdefault(by_hash[file.hash], []).append(file.path)
                continue
            if len(kept) == k:
                continue  # full: only later copies of kept documents still matter
            hits = [
                make_hit(chunks[cid], cand.passages[cid], marks, judge.evidence(chunks[cid]))
                for cid in top_passages(cand, HITS_PER_DOCUMENT)
                if cid in chunks
            ]
            if not hits:
                continue
            best = max(h.confidence for h in hits)
            if cand.file_id in named:
                best = 1.0  # its name or title holds every word typed: what was asked for
                hits = [
                    h if h.matched_terms else dataclasses.replace(h, found_by="name") for h in hits
                ]
            if not keep_weak and best < CUT and not any(h.matched_terms for h in hits):
                continue  # found by meaning alone, and not close: junk to a person
            if file.hash:
                by_hash[file.hash] = len(kept)
            kept.append(_document(file, cand.score, hits, best))
        if len(kept) == k:
            break
    ceiling = 1.0
    out = []
    for i, doc in enumerate(kept):
        ceiling = min(ceiling, doc.confidence)
        out.append(
            dataclasses.replace(doc, confidence=round(ceiling, 3), also_in=tuple(also.get(i, ())))
        )
    return out


def _document(file: FileRow, score: float, hits: list[Hit], best: float) -> DocumentResult:
    return DocumentResult(
        path=file.path,
        title=file.title or file.path.rsplit("/", 1)[-1],
        score=round(score, 6),
        file_type=file.file_type,
        modified=file.mtime,
        hits=tuple(hits),
        confidence=best,
        size=file.size,
    )


def _explained(
    embedder: Embedder, question: str, documents: list[DocumentResult]
) -> list[DocumentResult]:
    """Passages found by meaning get their sentence nearest the question (and a snippet
    centred on it when no word of the query is in them)."""
    texts: dict[int, str] = {}
    budget = EXPLAIN_SENTENCES
    for doc in documents:
        for hit in doc.hits:
            if hit.found_by != "words" and budget > 0 and hit.chunk_id not in texts:
                texts[hit.chunk_id] = hit.text
                budget -= max(1, hit.text.count(". ") + 1)
    if not texts or not question:
        return documents
    closest = closest_sentences(embedder, question, texts)
    out = []
    for doc in documents:
        hits = tuple(_with_closest(hit, closest.get(hit.chunk_id)) for hit in doc.hits)
        out.append(dataclasses.replace(doc, hits=hits))
    return out


def _with_closest(hit: Hit, span: tuple[int, int] | None) -> Hit:
    if span is None:
        return hit
    sentence = " ".join(hit.text[span[0] : span[1]].split())
    if hit.found_by != "meaning":
        return dataclasses.replace(hit, closest_sentence=sentence)
    # No query word to centre on: the snippet and the focus move to the nearest sentence.
    return dataclasses.replace(
        hit,
        closest_sentence=sentence,
        focus=span,
        snippet=snippet_around(hit.text, span),
        highlights=(),  # it holds no query word (else it would have been found by words too)
    )


def _all_terms_first(
    index: Index,
    parsed: ParsedQuery,
    terms: tuple[str, ...],
    ordered: list[Candidate],
    keyword: Sequence[tuple[int, int, float]],
) -> list[Candidate]:
    """A one-word query, or a short one with a code in it: documents holding every word
    first (the model may not read a code or a name; the person typed it to find it)."""
    if len(terms) == 1 and not parsed.phrases:
        complete = {c[1] for c in keyword}  # every keyword hit holds the one word
    elif 1 < len(terms) <= SHORT_QUERY_WORDS and _CODE.search(parsed.raw):
        every = " AND ".join(term_expression(t) for t in terms)
        complete = index.files_matching(every, [c.file_id for c in ordered])
    else:
        return ordered
    if not complete:
        return ordered
    return lift_files(ordered, complete)


def _typed_phrase(parsed: ParsedQuery, terms: tuple[str, ...]) -> tuple[str, ...]:
    """The words of a short unquoted query of two or more words; () when the query is
    anything else (a question is not remembered word for word, and quotes and exclusions
    already say what the person wants)."""
    if parsed.phrases or parsed.excluded or len(terms) > SHORT_QUERY_WORDS:
        return ()
    if not 2 <= len(parsed.terms) <= TYPED_PHRASE_MAX_WORDS:
        return ()
    return parsed.terms


def _typed_phrase_first(
    index: Index, typed: tuple[str, ...], ordered: list[Candidate]
) -> list[Candidate]:
    """Documents holding the query's words in the order typed first (a preference: the
    others follow in their order)."""
    exact = index.files_matching(phrase_match(" ".join(typed)), [c.file_id for c in ordered])
    if not exact:
        return ordered
    return lift_files(ordered, exact)


def _holds_in_order(text_words: list[str], typed: tuple[str, ...]) -> bool:
    """Whether the typed words occur as a run of consecutive words of the passage, compared
    by their stems as the keyword index compares them ("walking every day" holds "walk every
    day")."""
    wanted = [stem(w) for w in typed]
    n = len(wanted)
    stems = [stem(w) for w in text_words]
    return any(
        stems[i : i + n] == wanted for i in range(len(stems) - n + 1) if stems[i] == wanted[0]
    )


def _phrases_first(
    index: Index, parsed: ParsedQuery, ordered: list[Candidate]
) -> tuple[list[Candidate], list[str]]:
    """Documents holding every "exact phrase" (each in any of their passages) first; and the
    phrases no candidate holds. One keyword lookup per phrase: on a million passages a phrase
    of common words costs a read of their positions (up to seconds from a cold disk)."""
    among = [c.file_id for c in ordered]
    holding = {p: index.files_matching(term_expression(p), among) for p in parsed.phrases}
    missing = [p for p, files in holding.items() if not files]
    if missing:
        return ordered, missing
    return lift_files(ordered, set.intersection(*holding.values())), missing
