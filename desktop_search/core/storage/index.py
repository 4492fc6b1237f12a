"""The index: Chroma holds the vectors, one SQLite file holds the catalog and the FTS5 keywords.

Write order (what makes a crash at any point repairable at the next open):
  1. SQLite, one transaction: the batch's files are marked WRITING, their old passages are
     swapped for the new ones (keyword rows follow by trigger), old vector ids are queued in
     `vector_deletes`.
  2. Chroma: queued old vectors deleted, new vectors added (ids = passage row ids).
  3. SQLite: the files become INDEXED and the queue is cleared.
A file is searchable only once INDEXED. `repair()` at open rolls back any WRITING file (its
passages and any vectors it got are removed; the next scan indexes it again), finishes queued
vector deletes, and sweeps vectors that belong to no passage.
This module owns the chromadb import.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import numpy as np

from desktop_search.core.config import Paths, Settings
from desktop_search.core.errors import (
    DesktopSearchError,
    IndexCorruptError,
    StorageFullError,
    is_disk_full,
)
from desktop_search.core.models import Chunk, FileStatus

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
REBUILD_ADVICE = (
    "Run 'desktop-search rebuild' (or choose Rebuild in the app) to move it aside and start a "
    "new index; your documents are not touched."
)
PARALLEL_QUERY_THREADS = min(4, max(1, os.cpu_count() or 1))
PARALLEL_QUERY_MIN_PASSAGES = 20_000
# Chroma holds the GIL for a whole upsert (~0.3 ms a vector). With a window drawn by the same
# process, small parts keep it responsive; headless, large parts are ~40% cheaper per vector.
INTERACTIVE_WRITE_PART = 32
BATCH_WRITE_PART = 2000
COLLECTION_CONFIG = {"hnsw": {"space": "cosine", "batch_size": 32}}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS folders (
    path TEXT PRIMARY KEY,
    added REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    folder TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    hash TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    title TEXT,
    file_type TEXT NOT NULL DEFAULT '',
    pages INTEGER NOT NULL DEFAULT 0,
    chunks INTEGER NOT NULL DEFAULT 0,
    indexed_at REAL
);
CREATE INDEX IF NOT EXISTS files_folder ON files(folder);
CREATE INDEX IF NOT EXISTS files_status ON files(status);
CREATE INDEX IF NOT EXISTS files_hash ON files(hash);
CREATE TABLE IF NOT EXISTS chunks (
    -- AUTOINCREMENT: an id is never reused, so a queued vector delete can't hit a new passage
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id INTEGER NOT NULL REFERENCES files(id),
    page INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_file ON chunks(file_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, content='chunks', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TABLE IF NOT EXISTS vector_deletes (id INTEGER PRIMARY KEY);
"""


@dataclass(frozen=True)
class FileRow:
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


@dataclass(frozen=True)
class ChunkRow:
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


_FILE_COLUMNS = (
    "id, path, folder, size, mtime, hash, status, reason, title, file_type, pages, chunks"
)


