"""The vector store interface the index facade writes through, and the factory that picks one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from desktop_search.core.config import Paths, Settings
from desktop_search.core.storage.records import PassageKeys

# Chroma holds the GIL for a whole upsert (~0.3 ms a vector). With a window drawn by the same
# process, small parts keep it responsive; headless, large parts are ~40% cheaper per vector.
INTERACTIVE_WRITE_PART = 32
BATCH_WRITE_PART = 2000


class VectorStore(Protocol):
    """Passage vectors, one collection per embedding model, keyed by passage id.

    Each vector carries its passage's file id and page, so a query can be limited to some
    files. Implementations connect lazily (on the first call that needs the store) and are
    safe to call from several threads.
    """

    def add(self, model_id: str, keys: PassageKeys, embeddings: np.ndarray, part_size: int) -> None:
        """Add or replace vectors (row i of `embeddings` is passage keys.ids[i]), `part_size`
        at a time."""

    def delete(self, model_id: str, ids: Sequence[int]) -> None:
        """Remove these passages' vectors; unknown ids are ignored."""

    def query(
        self, model_id: str, vector: np.ndarray, limit: int, file_ids: Sequence[int] | None
    ) -> list[tuple[int, int, float]]:
        """(passage id, file id, cosine similarity) of the nearest vectors, nearest first,
        only among `file_ids` when given."""

    def count(self, model_id: str) -> int:
        """How many vectors the model's collection holds."""

    def ids(self, model_id: str) -> set[int]:
        """Every passage id that has a vector."""

    def vectors(self, model_id: str, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of these passages, one row each."""

    def drop(self, model_id: str) -> None:
        """Delete the model's whole collection (fine if it is not there)."""

    def collection(self, model_id: str) -> Any:
        """The backend's own collection object, for diagnostics and tests."""

    def has_data_on_disk(self) -> bool:
        """Whether vectors are kept under the index folder and some exist there already."""

    def error(self, exc: Exception) -> Exception:
        """The project's error, worded for a person, for a failure of this store."""

    def close(self) -> None:
        """Release the connection; a later call connects again."""


def store_identity(settings: Settings) -> tuple[str, int, str]:
    """The settings that choose and reach the vector store: when they change, the store does."""
    return (settings.chroma_host, settings.chroma_port, settings.chroma_token)


def open_vector_store(paths: Paths, settings: Settings) -> VectorStore:
    """The store the settings name: a Chroma server when a host is set, else the embedded one.

    Nothing connects until the store is first used.
    """
    if settings.chroma_host:
        from desktop_search.core.storage.chroma_server import ServerChromaStore

        return ServerChromaStore(
            settings.chroma_host, settings.chroma_port, settings.chroma_token, paths.home
        )
    from desktop_search.core.storage.chroma_embedded import EmbeddedChromaStore

    return EmbeddedChromaStore(paths)
