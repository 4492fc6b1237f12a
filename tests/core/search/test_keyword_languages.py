"""Keyword search in every script and by name, through a real engine: CJK words inside runs of
characters, text set vertically, accents folded, file names and titles."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from desktop_search.core.models import DocumentResult
from tests.conftest import SHARED_PDFS, make_pdf

NOTES = {
    "申告メモ.txt": "今年の確定申告の書類を税務署に提出しました。領収書は箱に入れてあります。",
    "季度报告.txt": "公司财务报告显示本季度收入增长。财务部门负责预算，财务总监批准了计划。",
    "sauce.md": "# Sauces\n\nA béchamel needs butter, flour and milk, stirred until smooth.",
    "garden.md": "Tomatoes need sun and regular water. Prune the side shoots every week.",
}
VERTICAL = SHARED_PDFS / "pdfminer__jo.pdf"  # Miyazawa's poem, set vertically


def names(results: list[DocumentResult]) -> list[str]:
    return [os.path.basename(r.path) for r in results]


def marked(result: DocumentResult) -> set[str]:
    hit = result.best
    return {hit.snippet[s:e] for s, e in hit.highlights}


@pytest.fixture
def engine(engine_factory, tmp_path: Path):
    root = tmp_path / "docs"
    root.mkdir()
    for name, text in NOTES.items():
        (root / name).write_text(text, encoding="utf-8")
    assert VERTICAL.is_file(), f"the shared test PDFs are missing: {VERTICAL}"
    shutil.copy(VERTICAL, root / "jo.pdf")
    # A PDF that says "pdf" a lot: what the query "jo.pdf" used to find.
    make_pdf(root / "export-guide.pdf", ["Save as PDF. A PDF keeps its fonts; pdf files print."])
    make_pdf(
        root / "minutes.pdf",
        ["Attendance was good and the budget passed."],
        title="Harbour Committee Minutes",
    )
    eng = engine_factory()
    eng.load_model()
    eng.add_folder(root)
    assert eng.wait_until_idle(120)
    return eng


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_a_japanese_word_inside_a_sentence_is_found_and_marked(engine, mode: str) -> None:
    results = engine.search("確定申告", mode=mode)
    assert names(results)[0] == "申告メモ.txt"
    assert marked(results[0]) == {"確定申告"}


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_a_two_character_chinese_word_is_found_and_marked(engine, mode: str) -> None:
    results = engine.search("财务", mode=mode)
    assert names(results)[0] == "季度报告.txt"
    assert marked(results[0]) == {"财务"}


def test_text_set_vertically_is_joined_into_words(engine) -> None:
    results = engine.search("幽霊", mode="keyword")
    assert names(results) == ["jo.pdf"]
    assert "幽霊" in results[0].best.snippet and marked(results[0]) == {"幽霊"}


@pytest.mark.parametrize("query", ["bechamel", "béchamel", "BECHAMEL"])
def test_accents_fold_the_same_way_when_finding_and_marking(engine, query: str) -> None:
    results = engine.search(query, mode="keyword")
    assert names(results) == ["sauce.md"]
    assert marked(results[0]) == {"béchamel"}


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_a_file_name_finds_the_file(engine, mode: str) -> None:
    results = engine.search("jo.pdf", mode=mode)
    assert names(results)[0] == "jo.pdf"
    assert results[0].confidence == 1.0
    # Found by its name: its passages hold no word typed, and do not claim "meaning".
    assert {h.found_by for h in results[0].hits} == {"name"}


def test_a_document_title_ranks_its_document_first(engine) -> None:
    results = engine.search("harbour committee")
    assert names(results)[0] == "minutes.pdf"
    assert results[0].title == "Harbour Committee Minutes"


def test_the_index_suggests_its_own_spelling(engine) -> None:
    assert engine.index.suggest_spelling("bechamle") == "béchamel"
    assert engine.index.suggest_spelling("tomatoes") is None
