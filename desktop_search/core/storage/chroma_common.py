"""What the Chroma vector stores share: naming, cosine collections, batched calls, errors."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from desktop_search.core.storage.records import PassageKeys, batches

log = logging.getLogger(__name__)

COLLECTION_CONFIG = {"hnsw": {"space": "cosine", "batch_size": 32}}
DELETE_PART = 4000


def collection_name(model_id: str) -> str:
    """The collection of one embedding model (a digest: model ids may be paths)."""
    digest = hashlib.sha1(model_id.encode()).hexdigest()[:12]
    return f"chunks-{digest}"


class ChromaStore(ABC):
    """A VectorStore on a Chroma client; subclasses say how to connect and how to word errors.

    chromadb is imported only by the subclasses' `_connect`, on first use.
    """

    def __init__(self) -> None:
        """Connect nothing yet."""
        self._lock = threading.Lock()  # guards the client and the collection cache
        self._client: Any = None
        self._collections: dict[str, Any] = {}
        self._count_cache: tuple[Any, int, float] | None = None  # (collection, count, when)

    # ---------------------------------------------------------------- for subclasses
    @abstractmethod
    def _connect(self) -> Any:
        """A new chromadb client."""

    def _connect_failed(self) -> None:  # noqa: B027 - optional hook, empty by design
        """Clean-up after `_connect` raised (nothing by default)."""

    @abstractmethod
    def error(self, exc: Exception) -> Exception:
        """The project's error, worded for a person, for a failure of this store."""

    def has_data_on_disk(self) -> bool:
        """Whether vectors are kept under the index folder and some exist there already."""
        return False

    @staticmethod
    def _settings() -> Any:
        from chromadb.config import Settings as ChromaSettings

        # Telemetry off: a desktop search tool must not phone home.
        return ChromaSettings(anonymized_telemetry=False, allow_reset=False)

    # ---------------------------------------------------------------- collections
    def _chroma(self) -> Any:
        if self._client is None:
            try:
                self._client = self._connect()
            except Exception as exc:  # noqa: BLE001 - chromadb raises many kinds
                self._connect_failed()
                raise self.error(exc) from exc
        return self._client

    def collection(self, model_id: str) -> Any:
        """The model's chromadb collection, made on first use (cosine space)."""
        name = collection_name(model_id)
        with self._lock:
            col = self._collections.get(name)
            if col is None:
                client = self._chroma()
                try:
                    col = client.get_or_create_collection(
                        name,
                        embedding_function=None,
                        configuration=COLLECTION_CONFIG,
                        metadata={"model": model_id},
                    )
                except Exception as exc:  # noqa: BLE001
                    raise self.error(exc) from exc
                self._collections[name] = col
            return col

    def drop(self, model_id: str) -> None:
        """Delete the model's whole collection (fine if it is not there)."""
        name = collection_name(model_id)
        with self._lock:
            self._collections.pop(name, None)
            try:
                self._chroma().delete_collection(name)
            except Exception:  # noqa: BLE001 - already gone is fine
                log.debug("Collection %s was not there to delete", name)

    # ---------------------------------------------------------------- vectors
    def add(self, model_id: str, keys: PassageKeys, embeddings: np.ndarray, part_size: int) -> None:
        """Add or replace vectors (row i of `embeddings` is passage keys.ids[i]), `part_size`
        at a time."""
        if not keys.ids:
            return
        col = self.collection(model_id)
        for part in batches(range(len(keys.ids)), part_size):
            col.upsert(
                ids=[str(keys.ids[i]) for i in part],
                embeddings=embeddings[part[0] : part[-1] + 1],
                metadatas=[{"file_id": keys.file_ids[i], "page": keys.pages[i]} for i in part],
            )
            time.sleep(0)  # let waiting threads (a window's event loop) take the GIL

    def delete(self, model_id: str, ids: Sequence[int]) -> None:
        """Remove these passages' vectors; unknown ids are ignored."""
        col = self.collection(model_id)
        for part in batches(ids, DELETE_PART):
            col.delete(ids=[str(i) for i in part])

    def count(self, model_id: str) -> int:
        """How many vectors the model's collection holds."""
        return int(self.collection(model_id).count())

    def ids(self, model_id: str) -> set[int]:
        """Every passage id that has a vector."""
        return {int(i) for i in self.collection(model_id).get(include=[])["ids"]}

    def vectors(self, model_id: str, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of these passages, one row each."""
        got = self.collection(model_id).get(ids=[str(i) for i in ids], include=["embeddings"])
        return np.asarray(got["embeddings"], dtype=np.float32)

    def query(
        self, model_id: str, vector: np.ndarray, limit: int, file_ids: Sequence[int] | None
    ) -> list[tuple[int, int, float]]:
        """(passage id, file id, cosine similarity) of the nearest vectors, nearest first,
        only among `file_ids` when given."""
        col = self.collection(model_id)
        total = self._cached_count(col)
        if total == 0:
            return []
        where = None
        if file_ids is not None:
            if not file_ids:
                return []
            where = {"file_id": {"$in": [int(i) for i in file_ids]}}
        query = vector.reshape(1, -1).astype(np.float32)
        include = ["distances", "metadatas"]
        try:
            result = col.query(
                query_embeddings=query, n_results=min(limit, total), where=where, include=include
            )
        except Exception:  # noqa: BLE001 - the cached count was stale (passages just removed)
            self._count_cache = None
            try:
                total = self._cached_count(col)
                if total == 0:
                    return []
                result = col.query(
                    query_embeddings=query,
                    n_results=min(limit, total),
                    where=where,
                    include=include,
                )
            except Exception as exc:  # noqa: BLE001
                raise self.error(exc) from exc
        ids = result["ids"][0]
        dists = result["distances"][0]
        metas = result["metadatas"][0]
        return [
            (int(i), int(m["file_id"]), 1.0 - float(d))
            for i, d, m in zip(ids, dists, metas, strict=False)
        ]

    def _cached_count(self, col: Any) -> int:
        """Chroma's count costs milliseconds; a query only needs it to cap n_results, so it is
        refreshed at most once a second."""
        now = time.monotonic()
        cached = self._count_cache
        if cached is None or cached[0] is not col or now - cached[2] > 1.0:
            cached = (col, col.count(), now)
            self._count_cache = cached
        return int(cached[1])

    def close(self) -> None:
        """Release the client; a later call connects again."""
        with self._lock:
            self._collections.clear()
            self._count_cache = None
            client, self._client = self._client, None
        if client is not None and hasattr(client, "close"):
            # Chroma shares one system per path inside a process; release ours so a later
            # open of the same path (after a rebuild moved it) starts from the disk again.
            try:
                client.close()
            except Exception:  # noqa: BLE001 - closing must never fail a shutdown
                log.debug("Closing the Chroma client failed", exc_info=True)
