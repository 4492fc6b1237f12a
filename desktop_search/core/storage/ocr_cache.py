"""What text recognition read, kept by content hash, page, engine and languages.

The cache is its own SQLite file beside the catalog (`Paths.ocr_cache_file`), not part of it:
a renamed or copied file, a file indexed again, and even a rebuilt index find their pages here
and are never recognised twice. A page that could not be read is kept too, with its reason,
so it is not tried again until the file or the languages change.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

from desktop_search.core.extract.ocr import OcrPage, WordBox

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    hash TEXT NOT NULL,
    page INTEGER NOT NULL,
    engine TEXT NOT NULL,
    languages TEXT NOT NULL,
    text TEXT NOT NULL,
    words TEXT NOT NULL,   -- JSON [[x0, y0, x1, y1, word], ...] in page units
    error TEXT NOT NULL,   -- why the page could not be read; '' when it was
    read_at REAL NOT NULL,
    PRIMARY KEY (hash, page, engine, languages)
);
"""


class OcrCache:
    """Recognised pages by (content hash, page, engine, languages).

    Any thread may read or write; each has its own connection, writes are serialised by
    SQLite (WAL mode lets reads run meanwhile).
    """

    def __init__(self, file: Path) -> None:
        self.file = file
        self._local = threading.local()
        self._lock = threading.Lock()
        self._conns: list[sqlite3.Connection] = []

    @property
    def _db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.file, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return conn

    def get(
        self, digest: str, pages: Iterable[int], engine: str, languages: str
    ) -> dict[int, OcrPage]:
        """page -> what was recognised, for the pages of this content that are cached."""
        wanted = sorted(set(pages))
        out: dict[int, OcrPage] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT page, text, words, error FROM pages WHERE hash=? AND engine=? "
                f"AND languages=? AND page IN ({marks})",
                (digest, engine, languages, *part),
            )
            for page, text, words, error in rows:
                out[page] = OcrPage(page, text, _boxes(words), error)
        return out

    def put(self, digest: str, engine: str, languages: str, page: OcrPage) -> None:
        """Keep what was recognised on one page (or why it could not be)."""
        words = json.dumps([list(w) for w in page.words], separators=(",", ":"))
        self._db.execute(
            "INSERT OR REPLACE INTO pages(hash, page, engine, languages, text, words, error, "
            "read_at) VALUES (?,?,?,?,?,?,?,?)",
            (digest, page.page, engine, languages, page.text, words, page.error, time.time()),
        )

    def words(self, digest: str, page: int) -> tuple[WordBox, ...]:
        """The word boxes last recognised on one page of this content (any engine or
        languages), for drawing a highlight; () when the page was never read."""
        row = self._db.execute(
            "SELECT words FROM pages WHERE hash=? AND page=? AND error='' "
            "ORDER BY read_at DESC LIMIT 1",
            (digest, page),
        ).fetchone()
        return _boxes(row[0]) if row else ()

    def close(self) -> None:
        with self._lock:
            for conn in self._conns:
                with suppress(sqlite3.Error):
                    conn.close()
            self._conns = []
        self._local = threading.local()


def _boxes(data: str) -> tuple[WordBox, ...]:
    return tuple(
        (float(x0), float(y0), float(x1), float(y1), str(word))
        for x0, y0, x1, y1, word in json.loads(data or "[]")
    )
