"""The catalog: schema checks, write staging, the vector-delete queue and path ranges."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_search.core.config import Paths
from desktop_search.core.errors import IndexCorruptError
from desktop_search.core.storage.catalog import Catalog
from desktop_search.core.storage.records import FailedFile, FileFilter
from tests.core.storage.conftest import make_doc


def test_staged_files_are_invisible_until_marked_indexed(catalog: Catalog) -> None:
    staged = catalog.stage_documents([make_doc("/f/a.pdf", 2), make_doc("/f/b.pdf", 1)])
    a, b = catalog.file_by_path("/f/a.pdf"), catalog.file_by_path("/f/b.pdf")
    assert a is not None and b is not None
    assert staged.file_ids == [a.id, a.id, b.id] and staged.pages == [1, 1, 1]
    assert catalog.unfinished_paths() == ["/f/a.pdf", "/f/b.pdf"]
    assert catalog.counts() == (0, 0) and catalog.filter_file_ids(FileFilter()) == []
    assert list(catalog.iter_chunk_batches(10)) == []

    catalog.mark_indexed(["/f/a.pdf", "/f/b.pdf"])
    assert catalog.unfinished_paths() == [] and catalog.counts() == (2, 3)
    batches = list(catalog.iter_chunk_batches(2))
    assert [len(b) for b in batches] == [2, 1]
    assert [row[0] for part in batches for row in part] == staged.ids


def test_replacing_a_file_queues_its_old_vectors(catalog: Catalog) -> None:
    first = catalog.stage_documents([make_doc("/f/a.pdf", 2)])
    catalog.mark_indexed(["/f/a.pdf"])
    second = catalog.stage_documents([make_doc("/f/a.pdf", 1, "beta")])
    assert sorted(catalog.queued_vector_deletes()) == first.ids
    assert catalog.chunk_ids() == set(second.ids)
    catalog.clear_vector_deletes(first.ids)
    assert catalog.queued_vector_deletes() == []
    assert catalog.delete_files(["/f/a.pdf", "/f/unknown.pdf"]) == 1
    assert catalog.queued_vector_deletes() == second.ids and catalog.chunk_ids() == set()


def test_files_under_is_a_path_range_not_a_prefix(catalog: Catalog) -> None:
    for path in ("/f/sub/a.pdf", "/f/sub/deep/b.pdf", "/f/subway.pdf", "/f/sub"):
        catalog.stage_documents([make_doc(path, 1)])
    assert set(catalog.files_under("/f/sub")) == {"/f/sub", "/f/sub/a.pdf", "/f/sub/deep/b.pdf"}


def test_a_failure_keeps_its_reason_and_drops_passages(catalog: Catalog) -> None:
    staged = catalog.stage_documents([make_doc("/f/a.pdf", 2)])
    catalog.record_failure(FailedFile("/f/a.pdf", "/f", 3, 2.0, None, "it is protected", "pdf"))
    catalog.record_failure(FailedFile("/f/new.pdf", "/f", 1, 2.0, "h", "it is empty", "pdf"))
    assert catalog.failed_files() == [
        ("/f/a.pdf", "it is protected"),
        ("/f/new.pdf", "it is empty"),
    ]
    assert sorted(catalog.queued_vector_deletes()) == staged.ids
    assert catalog.unfinished_paths() == []


def test_another_format_version_is_refused(catalog: Catalog) -> None:
    catalog.set_meta("schema_version", "99")
    with pytest.raises(IndexCorruptError, match="format 99"):
        catalog.open_schema(lambda: False)


def test_a_lost_catalog_beside_vectors_is_refused(isolated_home: Path) -> None:
    paths = Paths.resolve(isolated_home)
    paths.home.mkdir(parents=True, exist_ok=True)
    cat = Catalog(paths.sqlite_file, paths.home)
    try:
        with pytest.raises(IndexCorruptError, match="missing or empty"):
            cat.open_schema(lambda: True)
    finally:
        cat.close()
