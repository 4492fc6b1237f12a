"""The store: catalog, keyword rows and vectors stay in step, and a crash is repaired."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from desktop_search.core.config import Paths, Settings
from desktop_search.core.errors import IndexCorruptError
from desktop_search.core.storage.chroma_server import ServerChromaStore
from desktop_search.core.storage.index import Index
from tests.core.storage.conftest import MODEL, make_doc, unit_vectors


@pytest.fixture
def index(isolated_home: Path):
    ix = Index(Paths.resolve(isolated_home), Settings())
    ix.set_meta("model", MODEL)
    yield ix
    ix.close()


def _agree(ix: Index) -> dict[str, int]:
    counts = ix.check_consistency()
    assert counts["catalog_chunks"] == counts["chunks"] == counts["fts_rows"] == counts["vectors"]
    assert counts["unfinished"] == 0
    return counts


def test_write_replace_delete_keep_counts_in_step(index: Index) -> None:
    index.write_documents(
        [make_doc("/f/a.pdf", 3), make_doc("/f/b.pdf", 2)], unit_vectors(5), MODEL
    )
    assert _agree(index)["chunks"] == 5
    index.write_documents([make_doc("/f/a.pdf", 1, "beta")], unit_vectors(1, 1), MODEL)
    assert _agree(index)["chunks"] == 3
    assert index.keyword_search('"alpha"', 10) and len(index.keyword_search('"beta"', 10)) == 1
    index.delete_files(["/f/b.pdf"])
    assert _agree(index)["chunks"] == 1
    assert index.keyword_search('"alpha"', 10) == []


def test_failure_replaces_an_indexed_file(index: Index) -> None:
    index.write_documents([make_doc("/f/a.pdf", 2)], unit_vectors(2), MODEL)
    index.record_failure("/f/a.pdf", "/f", 5, 2.0, None, "it is password-protected", "pdf")
    assert _agree(index)["chunks"] == 0
    assert index.failed_files() == [("/f/a.pdf", "it is password-protected")]


def test_rename_keeps_passages_and_vectors(index: Index) -> None:
    index.write_documents([make_doc("/f/a.pdf", 2)], unit_vectors(2), MODEL)
    before = index.file_by_path("/f/a.pdf")
    index.rename("/f/a.pdf", "/f/sub/c.pdf", "/f", 2, 3.0)
    after = index.file_by_path("/f/sub/c.pdf")
    assert before is not None and after is not None and after.id == before.id
    assert index.file_by_path("/f/a.pdf") is None
    assert _agree(index)["chunks"] == 2


def test_repair_rolls_back_a_write_interrupted_after_the_catalog(index: Index) -> None:
    index.write_documents([make_doc("/f/keep.pdf", 2)], unit_vectors(2), MODEL)
    # Simulate a crash after step 1 (catalog rows written, no vectors, never marked indexed).
    with index.catalog.transaction() as conn:
        index.catalog.begin_file(conn, make_doc("/f/half.pdf", 3))
        for _ in range(3):
            conn.execute(
                "INSERT INTO chunks(file_id, page, start, end, text) "
                "SELECT id, 1, 0, 5, 'half' FROM files WHERE path='/f/half.pdf'"
            )
    # ...and a stray vector whose passage never existed (crash inside step 2 of another write)
    index.collection(MODEL).add(
        ids=["999999"], embeddings=unit_vectors(1), metadatas=[{"file_id": 0}]
    )
    fixed = index.repair()
    assert fixed["rolled_back"] == 1 and fixed["orphan_vectors"] == 1
    counts = _agree(index)
    assert counts["chunks"] == 2
    assert index.file_by_path("/f/half.pdf") is None
    assert index.file_by_path("/f/keep.pdf") is not None


def test_repair_reindexes_files_whose_vectors_are_missing(index: Index) -> None:
    index.write_documents(
        [make_doc("/f/a.pdf", 2), make_doc("/f/b.pdf", 1)], unit_vectors(3), MODEL
    )
    ids = index.chunk_ids_of_file(index.file_by_path("/f/b.pdf").id)  # type: ignore[union-attr]
    index.collection(MODEL).delete(ids=[str(i) for i in ids])
    fixed = index.repair()
    assert fixed["missing_vectors"] == 1
    assert index.file_by_path("/f/b.pdf") is None  # dropped, so the next scan re-indexes it
    _agree(index)



def test_a_store_that_cant_replay_its_log_is_rebuilt_from_the_files(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Embedded Chroma killed mid-write can fail every later write with this error
    # (chroma-core/chroma#7678); it can't be caused on purpose, so the store raises it once.
    index.write_documents(
        [make_doc("/f/a.pdf", 2), make_doc("/f/b.pdf", 1)], unit_vectors(3), MODEL
    )
    index.catalog.delete_files(["/f/b.pdf"])  # queues a vector delete for repair to flush
    store = index._vectors
    wedged = RuntimeError("Error in compaction: Failed to apply logs to the hnsw segment writer")

    def fail_once(model: str, ids: list[int]) -> None:
        monkeypatch.undo()
        raise wedged

    monkeypatch.setattr(store, "delete", fail_once)
    fixed = index.repair()
    assert fixed["missing_vectors"] == 1  # a.pdf lost its vectors with the store
    assert index.file_by_path("/f/a.pdf") is None  # so the next scan indexes it again
    _agree(index)


def test_other_store_errors_at_repair_are_reported_not_repaired(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    index.write_documents([make_doc("/f/a.pdf", 2)], unit_vectors(2), MODEL)
    index.catalog.delete_files(["/f/a.pdf"])

    def fail(model: str, ids: list[int]) -> None:
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(index._vectors, "delete", fail)
    with pytest.raises(IndexCorruptError):
        index.repair()


def test_junk_file_is_reported_as_corrupt(isolated_home: Path) -> None:
    paths = Paths.resolve(isolated_home)
    paths.home.mkdir(parents=True, exist_ok=True)
    paths.sqlite_file.write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexCorruptError, match="Rebuild"):
        Index(paths, Settings())
    assert paths.sqlite_file.exists()  # nothing deleted behind the person's back


def test_filters_by_folder_type_and_date(index: Index) -> None:
    docs = [make_doc("/f/a.pdf", 1), make_doc("/f/sub/b.pdf", 1), make_doc("/g/c.pdf", 1)]
    docs[1].mtime = 50.0
    docs[2].file_type = "md"
    index.write_documents(docs, unit_vectors(3), MODEL)
    ids = {f.path: f.id for f in index.files_by_id(index.filter_file_ids()).values()}
    assert set(ids) == {"/f/a.pdf", "/f/sub/b.pdf", "/g/c.pdf"}
    assert set(index.filter_file_ids(folders=["/f/sub"])) == {ids["/f/sub/b.pdf"]}
    assert set(index.filter_file_ids(folders=["/f"])) == {ids["/f/a.pdf"], ids["/f/sub/b.pdf"]}
    assert set(index.filter_file_ids(file_types=["md"])) == {ids["/g/c.pdf"]}
    assert set(index.filter_file_ids(modified_after=10)) == {ids["/f/sub/b.pdf"]}


def test_new_server_settings_switch_the_vector_store(index: Index) -> None:
    embedded = index.vectors
    index.write_documents([make_doc("/f/a.pdf", 1)], unit_vectors(1), MODEL)  # the client is open
    index.settings = dataclasses.replace(index.settings, results_per_page=5)
    assert index.vectors is embedded
    index.settings = dataclasses.replace(index.settings, chroma_host="127.0.0.1", chroma_port=9)
    assert isinstance(index.vectors, ServerChromaStore) and index.vectors.port == 9
    # The old client was closed: chromadb no longer holds the embedded folder open.
    from chromadb.api.shared_system_client import SharedSystemClient

    assert str(index.paths.chroma_dir) not in SharedSystemClient._identifier_to_system
    index.settings = dataclasses.replace(index.settings, chroma_token="new")
    assert isinstance(index.vectors, ServerChromaStore) and index.vectors.token == "new"
    index.settings = Settings()
    assert index.vectors.count(MODEL) == 1  # back on the embedded store, nothing lost
