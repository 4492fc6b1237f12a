"""The FTS5 keyword index: BM25 ranking (planned to stay fast, see keyword_plan.py), file names
and titles, and spelling suggestions from its own vocabulary."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from desktop_search.core.storage import spelling
from desktop_search.core.storage.catalog import Catalog
from desktop_search.core.storage.keyword_plan import KeywordQuery, WordCounts, plan, term_phrase
from desktop_search.core.storage.keyword_text import grams_phrase, has_cjk
from desktop_search.core.storage.records import batches, placeholders

__all__ = ["KeywordIndex", "KeywordQuery"]

log = logging.getLogger(__name__)

PARALLEL_QUERY_THREADS = min(4, max(1, os.cpu_count() or 1))
# Split a ranking across threads when its selective words select this many passages (one
# very common word on a big index); below it one thread is quicker than the split's overhead.
PARALLEL_QUERY_MIN_PASSAGES = 20_000
# BM25 weights of names_fts's columns: name, extension, title, grams.
_NAME_WEIGHTS = "10.0, 1.0, 5.0, 5.0"


class KeywordIndex:
    """Keyword queries over the catalog's `chunks_fts` and `names_fts` tables.

    The keyword rows live in the catalog file (kept in step with passages and files by
    triggers), so this class only reads, through the catalog's per-thread connections.
    Malformed FTS5 expressions match nothing rather than raise. A catalog of format 1 (opened
    read-only, so not upgraded) is searched as that format allows: no CJK grams, no names.
    """

    def __init__(self, catalog: Catalog) -> None:
        """Query through this catalog's connections."""
        self._catalog = catalog
        self._pool: ThreadPoolExecutor | None = None  # made on the first large query
        self._counts = WordCounts()
        self._format2: bool | None = None

    # ---------------------------------------------------------------- passages
    def keyword_search(
        self,
        query: str | KeywordQuery,
        limit: int,
        file_ids: Sequence[int] | None = None,
    ) -> list[tuple[int, int, float]]:
        """Best passages of indexed files by BM25.

        Args:
            query: Words to rank by (a KeywordQuery), or an FTS5 expression run as it is.
            limit: How many passages at most.
            file_ids: Only passages of these files (None: any file).

        Returns:
            (chunk id, file id, BM25 score; higher is better), best first.
        """
        try:
            if isinstance(query, KeywordQuery):
                planned = plan(self._catalog.db, self._counts, query, self.has_grams)
                if planned is None:
                    return []
                expression, selected = planned.expression, planned.selected
            else:  # as many passages as the index has, for all it knows
                expression, selected = query, self._passage_count()
            if file_ids is not None:
                return self._keyword_search_in(expression, limit, file_ids)
            ranked = self._ranked_rowids(expression, limit, selected)
        except sqlite3.OperationalError as exc:
            log.info("Keyword query %r rejected: %s", query, exc)
            return []
        owners = self._indexed_owners([r for r, _ in ranked])
        return [(r, owners[r], -score) for r, score in ranked if r in owners]

    def _ranked_rowids(self, fts_query: str, limit: int, selected: int) -> list[tuple[int, float]]:
        """Best passages by BM25. When the query selects many passages, the rowid range is
        split across threads: scoring is the cost, SQLite releases the GIL while it runs,
        and BM25's statistics are global, so the parts' scores compare directly."""
        sql = (
            "SELECT rowid, bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? "
            "AND rowid BETWEEN ? AND ? ORDER BY bm25(chunks_fts) LIMIT ?"
        )
        top = self._passage_count()
        parts = PARALLEL_QUERY_THREADS if selected >= PARALLEL_QUERY_MIN_PASSAGES else 1
        if parts == 1:
            return [(r[0], r[1]) for r in self._catalog.db.execute(sql, (fts_query, 0, top, limit))]
        step = top // parts + 1
        ranges = [(i * step, min(top, (i + 1) * step - 1)) for i in range(parts)]

        def run(bounds: tuple[int, int]) -> list[tuple[int, float]]:
            # Each pool thread reads through its own connection (catalog.db is per thread).
            rows = self._catalog.db.execute(sql, (fts_query, bounds[0], bounds[1], limit))
            return [(r[0], r[1]) for r in rows]

        merged = [row for rows in self._query_pool().map(run, ranges) for row in rows]
        merged.sort(key=lambda r: r[1])
        return merged[:limit]

    def _query_pool(self) -> ThreadPoolExecutor:
        pool = self._pool
        if pool is None:
            pool = ThreadPoolExecutor(
                PARALLEL_QUERY_THREADS, thread_name_prefix="desktop-search-query"
            )
            self._pool = pool
        return pool

    def passage_counts(self, words: Sequence[str]) -> tuple[dict[str, int], int]:
        """How many passages hold each word, matched as keyword search matches it (any form,
        CJK words inside longer runs), and how many passages the index holds. The counts are
        the ones keyword search plans with, from the same cache."""
        db = self._catalog.db
        grams = self.has_grams
        phrases = {w: term_phrase(w, grams) for w in dict.fromkeys(words)}
        held, total = self._counts.holding(db, phrases.values())
        return {w: held[p] for w, p in phrases.items()}, total

    def _passage_count(self) -> int:
        row = self._catalog.db.execute("SELECT max(id) FROM chunks").fetchone()
        return int(row[0] or 0)

    def _indexed_owners(self, chunk_ids: Sequence[int]) -> dict[int, int]:
        """chunk id -> file id, for passages of files that are fully indexed."""
        out: dict[int, int] = {}
        for part in batches(chunk_ids, 900):
            out.update(
                self._catalog.db.execute(
                    # CROSS JOIN pins the order: look the passages up by id first; left free,
                    # the planner may walk every indexed file instead.
                    f"SELECT c.id, c.file_id FROM chunks c CROSS JOIN files f ON f.id = c.file_id "
                    f"WHERE c.id IN ({placeholders(part)}) AND f.status = 'indexed'",
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
        rows = self._catalog.db.execute(sql, (fts_query, limit))
        return [(r[0], r[1], float(r[2])) for r in rows]

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
            return {r[0] for r in self._catalog.db.execute(sql, (fts_query,))}
        except sqlite3.OperationalError:
            return set()

    # ---------------------------------------------------------------- names and titles
    def name_search(
        self, terms: Sequence[str], limit: int, file_ids: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """Indexed files whose name, extension or title hold every one of `terms`, at least
        one of them in the name or title ('jo.pdf' finds jo.pdf; 'pdf' alone finds no name).

        Returns:
            (file id, BM25 score over the name (weighted most), title and extension; higher
            is better), best first.
        """
        words = [t for t in dict.fromkeys(terms) if t.strip()]
        if not words or not self.has_grams:
            return []
        every = " AND ".join(_name_phrase(w, "{name extension title}") for w in words)
        named = " OR ".join(_name_phrase(w, "{name title}") for w in words)
        sql = (
            f"SELECT names_fts.rowid, bm25(names_fts, {_NAME_WEIGHTS}) FROM names_fts "
            "CROSS JOIN files f ON f.id = names_fts.rowid "
            "WHERE names_fts MATCH ? AND f.status = 'indexed'"
        )
        if file_ids is not None:
            if not file_ids:
                return []
            sql += f" AND f.id IN ({','.join(str(int(i)) for i in file_ids)})"
        sql += " ORDER BY 2 LIMIT ?"
        try:
            rows = self._catalog.db.execute(sql, (f"({every}) AND ({named})", limit))
            return [(r[0], -float(r[1])) for r in rows]
        except sqlite3.OperationalError as exc:
            log.info("Name query %r rejected: %s", words, exc)
            return []

    # ---------------------------------------------------------------- vocabulary
    def suggest_spelling(self, word: str) -> str | None:
        """The closest word the index holds, for a query word it lacks or holds in only a
        few passages while a close word is much more common ('cholestrol' -> 'cholesterol');
        None when the word is known, has no close neighbour, or is not a plain word."""
        if not self.has_grams:
            return None
        try:
            return spelling.suggest(self._catalog.db, word)
        except sqlite3.OperationalError as exc:
            log.info("No spelling suggestion for %r: %s", word, exc)
            return None

    @property
    def has_grams(self) -> bool:
        """Whether the catalog is of format 2 (CJK grams, names, vocabulary tables)."""
        if self._format2 is None:
            cur = self._catalog.db.execute("SELECT * FROM chunks_fts WHERE 0")
            self._format2 = "grams" in {d[0] for d in cur.description}
        return self._format2

    def close(self) -> None:
        """Stop the query threads (waiting for a running query)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)


def _name_phrase(word: str, columns: str) -> str:
    """One query word as a phrase of names_fts, in these (Latin) columns or the grams."""
    if has_cjk(word):
        return f'grams : "{grams_phrase(word)}"'
    return f'{columns} : "{word.replace(chr(34), "")}"'
