"""Rows and write records the storage parts hand each other, and the helpers they share."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from desktop_search.core.models import Chunk

REBUILD_ADVICE = (
    "Run 'desktop-search rebuild' (or choose Rebuild in the app) to move it aside and start a "
    "new index; your documents are not touched."
)

FILE_COLUMNS = (
    "id, path, folder, size, mtime, hash, status, reason, title, file_type, pages, chunks"
)
T = TypeVar("T")


@dataclass(frozen=True)
class FileRow:
    """One file's catalog record."""

    id: int
    path: str
    folder: str
    size: int
    mtime: float
    hash: str | None
    status: str
    reason: str | None
    title: str
    file_type: str
    pages: int
    chunks: int

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> FileRow:
        """The record for a row selected as FILE_COLUMNS."""
        return cls(
            id=row[0],
            path=row[1],
            folder=row[2],
            size=row[3],
            mtime=row[4],
            hash=row[5],
            status=row[6],
            reason=row[7],
            title=row[8] or "",
            file_type=row[9] or "",
            pages=row[10],
            chunks=row[11],
        )


@dataclass(frozen=True)
class ChunkRow:
    """One stored passage: where it sits in its file, and its text."""

    id: int
    file_id: int
    page: int
    start: int
    end: int
    text: str


@dataclass
class DocumentWrite:
    """One extracted file ready to be written with its passages."""

    path: str
    folder: str
    size: int
    mtime: float
    hash: str
    title: str
    file_type: str
    pages: int
    chunks: Sequence[Chunk]
    # Why part of the file can't be searched (scanned pages); '' when all of it can.
    note: str = ""


@dataclass(frozen=True)
class FileFilter:
    """Which indexed files a search may return; an empty part lets everything through."""

    folders: Sequence[str] = ()
    file_types: Sequence[str] = ()
    modified_after: float | None = None
    modified_before: float | None = None


@dataclass(frozen=True)
class FailedFile:
    """A file that can't be indexed, and why (in words a person can act on)."""

    path: str
    folder: str
    size: int
    mtime: float
    hash: str | None
    reason: str
    file_type: str


@dataclass(frozen=True)
class PassageKeys:
    """Passages whose vectors are to be stored: the ids the vectors go under, and each
    passage's file id and page (kept with its vector so a query can be limited to files)."""

    ids: list[int]
    file_ids: list[int]
    pages: list[int]


def batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of at most `size` items.

    SQLite caps the parameters of one statement, and Chroma's calls get slow when huge, so
    every bulk statement in storage goes through this.
    """
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def placeholders(part: Sequence[Any]) -> str:
    """'?,?,?' for an SQL `IN (...)` over `part`."""
    return ",".join("?" * len(part))
