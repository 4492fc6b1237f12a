"""The FTS5 keyword index: BM25 ranking, split across threads on large indexes."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from desktop_search.core.storage.catalog import Catalog
from desktop_search.core.storage.records import batches, placeholders

log = logging.getLogger(__name__)

PARALLEL_QUERY_THREADS = min(4, max(1, os.cpu_count() or 1))
PARALLEL_QUERY_MIN_PASSAGES = 20_000


class KeywordIndex:
    """Keyword queries over the catalog's `chunks_fts` table.

    The keyword rows live in the catalog file (kept in step with the passages by triggers), so
    this class only reads, through the catalog's per-thread connections. Malformed FTS5
    expressions match nothing rather than raise.
    """

    def __init__(self, catalog: Catalog) -> None:
        """Query through this catalog's connections."""
        self._catalog = catalog
        self._pool: ThreadPoolExecutor | None = None  # made on the first large query

    def keyword_search(
        self, fts_query: str, limit: int, file_ids: Sequence[int] | None = None
    ) -> list[tuple[int, int, float]]:
        """Best passages of indexed files for an FTS5 MATCH expression.

        Args:
            fts_query: An FTS5 expression.
            limit: How many passages at most.
            file_ids: Only passages of these files (None: any file).

        Returns:
            (chunk id, file id, BM25 score; higher is better), best first.
        """
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
        global, so the parts' scores compare directly."""
        sql = (
            "SELECT rowid, bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? "
            "AND rowid BETWEEN ? AND ? ORDER BY bm25(chunks_fts) LIMIT ?"
        )
        top = self._passage_count()
        parts = PARALLEL_QUERY_THREADS if top >= PARALLEL_QUERY_MIN_PASSAGES else 1
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

    def chunks_matching(self, fts_query: str, chunk_ids: Sequence[int]) -> set[int]:
        """Which of these passages match an FTS5 expression (used for phrases and exclusions)."""
        out: set[int] = set()
        for part in batches(chunk_ids, 900):
            try:
                out.update(
                    r[0]
                    for r in self._catalog.db.execute(
                        f"SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? "
                        f"AND rowid IN ({placeholders(part)})",
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
            return {r[0] for r in self._catalog.db.execute(sql, (fts_query,))}
        except sqlite3.OperationalError:
            return set()

    def close(self) -> None:
        """Stop the query threads (waiting for a running query)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
