"""A whole-index check: do the catalog, the stored passages, the keyword index and the vectors
agree? Used after crashes (tests, the kill-point benchmark) and by `Engine.check_consistency`;
and the list of every recorded file the check and the benchmarks read."""

from __future__ import annotations

from dataclasses import replace

from desktop_search.core.models import FileInfo, FileStatus, IndexCheck
from desktop_search.core.storage.index import Index


def check_index(index: Index) -> IndexCheck:
    """The counts, and a problem line for each disagreement (none when the index is whole)."""
    counts = index.check_consistency()
    check = IndexCheck(
        catalog_chunks=counts["catalog_chunks"],
        chunks=counts["chunks"],
        keyword_rows=counts["fts_rows"],
        vectors=counts["vectors"],
        unfinished=counts["unfinished"],
    )
    problems = []
    if check.unfinished:
        problems.append(f"{check.unfinished} files left half-written")
    if len({check.catalog_chunks, check.chunks, check.keyword_rows, check.vectors}) != 1:
        problems.append(
            f"counts disagree: the catalog counts {check.catalog_chunks} passages, "
            f"{check.chunks} are stored, {check.keyword_rows} in the keyword index, "
            f"{check.vectors} vectors"
        )
    files = {}
    for folder in index.folder_paths():
        files.update({row.id: row for row in index.files_under(folder).values()})
    passage_ids: set[int] = set()
    for row in sorted(files.values(), key=lambda r: r.path):
        stored = index.chunk_ids_of_file(row.id)
        expected = row.chunks if row.status == FileStatus.INDEXED.value else 0
        if len(stored) != expected:
            problems.append(
                f"{row.path}: {len(stored)} passages stored, the catalog says {expected}"
            )
        passage_ids.update(stored)
    if check.chunks != len(passage_ids):
        problems.append(f"{check.chunks - len(passage_ids)} passages of no known file")
    model_id = index.model_id
    if model_id is not None:
        got = index.collection(model_id).get(include=[])
        vector_ids = {int(i) for i in got["ids"]}
        if vector_ids != passage_ids:
            problems.append(
                f"vector ids differ from passage ids: {len(vector_ids - passage_ids)} "
                f"extra, {len(passage_ids - vector_ids)} missing"
            )
    elif passage_ids:
        problems.append(f"{len(passage_ids)} passages but no model recorded")
    return replace(check, problems=tuple(problems))


def recorded_files(index: Index) -> list[FileInfo]:
    """Every file the index records under its folders, by path."""
    rows = {}
    for folder in index.folder_paths():
        rows.update(index.files_under(folder))
    return [
        FileInfo(
            row.path,
            row.folder,
            row.status,
            row.reason or "",
            row.pages,
            row.chunks,
            row.size,
            row.mtime,
        )
        for _, row in sorted(rows.items())
    ]
