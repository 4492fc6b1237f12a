"""ResultsModel: Qt model contract (qtmodeltester), roles, and results from a real search."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QModelIndex, Qt

from desktop_search.core.models import DocumentResult, Hit
from desktop_search.gui.results_model import ResultRole, ResultsModel


def _hit(n: int, page: int, score: float, snippet: str = "the quick brown fox") -> Hit:
    return Hit(
        chunk_id=n,
        page=page,
        score=score,
        snippet=snippet,
        highlights=((4, 9),),
        text=snippet,
        start=0,
        end=len(snippet),
    )


def _results() -> list[DocumentResult]:
    return [
        DocumentResult(
            "/docs/a/first.pdf",
            "First",
            0.9,
            "pdf",
            0.0,
            (_hit(1, 3, 0.9), _hit(2, 5, 0.45), _hit(3, 9, 0.3)),
        ),
        DocumentResult("/docs/b/second.md", "Second", 0.3, "md", 0.0, (_hit(4, 1, 0.3),)),
    ]


def test_model_passes_qtmodeltester_with_nested_passages(qtmodeltester):
    model = ResultsModel()
    model.set_results(_results(), "quick")
    qtmodeltester.check(model, force_py=True)
    model.set_results([], "")
    qtmodeltester.check(model, force_py=True)


def test_documents_are_rows_and_further_passages_are_children():
    model = ResultsModel()
    model.set_results(_results(), "quick")
    assert model.rowCount() == 2
    first = model.index(0, 0)
    assert model.rowCount(first) == 2  # the best passage is the row itself
    assert model.rowCount(model.index(1, 0)) == 0
    child = model.index(1, 0, first)
    assert child.parent() == first
    assert child.data(ResultRole.PAGE) == 9
    assert child.data(ResultRole.HIT_NUMBER) == 3
    assert first.data(ResultRole.FILE_NAME) == "first.pdf"
    assert first.data(ResultRole.FOLDER) == "/docs/a"
    assert first.data(ResultRole.PAGE) == 3
    assert first.data(ResultRole.HIGHLIGHTS) == ((4, 9),)
    assert first.data(ResultRole.MORE_PASSAGES) == 2
    assert "first.pdf" in first.data(Qt.ItemDataRole.DisplayRole)
    assert not (model.flags(child) & Qt.ItemFlag.ItemIsEditable)


def test_relevance_is_the_engines_absolute_confidence_not_relative_to_the_best():
    weak = [
        DocumentResult(
            "/docs/a/first.pdf",
            "First",
            0.9,
            "pdf",
            0.0,
            (dataclasses.replace(_hit(1, 3, 0.9), confidence=0.2),),
            confidence=0.2,
        ),
        DocumentResult(
            "/docs/b/second.md",
            "Second",
            0.3,
            "md",
            0.0,
            (dataclasses.replace(_hit(4, 1, 0.3), confidence=0.1),),
            confidence=0.1,
        ),
    ]
    model = ResultsModel()
    model.set_results(weak, "quick")
    assert model.index(0, 0).data(ResultRole.RELEVANCE) == 0.2  # not stretched to full
    assert model.index(1, 0).data(ResultRole.RELEVANCE) == 0.1
    assert model.index(0, 0).data(ResultRole.WEAK) is True


def test_passage_order_walks_documents_then_their_passages():
    model = ResultsModel()
    model.set_results(_results(), "quick")
    order = [(model.document_at(i).title, model.hit_at(i).page) for i in model.passage_indexes()]
    assert order == [("First", 3), ("First", 5), ("First", 9), ("Second", 1)]
    assert model.hit_at(QModelIndex()) is None


def test_model_holds_real_search_results(indexed_window, qtbot, qtmodeltester):
    from tests.gui.conftest import search

    search(qtbot, indexed_window, "volcano lava")
    model = indexed_window.results.model
    assert model.rowCount() >= 1
    top = model.index(0, 0)
    assert top.data(ResultRole.FILE_NAME) == "volcano.pdf"
    snippet = top.data(ResultRole.SNIPPET)
    marked = {snippet[s:e].lower() for s, e in top.data(ResultRole.HIGHLIGHTS)}
    assert marked & {"volcano", "lava", "volcanic"}
    qtmodeltester.check(model, force_py=True)
