"""Files of kinds that are not indexed, counted per folder by each full scan and kept in the
catalog, so what was passed over is still shown after a restart (nothing skipped in silence)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from desktop_search.core.storage.catalog import Catalog
from desktop_search.core.storage.schema import OTHER_FILES_TABLE

# Kinds kept per folder: a folder of numbered backups (.001, .002, ...) must not fill the catalog;
# the files of the kinds left out are kept as one count under REST.
MAX_KINDS = 50
REST = "*"


def record_other_files(catalog: Catalog, folder: str, counts: Mapping[str, int]) -> None:
    """Replace the folder's counts (extension -> files) with those of the scan just made."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    kept = ranked[:MAX_KINDS]
    rest = sum(files for _, files in ranked[MAX_KINDS:])
    if rest:
        kept.append((REST, rest))
    with catalog.transaction() as conn:
        # A catalog made before the table existed gets it here (the change is additive).
        conn.execute(OTHER_FILES_TABLE)
        conn.execute("DELETE FROM other_files WHERE folder=?", (folder,))
        # Rows of folders that were removed since.
        conn.execute("DELETE FROM other_files WHERE folder NOT IN (SELECT path FROM folders)")
        conn.executemany(
            "INSERT INTO other_files(folder, kind, files) VALUES (?, ?, ?)",
            [(folder, kind, files) for kind, files in kept if files > 0],
        )


def other_files(catalog: Catalog) -> dict[str, tuple[int, tuple[str, ...]]]:
    """folder -> (files of other kinds, their extensions most common first), per folder."""
    try:
        rows = catalog.db.execute(
            "SELECT o.folder, o.kind, o.files FROM other_files o JOIN folders f "
            "ON f.path = o.folder ORDER BY o.folder, o.files DESC, o.kind = '', o.kind"
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return {}  # a catalog no scan has counted in yet
        raise
    out: dict[str, tuple[int, tuple[str, ...]]] = {}
    for folder, kind, files in rows:
        total, kinds = out.get(folder, (0, ()))
        out[folder] = (total + files, kinds if kind == REST else (*kinds, kind))
    return out
