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
    # Numbers of the pages that have images but no text layer (scans): the rest of the
    # document is searchable, so they are reported beside it, not as a failure.
    pages_without_text: tuple[int, ...] = ()


def describe_scanned_pages(pages: tuple[int, ...]) -> str:
    """'page 3 is a scanned image without a text layer', for 1, 2 or many pages."""
    if not pages:
        return ""
    if len(pages) == 1:
        return f"page {pages[0]} is a scanned image without a text layer (not searchable)"
    shown = ", ".join(str(p) for p in pages[:10]) + (" …" if len(pages) > 10 else "")
    return f"{len(pages)} pages ({shown}) are scanned images without a text layer (not searchable)"


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
    """Where a folder's indexing stands (the catalog keeps it)."""

    INDEXING = "indexing"
    UP_TO_DATE = "up to date"
    UNAVAILABLE = "unavailable"
    # Back after being unavailable (or watchable again): a reconcile scan is queued.
    PENDING = "pending"


class WatchMode(str, Enum):
    """How a folder's changes reach the index while it is watched."""

    # The OS reports changes as they happen.
    LIVE = "live"
    # The OS had no watches left: the folder is rescanned every POLL_INTERVAL_S.
    POLLING = "polling"
    # Its disk is gone (or it can't be watched yet); it is watched again when it is back.
    UNAVAILABLE = "unavailable"


# How often a folder that can't be watched live is rescanned; front ends say it to the person.
POLL_INTERVAL_S = 30.0


@dataclass(frozen=True)
class FailedFile:
    path: str
    reason: str


@dataclass(frozen=True)
class FolderInfo:
    """One indexed folder: `state` is a FolderState value, `watch_mode` a WatchMode value or
    "off" when nothing watches it."""

    path: str
    state: str
    documents: int
    failed: int
    watch_mode: str = "off"


@dataclass(frozen=True)
class PartialFile:
    """An indexed file of which some part can't be searched, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class IndexStatus:
    model: str
    documents: int
    chunks: int
    indexing: bool
    folders: tuple[FolderInfo, ...]
    failed: tuple[FailedFile, ...]
    home: str = ""
    # Indexed, but part of them can't be searched (scanned pages without a text layer).
    partial: tuple[PartialFile, ...] = ()
    # Pass 2: (passages with their meaning vector, indexed passages); (0, 0) without one.
    meaning: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class FileInfo:
    """One file as the index records it.

    `status` is a FileStatus value; `reason` says why a failed file could not be indexed, or
    why part of an indexed one can't be searched ('' otherwise); `size` and `mtime` are those
    last seen.
    """

    path: str
    folder: str
    status: str
    reason: str
    pages: int
    chunks: int
    size: int
    mtime: float


@dataclass(frozen=True)
class IndexCheck:
    """How the index's parts agree: passages the catalog counts for its indexed files, passages
    stored, passages in the keyword index, vectors, and files caught mid-write. `problems`
    names every disagreement found, passage by passage; none means the index is whole."""

    catalog_chunks: int
    chunks: int
    keyword_rows: int
    vectors: int
    unfinished: int
    problems: tuple[str, ...] = ()

    @property
    def consistent(self) -> bool:
        return not self.problems


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
class Improving(IndexEvent):
    """Pass 2: passages that have their meaning vector, of all indexed passages. `rate` is
    passages/s; `eta` seconds, None when unknown. done == total: search is at its best."""

    done: int
    total: int
    rate: float
    eta: float | None


@dataclass(frozen=True)
class Paused(IndexEvent):
    paused: bool


@dataclass(frozen=True)
class FolderChanged(IndexEvent):
    """Something about one folder changed; a field left at its default did not.

    `state` comes from the indexer (indexing, up to date, unavailable, pending), `watch` from
    the watcher (live, polling, unavailable); `removed` means the folder and its entries have
    left the index.
    """

    path: str
    state: FolderState | None = None
    watch: WatchMode | None = None
    removed: bool = False


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
