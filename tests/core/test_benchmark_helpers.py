"""Fast checks of the benchmark helpers: metrics on hand-worked examples, PDF rendering, tables."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

_COMMON = Path(__file__).resolve().parents[2] / "benchmarks" / "common.py"


def _load_common():  # benchmarks/ is not a package on sys.path under plain `pytest`
    spec = importlib.util.spec_from_file_location("benchmarks_common_under_test", _COMMON)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


common = _load_common()


# ---- nDCG@k (linear gain, trec_eval definition) ----


def test_ndcg_graded_hand_computed() -> None:
    qrels = {"a": 3, "b": 2, "c": 1}
    # DCG = 1/log2(2) + 0 + 3/log2(4) = 2.5; IDCG = 3 + 2/log2(3) + 1/log2(4)
    expected = 2.5 / (3 + 2 / math.log2(3) + 0.5)
    assert common.ndcg_at_k(["c", "x", "a"], qrels, k=10) == pytest.approx(expected)
    assert expected == pytest.approx(0.52500, abs=1e-4)


def test_ndcg_uses_linear_not_exponential_gain() -> None:
    qrels = {"a": 1, "b": 4}
    # linear: (1 + 4/log2(3)) / (4 + 1/log2(3)); exponential gain (2^rel - 1) would differ
    linear = (1 + 4 / math.log2(3)) / (4 + 1 / math.log2(3))
    assert common.ndcg_at_k(["a", "b"], qrels) == pytest.approx(linear)
    exponential = (1 + 15 / math.log2(3)) / (15 + 1 / math.log2(3))
    assert linear != pytest.approx(exponential)


def test_ndcg_binary_perfect_cutoff_and_duplicates() -> None:
    qrels = {"a": 1, "b": 1, "z": 0}
    assert common.ndcg_at_k(["a", "x", "b"], qrels) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert common.ndcg_at_k(["b", "a", "x"], qrels) == pytest.approx(1.0)
    assert common.ndcg_at_k(["x", "a"], qrels, k=1) == 0.0
    # a repeated document counts once, at its first place: ["a", "a", "b"] == ["a", "b"]
    assert common.ndcg_at_k(["a", "a", "b"], qrels) == pytest.approx(1.0)
    # IDCG is cut at k too: only one relevant fits in the top 1
    assert common.ndcg_at_k(["a"], qrels, k=1) == pytest.approx(1.0)


def test_ndcg_without_relevant_documents_is_zero() -> None:
    assert common.ndcg_at_k(["a"], {"a": 0}) == 0.0
    assert common.ndcg_at_k([], {"a": 2}) == 0.0


# ---- Recall@k ----


def test_recall_at_k() -> None:
    qrels = {"a": 2, "b": 1, "c": 1, "d": 3, "e": 0}
    ranked = ["a", "x", "c", "e"]
    assert common.recall_at_k(ranked, qrels, k=3) == pytest.approx(0.5)
    assert common.recall_at_k(ranked, qrels, k=2) == pytest.approx(0.25)
    assert common.recall_at_k(["a", "a", "a"], qrels, k=100) == pytest.approx(0.25)
    assert common.recall_at_k(["a"], {"a": 0}) == 0.0


def test_evaluate_skips_unjudged_queries_and_zeroes_missing_runs() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}
    run = {"q1": ["a"], "q3": ["c"]}  # q2 has no ranking at all: scores 0
    scores = common.evaluate(run, qrels, ndcg_k=10, recall_k=100)
    assert scores["queries"] == 2
    assert scores["ndcg"] == pytest.approx(0.5)
    assert scores["recall"] == pytest.approx(0.5)


# ---- data loading ----


def _need_shared() -> None:
    if not (common.shared_dir() / "data" / "eval" / "cranfield" / "corpus.jsonl").is_file():
        pytest.skip(f"eval data not found under {common.shared_dir()}")


def test_load_queries_and_graded_qrels() -> None:
    _need_shared()
    queries = common.load_queries("cranfield")
    qrels = common.load_qrels("cranfield")
    assert len(queries) == 225
    assert queries["3"].startswith("what problems of heat conduction in composite slabs")
    assert qrels["1"]["12"] == 2
    assert set(qrels) <= set(queries)
    assert {g for rels in qrels.values() for g in rels.values()} == {1, 2, 3, 4}


# ---- PDF rendering ----


def test_render_three_documents(tmp_path: Path) -> None:
    _need_shared()
    import pymupdf

    out = common.render_collection_pdfs("cranfield", limit=3, out_dir=tmp_path / "pdfs")
    docs = common.load_corpus("cranfield")[:3]
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(f"{d['_id']}.pdf" for d in docs)
    no_ligatures = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES
    for doc in docs:
        with pymupdf.open(out / f"{doc['_id']}.pdf") as pdf:
            text = " ".join(page.get_text(flags=no_ligatures) for page in pdf)
        assert " ".join(text.split()) == " ".join(f"{doc['title']} {doc['text']}".split())

    # the marker makes a second call a no-op (nothing re-rendered)
    first = out / f"{docs[0]['_id']}.pdf"
    before = first.stat().st_mtime_ns
    assert common.render_collection_pdfs("cranfield", limit=3, out_dir=out) == out
    assert first.stat().st_mtime_ns == before


def test_long_document_continues_on_more_pages(tmp_path: Path) -> None:
    import pymupdf

    words = [f"word{i}" for i in range(3000)]
    path = tmp_path / "long.pdf"
    common.render_document_pdf(path, "A long title", " ".join(words))
    with pymupdf.open(path) as pdf:
        assert pdf.page_count > 1
        text = " ".join(page.get_text() for page in pdf).split()
    assert text[:3] == ["A", "long", "title"]
    assert text[3:] == words


# ---- batch files, CLI output, tables ----


def test_batch_line_is_one_line_with_query_syntax_defused() -> None:
    assert common.batch_line('The "training" phase\nof  -dash pitot-static\ttubes') == (
        "The training phase of dash pitot-static tubes"
    )
    assert common.batch_line('a "b"', neutralize_syntax=False) == 'a "b"'


def test_batch_results_accepts_list_or_object() -> None:
    hit = {"path": "/x/12.pdf", "score": 1.0}
    assert common.batch_results([hit]) == [hit]
    assert common.batch_results({"query": "q", "results": [hit]}) == [hit]
    assert common.doc_id_of(hit) == "12"
    with pytest.raises(ValueError):
        common.batch_results({"query": "q"})


def test_format_table_aligns_columns() -> None:
    table = common.format_table(["name", "score"], [["hybrid", 0.5], ["kw", 12.25]])
    lines = table.splitlines()
    assert lines[0] == "name     score"
    assert lines[1] == "------  ------"
    assert lines[2] == "hybrid   0.500"
    assert lines[3] == "kw      12.250"
    assert len({len(line) for line in lines}) == 1


def test_synthetic_files_are_about_ten_passages_long(tmp_path: Path) -> None:
    _need_shared()
    common.write_synthetic_files(tmp_path, 3, seed=1)
    files = sorted(tmp_path.glob("*.txt"))
    assert [f.name for f in files] == ["doc000000.txt", "doc000001.txt", "doc000002.txt"]
    texts = [f.read_text(encoding="utf-8") for f in files]
    assert all(7000 <= len(t) <= 9000 for t in texts)
    assert len(set(texts)) == 3
