"""The catalog's SQLite schema (files, passages, FTS5 keyword rows) and its version check."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from desktop_search.core.errors import IndexCorruptError, StorageFullError, is_disk_full
from desktop_search.core.storage.records import REBUILD_ADVICE

SCHEMA_VERSION = 1
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


def open_schema(
    connect: Callable[[], sqlite3.Connection],
    sqlite_file: Path,
    home: Path,
    vectors_have_data: Callable[[], bool],
) -> None:
    """Make the tables in a new catalog file, or check that an existing one is ours.

    Args:
        connect: Gives a connection to the catalog file (opening one may already fail).
        sqlite_file: That file, named in error messages.
        home: The index folder, named in error messages.
        vectors_have_data: Whether the vector store already holds vectors; a new catalog
            beside a non-empty store means the catalog was lost, not that the index is new.

    Raises:
        IndexCorruptError: The file is damaged, foreign, from another format version, or
            missing while its vectors are not.
        StorageFullError: The disk is full.
    """
    try:
        conn = connect()
        version = _schema_version(conn)
        if version is None:
            if vectors_have_data():
                raise IndexCorruptError(
                    f"The catalog of the index in '{home}' is missing or empty, "
                    "but its vector store is not. " + REBUILD_ADVICE
                )
            conn.executescript(_SCHEMA)
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
        elif version != SCHEMA_VERSION:
            raise IndexCorruptError(
                f"The index in '{home}' was made by a different version of "
                f"desktop-search (format {version}, this version reads {SCHEMA_VERSION}). "
                + REBUILD_ADVICE
            )
        conn.execute("SELECT count(*) FROM files").fetchone()
    except sqlite3.DatabaseError as exc:
        if is_disk_full(exc):
            raise StorageFullError(home) from exc
        raise IndexCorruptError(
            f"The index file '{sqlite_file}' is damaged ({exc}). " + REBUILD_ADVICE
        ) from exc


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
