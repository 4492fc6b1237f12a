"""A crash-safe index: kill -9 at random points, one writer at a time, damage found at open."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from desktop_search.core.engine import Engine
from desktop_search.core.errors import IndexCorruptError, IndexLockedError
from tests.conftest import make_pdf
from tests.e2e.conftest import assert_one_line_error, run_cli

KILL_POINTS = 12
KILL_SEED = 20240611


@pytest.mark.slow
def test_kill_9_at_random_points_then_resume(kill_points, tmp_path: Path) -> None:
    """SIGKILL a real `index` process at KILL_POINTS random moments. After each kill the repaired
    index agrees with itself exactly and keeps every file indexed before; the last run indexes
    just the missing files, and each marker word then finds its own file once."""
    folder = tmp_path / "docs"
    markers = kill_points.make_marker_corpus(folder, 150, seed=KILL_SEED)
    bad = kill_points.make_bad_files(folder)
    # About the first pass's write order: the fast model alone (test_two_passes covers the
    # second pass's resumption).
    report = kill_points.run_kill_points(
        folder, markers, bad, tmp_path, points=KILL_POINTS, seed=KILL_SEED, model="bundled-fast"
    )
    broken = {p.number: (p.plan, p.problems) for p in report.kills if not p.survived}
    assert not broken, broken
    assert not report.final_problems, report.final_problems
    assert report.final_indexed_run == report.final_expected_run
    # The seed is fixed, but kills are timed: make sure this run really killed mid-run.
    assert len(report.kills) >= KILL_POINTS // 2, [(p.plan, p.killed) for p in report.points]


# ------------------------------------------------------------------------------ single writer
def test_second_writer_is_refused_with_a_clear_message(engine_factory, corpus: Path) -> None:
    first = engine_factory()
    first.load_model()
    first.add_folder(corpus)
    with pytest.raises(IndexLockedError) as refused:
        engine_factory()
    message = str(refused.value)
    assert "already updating the index" in message and str(first.paths.home) in message
    assert first.wait_until_idle(120)
    # Searching alongside the writer is fine.
    reader = engine_factory(read_only=True)
    reader.load_model()
    assert [r.title for r in reader.search("sourdough starter", k=1, mode="keyword")]
    first.close()
    second = engine_factory()  # the lock went with the first writer
    assert second.status().documents == 4


def test_cli_refuses_to_write_while_another_process_writes(
    engine_factory, corpus: Path, tmp_path: Path
) -> None:
    holder = engine_factory()
    home = holder.paths.home
    other = tmp_path / "other"
    make_pdf(other / "extra.pdf", ["A page about lighthouses and foghorns."])

    for args in (("index", other), ("remove", corpus)):
        proc = run_cli(home, *args)
        assert_one_line_error(proc, "already updating the index")

    status = run_cli(home, "status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["indexing"] is True
    # The refused process wrote nothing: no folder, no file rows.
    assert holder.index.folder_paths() == []
    assert holder.index.db.execute("SELECT count(*) FROM files").fetchone()[0] == 0


# ------------------------------------------------------------------------------ damage at open
def _indexed_home(tmp_path: Path, corpus: Path) -> Path:
    home = tmp_path / "home"
    done = run_cli(home, "index", corpus)
    assert done.returncode == 0 and "Indexed 4 files" in done.stderr, done.stderr
    return home


def _snapshot(home: Path) -> dict[str, str]:
    """Digest of every index file (logs and the lock's pid aside)."""
    out = {}
    for path in sorted(home.rglob("*")):
        rel = path.relative_to(home).as_posix()
        # Settings belong to the home, not to the index: they stay when an index is moved.
        if (
            path.is_file()
            and not rel.startswith("logs/")
            and rel not in ("writer.lock", "settings.toml")
        ):
            if rel.endswith("-shm") or (rel.endswith("-wal") and not path.stat().st_size):
                continue  # SQLite's shared-memory index and empty log: made by any reader
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _assert_refused_everywhere(
    home: Path,
    corpus: Path,
    *fragments: str,
    commands: tuple[str, ...] = ("index", "status", "search"),
) -> None:
    with pytest.raises(IndexCorruptError) as refused:
        Engine.open(home)
    for fragment in fragments:
        assert fragment.lower() in str(refused.value).lower(), str(refused.value)
    arguments = {"index": ("index", corpus), "status": ("status",), "search": ("search", "lava")}
    for command in commands:
        assert_one_line_error(run_cli(home, *arguments[command]), *fragments)


def test_junk_catalog_is_detected_and_nothing_is_deleted(tmp_path: Path, corpus: Path) -> None:
    home = _indexed_home(tmp_path, corpus)
    catalog = home / "catalog.sqlite3"
    catalog.write_bytes(b"this is not a database, just junk " * 500)
    before = _snapshot(home)
    _assert_refused_everywhere(home, corpus, "rebuild")
    assert _snapshot(home) == before


def test_index_from_another_version_is_detected(tmp_path: Path, corpus: Path) -> None:
    home = _indexed_home(tmp_path, corpus)
    with sqlite3.connect(home / "catalog.sqlite3") as conn:
        conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    conn.close()
    before = _snapshot(home)
    _assert_refused_everywhere(home, corpus, "different version", "rebuild")
    assert _snapshot(home) == before


def test_damaged_vector_store_is_detected(tmp_path: Path, corpus: Path) -> None:
    home = _indexed_home(tmp_path, corpus)
    (home / "chroma" / "chroma.sqlite3").write_bytes(b"junk " * 4000)
    before = _snapshot(home)
    # `status` reads only the catalog, which is fine here; what needs the vectors refuses.
    _assert_refused_everywhere(home, corpus, "rebuild", commands=("index", "search"))
    assert _snapshot(home) == before


def test_emptied_catalog_beside_vectors_is_detected(tmp_path: Path, corpus: Path) -> None:
    home = _indexed_home(tmp_path, corpus)
    for suffix in ("", "-wal", "-shm"):
        path = home / f"catalog.sqlite3{suffix}"
        if suffix:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(b"")
    with pytest.raises(IndexCorruptError, match="(?i)rebuild"):
        Engine.open(home)
    assert_one_line_error(run_cli(home, "index", corpus), "rebuild")


def test_rebuild_moves_the_damaged_index_aside_and_starts_fresh(
    tmp_path: Path, corpus: Path
) -> None:
    home = _indexed_home(tmp_path, corpus)
    (home / "catalog.sqlite3").write_bytes(b"junk " * 1000)
    before = _snapshot(home)
    proc = run_cli(home, "rebuild")
    assert proc.returncode == 0, proc.stderr
    aside = [p for p in home.iterdir() if p.is_dir() and p.name.startswith("broken-")]
    assert len(aside) == 1, list(home.iterdir())
    assert str(aside[0]) in proc.stderr  # the person is told where the old index went
    assert _snapshot(aside[0]) == before  # moved, not deleted
    proc = run_cli(home, "index", corpus)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(run_cli(home, "search", "sourdough", "--json").stdout)
    assert found and found[0]["path"].endswith("baking.pdf")


def test_the_consistency_check_sees_a_keyword_index_out_of_step(
    tmp_path: Path, corpus: Path
) -> None:
    """The oracle of the kill test must be able to fail: drop one passage from the keyword
    index only, and the counts must disagree."""
    home = _indexed_home(tmp_path, corpus)
    conn = sqlite3.connect(home / "catalog.sqlite3")
    with conn:
        conn.execute(
            "INSERT INTO chunks_fts(chunks_fts, rowid, text) "
            "SELECT 'delete', id, text FROM chunks ORDER BY id LIMIT 1"
        )
    conn.close()
    with Engine.open(home) as engine:
        counts = engine.index.check_consistency()
    assert counts["fts_rows"] == counts["chunks"] - 1, counts
