"""The eval collections read as the files give them."""

from __future__ import annotations

from benchmarks.eval_sets import load_qrels, load_queries
from tests.benchmarks.helpers import need_shared_data


def test_load_queries_and_graded_qrels() -> None:
    need_shared_data()
    queries = load_queries("cranfield")
    qrels = load_qrels("cranfield")
    assert len(queries) == 225
    assert queries["3"].startswith("what problems of heat conduction in composite slabs")
    assert qrels["1"]["12"] == 2
    assert set(qrels) <= set(queries)
    assert {g for rels in qrels.values() for g in rels.values()} == {1, 2, 3, 4}


def test_queries_are_kept_verbatim() -> None:
    need_shared_data()
    cisi = load_queries("cisi")
    assert any("\n" in q for q in cisi.values())  # line breaks inside a query survive loading
    assert any('"' in q for q in cisi.values())
