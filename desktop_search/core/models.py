"""Frozen records passed between the engine's parts and to its front ends."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class PageText:
    """Text of one page; `page` counts from 1. Plain-text files are one page."""

    page: int
    text: str


@dataclass(frozen=True)
class ExtractedDocument:
    """What extraction produced for one file."""

    path: str
    pages: tuple[PageText, ...]
    title: str
    page_count: int
    content_hash: str
    # Pages that have images but no text layer (scans); reported, not an error.
    pages_without_text: int = 0


@dataclass(frozen=True)
class Chunk:
    """A window of one page's text; offsets are character positions in that page's text."""

    page: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """One matching passage. `highlights` are (start, end) offsets into `snippet`."""

    chunk_id: int
    page: int
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class DocumentResult:
    """One document in a result list, with its best passages, best first."""

    path: str
    title: str
    score: float
    file_type: str
    modified: float
    hits: tuple[Hit, ...]

    @property
    def best(self) -> Hit:
        return self.hits[0]


class FileStatus(str, Enum):
    INDEXED = "indexed"
    FAILED = "failed"
    # Transient: a file found writing at open was interrupted and is repaired.
    WRITING = "writing"


class FolderState(str, Enum):
    INDEXING = "indexing"
    UP_TO_DATE = "up to date"
    UNAVAILABLE = "unavailable"
    PENDING = "pending"


@dataclass(frozen=True)
class FailedFile:
    path: str
    reason: str


@dataclass(frozen=True)
class FolderInfo:
    path: str
    state: str
    documents: int
    failed: int
    watch_mode: str = "off"


@dataclass(frozen=True)
class IndexStatus:
    model: str
    documents: int
    chunks: int
    indexing: bool
    folders: tuple[FolderInfo, ...]
    failed: tuple[FailedFile, ...]
    home: str = ""


# ---- index events: delivered through the indexer's callback, on a worker thread ----


@dataclass(frozen=True)
class IndexEvent:
    """Base of every event the indexer reports."""


@dataclass(frozen=True)
class ScanStarted(IndexEvent):
    folders: tuple[str, ...]


@dataclass(frozen=True)
class ScanFinished(IndexEvent):
    """The diff is known: `total` files need work (new or changed), `removed` were purged."""

    total: int
    unchanged: int
    removed: int


@dataclass(frozen=True)
class FileIndexed(IndexEvent):
    path: str
    chunks: int
    pages: int


@dataclass(frozen=True)
class FileFailed(IndexEvent):
    path: str
    reason: str


@dataclass(frozen=True)
class FileRemoved(IndexEvent):
    path: str


@dataclass(frozen=True)
class Progress(IndexEvent):
    """Throttled to about ten a second. `rate` is files/s; `eta` seconds, None when unknown."""

    done: int
    total: int
    failed: int
    current: str
    rate: float
    eta: float | None
    chunks: int = 0
    paused: bool = False


@dataclass(frozen=True)
class Paused(IndexEvent):
    paused: bool


@dataclass(frozen=True)
class FolderChanged(IndexEvent):
    """A folder's state changed (indexing, up to date, unavailable)."""

    path: str
    state: str


@dataclass(frozen=True)
class Idle(IndexEvent):
    """All queued work is done. Figures are for the run that just ended."""

    indexed: int
    failed: int
    removed: int
    seconds: float
    cancelled: bool = False


@dataclass(frozen=True)
class Message(IndexEvent):
    """Something the person should be told that is not tied to one file."""

    text: str
    level: str = "info"


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on which documents a query may return."""

    folders: tuple[str, ...] = ()
    file_types: tuple[str, ...] = ()  # extensions without dot, lower case: ("pdf", "md")
    modified_after: float | None = None
    modified_before: float | None = None


@dataclass(frozen=True)
class ParsedQuery:
    """A query split into its parts: free text, "exact phrases" and -excluded words."""

    text: str
    terms: tuple[str, ...]
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    raw: str = ""


@dataclass(frozen=True)
class RenderedPage:
    """A page rendered for preview: RGB888 pixels plus the passage's rectangles in pixels."""

    page: int
    page_count: int
    width: int
    height: int
    stride: int
    samples: bytes
    highlights: tuple[tuple[float, float, float, float], ...]
