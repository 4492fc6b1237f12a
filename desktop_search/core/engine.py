"""One open home: settings, index, model, indexer, watcher and searcher behind one facade.

The CLI and the GUI both drive an Engine; neither touches the store or the model directly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop_search.core.config import Paths, Settings
from desktop_search.core.models import (
    DocumentResult,
    FolderInfo,
    IndexEvent,
    IndexStatus,
    SearchFilters,
)

EventCallback = Callable[[IndexEvent], None]


class Engine:
    """Facade over one index home.

    Thread-safety: `search`, `more_like_this`, `status` and `folders` may be called from any
    thread. Writes (indexing, removing, re-embedding) all run on the indexer's own worker thread;
    the methods that start them only queue work and return at once. `on_event` is called on that
    worker thread (never the caller's), with small frozen records from `core.models`.
    """

    def __init__(
        self,
        paths: Paths,
        settings: Settings | None = None,
        *,
        on_event: EventCallback | None = None,
        read_only: bool = False,
    ) -> None:
        raise NotImplementedError

    @classmethod
    def open(
        cls,
        home: str | Path | None = None,
        *,
        on_event: EventCallback | None = None,
        read_only: bool = False,
    ) -> Engine:
        """Resolve paths, load settings, open (and repair) the index. Fast: no model load here.

        Raises IndexLockedError when another process writes this home (unless read_only),
        IndexCorruptError when the index can't be opened (see `rebuild`).
        """
        raise NotImplementedError

    # ---- model ----
    def load_model(self) -> None:
        """Load the embedding model (slow for big models; call it off the GUI thread)."""

    @property
    def model_ready(self) -> bool: ...

    # ---- folders and indexing (non-blocking) ----
    def add_folder(self, path: str | Path) -> None:
        """Remember a folder (or single file) and queue a scan of it. Raises InvalidPathError."""

    def remove_folder(self, path: str | Path) -> None:
        """Forget a folder and queue the purge of its entries."""

    def rescan(self) -> None:
        """Queue a scan of every folder (finds changes made while nothing was watching)."""

    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def cancel(self) -> None:
        """Stop the current run between files; what was written stays written."""

    @property
    def paused(self) -> bool: ...
    @property
    def busy(self) -> bool: ...

    def wait_until_idle(self, timeout: float | None = None) -> bool:
        """Block until all queued work is done; False on timeout."""

    def start_watching(self) -> None:
        """Follow every folder's changes live (watchdog), after a reconcile scan."""

    def stop_watching(self) -> None: ...

    # ---- queries (any thread) ----
    def search(
        self,
        query: str,
        *,
        k: int = 20,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
    ) -> list[DocumentResult]:
        """Documents best first, each with its best passages. mode: hybrid|semantic|keyword.

        Raises InvalidQueryError for an empty query.
        """
        raise NotImplementedError

    def more_like_this(self, path: str | Path, *, k: int = 20) -> list[DocumentResult]:
        """Documents similar to an indexed document (the document itself left out)."""
        raise NotImplementedError

    def status(self) -> IndexStatus: ...
    def folders(self) -> list[FolderInfo]: ...

    # ---- settings ----
    @property
    def settings(self) -> Settings: ...

    def apply_settings(self, settings: Settings) -> None:
        """Validate and save; a new model re-embeds from stored text in the background;
        new excludes/chunk size queue a rescan."""

    # ---- lifetime ----
    def close(self, timeout: float = 10.0) -> None:
        """Stop watching, finish or abandon the current batch cleanly, release the writer lock."""
