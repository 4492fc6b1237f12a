"""Indexing through a real Engine: incremental updates, events, pause/cancel, exclude rules."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from desktop_search.core import models as m
from desktop_search.core.config import Paths
from desktop_search.core.errors import IndexLockedError
from tests.conftest import make_pdf


class Recorder:
    def __init__(self) -> None:
        self.events: list[m.IndexEvent] = []
        self.threads: set[str] = set()
        self._lock = threading.Condition()

    def __call__(self, event: m.IndexEvent) -> None:
        with self._lock:
            self.events.append(event)
            self.threads.add(threading.current_thread().name)
            self._lock.notify_all()

    def wait_for(self, kind: type, timeout: float = 60) -> None:
        """Until an event of this kind has arrived (woken by its delivery, not by polling)."""
        with self._lock:
            arrived = self._lock.wait_for(
                lambda: any(isinstance(e, kind) for e in self.events), timeout
            )
        assert arrived, f"no {kind.__name__} event within {timeout} s"

    def of(self, kind: type) -> list:
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]

    def clear(self) -> None:
        with self._lock:
            self.events.clear()


def indexed_paths(engine) -> set[str]:
    return {
        r[1] for r in engine.index.db.execute("SELECT 0, path FROM files WHERE status='indexed'")
    }


def top_names(engine, query: str) -> list[str]:
    return [os.path.basename(r.path) for r in engine.search(query, mode="keyword")]


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def engine(engine_factory, rec: Recorder):
    eng = engine_factory(on_event=rec)
    eng.load_model()
    return eng


def index_folder(engine, folder: Path) -> None:
    engine.add_folder(folder)
    assert engine.wait_until_idle(60)


def test_events_report_progress_on_a_worker_thread(engine, rec: Recorder, corpus: Path) -> None:
    index_folder(engine, corpus)
    assert rec.of(m.ScanFinished)[0].total == 4
    assert len(rec.of(m.FileIndexed)) == 4
    last = rec.of(m.Progress)[-1]
    assert (last.done, last.total) == (4, 4) and last.rate > 0
    assert isinstance(rec.events[-1], m.Idle) and rec.events[-1].indexed == 4
    assert threading.main_thread().name not in rec.threads


def test_second_run_over_an_unchanged_folder_does_no_work(engine, rec: Recorder, corpus: Path):
    index_folder(engine, corpus)
    rec.clear()
    index_folder(engine, corpus)
    assert rec.of(m.ScanFinished)[0].total == 0
    assert rec.of(m.ScanFinished)[0].unchanged == 4
    assert rec.of(m.FileIndexed) == [] and rec.of(m.Progress) == []


def test_touched_but_identical_file_is_not_reextracted(engine, rec: Recorder, corpus: Path):
    index_folder(engine, corpus)
    target = corpus / "baking.pdf"
    os.utime(target, (1_000_000, 1_000_000))
    rec.clear()
    index_folder(engine, corpus)
    assert rec.of(m.ScanFinished)[0].total == 1  # looked at (hashed)...
    assert rec.of(m.FileIndexed) == []  # ...but not extracted or embedded again
    assert engine.index.file_by_path(str(target)).mtime == 1_000_000


def test_add_modify_delete_rename_show_in_results(engine, corpus: Path) -> None:
    index_folder(engine, corpus)
    make_pdf(corpus / "new.pdf", ["A zeppelin floated over the harbour."])
    (corpus / "notes" / "astronomy.md").write_text("Comets have icy nuclei.", encoding="utf-8")
    (corpus / "finance.pdf").unlink()
    before = engine.index.file_by_path(str(corpus / "volcano.pdf"))
    os.rename(corpus / "volcano.pdf", corpus / "notes" / "geology.pdf")
    index_folder(engine, corpus)
    assert top_names(engine, "zeppelin") == ["new.pdf"]
    assert top_names(engine, "comets") == ["astronomy.md"]
    assert top_names(engine, "supernova") == []
    assert top_names(engine, "dividend") == []
    assert top_names(engine, "pyroclastic") == ["geology.pdf"]
    after = engine.index.file_by_path(str(corpus / "notes" / "geology.pdf"))
    assert after is not None and before is not None and after.id == before.id  # re-used
    assert str(corpus / "volcano.pdf") not in indexed_paths(engine)
    counts = engine.index.check_consistency()
    assert counts["chunks"] == counts["vectors"] == counts["fts_rows"] == counts["catalog_chunks"]


def test_failed_files_are_retried_only_when_they_change(engine, rec: Recorder, corpus: Path):
    bad = corpus / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    index_folder(engine, corpus)
    assert [e.path for e in rec.of(m.FileFailed)] == [str(bad)]
    rec.clear()
    index_folder(engine, corpus)
    assert rec.of(m.FileFailed) == []
    make_pdf(bad, ["Now a proper document about gliders."])
    index_folder(engine, corpus)
    assert top_names(engine, "gliders") == ["broken.pdf"]
    assert engine.status().failed == ()


def test_hidden_default_and_user_excludes(engine, corpus: Path) -> None:
    make_pdf(corpus / ".hidden" / "secret.pdf", ["hidden armadillo"])
    make_pdf(corpus / "node_modules" / "pkg.pdf", ["module armadillo"])
    make_pdf(corpus / "drafts" / "d.pdf", ["draft armadillo"])
    make_pdf(corpus / "keep.pdf", ["kept armadillo"])
    (corpus / "~$lock.pdf").write_bytes(b"x")
    engine.apply_settings(replace(engine.settings, excludes=("drafts/",)))
    index_folder(engine, corpus)
    assert top_names(engine, "armadillo") == ["keep.pdf"]


def test_excluding_later_purges_on_rescan(engine, corpus: Path) -> None:
    index_folder(engine, corpus)
    engine.apply_settings(replace(engine.settings, excludes=("*.md",)))
    assert engine.wait_until_idle(60)
    assert top_names(engine, "supernova") == []


def test_pause_holds_work_and_resume_finishes(engine, rec: Recorder, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    for i in range(30):
        make_pdf(folder / f"f{i:02d}.pdf", [f"document number {i} about topic{i}"])
    engine.pause()
    engine.add_folder(folder)
    rec.wait_for(m.ScanFinished)  # the 30 files are known: the run is at the paused pipeline
    # Held: every part of the pipeline has parked, so nothing can have got past the pause.
    assert engine.indexer.wait_until_held(60)
    assert engine.paused and not engine.wait_until_idle(0) and rec.of(m.FileIndexed) == []
    engine.resume()
    assert engine.wait_until_idle(60)
    assert len(indexed_paths(engine)) == 30
    assert [e.paused for e in rec.of(m.Paused)] == [True, False]


def test_cancel_keeps_what_was_written(engine, rec: Recorder, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    for i in range(40):
        make_pdf(folder / f"f{i:02d}.pdf", [f"document {i} " * 50])
    engine.add_folder(folder)
    # Cancel a run under way (a job still queued is dropped without a run, and without Idle).
    rec.wait_for(m.ScanStarted)
    engine.cancel()
    assert engine.wait_until_idle(60)
    done = len(indexed_paths(engine))
    assert done < 40
    idle = rec.of(m.Idle)[-1]
    assert idle.cancelled
    engine.rescan()
    assert engine.wait_until_idle(60)
    assert len(indexed_paths(engine)) == 40


def test_remove_folder_purges_its_entries(engine, rec: Recorder, corpus: Path) -> None:
    index_folder(engine, corpus)
    engine.remove_folder(corpus)
    assert engine.wait_until_idle(30)
    assert engine.status().documents == 0 and engine.folders() == []
    assert engine.index.check_consistency()["vectors"] == 0
    assert m.FolderChanged(str(corpus), removed=True) in rec.events


def test_a_single_file_can_be_added(engine, corpus: Path) -> None:
    index_folder(engine, corpus / "baking.pdf")
    assert indexed_paths(engine) == {str(corpus / "baking.pdf")}


def test_unavailable_folder_keeps_its_entries(
    engine, rec: Recorder, corpus: Path, tmp_path: Path
) -> None:
    index_folder(engine, corpus)
    moved = tmp_path / "unplugged"
    os.rename(corpus, moved)
    engine.rescan()
    assert engine.wait_until_idle(30)
    assert engine.folders()[0].state == m.FolderState.UNAVAILABLE.value
    assert m.FolderChanged(str(corpus), state=m.FolderState.UNAVAILABLE) in rec.events
    assert engine.status().documents == 4
    os.rename(moved, corpus)
    rec.clear()
    engine.rescan()
    assert engine.wait_until_idle(30)
    assert engine.folders()[0].state == m.FolderState.UP_TO_DATE.value
    assert m.FolderChanged(str(corpus), state=m.FolderState.UP_TO_DATE) in rec.events


# ------------------------------------------------------------------------------ changed paths
def test_a_change_reads_only_the_catalog_rows_below_it(
    engine_factory, tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "many"
    (folder / "sub").mkdir(parents=True)
    for i in range(40):
        (folder / f"note{i:02d}.txt").write_text(f"Field note {i}.", encoding="utf-8")
    for i in range(3):
        (folder / "sub" / f"deep{i}.txt").write_text(f"Deep note {i}.", encoding="utf-8")
    first = engine_factory()
    first.load_model()
    index_folder(first, folder)
    first.close()

    statements: list[str] = []
    connect = sqlite3.connect

    def tracing_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    # Every connection the engine opens from here on reports its SQL, the indexer's included.
    monkeypatch.setattr(sqlite3, "connect", tracing_connect)
    engine = engine_factory()
    engine.load_model()
    changed = folder / "note07.txt"
    changed.write_text("Field note 7, rewritten: the quillmarsh.", encoding="utf-8")
    (folder / "sub" / "deep1.txt").unlink()
    statements.clear()
    engine.indexer.update_paths([str(changed), str(folder / "sub")])
    assert engine.wait_until_idle(60)
    ran = list(statements)
    monkeypatch.undo()

    assert top_names(engine, "quillmarsh") == ["note07.txt"]
    assert engine.index.file_by_path(str(folder / "sub" / "deep1.txt")) is None
    catalog = Paths.resolve(isolated_home).sqlite_file
    files_select = re.compile(r"^\s*SELECT\b.*\bFROM\s+files\b", re.IGNORECASE | re.DOTALL)
    with sqlite3.connect(catalog) as conn:
        read = sum(len(conn.execute(sql).fetchall()) for sql in ran if files_select.match(sql))
    # The changed file's row and the subfolder's three, give or take the writes' own lookups;
    # loading the folder's rows would read more than its 43.
    assert 4 <= read < 15, [sql for sql in ran if files_select.match(sql)]


def test_a_changed_subfolder_keeps_the_folders_exclude_patterns(engine, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    engine.apply_settings(replace(engine.settings, excludes=("/sub/drafts/",)))
    index_folder(engine, folder)
    (folder / "sub" / "drafts").mkdir()
    (folder / "sub" / "drafts" / "d.txt").write_text("Draft fernwhistle.", encoding="utf-8")
    (folder / "sub" / "kept.txt").write_text("Kept fernwhistle.", encoding="utf-8")
    engine.indexer.update_paths([str(folder / "sub")])
    assert engine.wait_until_idle(60)
    assert top_names(engine, "fernwhistle") == ["kept.txt"]


def test_only_one_writer_per_home(engine, engine_factory) -> None:
    with pytest.raises(IndexLockedError, match="already updating the index"):
        engine_factory()
    reader = engine_factory(read_only=True)
    assert reader.status().documents == 0


def test_model_switch_reembeds_without_reextracting(
    engine_factory, rec: Recorder, corpus: Path, tiny_transformer: Path
) -> None:
    eng = engine_factory(on_event=rec)
    eng.load_model()
    index_folder(eng, corpus)
    before_chunks = eng.index.check_consistency()["chunks"]
    rec.clear()
    eng.apply_settings(replace(eng.settings, model=str(tiny_transformer), device="cpu"))
    assert eng.wait_until_improved(120)
    assert rec.of(m.FileIndexed) == []  # nothing extracted again
    model_id = f"st:{tiny_transformer}"
    assert eng.indexer.meaning.model_id == model_id
    assert eng.index.vectors.count(model_id) == before_chunks
    assert eng.status().meaning == (before_chunks, before_chunks)
    # The first-pass vectors stay the fast model's: nothing to redo there.
    counts = eng.index.check_consistency()
    assert counts["vectors"] == counts["chunks"] == before_chunks
    assert eng.search("volcano", mode="semantic")  # the new vectors answer queries
    assert eng.embedder().dim == 32
