"""Meaning vectors: the second pass's vectors (the transformer's), kept beside the fast vectors
every passage gets on its first pass.

Which passages have one is a single watermark, `meaning_upto`: passage ids only grow (the catalog
never reuses one), so every indexed passage with an id at or below it has its meaning vector,
and new passages land above it. Vectors are written before the watermark moves, so a crash at
any point costs at most one batch of work, and re-writing a vector is harmless (an upsert).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from desktop_search.core.storage.index import Index
from desktop_search.core.storage.records import PassageKeys

log = logging.getLogger(__name__)

MODEL_KEY = "meaning_model"
UPTO_KEY = "meaning_upto"


class MeaningVectors:
    """The second pass's view of an Index: progress, the next passages, writes, search."""

    def __init__(self, index: Index) -> None:
        self._index = index

    @property
    def model_id(self) -> str | None:
        return self._index.get_meta(MODEL_KEY)

    @property
    def upto(self) -> int:
        """Every indexed passage with an id up to this one has its meaning vector."""
        return int(self._index.get_meta(UPTO_KEY) or 0)

    def start(self, model_id: str) -> None:
        """Use `model_id` for meaning vectors; another model's are dropped and pass 2 restarts."""
        with self._index.catalog.write_lock:
            old = self.model_id
            if old == model_id:
                return
            if old:
                self._index.drop_collection(old)
            self._index.drop_collection(model_id)  # a half-built earlier attempt
            self._index.set_meta(MODEL_KEY, model_id)
            self._index.set_meta(UPTO_KEY, "0")
            log.info("Meaning vectors now from %s (was %s)", model_id, old or "none")

    def stop(self) -> None:
        """No second pass (the fast model is the only one): its vectors are dropped."""
        with self._index.catalog.write_lock:
            old = self.model_id
            if old:
                self._index.drop_collection(old)
            self._index.set_meta(MODEL_KEY, None)
            self._index.set_meta(UPTO_KEY, None)

    def restart(self) -> None:
        """Write every meaning vector again (a new vector store holds none of them)."""
        self._index.set_meta(UPTO_KEY, "0")

    def progress(self) -> tuple[int, int]:
        """(indexed passages that have a meaning vector, indexed passages)."""
        if self.model_id is None:
            return 0, 0
        done, total = self._index.db.execute(
            "SELECT coalesce(sum(c.id <= ?), 0), count(*) FROM chunks c CROSS JOIN files f "
            "ON f.id=c.file_id WHERE f.status='indexed'",
            (self.upto,),
        ).fetchone()
        return int(done), int(total)

    def pending(self) -> bool:
        """Whether some indexed passage still lacks its meaning vector (cheap)."""
        if self.model_id is None:
            return False
        row = self._index.db.execute(
            "SELECT 1 FROM chunks c CROSS JOIN files f ON f.id=c.file_id "
            "WHERE c.id > ? AND f.status='indexed' LIMIT 1",
            (self.upto,),
        ).fetchone()
        return row is not None

    def next_batch(self, after: int, size: int) -> list[tuple[int, int, int, str]]:
        """(passage id, file id, page, text) of the next indexed passages above `after`."""
        return self._index.catalog.chunks_after(after, size)

    def write(
        self, model_id: str, rows: Sequence[tuple[int, int, int, str]], vectors: np.ndarray
    ) -> bool:
        """Store one batch's vectors, then move the watermark past it.

        Returns False (and writes nothing) when the model changed meanwhile.
        """
        if not rows:
            return True
        with self._index.catalog.write_lock:
            if self.model_id != model_id:
                return False
            keys = PassageKeys([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
            self._index.vectors.add(model_id, keys, vectors, self._index.vector_write_part)
            # A passage deleted while its batch was embedded leaves a vector behind: the
            # delete queue (flushed for both models) or the next repair removes it.
            self._index.set_meta(UPTO_KEY, str(max(self.upto, rows[-1][0])))
        return True

    def search(
        self, vector: np.ndarray, limit: int, file_ids: Sequence[int] | None = None
    ) -> list[tuple[int, int, float]]:
        """(passage id, file id, cosine similarity) of the nearest meaning vectors."""
        model_id = self.model_id
        if model_id is None or self.upto == 0:
            return []
        return self._index.vectors.query(model_id, vector, limit, file_ids)

    def repair(self) -> None:
        """After a crash: drop vectors of passages that are gone, and move the watermark back
        below any passage that lost its vector."""
        model_id = self.model_id
        if model_id is None or self._index.read_only:
            return
        with self._index.catalog.write_lock:
            upto = self.upto
            covered = self._index.db.execute(
                "SELECT count(*) FROM chunks WHERE id <= ?", (upto,)
            ).fetchone()[0]
            if self._index.vectors.count(model_id) == covered:
                return  # the usual case: no id-by-id comparison on every start
            vector_ids = self._index.vectors.ids(model_id)
            chunk_ids = self._index.catalog.chunk_ids()
            orphans = sorted(vector_ids - chunk_ids)
            if orphans:
                self._index.vectors.delete(model_id, orphans)
            missing = [c for c in chunk_ids - vector_ids if c <= upto]
            if missing:
                self._index.set_meta(UPTO_KEY, str(min(missing) - 1))
            if orphans or missing:
                log.warning(
                    "Meaning vectors repaired: %d orphans deleted, %d missing to redo",
                    len(orphans),
                    len(missing),
                )
