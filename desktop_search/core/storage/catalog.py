"""The SQLite catalog: connections, transactions, meta, folders, files and their passages."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from desktop_search.core.models import FileStatus
from desktop_search.core.storage.keyword_text import register_functions
from desktop_search.core.storage.records import (
    FILE_COLUMNS,
    ChunkRow,
    DocumentWrite,
    FailedFile,
    FileFilter,
    FileRow,
    PassageKeys,
    batches,
    placeholders,
)
from desktop_search.core.storage.schema import open_schema


class Catalog:
    """The catalog file: one SQLite database holding files, passages and the keyword rows.

    Writes come from one thread at a time (`write_lock`); reads may come from any thread, each
    with its own connection (WAL mode lets readers run during a write).
    """

    def __init__(self, sqlite_file: Path, home: Path) -> None:
        """Open nothing yet; `open_schema` makes or checks the file.

        Args:
            sqlite_file: The catalog's database file.
            home: The index folder, named in error messages.
        """
        self.sqlite_file = sqlite_file
        self.home = home
        # Re-entrant: a write sequence (the facade's) holds it around several transactions.
        self.write_lock = threading.RLock()
        self._local = threading.local()
        self._all_conns: list[sqlite3.Connection] = []  # every thread's, closed by close()

    # ---------------------------------------------------------------- connections
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.sqlite_file, timeout=30, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=OFF")
        register_functions(conn)  # the keyword triggers call them
        return conn

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (made on first use)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            self._all_conns.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, under the write lock; rolled back if the block raises."""
        with self.write_lock:
            conn = self.db
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    def open_schema(self, vectors_have_data: Callable[[], bool], *, upgrade: bool = True) -> None:
        """Make or check the tables, upgrading an older format if `upgrade` (see
        `schema.open_schema`)."""
        open_schema(
            lambda: self.db, self.sqlite_file, self.home, vectors_have_data, upgrade=upgrade
        )

    def close(self) -> None:
        """Close every thread's connection; a later use opens a new one."""
        for conn in self._all_conns:
            with suppress(sqlite3.Error):
                conn.close()
        self._all_conns = []
        self._local = threading.local()

    # ---------------------------------------------------------------- meta and folders
    def get_meta(self, key: str) -> str | None:
        """A stored setting of the index (e.g. 'model'), or None."""
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        """Store a setting of the index; None removes it."""
        with self.transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM meta WHERE key=?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def add_folder(self, path: str) -> None:
        """Record a folder to index (no-op if known)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO folders(path, added) VALUES (?, ?)", (path, time.time())
            )

    def set_folder_state(self, path: str, state: str) -> None:
        """Record a folder's state (a FolderState value)."""
        with self.transaction() as conn:
            conn.execute("UPDATE folders SET state=? WHERE path=?", (state, path))

    def remove_folder_record(self, path: str) -> None:
        """Forget a folder (its files are purged separately)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM folders WHERE path=?", (path,))

    def folder_paths(self) -> list[str]:
        """Every recorded folder, sorted."""
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

    # ---------------------------------------------------------------- reads
    def files_in_folder(self, folder: str) -> dict[str, FileRow]:
        """path -> row of every file recorded under this folder."""
        rows = self.db.execute(f"SELECT {FILE_COLUMNS} FROM files WHERE folder=?", (folder,))
        return {r[1]: FileRow.from_row(r) for r in rows}

    def files_under(self, path: str) -> dict[str, FileRow]:
        """The file at `path` and every file below it (an index range, not a folder scan)."""
        prefix = path.rstrip(os.sep) + os.sep
        # Every path below `prefix` sorts between it and the prefix with its separator bumped.
        upper = prefix[:-1] + chr(ord(os.sep) + 1)
        rows = self.db.execute(
            f"SELECT {FILE_COLUMNS} FROM files WHERE path=? OR (path>=? AND path<?)",
            (path, prefix, upper),
        )
        return {r[1]: FileRow.from_row(r) for r in rows}

    def file_by_path(self, path: str) -> FileRow | None:
        """The row of the file at `path`, or None."""
        row = self.db.execute(f"SELECT {FILE_COLUMNS} FROM files WHERE path=?", (path,)).fetchone()
        return FileRow.from_row(row) if row else None

    def files_by_id(self, ids: Iterable[int]) -> dict[int, FileRow]:
        """id -> row for the known ones among these file ids."""
        out: dict[int, FileRow] = {}
        for part in batches(list(set(ids)), 900):
            sql = f"SELECT {FILE_COLUMNS} FROM files WHERE id IN ({placeholders(part)})"
            for r in self.db.execute(sql, part):
                out[r[0]] = FileRow.from_row(r)
        return out

    def chunks_by_id(self, ids: Iterable[int]) -> dict[int, ChunkRow]:
        """id -> passage for the known ones among these passage ids."""
        out: dict[int, ChunkRow] = {}
        for part in batches(list(set(ids)), 900):
            sql = (
                "SELECT id, file_id, page, start, end, text FROM chunks "
                f"WHERE id IN ({placeholders(part)})"
            )
            for r in self.db.execute(sql, part):
                out[r[0]] = ChunkRow(*r)
        return out

    def chunk_ids_of_file(self, file_id: int) -> list[int]:
        """The passage ids of one file."""
        return [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE file_id=?", (file_id,))]

    def chunk_ids(self) -> set[int]:
        """Every stored passage id."""
        return {r[0] for r in self.db.execute("SELECT id FROM chunks")}

    def failed_files(self) -> list[tuple[str, str]]:
        """(path, reason) of every file that could not be indexed, sorted by path."""
        return [
            (r[0], r[1] or "")
            for r in self.db.execute(
                "SELECT path, reason FROM files WHERE status='failed' ORDER BY path"
            )
        ]

    def partial_files(self) -> list[tuple[str, str]]:
        """(path, note) of every indexed file that is only partly searchable, sorted by path."""
        return [
            (r[0], r[1])
            for r in self.db.execute(
                "SELECT path, reason FROM files WHERE status='indexed' AND reason IS NOT NULL "
                "ORDER BY path"
            )
        ]

    def unfinished_paths(self) -> list[str]:
        """Files whose write never finished (neither indexed nor failed)."""
        sql = "SELECT path FROM files WHERE status!='indexed' AND status!='failed'"
        return [r[0] for r in self.db.execute(sql)]

    def paths_in_folder(self, folder: str) -> list[str]:
        """Every recorded file path of one folder."""
        return [r[0] for r in self.db.execute("SELECT path FROM files WHERE folder=?", (folder,))]

    def counts(self) -> tuple[int, int]:
        """(indexed documents, passages of indexed documents)."""
        row = self.db.execute(
            "SELECT count(*), coalesce(sum(chunks), 0) FROM files WHERE status='indexed'"
        ).fetchone()
        return int(row[0]), int(row[1])

    def consistency_counts(self) -> dict[str, int]:
        """Counts that must agree after any write: indexed passages, passages, keyword rows,
        and how many files are left unfinished."""
        db = self.db
        return {
            "catalog_chunks": db.execute(
                "SELECT coalesce(sum(chunks),0) FROM files WHERE status='indexed'"
            ).fetchone()[0],
            "chunks": db.execute("SELECT count(*) FROM chunks").fetchone()[0],
            # count(*) on chunks_fts reads its content table (chunks); the docsize shadow
            # table has one row per passage actually in the keyword index.
            "fts_rows": db.execute("SELECT count(*) FROM chunks_fts_docsize").fetchone()[0],
            "unfinished": db.execute(
                "SELECT count(*) FROM files WHERE status NOT IN ('indexed','failed')"
            ).fetchone()[0],
        }

    def filter_file_ids(self, wanted: FileFilter) -> list[int]:
        """Ids of indexed files inside any of the filter's folders, of any of its file types,
        modified within its bounds."""
        clauses = ["status='indexed'"]
        params: list[Any] = []
        if wanted.folders:
            parts = []
            for folder in wanted.folders:
                folder = folder.rstrip(os.sep)
                parts.append("(path = ? OR substr(path, 1, ?) = ?)")
                params += [folder, len(folder) + 1, folder + os.sep]
            clauses.append("(" + " OR ".join(parts) + ")")
        if wanted.file_types:
            clauses.append(f"file_type IN ({placeholders(wanted.file_types)})")
            params += [t.lower().lstrip(".") for t in wanted.file_types]
        if wanted.modified_after is not None:
            clauses.append("mtime >= ?")
            params.append(wanted.modified_after)
        if wanted.modified_before is not None:
            clauses.append("mtime <= ?")
            params.append(wanted.modified_before)
        sql = f"SELECT id FROM files WHERE {' AND '.join(clauses)}"
        return [r[0] for r in self.db.execute(sql, params)]

    def iter_chunk_batches(self, size: int) -> Iterator[list[tuple[int, int, int, str]]]:
        """(chunk id, file id, page, text) of every indexed passage, in batches."""
        last = 0
        while rows := self.chunks_after(last, size):
            yield rows
            last = rows[-1][0]

    def chunks_after(self, after: int, size: int) -> list[tuple[int, int, int, str]]:
        """(chunk id, file id, page, text) of the next `size` indexed passages above `after`."""
        return self.db.execute(
            "SELECT c.id, c.file_id, c.page, c.text FROM chunks c CROSS JOIN files f "
            "ON f.id=c.file_id WHERE c.id > ? AND f.status='indexed' ORDER BY c.id LIMIT ?",
            (after, size),
        ).fetchall()

    # ---------------------------------------------------------------- writes
    def stage_documents(self, docs: Sequence[DocumentWrite]) -> PassageKeys:
        """Step 1 of a write, in one transaction: mark the files WRITING, swap their old
        passages for the new ones (keyword rows follow by trigger) and queue the old passages'
        vectors for deletion.

        Returns:
            The new passages' ids, file ids and pages, in document order.
        """
        staged = PassageKeys([], [], [])
        with self.transaction() as conn:
            for doc in docs:
                file_id = self.begin_file(conn, doc)
                for chunk in doc.chunks:
                    cur = conn.execute(
                        "INSERT INTO chunks(file_id, page, start, end, text) VALUES (?,?,?,?,?)",
                        (file_id, chunk.page, chunk.start, chunk.end, chunk.text),
                    )
                    staged.ids.append(int(cur.lastrowid or 0))
                    staged.file_ids.append(file_id)
                    staged.pages.append(chunk.page)
        return staged

    def begin_file(self, conn: sqlite3.Connection, doc: DocumentWrite) -> int:
        """Inside a transaction: make or reset the file's row as WRITING, its old passages
        dropped. Returns the file id."""
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
            doc.note or None,
        )
        if row:
            file_id = int(row[0])
            self._drop_chunks(conn, [file_id])
            conn.execute(
                """UPDATE files SET folder=?, size=?, mtime=?, hash=?, status=?, title=?,
                   file_type=?, pages=?, chunks=?, reason=? WHERE id=?""",
                (*values, file_id),
            )
            return file_id
        cur = conn.execute(
            """INSERT INTO files(folder, size, mtime, hash, status, title, file_type, pages,
               chunks, reason, path) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
            (*values, doc.path),
        )
        return int(cur.lastrowid or 0)

    def mark_indexed(self, paths: Sequence[str]) -> None:
        """The last step of a write: these files become searchable."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE files SET status='indexed', indexed_at=? WHERE path=?",
                [(time.time(), path) for path in paths],
            )

    @staticmethod
    def _drop_chunks(conn: sqlite3.Connection, file_ids: Sequence[int]) -> None:
        for part in batches(file_ids, 900):
            marks = placeholders(part)
            conn.execute(
                f"INSERT OR IGNORE INTO vector_deletes(id) SELECT id FROM chunks "
                f"WHERE file_id IN ({marks})",
                part,
            )
            conn.execute(f"DELETE FROM chunks WHERE file_id IN ({marks})", part)

    def queued_vector_deletes(self) -> list[int]:
        """Passage ids whose vectors are still to be deleted."""
        return [r[0] for r in self.db.execute("SELECT id FROM vector_deletes")]

    def clear_vector_deletes(self, ids: Sequence[int]) -> None:
        """These queued vector deletes are done."""
        with self.transaction() as conn:
            for part in batches(ids, 900):
                conn.execute(f"DELETE FROM vector_deletes WHERE id IN ({placeholders(part)})", part)

    def record_failure(self, failure: FailedFile) -> None:
        """Mark a file failed with its reason; any passages it had are dropped and their
        vectors queued for deletion."""
        f = failure
        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM files WHERE path=?", (f.path,)).fetchone()
            if row:
                self._drop_chunks(conn, [row[0]])
                conn.execute(
                    """UPDATE files SET folder=?, size=?, mtime=?, hash=?, status='failed',
                       reason=?, chunks=0, pages=0, file_type=? WHERE id=?""",
                    (f.folder, f.size, f.mtime, f.hash, f.reason, f.file_type, row[0]),
                )
            else:
                conn.execute(
                    """INSERT INTO files(path, folder, size, mtime, hash, status, reason,
                       file_type, title) VALUES (?,?,?,?,?,'failed',?,?,?)""",
                    (
                        f.path,
                        f.folder,
                        f.size,
                        f.mtime,
                        f.hash,
                        f.reason,
                        f.file_type,
                        os.path.basename(f.path),
                    ),
                )

    def touch(self, path: str, size: int, mtime: float) -> None:
        """The file's bytes are unchanged; only its size/mtime record moves."""
        with self.transaction() as conn:
            conn.execute("UPDATE files SET size=?, mtime=? WHERE path=?", (size, mtime, path))

    def rename(self, old: str, new: str, folder: str, size: int, mtime: float) -> None:
        """Re-point a file's record (passages and vectors kept) at its new path."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM files WHERE path=? AND status='failed'", (new,))
            conn.execute(
                "UPDATE files SET path=?, folder=?, size=?, mtime=? WHERE path=?",
                (new, folder, size, mtime, old),
            )

    def delete_files(self, paths: Sequence[str]) -> int:
        """Drop these files' rows and passages, queueing their vectors for deletion.
        Returns how many were known."""
        with self.transaction() as conn:
            ids: list[int] = []
            for names in batches(paths, 900):
                sql = f"SELECT id FROM files WHERE path IN ({placeholders(names)})"
                ids += [r[0] for r in conn.execute(sql, names)]
            self._drop_chunks(conn, ids)
            for part in batches(ids, 900):
                conn.execute(f"DELETE FROM files WHERE id IN ({placeholders(part)})", part)
        return len(ids)
