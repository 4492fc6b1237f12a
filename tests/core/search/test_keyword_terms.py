"""Query words as the keyword index and the snippets read them: accents folded, CJK words
found inside runs of characters, phrases and filters in FTS5's terms."""

from __future__ import annotations

from desktop_search.core.search.query import (
    cjk_matches,
    keyword_query,
    parse_query,
    stem,
    term_expression,
)
from desktop_search.core.search.snippets import make_hit, mark_terms
from desktop_search.core.storage.index import ChunkRow
from desktop_search.core.storage.keyword_index import KeywordQuery


def _hit(text: str, query: str) -> list[str]:
    hit = make_hit(ChunkRow(1, 1, 1, 0, len(text), text), 1.0, mark_terms(parse_query(query)))
    return [hit.snippet[s:e] for s, e in hit.highlights]


def test_accents_fold_as_the_index_folds_them() -> None:
    assert stem("Béchamel") == stem("bechamel") == "bechamel"
    assert stem("crèmes") == stem("cremes")
    assert stem("が") == "が"  # a kana's voicing mark is part of the letter
    assert _hit("A béchamel, then a Bechamel again.", "bechamel") == ["béchamel", "Bechamel"]
    assert _hit("A bechamel sauce.", "béchamel") == ["bechamel"]


def test_cjk_words_are_marked_inside_runs() -> None:
    text = "今年の確定申告の書類を提出しました。確定申告は三月まで。"
    assert cjk_matches(text, {"確定申告", "flour"}) == [("確定申告", 3, 7), ("確定申告", 18, 22)]
    assert _hit(text, "確定申告") == ["確定申告", "確定申告"]
    assert _hit("公司财务报告显示", "财务 growth") == ["财务"]


def test_keyword_queries_carry_content_words_and_exclusions() -> None:
    assert keyword_query(parse_query('the flow of "hot air" -steam')) == KeywordQuery(
        ("flow", "hot", "air"), ("steam",)
    )
    assert keyword_query(parse_query("the")) == KeywordQuery(("the",))


def test_cjk_words_become_phrases_of_character_pairs() -> None:
    assert term_expression("確定申告") == '"確定 定申 申告"'
    assert term_expression("霊") == '"霊"'
    assert term_expression("flow") == '"flow"'
    assert term_expression("hot air") == '"hot air"'
    assert term_expression("確定 申告") == '("確定" AND "申告")'
