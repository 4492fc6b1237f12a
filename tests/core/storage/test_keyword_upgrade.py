"""An index made by the previous version (catalog format 1) is upgraded at its writer's next
open: keyword rows rebuilt from the stored passages, in batches that survive an interruption."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_search.core.config import Paths
from desktop_search.core.errors import IndexCorruptError
from desktop_search.core.storage import keyword_schema
from desktop_search.core.storage.catalog import Catalog
from desktop_search.core.storage.keyword_index import KeywordIndex, KeywordQuery
from desktop_search.core.storage.keyword_text import register_functions
from desktop_search.core.storage.schema import SCHEMA_VERSION

# The catalog as format 1 made it (the tables the upgrade touches, verbatim).
FORMAT_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE folders (path TEXT PRIMARY KEY, added REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending');
CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, folder TEXT NOT NULL,
    size INTEGER NOT NULL, mtime REAL NOT NULL, hash TEXT, status TEXT NOT NULL, reason TEXT,
    title TEXT, file_type TEXT NOT NULL DEFAULT '', pages INTEGER NOT NULL DEFAULT 0,
    chunks INTEGER NOT NULL DEFAULT 0, indexed_at REAL);
CREATE TABLE chunks (id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id INTEGER NOT NULL REFERENCES files(id), page INTEGER NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL);
CREATE INDEX chunks_file ON chunks(file_id);
CREATE VIRTUAL TABLE chunks_fts USING fts5(
    text, content='chunks', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TABLE vector_deletes (id INTEGER PRIMARY KEY);
INSERT INTO meta VALUES ('schema_version', '1');
"""

TEXTS = {
    "/f/tax.txt": ["今年の確定申告の書類を提出しました。", "Receipts for the tax return."],
    "/f/jo.pdf": ["序 わたくしといふ現象は", "The lamp of causal alternating current."],
    "/f/sauce.md": ["A béchamel needs butter.", "Then flour and milk.", "Stir well."],
}


def _format_1_catalog(home: Path) -> Path:
    """A catalog file exactly as the previous version left it, with three indexed files."""
    paths = Paths.resolve(home)
    paths.home.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(paths.sqlite_file)
    conn.executescript(FORMAT_1)
    for path, texts in TEXTS.items():
        cur = conn.execute(
            "INSERT INTO files(path, folder, size, mtime, status, title, chunks) "
            "VALUES (?, '/f', 1, 1.0, 'indexed', '', ?)",
            (path, len(texts)),
        )
        conn.executemany(
            "INSERT INTO chunks(file_id, page, start, end, text) VALUES (?, 1, 0, 1, ?)",
            [(cur.lastrowid, t) for t in texts],
        )
    conn.commit()
    conn.close()
    return paths.sqlite_file


def _check_integrity(catalog: Catalog) -> None:
    """FTS5's own check that its rows match the passages they were made from."""
    catalog.db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1)")


def _found(keywords: KeywordIndex, word: str) -> set[int]:
    return {h[1] for h in keywords.keyword_search(KeywordQuery((word,)), 10)}


def test_a_format_1_index_is_upgraded_when_its_writer_opens_it(isolated_home: Path) -> None:
    sqlite_file = _format_1_catalog(isolated_home)
    catalog = Catalog(sqlite_file, sqlite_file.parent)
    catalog.open_schema(lambda: True)  # its vectors are there: it is not a new index
    try:
        assert catalog.get_meta("schema_version") == str(SCHEMA_VERSION)
        assert not keyword_schema.refill_pending(catalog.db)
        counts = catalog.consistency_counts()
        assert counts["fts_rows"] == counts["chunks"] == 7
        _check_integrity(catalog)
        keywords = KeywordIndex(catalog)
        tax = catalog.file_by_path("/f/tax.txt")
        jo = catalog.file_by_path("/f/jo.pdf")
        assert tax is not None and jo is not None
        assert _found(keywords, "確定申告") == {tax.id}  # CJK inside a run: new in format 2
        sauce = catalog.file_by_path("/f/sauce.md")
        assert sauce is not None and _found(keywords, "bechamel") == {sauce.id}
        assert [f for f, _ in keywords.name_search(("jo", "pdf"), 10)] == [jo.id]
        # Writes after the upgrade keep every table in step.
        catalog.delete_files(["/f/jo.pdf"])
        assert keywords.name_search(("jo",), 10) == []
        _check_integrity(catalog)
    finally:
        catalog.close()


def test_an_interrupted_upgrade_goes_on_where_it_stopped(isolated_home: Path) -> None:
    sqlite_file = _format_1_catalog(isolated_home)
    conn = sqlite3.connect(sqlite_file, isolation_level=None)
    register_functions(conn)
    keyword_schema.upgrade_from_format_1(conn, SCHEMA_VERSION)
    assert keyword_schema.refill_keyword_rows(conn, batch=2, batches=1) == 2
    conn.close()  # as if the process had been killed here

    catalog = Catalog(sqlite_file, sqlite_file.parent)
    try:
        # A passage not refilled yet is deleted: its keyword rows are not touched (FTS5 must
        # never be told to forget words it does not hold)...
        assert catalog.get_meta(keyword_schema.REFILL_DONE) == "2"
        catalog.delete_files(["/f/sauce.md"])
        # ...and the next open finishes the refill.
        catalog.open_schema(lambda: True)
        assert not keyword_schema.refill_pending(catalog.db)
        counts = catalog.consistency_counts()
        assert counts["fts_rows"] == counts["chunks"] == 4
        _check_integrity(catalog)
        tax = catalog.file_by_path("/f/tax.txt")
        assert tax is not None and _found(KeywordIndex(catalog), "確定申告") == {tax.id}
    finally:
        catalog.close()


def test_a_reader_leaves_a_format_1_index_as_it_is_and_still_searches_it(
    isolated_home: Path,
) -> None:
    sqlite_file = _format_1_catalog(isolated_home)
    catalog = Catalog(sqlite_file, sqlite_file.parent)
    catalog.open_schema(lambda: True, upgrade=False)
    try:
        assert catalog.get_meta("schema_version") == "1"
        keywords = KeywordIndex(catalog)
        assert not keywords.has_grams
        sauce = catalog.file_by_path("/f/sauce.md")
        assert sauce is not None and _found(keywords, "bechamel") == {sauce.id}
        assert keywords.name_search(("jo",), 10) == []  # no names table yet
        assert keywords.suggest_spelling("bechamell") is None
    finally:
        catalog.close()


@pytest.mark.parametrize("version", ["0", "3"])
def test_formats_it_does_not_know_are_refused(isolated_home: Path, version: str) -> None:
    sqlite_file = _format_1_catalog(isolated_home)
    with sqlite3.connect(sqlite_file) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    conn.close()
    catalog = Catalog(sqlite_file, sqlite_file.parent)
    try:
        with pytest.raises(IndexCorruptError, match=f"format {version}"):
            catalog.open_schema(lambda: True)
    finally:
        catalog.close()
