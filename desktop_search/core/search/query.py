"""Query text -> parts: free words, "exact phrases", -excluded words; and FTS5 expressions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from desktop_search.core.errors import InvalidQueryError
from desktop_search.core.models import ParsedQuery
from desktop_search.core.storage.keyword_plan import KeywordQuery, phrase_match, term_phrase
from desktop_search.core.storage.keyword_text import fold_accents, has_cjk

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
# A query up to this many words is typed as a search: "-word" there means "leave it out". In
# a longer one (a question, a pasted abstract) a dash is punctuation, never an instruction.
EXCLUSION_MAX_WORDS = 8
_WORD = re.compile(r"\w+", re.UNICODE)
_PART = re.compile(r'(-?)"([^"]*)"?|(\S+)')

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    also may might must shall upon whether within without
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


def words(text: str) -> list[str]:
    """Lower-case word tokens, split the way the keyword index splits them."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _WORD.findall(text)


def parse_query(raw: str) -> ParsedQuery:
    """Split a query typed by a person. Raises InvalidQueryError when nothing is searchable."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        # A pasted page is fine to search by meaning, but only its start carries the topic
        # and a keyword query with thousands of terms would be slow for no gain.
        text = text[:MAX_QUERY_CHARS]
    phrases: list[str] = []
    excluded: list[str] = []
    free: list[str] = []
    typed_as_search = len(words(text)) <= EXCLUSION_MAX_WORDS
    for match in _PART.finditer(text):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if quoted is not None:
            phrase = " ".join(words(quoted))
            if not phrase:
                continue
            if negated and typed_as_search:
                excluded.append(phrase)
            else:
                phrases.append(phrase)
        elif bare.startswith("-") and len(bare) > 1 and words(bare[1:]) and typed_as_search:
            excluded.append(" ".join(words(bare[1:])))
        else:
            free.append(bare)
    free_text = " ".join(free)
    # Repeats are kept: a word said twice weighs twice in BM25, as in classic query models.
    # A phrase's words count as words too: a phrase is a preference, never a requirement.
    terms = tuple(words(" ".join([free_text, *phrases])))[:MAX_TERMS]
    if not terms and not phrases:
        if excluded:
            raise InvalidQueryError(
                "The query only says what to leave out; add a word or phrase to look for."
            )
        raise InvalidQueryError("Type a word or a question to search for.")
    semantic_text = " ".join([free_text, *phrases]).strip()
    return ParsedQuery(
        text=semantic_text,
        terms=terms,
        phrases=tuple(phrases),
        excluded=tuple(excluded),
        raw=raw,
    )


def content_terms(query: ParsedQuery) -> tuple[str, ...]:
    """Terms that carry meaning (stopwords dropped unless the query is nothing else)."""
    kept = tuple(t for t in query.terms if t not in STOPWORDS)
    return kept or query.terms


def keyword_query(query: ParsedQuery, terms: Sequence[str] | None = None) -> KeywordQuery | None:
    """What keyword search ranks by: any content term (by BM25), no exclusion.

    Phrases are not required here (their words are among the terms): passages that hold them
    are put first afterwards, so a quoted title pasted into a question never empties the
    results. `terms` replaces the query's content terms (e.g. only its most selective ones).
    """
    terms = content_terms(query) if terms is None else tuple(terms)
    if not terms:
        return None
    return KeywordQuery(tuple(terms), tuple(query.excluded))


def exclusion_expression(query: ParsedQuery) -> str | None:
    """FTS5 expression for passages holding any -excluded word or phrase."""
    if not query.excluded:
        return None
    return " OR ".join(phrase_match(e) for e in query.excluded)


def term_expression(term: str) -> str:
    """FTS5 phrase for one query word (a CJK word is found inside longer runs of text), or
    for the words of an exact phrase in their order."""
    return term_phrase(term)


_SUFFIXES = (
    "ational",
    "ations",
    "ation",
    "ements",
    "ement",
    "ings",
    "ness",
    "ing",
    "ies",
    "ied",
    "ion",
    "ions",
    "ers",
    "er",
    "ed",
    "es",
    "ly",
    "al",
    "s",
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix strip so 'flows' marks 'flow' and 'heated' marks 'heating' in snippets;
    accents folded as the keyword index folds them ('béchamel' marks 'bechamel')."""
    word = fold_accents(word.lower())
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def cjk_matches(text: str, marks: set[str] | frozenset[str]) -> list[tuple[str, int, int]]:
    """(word, start, end) of every occurrence in `text` of a marked word written in CJK
    characters: such words sit inside longer runs, where a word-by-word scan never sees them."""
    found: list[tuple[str, int, int]] = []
    for mark in marks:
        if not has_cjk(mark):
            continue
        start = text.find(mark)
        while start >= 0:
            found.append((mark, start, start + len(mark)))
            start = text.find(mark, start + len(mark))
    return sorted(found, key=lambda m: m[1])
