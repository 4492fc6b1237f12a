"""Search through a real engine: hybrid ranking, query syntax, filters, snippets, robustness."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from desktop_search.core.errors import InvalidQueryError
from desktop_search.core.models import SearchFilters
from tests.conftest import make_pdf


@pytest.fixture
def engine(engine_factory, corpus: Path):
    eng = engine_factory()
    eng.load_model()
    eng.add_folder(corpus)
    assert eng.wait_until_idle(60)
    return eng


def names(results) -> list[str]:
    return [os.path.basename(r.path) for r in results]


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword"])
def test_each_mode_finds_the_topic(engine, mode: str) -> None:
    assert names(engine.search("volcano eruption lava", mode=mode))[0] == "volcano.pdf"


def test_meaning_without_shared_words(engine) -> None:
    # none of these words appear in the baking document
    assert names(engine.search("cooking a loaf", mode="semantic"))[0] == "baking.pdf"


def test_results_are_grouped_per_document_with_pages(engine) -> None:
    results = engine.search("pyroclastic flows volcano", k=10)
    assert len(set(r.path for r in results)) == len(results)
    top = results[0]
    assert os.path.basename(top.path) == "volcano.pdf"
    assert top.best.page == 2  # "pyroclastic" is on page 2
    assert all(a.score >= b.score for a, b in zip(results, results[1:], strict=False))


def test_snippet_marks_the_matched_words(engine) -> None:
    hit = engine.search("sourdough starter")[0].best
    marked = {hit.snippet[s:e].lower() for s, e in hit.highlights}
    assert {"sourdough", "starter"} <= marked


@pytest.mark.parametrize(
    "query",
    [
        "invoice XK-4471",
        "INVOICE xk-4471",
        "xk4471 invoice",
        "invoice: 'XK-4471'?!",
        "Invoice xk 4471",
    ],
)
def test_any_case_and_punctuation_finds_the_exact_match_first(engine, query: str) -> None:
    keyword_top = names(engine.search(query, mode="keyword"))[0]
    assert keyword_top == "finance.pdf"
    assert names(engine.search(query))[0] == keyword_top


def test_rare_word_the_model_cannot_read_still_wins(engine) -> None:
    assert names(engine.search("stratosphere"))[0] == "volcano.pdf"
    assert names(engine.search("buyback"))[0] == "finance.pdf"


def test_exact_phrase_and_exclusion(engine) -> None:
    assert names(engine.search('"hot oven"'))[0] == "baking.pdf"
    # No passage has these words in this order: the best matches for the words, not nothing.
    assert names(engine.search('"oven hot"', mode="keyword"))[0] == "baking.pdf"
    # "crust" appears in both the volcano and the baking document
    both = set(names(engine.search("crust", mode="keyword")))
    assert {"volcano.pdf", "baking.pdf"} <= both
    assert "baking.pdf" not in names(engine.search("crust -sourdough"))
    assert "baking.pdf" not in names(engine.search("crust -sourdough", mode="semantic"))


def test_a_document_holding_every_phrase_comes_first_wherever_they_are(engine) -> None:
    # Each phrase is on another page of the volcano document; the other words are baking's.
    query = '"sulfur dioxide" "pyroclastic flows" sourdough bread oven dough'
    results = engine.search(query, mode="keyword")
    assert names(results)[0] == "volcano.pdf"
    assert not results.missing_phrases


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword"])
def test_a_pasted_question_is_never_read_as_strict_syntax(engine, mode: str) -> None:
    """Quotes around a title and a dash inside a pasted question are text, not commands."""
    question = (
        'Is there anything on "Sourdough starters in very hot ovens" - how the crust '
        "forms when bread bakes, and what -sourdough bakers at home do about it?"
    )
    assert names(engine.search(question, mode=mode))[0] == "baking.pdf"


def test_filters(engine, corpus: Path) -> None:
    only_md = engine.search("star explosion", filters=SearchFilters(file_types=("md",)))
    assert names(only_md) == ["astronomy.md"]
    in_notes = engine.search("volcano", filters=SearchFilters(folders=(str(corpus / "notes"),)))
    assert all("/notes/" in r.path for r in in_notes)
    future = engine.search("volcano", filters=SearchFilters(modified_after=time.time() + 3600))
    assert future == []


def test_more_like_this(engine, corpus: Path, tmp_path: Path) -> None:
    similar = make_pdf(
        corpus / "eruption2.pdf",
        ["An erupting volcano sent lava and ash over the valley; magma rose for weeks."],
    )
    engine.add_folder(corpus)  # rescan picks up the new file
    assert engine.wait_until_idle(60)
    results = engine.more_like_this(corpus / "volcano.pdf")
    assert "volcano.pdf" not in names(results)
    assert names(results)[0] == similar.name


@pytest.mark.parametrize("query", ["", "   ", "-only -exclusions", '""'])
def test_empty_queries_are_refused_with_a_message(engine, query: str) -> None:
    with pytest.raises(InvalidQueryError):
        engine.search(query)


def test_very_long_query_is_answered(engine) -> None:
    query = ("volcano eruption " * 700)[:10_000]
    assert names(engine.search(query))[0] == "volcano.pdf"


def test_stopword_only_query_still_searches(engine) -> None:
    engine.search("the of and")  # must not raise


def test_unknown_mode_is_refused(engine) -> None:
    with pytest.raises(InvalidQueryError, match="mode"):
        engine.search("volcano", mode="fuzzy")
