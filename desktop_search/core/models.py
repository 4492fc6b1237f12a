"""Frozen records passed between the engine's parts and to its front ends."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def describe_scanned_pages(pages: tuple[int, ...], why: str = "not searchable") -> str:
    """'page 3 is a scanned image without a text layer (not searchable)', for 1 or many."""
    if not pages:
        return ""
    if len(pages) == 1:
        return f"page {pages[0]} is a scanned image without a text layer ({why})"
    return f"{_pages(pages)} are scanned images without a text layer ({why})"


def describe_unread_pages(pages: tuple[int, ...], reason: str = "") -> str:
    """'page 3 could not be read by text recognition (why)', for 1 or many pages."""
    if not pages:
        return ""
    why = f" ({reason})" if reason else ""
    if len(pages) == 1:
        return f"page {pages[0]} could not be read by text recognition{why}"
    return f"{_pages(pages)} could not be read by text recognition{why}"


def _pages(pages: tuple[int, ...]) -> str:
    shown = ", ".join(str(p) for p in pages[:10]) + (" …" if len(pages) > 10 else "")
    return f"{len(pages)} pages ({shown})"


@dataclass(frozen=True)
class Chunk:
    """A window of one page's text; offsets are character positions in that page's text."""

    page: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """One matching passage. `highlights` are (start, end) offsets into `snippet`; `focus` and
    `marks` are offsets into `text` (the best-matching span, and each matched query word).

    `confidence` is absolute (0..1, calibrated: about how often a passage with this evidence
    was judged relevant), not relative to the best hit. `found_by` says which evidence found
    it: "words", "meaning", "words and meaning", or "name" (the document's file name or title
    holds the words, its passage none of them). `closest_sentence` is, for a passage found
    by meaning, its sentence nearest to the question ('' otherwise).
    """

    chunk_id: int
    page: int
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    text: str
    start: int
    end: int
    confidence: float = 0.0
    found_by: str = ""
    matched_terms: tuple[str, ...] = ()
    focus: tuple[int, int] = (0, 0)
    marks: tuple[tuple[int, int], ...] = ()
    closest_sentence: str = ""


@dataclass(frozen=True)
class DocumentResult:
    """One document in a result list, with its best passages, best first."""

    path: str
    title: str
    score: float
    file_type: str
    modified: float
    hits: tuple[Hit, ...]
    # Absolute, 0..1 (see Hit.confidence); `score` only orders one result list.
    confidence: float = 0.0
    size: int = 0
    # Other paths holding the same content (by content hash), shown once as this result.
    also_in: tuple[str, ...] = ()

    @property
    def best(self) -> Hit:
        return self.hits[0]


class SearchResults(list[DocumentResult]):
    """A search's documents, best first, with what the person should know about the query.

    A plain list to every caller that only wants the documents (and equal to one), so it is
    picklable across the engine's process boundary as it is.

    Attributes:
        notes: Sentences to show beside the results ("No passage has the exact phrase …").
        suggestion: A spelling of the query built from the index's own words ('' when none).
        corrected_query: The suggestion, when it ran instead of the typed query because that
            found nothing close ('' when the typed query's results are shown).
        missing_phrases: The quoted phrases no result holds word for word.
    """

    def __init__(
        self,
        results: Iterable[DocumentResult] = (),
        *,
        notes: Sequence[str] = (),
        suggestion: str = "",
        corrected_query: str = "",
        missing_phrases: Sequence[str] = (),
    ) -> None:
        super().__init__(results)
        self.notes: tuple[str, ...] = tuple(notes)
        self.suggestion = suggestion
        self.corrected_query = corrected_query
        self.missing_phrases: tuple[str, ...] = tuple(missing_phrases)


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
    # Its indexing is paused (by the person); it goes on from where it stopped.
    PAUSED = "paused"


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


# The reason a locked document failed with, word for word: front ends offer "Unlock…" for it.
PASSWORD_PROTECTED = "it is password-protected"


def needs_password(reason: str) -> bool:
    """Whether a failed file's reason says it needs a password (see `EngineAPI.unlock`)."""
    return reason.startswith(PASSWORD_PROTECTED)


@dataclass(frozen=True)
class FailedFile:
    path: str
    reason: str

    @property
    def needs_password(self) -> bool:
        return needs_password(self.reason)


@dataclass(frozen=True)
class FolderInfo:
    """One indexed folder: `state` is a FolderState value, `watch_mode` a WatchMode value or
    "off" when nothing watches it. `other_files` counts the files of kinds that are not
    indexed (found by the last full scan; hidden and excluded files are not counted), and
    `other_kinds` names their extensions, lower case without the dot, most common first
    ('' for files without one)."""

    path: str
    state: str
    documents: int
    failed: int
    watch_mode: str = "off"
    other_files: int = 0
    other_kinds: tuple[str, ...] = ()


def describe_other_files(count: int, kinds: Sequence[str], shown: int = 3) -> str:
    """'214 files of other kinds: .dwg, .psd, .zip …' ('' when there are none)."""
    if not count:
        return ""
    noun = "file of another kind" if count == 1 else "files of other kinds"
    return f"{count:,} {noun}: {describe_kinds(kinds, shown)}"


def describe_kinds(kinds: Sequence[str], shown: int = 3) -> str:
    """'.dwg, .psd, .zip …': the first `shown` extensions, '…' when there are more."""
    names = [f".{kind}" if kind else "no extension" for kind in kinds[:shown]]
    return ", ".join(names) + (" …" if len(kinds) > shown else "")


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
    # Text recognition: (scanned pages read, scanned pages of indexed files); (0, 0) without.
    scanned_pages: tuple[int, int] = (0, 0)


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
class ReadingScans(IndexEvent):
    """Text recognition of pages without a text layer (scans, pictures), in the background:
    pages read of those waiting when it started. `rate` is pages/s; `eta` seconds, None when
    unknown. done == total: every scanned page is searchable."""

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
