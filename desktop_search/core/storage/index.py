"""The index facade: catalog, keyword index and vector store kept in step, and repaired."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from desktop_search.core.config import Paths, Settings
from desktop_search.core.errors import DesktopSearchError
from desktop_search.core.storage import records
from desktop_search.core.storage.catalog import Catalog
from desktop_search.core.storage.keyword_index import KeywordIndex, KeywordQuery
from desktop_search.core.storage.records import ChunkRow, DocumentWrite, FileRow
from desktop_search.core.storage.vector_store import (
    BATCH_WRITE_PART,
    INTERACTIVE_WRITE_PART,
    VectorStore,
    open_vector_store,
    store_identity,
)

__all__ = ["INTERACTIVE_WRITE_PART", "ChunkRow", "DocumentWrite", "FileRow", "Index"]

log = logging.getLogger(__name__)


class Index:
    """Catalog + keyword index (SQLite) and vectors (a VectorStore) kept in step.

    Write order (what makes a crash at any point repairable at the next open):
      1. SQLite, one transaction: the batch's files are marked WRITING, their old passages are
         swapped for the new ones (keyword rows follow by trigger), old vector ids are queued
         in `vector_deletes`.
      2. Vector store: queued old vectors deleted, new vectors added (ids = passage row ids).
      3. SQLite: the files become INDEXED and the queue is cleared.
    A file is searchable only once INDEXED. `repair()` at open rolls back any WRITING file (its
    passages and any vectors it got are removed; the next scan indexes it again), finishes
    queued vector deletes, and sweeps vectors that belong to no passage.

    Writes come from one thread (the indexer's); reads may come from any thread.
    """

    def __init__(self, paths: Paths, settings: Settings, *, read_only: bool = False) -> None:
        """Open (or make) the index in `paths.home`.

        Args:
            paths: Where the index lives.
            settings: Chooses the vector store (embedded, or a Chroma server).
            read_only: Another process writes this index; `repair` then does nothing.

        Raises:
            IndexCorruptError: The catalog is damaged, foreign or lost.
            StorageFullError: The disk is full.
        """
        self.paths = paths
        self._settings = settings
        self.read_only = read_only
        # Set to INTERACTIVE_WRITE_PART by an Engine that serves a window.
        self.vector_write_part = BATCH_WRITE_PART
        paths.home.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(paths.sqlite_file, paths.home)
        self.keywords = KeywordIndex(self.catalog)
        self._vectors = open_vector_store(paths, settings)
        try:
            self.catalog.open_schema(self._vectors.has_data_on_disk, upgrade=not read_only)
        except BaseException:
            self.close()
            raise

    # ---------------------------------------------------------------- settings
    @property
    def settings(self) -> Settings:
        """The settings in use; setting new ones switches the vector store if they name
        another (the new one connects on first use)."""
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        old, self._settings = self._settings, settings
        if store_identity(settings) == store_identity(old):
            return
        # Under the write lock, so no write is half-way through the old store.
        with self.catalog.write_lock:
            old_store, self._vectors = self._vectors, open_vector_store(self.paths, settings)
        old_store.close()
        log.info("Vector store switched to %s", settings.chroma_host or "the embedded store")

    @property
    def vectors(self) -> VectorStore:
        """The vector store in use (it changes when the settings name another)."""
        return self._vectors

    # ---------------------------------------------------------------- catalog
    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection to the catalog file (for diagnostics and tests)."""
        return self.catalog.db

    def get_meta(self, key: str) -> str | None:
        """A stored setting of the index (e.g. 'model'), or None."""
        return self.catalog.get_meta(key)

    def set_meta(self, key: str, value: str | None) -> None:
        """Store a setting of the index; None removes it."""
        self.catalog.set_meta(key, value)

    @property
    def model_id(self) -> str | None:
        """The embedding model the stored vectors were made with, if any."""
        return self.catalog.get_meta("model")

    def add_folder(self, path: str) -> None:
        """Record a folder to index (no-op if known)."""
        self.catalog.add_folder(path)

    def set_folder_state(self, path: str, state: str) -> None:
        """Record a folder's state (a FolderState value)."""
        self.catalog.set_folder_state(path, state)

    def remove_folder_record(self, path: str) -> None:
        """Forget a folder (purge its files with `delete_folder_files`)."""
        self.catalog.remove_folder_record(path)

    def folder_paths(self) -> list[str]:
        """Every recorded folder, sorted."""
        return self.catalog.folder_paths()

    def folder_rows(self) -> list[tuple[str, str, int, int]]:
        """(path, state, indexed documents, failed files) per folder."""
        return self.catalog.folder_rows()

    def files_in_folder(self, folder: str) -> dict[str, FileRow]:
        """path -> row of every file recorded under this folder."""
        return self.catalog.files_in_folder(folder)

    def files_under(self, path: str) -> dict[str, FileRow]:
        """The file at `path` and every file below it."""
        return self.catalog.files_under(path)

    def file_by_path(self, path: str) -> FileRow | None:
        """The row of the file at `path`, or None."""
        return self.catalog.file_by_path(path)

    def files_by_id(self, ids: Iterable[int]) -> dict[int, FileRow]:
        """id -> row for the known ones among these file ids."""
        return self.catalog.files_by_id(ids)

    def chunks_by_id(self, ids: Iterable[int]) -> dict[int, ChunkRow]:
        """id -> passage for the known ones among these passage ids."""
        return self.catalog.chunks_by_id(ids)

    def chunk_ids_of_file(self, file_id: int) -> list[int]:
        """The passage ids of one file."""
        return self.catalog.chunk_ids_of_file(file_id)

    def partial_files(self) -> list[tuple[str, str]]:
        """(path, note) of every indexed file that is only partly searchable, sorted by path."""
        return self.catalog.partial_files()

    def failed_files(self) -> list[tuple[str, str]]:
        """(path, reason) of every file that could not be indexed, sorted by path."""
        return self.catalog.failed_files()

    def passage_counts(self, words: Sequence[str]) -> tuple[dict[str, int], int]:
        """How many passages hold each word (as keyword search matches it), and how many
        passages the index holds."""
        return self.keywords.passage_counts(words)

    def max_passage_id(self) -> int:
        """The highest passage id still stored."""
        row = self.db.execute("SELECT max(id) FROM chunks").fetchone()
        return int(row[0] or 0)

    def counts(self) -> tuple[int, int]:
        """(indexed documents, passages of indexed documents)."""
        return self.catalog.counts()

    def filter_file_ids(
        self,
        folders: Sequence[str] = (),
        file_types: Sequence[str] = (),
        modified_after: float | None = None,
        modified_before: float | None = None,
    ) -> list[int]:
        """Ids of indexed files inside any of `folders`, of any of `file_types`, modified
        within the bounds (each filter left empty lets everything through)."""
        wanted = records.FileFilter(folders, file_types, modified_after, modified_before)
        return self.catalog.filter_file_ids(wanted)

    def iter_chunk_batches(self, size: int) -> Iterator[list[tuple[int, int, int, str]]]:
        """(chunk id, file id, page, text) of every indexed passage, in batches."""
        return self.catalog.iter_chunk_batches(size)

    def touch(self, path: str, size: int, mtime: float) -> None:
        """The file's bytes are unchanged; only its size/mtime record moves."""
        self.catalog.touch(path, size, mtime)

    def rename(self, old: str, new: str, folder: str, size: int, mtime: float) -> None:
        """Re-point a file's record (passages and vectors kept) at its new path."""
        self.catalog.rename(old, new, folder, size, mtime)

    # ---------------------------------------------------------------- writes
    def write_documents(
        self, docs: Sequence[DocumentWrite], embeddings: np.ndarray, model_id: str
    ) -> None:
        """Replace these files' passages and vectors, in the crash-safe write order.

        Args:
            docs: The files and their new passages.
            embeddings: One row per passage, in document order.
            model_id: The model that made the embeddings.
        """
        if not docs:
            return
        with self.catalog.write_lock:
            staged = self.catalog.stage_documents(docs)
            if len(staged.ids) != len(embeddings):
                raise ValueError("one embedding per passage expected")
            self._flush_vector_deletes(model_id)
            self._vectors.add(model_id, staged, embeddings, self.vector_write_part)
            self.catalog.mark_indexed([d.path for d in docs])

    def _flush_vector_deletes(self, model_id: str | None) -> None:
        ids = self.catalog.queued_vector_deletes()
        if not ids:
            return
        # Both the fast vectors and the second pass's meaning vectors (see meaning.py).
        for model in {model_id or "", self.catalog.get_meta("meaning_model") or ""} - {""}:
            self._vectors.delete(model, ids)
        self.catalog.clear_vector_deletes(ids)

    def record_failure(
        self,
        path: str,
        folder: str,
        size: int,
        mtime: float,
        file_hash: str | None,
        reason: str,
        file_type: str,
    ) -> None:
        """Remember a file that can't be indexed, so it is retried only when it changes."""
        with self.catalog.write_lock:
            failure = records.FailedFile(path, folder, size, mtime, file_hash, reason, file_type)
            self.catalog.record_failure(failure)
            self._flush_vector_deletes(self.model_id)

    def delete_files(self, paths: Sequence[str]) -> int:
        """Purge these files' records, passages and vectors. Returns how many were known."""
        if not paths:
            return 0
        with self.catalog.write_lock:
            known = self.catalog.delete_files(paths)
            self._flush_vector_deletes(self.model_id)
            return known

    def delete_folder_files(self, folder: str) -> int:
        """Purge every file of one folder. Returns how many there were."""
        return self.delete_files(self.catalog.paths_in_folder(folder))

    def add_vectors(
        self, model_id: str, rows: Sequence[tuple[int, int, int, str]], embeddings: np.ndarray
    ) -> None:
        """Store vectors for passages already in the catalog (re-embedding with a new model).

        Args:
            model_id: The new model.
            rows: (chunk id, file id, page, text) as `iter_chunk_batches` yields them.
            embeddings: One row per entry of `rows`.
        """
        keys = records.PassageKeys([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        self._vectors.add(model_id, keys, embeddings, self.vector_write_part)

    def collection(self, model_id: str | None = None) -> Any:
        """The vector store's own collection for a model (default: the index's), for
        diagnostics and tests."""
        return self._vectors.collection(model_id or self.model_id or "")

    def drop_collection(self, model_id: str) -> None:
        """Delete every vector of one model (fine if there are none)."""
        self._vectors.drop(model_id)

    # ---------------------------------------------------------------- repair
    def repair(self) -> dict[str, int]:
        """Bring catalog, keyword rows and vectors back into agreement after a crash.

        Returns:
            How many files were rolled back, orphan vectors deleted, and files dropped for
            missing vectors (the next scan indexes those again).
        """
        fixed = {"rolled_back": 0, "orphan_vectors": 0, "missing_vectors": 0}
        if self.read_only:
            return fixed
        model_id = self.model_id
        with self.catalog.write_lock:
            interrupted = self.catalog.unfinished_paths()
            if interrupted:
                log.warning("Rolling back %d files interrupted mid-write", len(interrupted))
                fixed["rolled_back"] = self.delete_files(interrupted)
            if model_id is None:
                return fixed
            try:
                self._repair_vectors(model_id, fixed)
            except DesktopSearchError:
                raise
            except Exception as exc:  # noqa: BLE001 - vector stores raise many kinds
                if not _wedged_after_a_kill(exc, self._vectors.has_data_on_disk()):
                    raise self._vectors.error(exc) from exc
                self._replace_wedged_vectors(model_id, exc, fixed)
        if any(fixed.values()):
            log.warning("Index repaired: %s", fixed)
        return fixed

    def _replace_wedged_vectors(
        self, model_id: str, exc: Exception, fixed: dict[str, int]
    ) -> None:
        """Embedded Chroma killed mid-write can be left unable to apply its own write-ahead log
        (chroma-core/chroma#7678): every later write fails. Its vectors are lost either way, so
        the collections are dropped and the files they held are indexed again from disk (the
        missing-vectors repair below); nothing the person has is lost."""
        log.warning("The vector store can't apply its log after a crash (%s): rebuilding it", exc)
        try:
            for model in {model_id, self.catalog.get_meta("meaning_model") or ""} - {""}:
                self._vectors.drop(model)
            self._repair_vectors(model_id, fixed)
        except DesktopSearchError:
            raise
        except Exception as again:  # noqa: BLE001
            raise self._vectors.error(again) from again

    def _repair_vectors(self, model_id: str, fixed: dict[str, int]) -> None:
        self._flush_vector_deletes(model_id)
        chunk_count = self.catalog.consistency_counts()["chunks"]
        if self._vectors.count(model_id) == chunk_count:
            return
        vector_ids = self._vectors.ids(model_id)
        chunk_ids = self.catalog.chunk_ids()
        orphans = vector_ids - chunk_ids
        self._vectors.delete(model_id, sorted(orphans))
        fixed["orphan_vectors"] = len(orphans)
        missing = chunk_ids - vector_ids
        if missing:
            file_ids = {c.file_id for c in self.catalog.chunks_by_id(missing).values()}
            paths = [f.path for f in self.catalog.files_by_id(file_ids).values()]
            fixed["missing_vectors"] = self.delete_files(paths)

    def check_consistency(self) -> dict[str, int]:
        """Counts that must agree: indexed-file passages, passages, keyword rows, vectors
        (and `unfinished`, files left mid-write, which must be 0)."""
        counts = self.catalog.consistency_counts()
        model_id = self.model_id
        counts["vectors"] = self._vectors.count(model_id) if model_id else 0
        return counts

    # ---------------------------------------------------------------- search
    def keyword_search(
        self,
        query: str | KeywordQuery,
        limit: int,
        file_ids: Sequence[int] | None = None,
    ) -> list[tuple[int, int, float]]:
        """(chunk id, file id, bm25 score; higher is better) for a KeywordQuery (any of its
        words) or an FTS5 MATCH expression."""
        return self.keywords.keyword_search(query, limit, file_ids)

    def name_search(
        self, terms: Sequence[str], limit: int, file_ids: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """(file id, score; higher is better) of indexed files whose name, extension or
        title hold every one of `terms` (at least one in the name or title), best first."""
        return self.keywords.name_search(terms, limit, file_ids)

    def suggest_spelling(self, word: str) -> str | None:
        """The index's closest common word for a query word it lacks or barely holds
        ('cholestrol' -> 'cholesterol'), or None."""
        return self.keywords.suggest_spelling(word)

    def files_matching(self, fts_query: str, among: Sequence[int] | None = None) -> set[int]:
        """Files with a passage matching an FTS5 expression (optionally only among these)."""
        return self.keywords.files_matching(fts_query, among)

    def vector_search(
        self, vector: np.ndarray, limit: int, file_ids: Sequence[int] | None = None
    ) -> list[tuple[int, int, float]]:
        """(chunk id, file id, cosine similarity) of the nearest passages."""
        model_id = self.model_id
        if model_id is None:
            return []
        return self._vectors.query(model_id, vector, limit, file_ids)

    def vectors_of(self, chunk_ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of these passages (of the index's model), one row each."""
        return self._vectors.vectors(self.model_id or "", chunk_ids)

    def close(self) -> None:
        """Stop query threads and close every connection; safe to call twice."""
        self.keywords.close()
        self.catalog.close()
        self._vectors.close()


def _wedged_after_a_kill(exc: Exception, embedded: bool) -> bool:
    """Whether `exc` is embedded Chroma's failure to replay its log (see
    Index._replace_wedged_vectors); a server's errors are never taken for it."""
    text = str(exc).lower()
    return embedded and "compaction" in text and "hnsw" in text
