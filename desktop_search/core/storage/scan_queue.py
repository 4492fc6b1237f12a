"""Which indexed files have pages without a text layer, and whether text recognition has read
them yet: the to-do list of the background stage that reads scans (indexing/scan_reader.py).

It lives in the catalog, so it is exactly as old as the catalog rows it describes. Triggers
keep it in step with them: a renamed file takes its row along, a purged file drops it, both in
the catalog's own transaction. A row whose file was written again with other bytes no longer
matches that file's hash and is ignored until the new write replaces it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_search.core.storage.catalog import Catalog
from desktop_search.core.storage.records import FILE_COLUMNS, FileRow

# Additive: made in any catalog on first use (a catalog made before it existed included).
SCANNED_FILES_SCHEMA = """
CREATE TABLE IF NOT EXISTS scanned_files (
    path TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    pages TEXT NOT NULL,    -- the page numbers without a text layer, '1,2,5'
    read_with TEXT          -- the recognition (engine and languages) that read them; NULL: not yet
);
CREATE TRIGGER IF NOT EXISTS scanned_files_renamed AFTER UPDATE OF path ON files BEGIN
    UPDATE OR REPLACE scanned_files SET path = new.path WHERE path = old.path;
END;
CREATE TRIGGER IF NOT EXISTS scanned_files_purged AFTER DELETE ON files BEGIN
    DELETE FROM scanned_files WHERE path = old.path;
END;
"""

_PENDING = (
    "FROM scanned_files s CROSS JOIN files f ON f.path = s.path "
    "WHERE f.status = 'indexed' AND f.hash = s.hash"
)


@dataclass(frozen=True)
class ScannedFile:
    """An indexed file with pages that have no text layer."""

    row: FileRow
    pages: tuple[int, ...]


class ScanQueue:
    """The scanned pages of indexed files, and which recognition has read them.

    Written from the indexer's threads only (the catalog's write lock); read from any.
    """

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._made = False

    def _ensure(self, conn: sqlite3.Connection) -> None:
        if not self._made:
            conn.executescript(SCANNED_FILES_SCHEMA)
            self._made = True

    def expect(
        self, scanned: Sequence[tuple[str, str, Sequence[int]]], plain: Sequence[str]
    ) -> None:
        """Before a batch of files is written: `scanned` (path, content hash, pages without a
        text layer) wait for recognition; `plain` files have no such page (any old row goes).

        Called before the write, so a crash between the two leaves a row that matches no
        indexed file (ignored, and replaced when the file is written), never a scanned file
        without its row.
        """
        if not scanned and not plain:
            return
        with self._catalog.write_lock:
            self._ensure(self._catalog.db)
            with self._catalog.transaction() as conn:
                conn.executemany(
                    "INSERT OR REPLACE INTO scanned_files(path, hash, pages, read_with) "
                    "VALUES (?, ?, ?, NULL)",
                    [(p, h, ",".join(str(n) for n in pages)) for p, h, pages in scanned],
                )
                conn.executemany("DELETE FROM scanned_files WHERE path=?", [(p,) for p in plain])

    def mark_read(self, path: str, digest: str, read_with: str) -> None:
        """The file's scanned pages are now searchable as recognised by `read_with`."""
        with self._catalog.write_lock:
            self._ensure(self._catalog.db)
            with self._catalog.transaction() as conn:
                conn.execute(
                    "UPDATE scanned_files SET read_with=? WHERE path=? AND hash=?",
                    (read_with, path, digest),
                )

    def pending(self, read_with: str, limit: int | None = None) -> list[ScannedFile]:
        """Indexed files whose scanned pages `read_with` has not read, oldest first."""
        columns = ", ".join(f"f.{c.strip()}" for c in FILE_COLUMNS.split(","))
        sql = f"SELECT {columns}, s.pages {_PENDING} AND s.read_with IS NOT ? ORDER BY f.id" + (
            f" LIMIT {int(limit)}" if limit is not None else ""
        )
        rows = self._select(sql, (read_with,))
        return [
            ScannedFile(FileRow.from_row(r[:-1]), tuple(int(n) for n in r[-1].split(",") if n))
            for r in rows
        ]

    def has_pending(self, read_with: str) -> bool:
        return bool(
            self._select(f"SELECT 1 {_PENDING} AND s.read_with IS NOT ? LIMIT 1", (read_with,))
        )

    def pages_of(self, path: str) -> tuple[int, ...]:
        """The pages of an indexed file that have no text layer (() when none)."""
        rows = self._select(f"SELECT s.pages {_PENDING} AND s.path=?", (path,))
        return tuple(int(n) for n in rows[0][0].split(",") if n) if rows else ()

    def progress(self, read_with: str) -> tuple[int, int]:
        """(scanned pages read by `read_with`, scanned pages of indexed files)."""
        rows = self._select(f"SELECT s.pages, s.read_with IS ? {_PENDING}", (read_with,))
        total = done = 0
        for pages, read in rows:
            count = len([n for n in pages.split(",") if n])
            total += count
            done += count if read else 0
        return done, total

    def _select(self, sql: str, params: tuple[object, ...]) -> list[tuple]:
        try:
            return self._catalog.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []  # no file with scanned pages was written to this catalog yet
            raise
