"""What changed between the disk and the catalog, and which vanished files were only renamed."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop_search.core.indexing.scanning import FoundFile
from desktop_search.core.models import FileStatus
from desktop_search.core.storage.index import FileRow


@dataclass(frozen=True)
class WorkItem:
    """One file to extract: where it was found, and its stored hash when it was indexed
    before (a changed file whose bytes are the same is then only touched)."""

    found: FoundFile
    folder: str
    known_hash: str | None


@dataclass
class Diff:
    """Files on disk against their catalog rows: what needs reading, what is unchanged, what
    is too large to read, and the rows whose files are gone."""

    work: list[WorkItem] = field(default_factory=list)
    unchanged: int = 0
    too_large: list[WorkItem] = field(default_factory=list)
    gone: list[FileRow] = field(default_factory=list)


def diff(
    folder: str, on_disk: dict[str, FoundFile], known: dict[str, FileRow], max_bytes: int
) -> Diff:
    """Compare the files found with the rows known for the same paths (by size and mtime)."""
    out = Diff()
    for path, found in on_disk.items():
        row = known.get(path)
        if row is not None and row.size == found.size and abs(row.mtime - found.mtime) < 1e-6:
            out.unchanged += 1
            continue
        if found.size > max_bytes:
            out.too_large.append(WorkItem(found, folder, None))
            continue
        # A failed file is retried only when it changed; a changed indexed file is hashed
        # first, and re-read only when its bytes differ.
        indexed = row is not None and row.status == FileStatus.INDEXED.value
        out.work.append(WorkItem(found, folder, row.hash if row is not None and indexed else None))
    out.gone = [row for path, row in known.items() if path not in on_disk]
    return out


def match_renames(gone: list[FileRow], new: list[WorkItem]) -> list[tuple[FileRow, WorkItem]]:
    """Pairs (vanished row, new file) with the same bytes: the same file under a new name, whose
    stored passages can be kept. Reads (hashes) only new files whose size matches a vanished
    indexed file."""
    from desktop_search.core.errors import ExtractionError
    from desktop_search.core.extract.reader import content_hash

    by_size: dict[int, list[FileRow]] = {}
    for row in gone:
        if row.status == FileStatus.INDEXED.value and row.hash:
            by_size.setdefault(row.size, []).append(row)
    pairs: list[tuple[FileRow, WorkItem]] = []
    matched: set[str] = set()
    for item in new:
        if item.known_hash is not None or item.found.size not in by_size:
            continue
        try:
            digest = content_hash(item.found.path)
        except ExtractionError:
            continue
        match = next(
            (r for r in by_size[item.found.size] if r.hash == digest and r.path not in matched),
            None,
        )
        if match is not None:
            matched.add(match.path)
            pairs.append((match, item))
    return pairs
