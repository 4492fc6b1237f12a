"""Results a person can trust, through a real engine: absolute confidence, "did you mean",
notes about the query, duplicates merged, why a passage was found, what each result shows."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from desktop_search.core.models import SearchResults
from desktop_search.core.search.confidence import WEAK
from desktop_search.core.search.searcher import Searcher
from tests.conftest import make_pdf

HEALTH_NOTE = (
    "# Check-up\n\nCholesterol was a little high at the last check-up. The doctor suggested "
    "less butter and more oats; cholesterol will be measured again in March."
)
# Unrelated documents, the kind a misspelt word used to return at full score.
OTHERS = {
    "garden.md": "Tomatoes need sun and regular water. Prune the side shoots every week.",
    "bike.md": "The rear derailleur slips under load: replace the chain and the cassette.",
    "trip.md": "The train to Lyon leaves at 7:40; the hotel is near the old town square.",
    "taxes.md": "Send the tax return before the end of May, with the receipts for repairs.",
    "recipe.md": "Roast the aubergine with garlic and olive oil, then blend it with tahini.",
    "music.md": "Practise the scales slowly; the metronome at sixty beats a minute.",
}


def names(results) -> list[str]:
    return [os.path.basename(r.path) for r in results]


@pytest.fixture
def notes_folder(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    root.mkdir()
    (root / "health.md").write_text(HEALTH_NOTE, encoding="utf-8")
    for name, text in OTHERS.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def notes_engine(engine_factory, notes_folder: Path):
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(notes_folder)
    assert engine.wait_until_idle(120)
    return engine


def test_misspelt_word_runs_the_spelling_from_the_index(notes_engine) -> None:
    results = notes_engine.search("cholestrol")
    assert isinstance(results, SearchResults)
    assert results.suggestion == "cholesterol"
    assert results.corrected_query == "cholesterol"  # the typed word found nothing close
    assert names(results)[0] == "health.md"
    assert results[0].confidence >= WEAK
    assert any("cholestrol" in note and "cholesterol" in note for note in results.notes)


def test_without_a_spelling_a_misspelt_word_gives_no_confident_junk(notes_engine) -> None:
    # The same engine's parts, but no suggester: what the misspelt word finds on its own.
    searcher = Searcher(
        notes_engine.index,
        notes_engine.models.fast,
        meaning_vectors=notes_engine.indexer.meaning,
    )
    for mode in ("hybrid", "semantic", "keyword"):
        results = searcher.search("cholestrol", mode=mode)
        assert all(r.confidence < WEAK for r in results), (mode, names(results))
        assert results.suggestion == ""
        if results:  # said as weak evidence, never as "nothing is here"
            assert any(n.startswith("No strong match for “cholestrol”") for n in results.notes)


def test_a_known_word_gets_no_suggestion_and_a_full_match_is_confident(notes_engine) -> None:
    results = notes_engine.search("cholesterol")
    assert results.suggestion == "" and results.corrected_query == ""
    assert names(results)[0] == "health.md"
    assert results[0].confidence >= 0.6
    # Absolute, not relative to the best hit: the unrelated notes stay low.
    assert all(r.confidence < WEAK for r in results[1:])


def test_confidence_never_rises_down_the_list(notes_engine) -> None:
    for query in ("roast aubergine", "train hotel", "cholesterol oats", "what to cook"):
        results = notes_engine.search(query)
        confidences = [r.confidence for r in results]
        assert confidences == sorted(confidences, reverse=True), query
        assert all(0.0 <= c <= 1.0 for c in confidences)
        for result in results:
            assert all(h.confidence <= 1.0 for h in result.hits)


def test_a_phrase_no_passage_has_is_said_and_its_words_still_found(engine_factory, corpus):
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(corpus)
    assert engine.wait_until_idle(60)
    results = engine.search('"oven hot"')
    assert names(results)[0] == "baking.pdf"
    assert results.missing_phrases == ("oven hot",)
    assert any("exact phrase “oven hot”" in note for note in results.notes)
    held = engine.search('"hot oven"')
    assert held.missing_phrases == () and not any("phrase" in n for n in held.notes)
    # A quoted title pasted into a question: said, never an empty list.
    question = engine.search('anything on "Sourdough in volcanic ovens" and crust?')
    assert question and question.missing_phrases == ("sourdough in volcanic ovens",)


# Notes about moving more: one says "walk every day" word for word, the others are about the
# same thing in other words (closer in meaning to a three-word query than a whole plan is).
EXERCISE_NOTES = {
    "plan.md": "# After the check-up\n\nLess butter, more oats and fish twice a week. Walk every "
    "day, at least thirty minutes, and take the stairs at work. Blood test again in March.",
    "routine.md": "# Daily exercise routine\nMorning jogging in the park, then stretching. Evening "
    "strolls with the dog along the river path. Cycling to the office on dry days.",
    "steps.md": "# Step counter\nTen thousand steps a day is a popular goal; the watch buzzes "
    "after an hour of sitting. Weekly average so far: 7,800 steps.",
    "hiking.md": "# Hiking trails\nThe northern loop is a gentle two-hour hike on foot every "
    "weekend; the ridge path is steep and rocky.",
    "garden.md": "Tomatoes need sun and regular water. Prune the side shoots every week.",
}


@pytest.mark.slow
@pytest.mark.parametrize("model", ["bundled-fast", "bundled"])
def test_words_found_in_the_order_typed_come_first_and_read_as_a_match(
    engine_factory, tmp_path: Path, isolated_home: Path, model: str
) -> None:
    # With the transformer, a short query of common words leans on meaning alone: the notes
    # that say the same in other words used to come first, and the plan read as weak.
    (isolated_home / "settings.toml").write_text(f'model = "{model}"\n', encoding="utf-8")
    folder = tmp_path / "moving"
    folder.mkdir()
    for name, text in EXERCISE_NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(folder)
    assert engine.wait_until_idle(300)
    assert engine.wait_until_improved(300)
    for query in ("walk every day", "Walking every day"):
        results = engine.search(query)
        assert names(results)[0] == "plan.md", (query, names(results))
        assert results[0].confidence >= 0.6 and not results.notes, query
    # The words in another order are no phrase: no lift, no confidence from it.
    shuffled = engine.search("day every walk")
    assert all(r.confidence < 0.6 for r in shuffled if names([r]) != ["plan.md"])


def test_the_same_file_in_two_folders_is_shown_once(engine_factory, tmp_path: Path) -> None:
    first, second = tmp_path / "work", tmp_path / "backup" / "2023"
    make_pdf(first / "report.pdf", ["The glacier retreated four kilometres since 1950."])
    second.mkdir(parents=True)
    shutil.copy(first / "report.pdf", second / "report.pdf")
    make_pdf(first / "other.pdf", ["Glacier tours start at the visitor centre."])
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(first)
    engine.add_folder(tmp_path / "backup")
    assert engine.wait_until_idle(60)
    results = engine.search("glacier retreated")
    paths = [r.path for r in results]
    assert paths.count(str(first / "report.pdf")) + paths.count(str(second / "report.pdf")) == 1
    merged = next(r for r in results if r.path.endswith("report.pdf"))
    assert merged.also_in == (
        str(second / "report.pdf")
        if merged.path.startswith(str(first))
        else str(first / "report.pdf"),
    )
    assert "other.pdf" in names(results)


def test_each_result_has_title_date_and_size(engine_factory, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    pdf = make_pdf(
        folder / "q3.pdf", ["Quarterly revenue grew in the third quarter."], title="Q3 Results"
    )
    os.utime(pdf, (1_700_000_000, 1_700_000_000))
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(folder)
    assert engine.wait_until_idle(60)
    top = engine.search("quarterly revenue")[0]
    assert top.title == "Q3 Results"
    assert top.modified == pytest.approx(1_700_000_000)
    assert top.size == pdf.stat().st_size > 0


def test_why_a_passage_found_by_meaning_was_found(engine_factory, corpus) -> None:
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(corpus)
    assert engine.wait_until_idle(60)
    hit = engine.search("cooking a loaf", mode="semantic")[0].best
    assert hit.found_by == "meaning"
    assert hit.matched_terms == ()
    # The passage's sentence nearest the question, whole, and the snippet shows it.
    assert hit.closest_sentence.startswith("To bake sourdough bread")
    assert hit.closest_sentence in " ".join(hit.text.split())
    assert hit.text[hit.focus[0] : hit.focus[1]].startswith("To bake sourdough bread")
    words = engine.search("sourdough starter")[0].best
    assert words.found_by in ("words", "words and meaning")
    assert set(words.matched_terms) == {"sourdough", "starter"}


def test_results_travel_with_their_notes(notes_engine) -> None:
    results = notes_engine.search("cholestrol")
    again = pickle.loads(pickle.dumps(results))
    assert isinstance(again, SearchResults)
    assert again == results  # a plain list to anyone who only wants the documents
    assert (again.notes, again.suggestion, again.corrected_query) == (
        results.notes,
        results.suggestion,
        results.corrected_query,
    )


@pytest.mark.slow
def test_default_model_gives_no_confident_junk_for_a_misspelt_word(
    engine_factory, notes_folder: Path, isolated_home: Path
) -> None:
    """End to end with the bundled transformer (the model the confidence is calibrated on)."""
    (isolated_home / "settings.toml").write_text('model = "bundled"\n', encoding="utf-8")
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(notes_folder)
    assert engine.wait_until_idle(300)
    assert engine.wait_until_improved(300)
    searcher = Searcher(
        engine.index, engine.models.fast, engine.models.meaning, engine.indexer.meaning
    )
    junk = searcher.search("cholestrol")
    assert all(r.confidence < WEAK for r in junk), [(r.path, r.confidence) for r in junk]
    fixed = engine.search("cholestrol")
    assert fixed.corrected_query == "cholesterol"
    assert names(fixed)[0] == "health.md" and fixed[0].confidence >= 0.6
    assert names(engine.search("what did the doctor say about my blood fat"))[0] == "health.md"



def test_a_question_in_sentences_is_never_respelt(notes_engine) -> None:
    # "cholestrol" alone is respelt (above); inside a question of real words that the notes
    # don't use, respelling would turn it into nonsense, so the question is searched as typed.
    question = "does porridge lower cholestrol levels in adults"
    results = notes_engine.search(question)
    assert results.suggestion == ""
    assert results.corrected_query == ""
    assert not any("showing results for" in note for note in results.notes)
