"""The kill-point benchmark's oracle, through the engine's public API: it passes a whole index
and fails a damaged one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from benchmarks import kill_oracle
from desktop_search.core.engine import Engine


def test_a_whole_index_passes_and_a_damaged_one_fails(engine_factory, corpus: Path) -> None:
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(corpus)
    assert engine.wait_until_idle(120)
    home = engine.paths.home
    engine.close()

    catalog = kill_oracle.read_catalog(home)
    assert {Path(p).name for p in catalog} == {
        "volcano.pdf",
        "baking.pdf",
        "finance.pdf",
        "astronomy.md",
    }
    assert kill_oracle.caught_mid_write(catalog) == 0
    indexed = {p: f for p, f in catalog.items() if f.status == "indexed"}
    after, problems = kill_oracle._verify_here(home, indexed)
    assert problems == []
    assert after == catalog
    assert kill_oracle.needs_indexing(home, list(catalog)) == []

    # The oracle must be able to fail: one file's record claims a passage it does not have.
    volcano = next(p for p in catalog if p.endswith("volcano.pdf"))
    conn = sqlite3.connect(home / "catalog.sqlite3")
    with conn:
        conn.execute("UPDATE files SET chunks = chunks + 1 WHERE path = ?", (volcano,))
    conn.close()
    with Engine.open(home, read_only=True) as damaged:
        check = damaged.check_consistency()
    assert not check.consistent
    assert check.catalog_chunks == check.chunks + 1
    expected = catalog[volcano].chunks
    assert f"{volcano}: {expected} passages stored, the catalog says {expected + 1}" in (
        check.problems
    )
    _, problems = kill_oracle._verify_here(home, indexed)
    assert any(p.startswith("redone: ") and volcano in p for p in problems), problems
