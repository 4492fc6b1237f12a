"""The FTS5 keyword index: BM25 order and its plan, the threaded split, what never matches,
CJK words inside runs, accents, file names and titles, spelling suggestions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_search.core.models import Chunk
from desktop_search.core.storage import keyword_index, keyword_plan
from desktop_search.core.storage.catalog import Catalog
from desktop_search.core.storage.keyword_index import KeywordIndex, KeywordQuery
from desktop_search.core.storage.keyword_plan import word_phrase
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
    assert keywords.files_matching('"red fox"') == {a.id}
    assert keywords.files_matching('"fox red"') == {b.id}
    assert keywords.files_matching("fox", [a.id]) == {a.id}
    assert keywords.files_matching("fox", []) == set()


def _passages(path: str, texts: list[str], title: str = "") -> DocumentWrite:
    """A document whose passages hold these texts."""
    return DocumentWrite(
        path=path,
        folder="/f",
        size=len(texts),
        mtime=1.0,
        hash=f"h-{path}",
        title=title,
        file_type=path.rsplit(".", 1)[-1],
        pages=1,
        chunks=[Chunk(page=1, start=0, end=len(t), text=t) for t in texts],
    )


def _files(hits: list[tuple[int, int, float]], catalog: Catalog) -> list[str]:
    rows = catalog.files_by_id(h[1] for h in hits)
    return [rows[h[1]].path for h in hits]


def test_a_cjk_word_is_found_inside_a_longer_run(catalog: Catalog, keywords: KeywordIndex) -> None:
    _write(
        catalog,
        [
            _passages("/f/tax.txt", ["今年の確定申告の書類を税務署に提出しました。"]),
            _passages("/f/report.txt", ["公司财务报告显示本季度收入增长。财务部门负责。"]),
            _passages("/f/other.txt", ["申告は来週です。確定した予定はありません。"]),
        ],
    )
    assert _files(keywords.keyword_search(KeywordQuery(("確定申告",)), 10), catalog)[0] == (
        "/f/tax.txt"
    )
    assert _files(keywords.keyword_search(KeywordQuery(("财务",)), 10), catalog) == [
        "/f/report.txt"
    ]
    # One character: found among the single characters.
    assert _files(keywords.keyword_search(KeywordQuery(("税",)), 10), catalog) == ["/f/tax.txt"]
    # Characters in another order, or split by punctuation, are not the word.
    assert keywords.keyword_search(KeywordQuery(("申告確定",)), 10) == []
    assert keywords.files_matching(word_phrase("確定申告")) == {
        catalog.file_by_path("/f/tax.txt").id  # type: ignore[union-attr]
    }


def test_accents_fold_in_the_keyword_index(catalog: Catalog, keywords: KeywordIndex) -> None:
    _write(catalog, [_passages("/f/sauce.md", ["A béchamel needs butter and flour."])])
    for word in ("bechamel", "béchamel", "BÉCHAMEL"):
        assert len(keywords.keyword_search(KeywordQuery((word,)), 10)) == 1


def _exact_scores(catalog: Catalog, words: tuple[str, ...]) -> dict[int, float]:
    expression = " OR ".join(f'"{w}"' for w in words)
    sql = "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ?"
    return dict(catalog.db.execute(sql, (expression,)).fetchall())


def test_common_words_are_scored_exactly_on_passages_rarer_words_select(
    catalog: Catalog, keywords: KeywordIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = []
    for i in range(60):
        words = ["flow"] * (1 + i % 3) + ["pressure"] * (i % 2) + ["filler"] * (i % 7)
        if i % 10 == 0:
            words.append("shockwave")
        if i % 15 == 0:
            words.append("supersonic")
        texts.append(" ".join(words))
    texts += ["unrelated words here"] * 70  # so that "flow" is in fewer than half
    _write(catalog, [_passages(f"/f/{i}.txt", [t]) for i, t in enumerate(texts)])
    query = KeywordQuery(("shockwave", "flow", "pressure", "supersonic"))
    exact = _exact_scores(catalog, query.terms)
    unbudgeted = keywords.keyword_search(query, 200)
    assert len(unbudgeted) == len(exact)  # everything fits the budget: plain BM25
    monkeypatch.setattr(keyword_plan, "SELECTIVE_BUDGET", 10)
    planned = keywords.keyword_search(query, 200)
    # Only passages holding a selective word ('supersonic', 'shockwave') are ranked...
    assert len(planned) == 6 + 4 - 2
    # ...each with the score BM25 gives it over every word of the query.
    for chunk_id, _, score in planned:
        assert score == pytest.approx(exact[chunk_id], rel=1e-4)
    best_exact = sorted(exact, key=lambda c: -exact[c])[:3]
    assert [h[0] for h in planned[:3]] == best_exact


def test_a_word_in_half_the_passages_weighs_nothing_and_is_left_out(
    catalog: Catalog, keywords: KeywordIndex
) -> None:
    texts = ["common word"] * 30 + ["common rare"] * 2 + ["other"] * 10
    _write(catalog, [_passages(f"/f/{i}.txt", [t]) for i, t in enumerate(texts)])
    assert len(keywords.keyword_search(KeywordQuery(("common", "rare")), 100)) == 2
    # Alone, the common word is still found.
    assert len(keywords.keyword_search(KeywordQuery(("common",)), 100)) == 32
    excluded = KeywordQuery(("common",), excluded=("rare",))
    assert len(keywords.keyword_search(excluded, 100)) == 30


def test_file_names_and_titles_are_searchable(catalog: Catalog, keywords: KeywordIndex) -> None:
    _write(
        catalog,
        [
            _passages("/f/jo.pdf", ["序 わたくしといふ現象は"], title="Haru to Shura"),
            _passages("/f/manual.pdf", ["Save the file as pdf. The pdf export keeps fonts."]),
            _passages("/f/確定申告2023.txt", ["receipts"], title="Tax return"),
        ],
    )
    jo = catalog.file_by_path("/f/jo.pdf")
    assert jo is not None
    assert [f for f, _ in keywords.name_search(("jo", "pdf"), 10)] == [jo.id]
    assert keywords.name_search(("pdf",), 10) == []  # an extension alone names no file
    assert [f for f, _ in keywords.name_search(("shura",), 10)] == [jo.id]  # the title
    tax = catalog.file_by_path("/f/確定申告2023.txt")
    assert tax is not None and [f for f, _ in keywords.name_search(("申告",), 10)] == [tax.id]
    assert keywords.name_search(("jo", "pdf"), 10, [tax.id]) == []

    catalog.rename("/f/jo.pdf", "/f/spring.pdf", "/f", 1, 1.0)
    assert keywords.name_search(("jo",), 10) == []
    assert [f for f, _ in keywords.name_search(("spring",), 10)] == [jo.id]
    catalog.delete_files(["/f/spring.pdf"])
    assert keywords.name_search(("spring",), 10) == []
    _write(catalog, [_passages("/f/draft.txt", ["x"])], indexed=False)
    assert keywords.name_search(("draft",), 10) == []  # not searchable until indexed


def test_a_misspelt_word_gets_the_closest_word_of_the_index(
    catalog: Catalog, keywords: KeywordIndex
) -> None:
    _write(
        catalog,
        [
            _passages("/f/note.md", ["Cholesterol and blood pressure, checked yearly."]),
            _passages("/f/study.txt", ["Two studies of the heart.", "Further studies follow."]),
            _passages("/f/misc.txt", ["Chlorine in the water. Choirs sing."]),
        ],
    )
    assert keywords.suggest_spelling("cholestrol") == "cholesterol"
    assert keywords.suggest_spelling("Cholesteral") == "cholesterol"
    assert keywords.suggest_spelling("stduies") == "studies"  # the word as written, not 'studi'
    assert keywords.suggest_spelling("cholesterol") is None  # known
    assert keywords.suggest_spelling("zebra") is None  # nothing close
    assert keywords.suggest_spelling("财务") is None and keywords.suggest_spelling("x1") is None


def test_a_rare_word_is_corrected_only_towards_a_much_more_common_one(
    catalog: Catalog, keywords: KeywordIndex
) -> None:
    _write(
        catalog,
        [_passages("/f/a.txt", ["the protein was measured"] * 12 + ["the protien was not"])],
    )
    assert keywords.suggest_spelling("protien") == "protein"
    assert keywords.suggest_spelling("protein") is None


def test_a_word_searched_before_it_was_written_is_found_once_it_is(
    catalog: Catalog, keywords: KeywordIndex
) -> None:
    _write(catalog, [make_doc(f"/f/{i}.pdf", 3, "alpha") for i in range(5)])
    query = KeywordQuery(("pulsarwhistle", "alpha"))
    assert {h[1] for h in keywords.keyword_search(KeywordQuery(("pulsarwhistle",)), 10)} == set()
    assert len(keywords.keyword_search(query, 100)) == 15
    _write(catalog, [make_doc("/f/new.pdf", 1, "pulsarwhistle")])
    new = catalog.file_by_path("/f/new.pdf")
    assert new is not None
    assert {h[1] for h in keywords.keyword_search(KeywordQuery(("pulsarwhistle",)), 10)} == {new.id}
    assert keywords.keyword_search(query, 100)[0][1] == new.id


def test_word_counts_are_taken_once_while_the_keyword_index_is_unchanged(
    catalog: Catalog, keywords: KeywordIndex
) -> None:
    _write(catalog, [make_doc(f"/f/{i}.pdf", 3, f"alpha beta{i % 2}") for i in range(5)])
    query = KeywordQuery(("alpha", "beta0", "beta1", "pulsarwhistle"))
    counted: list[str] = []
    catalog.db.set_trace_callback(lambda sql: counted.append(sql) if "count(*)" in sql else None)
    try:
        first = keywords.keyword_search(query, 100)
        assert len(counted) == 4  # each word counted once
        assert keywords.keyword_search(query, 100) == first
        assert len(counted) == 4  # and not again: nothing was written in between
        _write(catalog, [make_doc("/f/new.pdf", 1, "pulsarwhistle")])
        new = catalog.file_by_path("/f/new.pdf")
        assert new is not None
        assert keywords.keyword_search(query, 100)[0][1] == new.id
        assert len(counted) == 8  # a write makes every small count be taken again
    finally:
        catalog.db.set_trace_callback(None)
