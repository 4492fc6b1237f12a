"""The FTS5 keyword index: BM25 order, the threaded split, and what never matches."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_search.core.storage import keyword_index
from desktop_search.core.storage.catalog import Catalog
from desktop_search.core.storage.keyword_index import KeywordIndex
from desktop_search.core.storage.records import DocumentWrite
from tests.core.storage.conftest import make_doc


@pytest.fixture
def keywords(catalog: Catalog) -> Iterator[KeywordIndex]:
    index = KeywordIndex(catalog)
    yield index
    index.close()


def _write(catalog: Catalog, docs: list[DocumentWrite], indexed: bool = True) -> None:
    catalog.stage_documents(docs)
    if indexed:
        catalog.mark_indexed([d.path for d in docs])


def test_bm25_ranks_denser_passages_first(catalog: Catalog, keywords: KeywordIndex) -> None:
    _write(catalog, [make_doc("/f/one.pdf", 1, "volcano"), make_doc("/f/lava.pdf", 1, "lava")])
    _write(catalog, [make_doc("/f/dense.pdf", 1, "volcano volcano volcano")])
    hits = keywords.keyword_search("volcano", 10)
    dense_id = catalog.file_by_path("/f/dense.pdf").id  # type: ignore[union-attr]
    assert [h[1] for h in hits][0] == dense_id and len(hits) == 2
    assert hits[0][2] > hits[1][2] > 0  # higher is better


def test_the_threaded_split_finds_what_one_query_finds(
    catalog: Catalog, keywords: KeywordIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every passage a different length, so no two BM25 scores tie and the top 40 is one set.
    docs = [make_doc(f"/f/{i}.pdf", 1, "alpha " + "filler " * i) for i in range(120)]
    _write(catalog, docs)
    single = keywords.keyword_search("alpha", 40)
    monkeypatch.setattr(keyword_index, "PARALLEL_QUERY_MIN_PASSAGES", 1)
    monkeypatch.setattr(keyword_index, "PARALLEL_QUERY_THREADS", 3)
    split = keywords.keyword_search("alpha", 40)
    assert len(single) == 40
    assert sorted(split) == sorted(single)
    assert [h[2] for h in split] == sorted((h[2] for h in split), reverse=True)


def test_unfinished_files_and_bad_queries_match_nothing(
    catalog: Catalog, keywords: KeywordIndex
) -> None:
    _write(catalog, [make_doc("/f/half.pdf", 2, "gamma")], indexed=False)
    assert keywords.keyword_search("gamma", 10) == []
    half = catalog.file_by_path("/f/half.pdf")
    assert half is not None and keywords.keyword_search("gamma", 10, [half.id]) == []
    assert keywords.keyword_search('"unclosed', 10) == []
    assert keywords.files_matching("AND OR") == set()


def test_filters_for_phrases_and_exclusions(catalog: Catalog, keywords: KeywordIndex) -> None:
    _write(catalog, [make_doc("/f/a.pdf", 2, "red fox"), make_doc("/f/b.pdf", 1, "fox red")])
    a = catalog.file_by_path("/f/a.pdf")
    b = catalog.file_by_path("/f/b.pdf")
    assert a is not None and b is not None
    every = sorted(catalog.chunk_ids())
    assert keywords.chunks_matching('"red fox"', every) == set(catalog.chunk_ids_of_file(a.id))
    assert keywords.chunks_matching('"red fox"', []) == set()
    assert keywords.files_matching('"fox red"') == {b.id}
    assert keywords.files_matching("fox", [a.id]) == {a.id}
    assert keywords.files_matching("fox", []) == set()
