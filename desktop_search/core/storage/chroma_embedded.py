"""The embedded vector store: a Chroma PersistentClient in the index folder, telemetry off."""

from __future__ import annotations

from typing import Any

from desktop_search.core.config import Paths
from desktop_search.core.errors import (
    DesktopSearchError,
    IndexCorruptError,
    StorageFullError,
    is_disk_full,
)
from desktop_search.core.storage.chroma_common import ChromaStore
from desktop_search.core.storage.records import REBUILD_ADVICE


class EmbeddedChromaStore(ChromaStore):
    """Vectors in `<home>/chroma`, read and written by this process."""

    def __init__(self, paths: Paths) -> None:
        """Keep vectors under `paths.chroma_dir`; nothing is opened until first use."""
        super().__init__()
        self.paths = paths

    def _connect(self) -> Any:
        import chromadb

        self.paths.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.paths.chroma_dir), settings=self._settings())

    def _connect_failed(self) -> None:
        _forget_unstarted_chroma(str(self.paths.chroma_dir))

    def error(self, exc: Exception) -> Exception:
        """A full disk, or a store that can't be read (with the advice to rebuild)."""
        if isinstance(exc, DesktopSearchError):
            return exc
        if is_disk_full(exc, self.paths.home):
            return StorageFullError(self.paths.home)
        return IndexCorruptError(
            f"The vector store in '{self.paths.chroma_dir}' can't be read ({exc}). "
            + REBUILD_ADVICE
        )

    def has_data_on_disk(self) -> bool:
        """Whether Chroma's own database file exists and is not empty."""
        store = self.paths.chroma_dir / "chroma.sqlite3"
        return store.is_file() and store.stat().st_size > 0


def _forget_unstarted_chroma(folder: str) -> None:
    """chromadb caches a client System per folder *before* starting it. One whose start failed
    (a full disk, a locked file) stays cached, and every later client for that folder in this
    process fails on it with "'RustBindingsAPI' object has no attribute 'bindings'", which
    reads as a damaged store. Drop it so the next attempt starts afresh."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient
    except ImportError:  # pragma: no cover - chromadb layout changed
        return
    if SharedSystemClient._identifier_to_refcount.get(folder, 0) <= 0:
        SharedSystemClient._identifier_to_system.pop(folder, None)
