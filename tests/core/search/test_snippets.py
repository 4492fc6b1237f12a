"""Snippets show the match: centred on the best-matching span, stop words never marked."""

from __future__ import annotations

from desktop_search.core.search.query import parse_query
from desktop_search.core.search.snippets import (
    SNIPPET_CHARS,
    best_span,
    make_hit,
    mark_terms,
    matched_words,
    sentences,
    snippet_around,
)
from desktop_search.core.storage.index import ChunkRow

FILLER = "The committee met again to review the minutes of the previous session. " * 6


def hit_for(text: str, query: str, weights: dict[str, float] | None = None):
    from desktop_search.core.search.snippets import Evidence

    chunk = ChunkRow(id=1, file_id=1, page=1, start=0, end=len(text), text=text)
    return make_hit(chunk, 1.0, mark_terms(parse_query(query)), Evidence(weights or {}))


def marked(hit) -> list[str]:
    return [hit.snippet[s:e].lower() for s, e in hit.highlights]


def test_snippet_is_centred_on_a_match_deep_in_the_passage() -> None:
    text = FILLER + "Roast the aubergine with garlic until soft. " + FILLER
    hit = hit_for(text, "aubergine with garlic")
    assert "aubergine" in marked(hit) and "garlic" in marked(hit)
    assert len(hit.snippet) <= SNIPPET_CHARS + 2  # plus the two "…"
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    # Centred: about as much text before the match as after it.
    at = hit.snippet.index("aubergine")
    assert SNIPPET_CHARS * 0.25 < at < SNIPPET_CHARS * 0.75


def test_stop_words_are_never_marked() -> None:
    hit = hit_for("Stew the lentils with onions, then serve them with the rice.", "with the rice")
    assert marked(hit) == ["rice"]
    assert "with" not in {
        w.lower() for w, _, _ in matched_words(hit.text, mark_terms(parse_query("with rice")))
    }


def test_a_query_of_stop_words_only_still_marks_them() -> None:
    hit = hit_for("A review of The Who and their records.", "the who")
    assert {"the", "who"} <= set(marked(hit))


def test_the_span_with_the_rarest_words_wins() -> None:
    text = (
        "Information systems store information. " * 4
        + "Index cholesterol readings by patient. "
        + "Information retrieval of information. " * 4
    )
    words = matched_words(text, mark_terms(parse_query("information cholesterol")))
    start, end = best_span(words, {"information": 0.1, "cholesterol": 5.0})
    assert "cholesterol" in text[start:end]


def test_focus_is_the_matched_span_in_the_passage_text() -> None:
    text = FILLER + "Send the tax return before May. " + FILLER
    hit = hit_for(text, "tax return")
    assert text[hit.focus[0] : hit.focus[1]] == "tax return"
    assert [text[s:e] for s, e in hit.marks] == ["tax", "return"]
    assert hit.matched_terms == ("tax", "return")


def test_a_passage_without_matched_words_shows_its_start() -> None:
    text = "First sentence here. " + FILLER
    hit = hit_for(text, "unrelated words")
    assert hit.snippet.startswith("First sentence here.")
    assert hit.highlights == ()


def test_short_passages_are_shown_whole_with_whitespace_collapsed() -> None:
    assert snippet_around("A  short\n\nnote.", (0, 5)) == "A short note."


def test_sentences_split_at_ends_and_blank_lines() -> None:
    text = "One. Two words!  Three?\n\nFour"
    assert [text[s:e] for s, e in sentences(text)] == ["One.", "Two words!", "Three?", "Four"]
