"""The catalog's SQLite schema (files, passages, FTS5 keyword rows) and its version check."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from desktop_search.core.errors import IndexCorruptError, StorageFullError, is_disk_full
from desktop_search.core.storage.keyword_schema import (
    create_keyword_tables,
    refill_keyword_rows,
    refill_pending,
    upgrade_from_format_1,
)
from desktop_search.core.storage.records import REBUILD_ADVICE

# 2: keyword rows with CJK grams, file names and titles (keyword_schema.py upgrades 1).
SCHEMA_VERSION = 2
# Files of kinds that are not indexed, counted per folder and extension by each full scan.
# Additive: other_files.py also makes it in a catalog made before it existed.
OTHER_FILES_TABLE = """
CREATE TABLE IF NOT EXISTS other_files (
    folder TEXT NOT NULL,
    kind TEXT NOT NULL,
    files INTEGER NOT NULL,
    PRIMARY KEY (folder, kind)
);
"""
_SCHEMA = (
    """
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
-- The keyword tables: keyword_schema.py.
CREATE TABLE IF NOT EXISTS vector_deletes (id INTEGER PRIMARY KEY);
"""
    + OTHER_FILES_TABLE
)


def open_schema(
    connect: Callable[[], sqlite3.Connection],
    sqlite_file: Path,
    home: Path,
    vectors_have_data: Callable[[], bool],
    *,
    upgrade: bool = True,
) -> None:
    """Make the tables in a new catalog file, or check that an existing one is ours and
    bring an older format up to this one.

    Args:
        connect: Gives a connection to the catalog file (opening one may already fail).
        sqlite_file: That file, named in error messages.
        home: The index folder, named in error messages.
        vectors_have_data: Whether the vector store already holds vectors; a new catalog
            beside a non-empty store means the catalog was lost, not that the index is new.
        upgrade: Whether this opener may write (the index's writer); one that may not reads
            an older format as it is (keyword_index.py copes with format 1's tables).

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
            create_keyword_tables(conn)
            conn.execute(_SET_VERSION, (str(SCHEMA_VERSION),))
        elif version == 1 and upgrade:
            upgrade_from_format_1(conn, SCHEMA_VERSION)
        elif version not in (1, SCHEMA_VERSION):
            raise IndexCorruptError(
                f"The index in '{home}' was made by a different version of "
                f"desktop-search (format {version}, this version reads {SCHEMA_VERSION}). "
                + REBUILD_ADVICE
            )
        if upgrade and refill_pending(conn):
            refill_keyword_rows(conn)
        conn.execute("SELECT count(*) FROM files").fetchone()
    except sqlite3.DatabaseError as exc:
        if is_disk_full(exc):
            raise StorageFullError(home) from exc
        raise IndexCorruptError(
            f"The index file '{sqlite_file}' is damaged ({exc}). " + REBUILD_ADVICE
        ) from exc


_SET_VERSION = "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)"


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