def _file_row(row: Sequence[Any]) -> FileRow:
    return FileRow(
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


class Index:
    """Catalog + keyword index (SQLite) and vectors (Chroma) kept in step.

    Writes come from one thread (the indexer's); reads may come from any thread, each with its
    own SQLite connection (WAL mode lets readers run during a write).
    """

    def __init__(self, paths: Paths, settings: Settings, *, read_only: bool = False) -> None:
        self.paths = paths
        self.settings = settings
        self.read_only = read_only
        # Set to INTERACTIVE_WRITE_PART by an Engine that serves a window.
        self.vector_write_part = BATCH_WRITE_PART
        paths.home.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._collection_lock = threading.Lock()
        self._client: Any = None
        self._collections: dict[str, Any] = {}
        self._all_conns: list[sqlite3.Connection] = []  # every thread's, closed by close()
        self._pool: Any = None  # threads for splitting large BM25 queries, made on first use
        self._count_cache: tuple[Any, int, float] | None = None  # (collection, count, when)
        try:
            self._open_schema()
        except BaseException:
            self.close()
            raise

    # ---------------------------------------------------------------- connections
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.paths.sqlite_file, timeout=30, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=OFF")
        return conn

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            self._all_conns.append(conn)
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            conn = self.db
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    def _open_schema(self) -> None:
        try:
            conn = self.db
            version = self._schema_version(conn)
            if version is None:
                if self._vector_store_has_data():
                    raise IndexCorruptError(
                        f"The catalog of the index in '{self.paths.home}' is missing or empty, "
                        "but its vector store is not. " + REBUILD_ADVICE
                    )
                conn.executescript(_SCHEMA)
                conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
            elif version != SCHEMA_VERSION:
                raise IndexCorruptError(
                    f"The index in '{self.paths.home}' was made by a different version of "
                    f"desktop-search (format {version}, this version reads {SCHEMA_VERSION}). "
                    + REBUILD_ADVICE
                )
            conn.execute("SELECT count(*) FROM files").fetchone()
        except sqlite3.DatabaseError as exc:
            if is_disk_full(exc):
                raise StorageFullError(self.paths.home) from exc
            raise IndexCorruptError(
                f"The index file '{self.paths.sqlite_file}' is damaged ({exc}). " + REBUILD_ADVICE
            ) from exc

    def _vector_store_has_data(self) -> bool:
        store = self.paths.chroma_dir / "chroma.sqlite3"
        return not self.settings.chroma_host and store.is_file() and store.stat().st_size > 0

    @staticmethod
    def _schema_version(conn: sqlite3.Connection) -> int | None:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        if not exists:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise sqlite3.DatabaseError("unknown tables and no version record")
            return None
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else None

    # ---------------------------------------------------------------- chroma
    def _chroma(self) -> Any:
        if self._client is None:
            try:
                self._client = self._connect_chroma()
            except Exception as exc:  # noqa: BLE001 - chromadb raises many kinds
                _forget_unstarted_chroma(str(self.paths.chroma_dir))
                raise self._chroma_error(exc) from exc
        return self._client

    def _chroma_error(self, exc: Exception) -> Exception:
        """A person's message for a failure of the vector store."""
        if isinstance(exc, DesktopSearchError):
            return exc
        if is_disk_full(exc, None if self.settings.chroma_host else self.paths.home):
            return StorageFullError(self.paths.home)
        if self.settings.chroma_host:
            return DesktopSearchError(
                f"The Chroma server at {self.settings.chroma_host}:{self.settings.chroma_port} "
                f"can't be used ({exc}). Check that it is running, or clear the server setting "
                "to use the index on this computer."
            )
        return IndexCorruptError(
            f"The vector store in '{self.paths.chroma_dir}' can't be read ({exc}). "
            + REBUILD_ADVICE
        )

    def _connect_chroma(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        # Telemetry off: a desktop search tool must not phone home.
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if self.settings.chroma_host:
            token = self.settings.chroma_token
            return chromadb.HttpClient(
                host=self.settings.chroma_host,
                port=self.settings.chroma_port,
                headers={"Authorization": f"Bearer {token}"} if token else None,
                settings=chroma_settings,
            )
        self.paths.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.paths.chroma_dir), settings=chroma_settings)

    @staticmethod
    def collection_name(model_id: str) -> str:
        import hashlib

        digest = hashlib.sha1(model_id.encode()).hexdigest()[:12]
        return f"chunks-{digest}"

    def collection(self, model_id: str | None = None) -> Any:
        model_id = model_id or self.model_id or ""
        name = self.collection_name(model_id)
        with self._collection_lock:
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
                    raise self._chroma_error(exc) from exc
                self._collections[name] = col
            return col

    def drop_collection(self, model_id: str) -> None:
        name = self.collection_name(model_id)
        with self._collection_lock:
            self._collections.pop(name, None)
            try:
                self._chroma().delete_collection(name)
            except Exception:  # noqa: BLE001 - already gone is fine
                log.debug("Collection %s was not there to delete", name)

    # ---------------------------------------------------------------- meta
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        with self._transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM meta WHERE key=?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    @property
    def model_id(self) -> str | None:
        return self.get_meta("model")

    # ---------------------------------------------------------------- folders
    def add_folder(self, path: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO folders(path, added) VALUES (?, ?)", (path, time.time())
            )

    def set_folder_state(self, path: str, state: str) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE folders SET state=? WHERE path=?", (state, path))

    def remove_folder_record(self, path: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM folders WHERE path=?", (path,))

    def folder_paths(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT path FROM folders ORDER BY path")]

    def folder_rows(self) -> list[tuple[str, str, int, int]]:
        """(path, state, indexed documents, failed files) per folder."""
        return [
            (r[0], r[1], r[2] or 0, r[3] or 0)
            for r in self.db.execute(
                """SELECT f.path, f.state,
                          (SELECT count(*) FROM files WHERE folder=f.path AND status='indexed'),
                          (SELECT count(*) FROM files WHERE folder=f.path AND status='failed')
                   FROM folders f ORDER BY f.path"""
            )
        ]

    # ---------------------------------------------------------------- catalog reads
    def files_in_folder(self, folder: str) -> dict[str, FileRow]:
        rows = self.db.execute(f"SELECT {_FILE_COLUMNS} FROM files WHERE folder=?", (folder,))
        return {r[1]: _file_row(r) for r in rows}

    def files_under(self, path: str) -> dict[str, FileRow]:
        """The file at `path` and every file below it (an index range, not a folder scan)."""
        prefix = path.rstrip(os.sep) + os.sep
        # Every path below `prefix` sorts between it and the prefix with its separator bumped.
        upper = prefix[:-1] + chr(ord(os.sep) + 1)
        rows = self.db.execute(
            f"SELECT {_FILE_COLUMNS} FROM files WHERE path=? OR (path>=? AND path<?)",
            (path, prefix, upper),
        )
        return {r[1]: _file_row(r) for r in rows}

    def file_by_path(self, path: str) -> FileRow | None:
        row = self.db.execute(f"SELECT {_FILE_COLUMNS} FROM files WHERE path=?", (path,)).fetchone()
        return _file_row(row) if row else None

    def files_by_id(self, ids: Iterable[int]) -> dict[int, FileRow]:
        ids = list(set(ids))
        out: dict[int, FileRow] = {}
        for part in _batches(ids, 900):
            marks = ",".join("?" * len(part))
            for r in self.db.execute(
                f"SELECT {_FILE_COLUMNS} FROM files WHERE id IN ({marks})", part
            ):
                out[r[0]] = _file_row(r)
        return out

    def chunks_by_id(self, ids: Iterable[int]) -> dict[int, ChunkRow]:
        ids = list(set(ids))
        out: dict[int, ChunkRow] = {}
        for part in _batches(ids, 900):
            marks = ",".join("?" * len(part))
            for r in self.db.execute(
                f"SELECT id, file_id, page, start, end, text FROM chunks WHERE id IN ({marks})",
                part,
            ):
                out[r[0]] = ChunkRow(*r)
        return out

    def chunk_ids_of_file(self, file_id: int) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE file_id=?", (file_id,))]

    def failed_files(self) -> list[tuple[str, str]]:
        return [
            (r[0], r[1] or "")
            for r in self.db.execute(
                "SELECT path, reason FROM files WHERE status='failed' ORDER BY path"
            )
        ]

    def counts(self) -> tuple[int, int]:
        """(indexed documents, passages of indexed documents)."""
        row = self.db.execute(
            "SELECT count(*), coalesce(sum(chunks), 0) FROM files WHERE status='indexed'"
        ).fetchone()
        return int(row[0]), int(row[1])

    # ---------------------------------------------------------------- writes
    def write_documents(
        self, docs: Sequence[DocumentWrite], embeddings: np.ndarray, model_id: str
    ) -> None:
        """Replace these files' passages and vectors. `embeddings` rows follow the passages in
        document order."""
        if not docs:
            return
        with self._write_lock:
            new_ids: list[int] = []
            new_meta: list[dict[str, Any]] = []
            with self._transaction() as conn:
                for doc in docs:
                    file_id = self._begin_file(conn, doc)
                    for chunk in doc.chunks:
                        cur = conn.execute(
                            "INSERT INTO chunks(file_id, page, start, end, text) "
                            "VALUES (?,?,?,?,?)",
                            (file_id, chunk.page, chunk.start, chunk.end, chunk.text),
                        )
                        new_ids.append(int(cur.lastrowid or 0))
                        new_meta.append({"file_id": file_id, "page": chunk.page})
            if len(new_ids) != len(embeddings):
                raise ValueError("one embedding per passage expected")
            self._flush_vector_deletes(model_id)
            if new_ids:
                col = self.collection(model_id)
                for part in _batches(list(range(len(new_ids))), self.vector_write_part):
                    col.upsert(
                        ids=[str(new_ids[i]) for i in part],
                        embeddings=embeddings[part[0] : part[-1] + 1],
                        metadatas=[new_meta[i] for i in part],
                    )
                    time.sleep(0)  # let waiting threads (a window's event loop) take the GIL
            with self._transaction() as conn:
                conn.executemany(
                    "UPDATE files SET status='indexed', indexed_at=? WHERE path=?",
                    [(time.time(), d.path) for d in docs],
                )

    def _begin_file(self, conn: sqlite3.Connection, doc: DocumentWrite) -> int:
        row = conn.execute("SELECT id FROM files WHERE path=?", (doc.path,)).fetchone()
        values = (
            doc.folder,
            doc.size,
            doc.mtime,
            doc.hash,
            FileStatus.WRITING.value,
            doc.title,
            doc.file_type,
            doc.pages,
            len(doc.chunks),
        )
        if row:
            file_id = int(row[0])
            self._drop_chunks(conn, [file_id])
            conn.execute(
                """UPDATE files SET folder=?, size=?, mtime=?, hash=?, status=?, reason=NULL,
                   title=?, file_type=?, pages=?, chunks=? WHERE id=?""",
                (*values, file_id),
            )
            return file_id
        cur = conn.execute(
            """INSERT INTO files(folder, size, mtime, hash, status, title, file_type, pages,
               chunks, path) VALUES (?,?,?,?,?,?,?,?,?,?)""",
            (*values, doc.path),
        )
        return int(cur.lastrowid or 0)

    @staticmethod
    def _drop_chunks(conn: sqlite3.Connection, file_ids: Sequence[int]) -> None:
        for part in _batches(list(file_ids), 900):
            marks = ",".join("?" * len(part))
            conn.execute(
                f"INSERT OR IGNORE INTO vector_deletes(id) SELECT id FROM chunks "
                f"WHERE file_id IN ({marks})",
                part,
            )
            conn.execute(f"DELETE FROM chunks WHERE file_id IN ({marks})", part)

    def _flush_vector_deletes(self, model_id: str | None) -> None:
        ids = [r[0] for r in self.db.execute("SELECT id FROM vector_deletes")]
        if not ids:
            return
        col = self.collection(model_id)
        for part in _batches(ids, 4000):
            col.delete(ids=[str(i) for i in part])
        with self._transaction() as conn:
            for part in _batches(ids, 900):
                marks = ",".join("?" * len(part))
                conn.execute(f"DELETE FROM vector_deletes WHERE id IN ({marks})", part)

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
        with self._transaction() as conn:
            row = conn.execute("SELECT id FROM files WHERE path=?", (path,)).fetchone()
            if row:
                self._drop_chunks(conn, [row[0]])
                conn.execute(
                    """UPDATE files SET folder=?, size=?, mtime=?, hash=?, status='failed',
                       reason=?, chunks=0, pages=0, file_type=? WHERE id=?""",
                    (folder, size, mtime, file_hash, reason, file_type, row[0]),
                )
            else:
                conn.execute(
                    """INSERT INTO files(path, folder, size, mtime, hash, status, reason,
                       file_type, title) VALUES (?,?,?,?,?,'failed',?,?,?)""",
                    (
                        path,
                        folder,
                        size,
                        mtime,
                        file_hash,
                        reason,
                        file_type,
                        os.path.basename(path),
                    ),
                )
        self._flush_vector_deletes(self.model_id)

    def touch(self, path: str, size: int, mtime: float) -> None:
        """The file's bytes are unchanged; only its size/mtime record moves."""
        with self._transaction() as conn:
            conn.execute("UPDATE files SET size=?, mtime=? WHERE path=?", (size, mtime, path))

    def rename(self, old: str, new: str, folder: str, size: int, mtime: float) -> None:
        """Re-point a file's record (passages and vectors kept) at its new path."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM files WHERE path=? AND status='failed'", (new,))
            conn.execute(
                "UPDATE files SET path=?, folder=?, size=?, mtime=? WHERE path=?",
                (new, folder, size, mtime, old),
            )

    def delete_files(self, paths: Sequence[str]) -> int:
        """Purge these files' records, passages and vectors. Returns how many were known."""
        if not paths:
            return 0
        with self._write_lock:
            with self._transaction() as conn:
                ids: list[int] = []
                for part in _batches(list(paths), 900):
                    marks = ",".join("?" * len(part))
                    ids += [
                        r[0]
                        for r in conn.execute(f"SELECT id FROM files WHERE path IN ({marks})", part)
                    ]
                self._drop_chunks(conn, ids)
                for part in _batches(ids, 900):
                    marks = ",".join("?" * len(part))
                    conn.execute(f"DELETE FROM files WHERE id IN ({marks})", part)
            self._flush_vector_deletes(self.model_id)
            return len(ids)

    def delete_folder_files(self, folder: str) -> int:
        paths = [r[0] for r in self.db.execute("SELECT path FROM files WHERE folder=?", (folder,))]
        return self.delete_files(paths)

    # ---------------------------------------------------------------- repair
    def repair(self) -> dict[str, int]:
        """Bring catalog, keyword rows and vectors back into agreement after a crash."""
        fixed = {"rolled_back": 0, "orphan_vectors": 0, "missing_vectors": 0}
        if self.read_only:
            return fixed
        model_id = self.model_id
        with self._write_lock:
            interrupted = [
                r[0]
                for r in self.db.execute(
                    "SELECT path FROM files WHERE status!='indexed' AND status!='failed'"
                )
            ]
            if interrupted:
                log.warning("Rolling back %d files interrupted mid-write", len(interrupted))
                fixed["rolled_back"] = self.delete_files(interrupted)
            if model_id is None:
                return fixed
            try:
                self._repair_vectors(model_id, fixed)
            except DesktopSearchError:
                raise
            except Exception as exc:  # noqa: BLE001 - chromadb raises many kinds
                raise self._chroma_error(exc) from exc
        if any(fixed.values()):
            log.warning("Index repaired: %s", fixed)
        return fixed

    def _repair_vectors(self, model_id: str, fixed: dict[str, int]) -> None:
        with self._write_lock:
            self._flush_vector_deletes(model_id)
            col = self.collection(model_id)
            chunk_count = self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
            if col.count() == chunk_count:
                return
            vector_ids = {int(i) for i in col.get(include=[])["ids"]}
            chunk_ids = {r[0] for r in self.db.execute("SELECT id FROM chunks")}
            orphans = vector_ids - chunk_ids
            for part in _batches(sorted(orphans), 4000):
                col.delete(ids=[str(i) for i in part])
            fixed["orphan_vectors"] = len(orphans)
            missing = chunk_ids - vector_ids
            if missing:
                file_ids = {c.file_id for c in self.chunks_by_id(missing).values()}
                paths = [f.path for f in self.files_by_id(file_ids).values()]
                fixed["missing_vectors"] = self.delete_files(paths)

    def check_consistency(self) -> dict[str, int]:
        """Counts that must agree: indexed-file passages, passages, keyword rows, vectors."""
        db = self.db
        model_id = self.model_id
        vectors = self.collection(model_id).count() if model_id else 0
        return {
            "catalog_chunks": db.execute(
                "SELECT coalesce(sum(chunks),0) FROM files WHERE status='indexed'"
            ).fetchone()[0],
            "chunks": db.execute("SELECT count(*) FROM chunks").fetchone()[0],
            # count(*) on chunks_fts reads its content table (chunks); the docsize shadow
            # table has one row per passage actually in the keyword index.
            "fts_rows": db.execute("SELECT count(*) FROM chunks_fts_docsize").fetchone()[0],
            "vectors": vectors,
            "unfinished": db.execute(
                "SELECT count(*) FROM files WHERE status NOT IN ('indexed','failed')"
            ).fetchone()[0],
        }

    # ---------------------------------------------------------------- search primitives
    def keyword_search(
        self, fts_query: str, limit: int, file_ids: Sequence[int] | None = None
    ) -> list[tuple[int, int, float]]:
        """(chunk id, file id, bm25 score; higher is better) for an FTS5 MATCH expression."""
        try:
            if file_ids is not None:
                return self._keyword_search_in(fts_query, limit, file_ids)
            ranked = self._ranked_rowids(fts_query, limit)
        except sqlite3.OperationalError as exc:
            log.info("Keyword query %r rejected: %s", fts_query, exc)
            return []
        owners = self._indexed_owners([r for r, _ in ranked])
        return [(r, owners[r], -score) for r, score in ranked if r in owners]

    def _ranked_rowids(self, fts_query: str, limit: int) -> list[tuple[int, float]]:
        """Best passages by BM25. On a large index the rowid range is split across threads:
        scoring is the cost, SQLite releases the GIL while it runs, and BM25's statistics are
        global, so the halves' scores compare directly."""
        sql = (
            "SELECT rowid, bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? "
            "AND rowid BETWEEN ? AND ? ORDER BY bm25(chunks_fts) LIMIT ?"
        )
        top = self._passage_count()
        parts = PARALLEL_QUERY_THREADS if top >= PARALLEL_QUERY_MIN_PASSAGES else 1
        if parts == 1:
            return [(r[0], r[1]) for r in self.db.execute(sql, (fts_query, 0, top, limit))]
        step = top // parts + 1
        ranges = [(i * step, min(top, (i + 1) * step - 1)) for i in range(parts)]

        def run(bounds: tuple[int, int]) -> list[tuple[int, float]]:
            rows = self.db.execute(sql, (fts_query, bounds[0], bounds[1], limit))
            return [(r[0], r[1]) for r in rows]

        merged = [row for rows in self._query_pool().map(run, ranges) for row in rows]
        merged.sort(key=lambda r: r[1])
        return merged[:limit]

    def _query_pool(self) -> Any:
        pool = self._pool
        if pool is None:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(
                PARALLEL_QUERY_THREADS, thread_name_prefix="desktop-search-query"
            )
            self._pool = pool
        return pool

    def _indexed_owners(self, chunk_ids: Sequence[int]) -> dict[int, int]:
        """chunk id -> file id, for passages of files that are fully indexed."""
        out: dict[int, int] = {}
        for part in _batches(list(chunk_ids), 900):
            marks = ",".join("?" * len(part))
            out.update(
                self.db.execute(
                    # CROSS JOIN pins the order: look the passages up by id first; left free,
                    # the planner may walk every indexed file instead.
                    f"SELECT c.id, c.file_id FROM chunks c CROSS JOIN files f ON f.id = c.file_id "
                    f"WHERE c.id IN ({marks}) AND f.status = 'indexed'",
                    part,
                ).fetchall()
            )
        return out

    def _keyword_search_in(
        self, fts_query: str, limit: int, file_ids: Sequence[int]
    ) -> list[tuple[int, int, float]]:
        if not file_ids:
            return []
        sql = (
            "SELECT c.id, c.file_id, -bm25(chunks_fts) AS score FROM chunks_fts "
            "JOIN chunks c ON c.id = chunks_fts.rowid JOIN files f ON f.id = c.file_id "
            "WHERE chunks_fts MATCH ? AND f.status='indexed' "
            f"AND c.file_id IN ({','.join(str(int(i)) for i in file_ids)}) "
            "ORDER BY bm25(chunks_fts) LIMIT ?"
        )
        return [(r[0], r[1], float(r[2])) for r in self.db.execute(sql, (fts_query, limit))]

    def _passage_count(self) -> int:
        row = self.db.execute("SELECT max(id) FROM chunks").fetchone()
        return int(row[0] or 0)

    def chunks_matching(self, fts_query: str, chunk_ids: Sequence[int]) -> set[int]:
        """Which of these passages match an FTS5 expression (used for phrases and exclusions)."""
        if not chunk_ids:
            return set()
        out: set[int] = set()
        for part in _batches(list(chunk_ids), 900):
            marks = ",".join("?" * len(part))
            try:
                out.update(
                    r[0]
                    for r in self.db.execute(
                        f"SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? "
                        f"AND rowid IN ({marks})",
                        [fts_query, *part],
                    )
                )
            except sqlite3.OperationalError as exc:
                log.info("Keyword filter %r rejected: %s", fts_query, exc)
        return out

    def files_matching(self, fts_query: str, among: Sequence[int] | None = None) -> set[int]:
        """Files with at least one passage matching an FTS5 expression (optionally only
        among these file ids)."""
        sql = (
            "SELECT DISTINCT c.file_id FROM chunks_fts JOIN chunks c "
            "ON c.id = chunks_fts.rowid WHERE chunks_fts MATCH ?"
        )
        if among is not None:
            if not among:
                return set()
            sql += f" AND c.file_id IN ({','.join(str(int(i)) for i in among)})"
        try:
            return {r[0] for r in self.db.execute(sql, (fts_query,))}
        except sqlite3.OperationalError:
            return set()

    def vector_search(
        self, vector: np.ndarray, limit: int, file_ids: Sequence[int] | None = None
    ) -> list[tuple[int, int, float]]:
        """(chunk id, file id, cosine similarity) of the nearest passages."""
        model_id = self.model_id
        if model_id is None:
            return []
        col = self.collection(model_id)
        total = self._vector_count(col)
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
                total = self._vector_count(col)
                if total == 0:
                    return []
                result = col.query(
                    query_embeddings=query,
                    n_results=min(limit, total),
                    where=where,
                    include=include,
                )
            except Exception as exc:  # noqa: BLE001
                raise self._chroma_error(exc) from exc
        ids = result["ids"][0]
        dists = result["distances"][0]
        metas = result["metadatas"][0]
        return [
            (int(i), int(m["file_id"]), 1.0 - float(d))
            for i, d, m in zip(ids, dists, metas, strict=False)
        ]

    def _vector_count(self, col: Any) -> int:
        """Chroma's count costs milliseconds; a query only needs it to cap n_results, so it is
        refreshed at most once a second."""
        now = time.monotonic()
        cached = self._count_cache
        if cached is None or cached[0] is not col or now - cached[2] > 1.0:
            cached = (col, col.count(), now)
            self._count_cache = cached
        return int(cached[1])

    def vectors_of(self, chunk_ids: Sequence[int]) -> np.ndarray:
        col = self.collection()
        got = col.get(ids=[str(i) for i in chunk_ids], include=["embeddings"])
        return np.asarray(got["embeddings"], dtype=np.float32)

    def filter_file_ids(
        self,
        folders: Sequence[str] = (),
        file_types: Sequence[str] = (),
        modified_after: float | None = None,
        modified_before: float | None = None,
    ) -> list[int]:
        clauses = ["status='indexed'"]
        params: list[Any] = []
        if folders:
            parts = []
            for folder in folders:
                folder = folder.rstrip(os.sep)
                parts.append("(path = ? OR substr(path, 1, ?) = ?)")
                params += [folder, len(folder) + 1, folder + os.sep]
            clauses.append("(" + " OR ".join(parts) + ")")
        if file_types:
            clauses.append(f"file_type IN ({','.join('?' * len(file_types))})")
            params += [t.lower().lstrip(".") for t in file_types]
        if modified_after is not None:
            clauses.append("mtime >= ?")
            params.append(modified_after)
        if modified_before is not None:
            clauses.append("mtime <= ?")
            params.append(modified_before)
        sql = f"SELECT id FROM files WHERE {' AND '.join(clauses)}"
        return [r[0] for r in self.db.execute(sql, params)]

    # ---------------------------------------------------------------- re-embedding
    def iter_chunk_batches(self, size: int) -> Iterator[list[tuple[int, int, int, str]]]:
        """(chunk id, file id, page, text) of every indexed passage, in batches."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT c.id, c.file_id, c.page, c.text FROM chunks c CROSS JOIN files f "
                "ON f.id=c.file_id WHERE c.id > ? AND f.status='indexed' ORDER BY c.id LIMIT ?",
                (last, size),
            ).fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def add_vectors(
        self, model_id: str, rows: Sequence[tuple[int, int, int, str]], embeddings: np.ndarray
    ) -> None:
        self.collection(model_id).upsert(
            ids=[str(r[0]) for r in rows],
            embeddings=embeddings,
            metadatas=[{"file_id": r[1], "page": r[2]} for r in rows],
        )

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        for conn in self._all_conns:
            with suppress(sqlite3.Error):
                conn.close()
        self._all_conns = []
        self._local = threading.local()
        self._collections.clear()
        if self._client is not None and hasattr(self._client, "close"):
            # Chroma shares one system per path inside a process; release ours so a later
            # open of the same path (after a rebuild moved it) starts from the disk again.
            try:
                self._client.close()
            except Exception:  # noqa: BLE001 - closing must never fail a shutdown
                log.debug("Closing the Chroma client failed", exc_info=True)
        self._client = None


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


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
