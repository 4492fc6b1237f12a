"""The keyword tables of the catalog (format 2), and the upgrade that rebuilds them.

- `chunks_fts`: every passage's words (`text`, stemmed, accents folded) and its CJK grams
  (`grams`, see keyword_text.py), read from the `chunks_keyword_text` view so FTS5 can rebuild
  and highlight from the passages themselves; triggers keep it in step with `chunks`.
- `names_fts`: each file's name, extension, title and their CJK grams; triggers keep it in step
  with `files`.
- `chunks_vocab`, `chunks_vocab_instance`: FTS5's own views of the words the index holds (for
  "did you mean").

Format 1 had a one-column `chunks_fts` and no names. The upgrade swaps the tables in one
transaction, then refills `chunks_fts` from the stored passages in batches, each committed
with its progress in `meta`, so an upgrade stopped half-way (quit, kill -9) goes on where it
stopped at the next open. While a refill is under way the delete trigger leaves alone the
passages not refilled yet (FTS5 must never be told to delete words it does not hold).
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import time

log = logging.getLogger(__name__)

TOKENIZE = "porter unicode61 remove_diacritics 2"
# meta keys of an unfinished refill: passages with ids in (done, until] still lack their rows.
REFILL_DONE = "keyword_refill_done"
REFILL_UNTIL = "keyword_refill_until"
REFILL_BATCH = 5000

_FILE_NAME_ROW = (
    "ds_file_name({r}.path), ds_file_extension({r}.path), coalesce({r}.title, ''), "
    "ds_name_grams({r}.path, {r}.title)"
)

KEYWORD_SCHEMA: tuple[str, ...] = (
    """CREATE VIEW IF NOT EXISTS chunks_keyword_text AS
        SELECT id, text, ds_text_grams(text) AS grams FROM chunks""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
        text, grams, content='chunks_keyword_text', content_rowid='id', tokenize='{TOKENIZE}'
    )""",
    """CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_fts(rowid, text, grams)
        VALUES (new.id, new.text, ds_text_grams(new.text));
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks
    WHEN NOT EXISTS (
        SELECT 1 FROM meta d, meta u WHERE d.key = '{REFILL_DONE}' AND u.key = '{REFILL_UNTIL}'
        AND old.id > CAST(d.value AS INTEGER) AND old.id <= CAST(u.value AS INTEGER)
    ) BEGIN
        INSERT INTO chunks_fts(chunks_fts, rowid, text, grams)
        VALUES ('delete', old.id, old.text, ds_text_grams(old.text));
    END""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS names_fts USING fts5(
        name, extension, title, grams, tokenize='{TOKENIZE}'
    )""",
    f"""CREATE TRIGGER IF NOT EXISTS files_names_ai AFTER INSERT ON files BEGIN
        INSERT INTO names_fts(rowid, name, extension, title, grams)
        VALUES (new.id, {_FILE_NAME_ROW.format(r="new")});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS files_names_au AFTER UPDATE OF path, title ON files
    WHEN old.path IS NOT new.path OR old.title IS NOT new.title BEGIN
        DELETE FROM names_fts WHERE rowid = old.id;
        INSERT INTO names_fts(rowid, name, extension, title, grams)
        VALUES (new.id, {_FILE_NAME_ROW.format(r="new")});
    END""",
    """CREATE TRIGGER IF NOT EXISTS files_names_ad AFTER DELETE ON files BEGIN
        DELETE FROM names_fts WHERE rowid = old.id;
    END""",
    "CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, row)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab_instance "
    "USING fts5vocab(chunks_fts, instance)",
)


def create_keyword_tables(conn: sqlite3.Connection) -> None:
    """Make the keyword tables in a new catalog (inside the caller's transaction)."""
    for statement in KEYWORD_SCHEMA:
        conn.execute(statement)


def upgrade_from_format_1(conn: sqlite3.Connection, version: int) -> None:
    """Swap format 1's keyword table for format 2's and record `version` as the catalog's
    format, in one transaction (the passages' rows are refilled by `refill_keyword_rows`).

    Args:
        conn: A connection outside any transaction.
        version: The format version to record.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name in ("chunks_ai", "chunks_ad"):
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.execute("DROP TABLE IF EXISTS chunks_fts")
        create_keyword_tables(conn)
        conn.execute(
            f"INSERT INTO names_fts(rowid, name, extension, title, grams) "
            f"SELECT f.id, {_FILE_NAME_ROW.format(r='f')} FROM files f"
        )
        until = conn.execute("SELECT coalesce(max(id), 0) FROM chunks").fetchone()[0]
        conn.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
            [(REFILL_DONE, "0"), (REFILL_UNTIL, str(until)), ("schema_version", str(version))],
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    log.info("Keyword index upgraded to format 2; refilling %d passages", until)


def refill_pending(conn: sqlite3.Connection) -> bool:
    """Whether an upgrade left passages without keyword rows."""
    row = conn.execute("SELECT 1 FROM meta WHERE key = ?", (REFILL_DONE,)).fetchone()
    return row is not None


def refill_keyword_rows(
    conn: sqlite3.Connection, batch: int = REFILL_BATCH, batches: int | None = None
) -> int:
    """Give the passages an upgrade left without keyword rows their rows, `batch` passages
    per transaction, each one recording how far it got; at most `batches` transactions
    (None: until done). Returns how many passages were refilled."""
    refilled = 0
    started = time.monotonic()
    for _ in itertools.count() if batches is None else range(batches):
        conn.execute("BEGIN IMMEDIATE")
        try:
            bounds = dict(
                conn.execute(
                    "SELECT key, CAST(value AS INTEGER) FROM meta WHERE key IN (?, ?)",
                    (REFILL_DONE, REFILL_UNTIL),
                ).fetchall()
            )
            if REFILL_DONE not in bounds:
                conn.execute("COMMIT")
                break
            done, until = bounds[REFILL_DONE], bounds.get(REFILL_UNTIL, 0)
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM chunks WHERE id > ? AND id <= ? ORDER BY id LIMIT ?",
                    (done, until, batch),
                )
            ]
            if ids:
                conn.execute(
                    "INSERT INTO chunks_fts(rowid, text, grams) "
                    "SELECT id, text, ds_text_grams(text) FROM chunks WHERE id >= ? AND id <= ?",
                    (ids[0], ids[-1]),
                )
                conn.execute("UPDATE meta SET value = ? WHERE key = ?", (str(ids[-1]), REFILL_DONE))
                refilled += len(ids)
            else:
                conn.execute("DELETE FROM meta WHERE key IN (?, ?)", (REFILL_DONE, REFILL_UNTIL))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    if refilled:
        log.info(
            "Refilled the keyword rows of %d passages in %.1f s",
            refilled,
            time.monotonic() - started,
        )
    return refilled
