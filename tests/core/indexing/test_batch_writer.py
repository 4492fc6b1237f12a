"""The batch writer on its own: real extraction results in, a real index and events out."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_search.core import models as m
from desktop_search.core.config import Paths, Settings
from desktop_search.core.embed.base import Embedder
from desktop_search.core.embed.factory import load_embedder
from desktop_search.core.extract.pool import ExtractionPool, ExtractionTask
from desktop_search.core.indexing.batch_writer import BatchWriter
from desktop_search.core.indexing.catalog_diff import WorkItem
from desktop_search.core.indexing.progress import ProgressMeter, RunStats
from desktop_search.core.indexing.scanning import ExcludeRules, walk
from desktop_search.core.storage.index import Index


@pytest.fixture
def index(isolated_home: Path) -> Iterator[Index]:
    ix = Index(Paths.resolve(isolated_home), Settings())
    yield ix
    ix.close()


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder("bundled-fast")


@pytest.fixture
def pool() -> Iterator[ExtractionPool]:
    extraction = ExtractionPool(1)
    yield extraction
    extraction.close()


def write(
    index: Index, embedder: Embedder, pool: ExtractionPool, items: list[WorkItem]
) -> tuple[RunStats, list[m.IndexEvent], set[str]]:
    """Extract `items` and hand every result to a BatchWriter; its figures, events, threads."""
    events: list[m.IndexEvent] = []
    threads: set[str] = set()

    def emit(event: m.IndexEvent) -> None:
        events.append(event)
        threads.add(threading.current_thread().name)

    stats = RunStats()
    writer = BatchWriter(
        index,
        lambda: embedder,
        batch_chunks=2,
        progress=ProgressMeter(len(items), emit, lambda: False),
        stats=stats,
        emit=emit,
    )
    writer.start()
    tasks = [ExtractionTask(i.found.path, i.known_hash, token=i) for i in items]
    try:
        for result in pool.run(tasks):
            writer.put(result)
    finally:
        writer.finish()
    return stats, events, threads


def found_in(folder: Path) -> list[WorkItem]:
    return [WorkItem(f, str(folder), None) for f in walk(str(folder), ExcludeRules())]


def test_results_are_written_in_batches_with_their_events(
    index: Index, embedder: Embedder, pool: ExtractionPool, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(5):
        (folder / f"note{i}.md").write_text(f"# Note {i}\n\nThe ibisquill number {i}.", "utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")

    stats, events, threads = write(index, embedder, pool, found_in(folder))

    assert (stats.indexed, stats.failed) == (5, 1)
    assert len(index.keyword_search('"ibisquill"', 10)) == 5
    assert index.model_id == embedder.model_id
    indexed = {e.path for e in events if isinstance(e, m.FileIndexed)}
    assert indexed == {str(folder / f"note{i}.md") for i in range(5)}
    (failure,) = [e for e in events if isinstance(e, m.FileFailed)]
    assert failure.path == str(folder / "broken.pdf") and failure.reason
    assert index.failed_files() == [(failure.path, failure.reason)]
    last = [e for e in events if isinstance(e, m.Progress)][-1]
    assert (last.done, last.total, last.failed) == (6, 6, 1)
    assert threads == {"desktop-search-writer"}


def test_an_unchanged_file_is_only_touched(
    index: Index, embedder: Embedder, pool: ExtractionPool, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    note = folder / "note.txt"
    note.write_text("The same words as before: lanternmoth.", "utf-8")
    write(index, embedder, pool, found_in(folder))
    before = index.file_by_path(str(note))
    assert before is not None and before.hash
    os.utime(note, (1_000_000, 1_000_000))

    (item,) = found_in(folder)
    stats, events, _ = write(
        index, embedder, pool, [WorkItem(item.found, item.folder, before.hash)]
    )

    after = index.file_by_path(str(note))
    assert after is not None and after.mtime == 1_000_000 and after.id == before.id
    assert index.chunk_ids_of_file(after.id) == index.chunk_ids_of_file(before.id)
    assert (stats.indexed, stats.failed) == (0, 0)
    assert not [e for e in events if isinstance(e, m.FileIndexed | m.FileFailed)]
