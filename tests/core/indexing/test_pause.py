"""Pause pauses: no more work is handed out, files read ahead and passages waiting to be embedded
are held (not written), every part of the pipeline parks, and resume loses nothing.

Each test pauses from inside an event the pipeline sends at a known point (on the pipeline's own
thread), so how far the work got before the pause took hold is fixed, not a race with the clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from desktop_search.core import models as m
from desktop_search.core.engine import Engine
from desktop_search.core.indexing.pause_gate import PauseGate

BATCH = 4  # passages per write: a run of many one-passage files is many small writes
FILES = 60


def _notes(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"note{i:03d}.txt").write_text(
            f"Field note {i}: the heron waited in the reeds near marker {i}.", encoding="utf-8"
        )
    return folder


def _settings(home: Path, **values: object) -> None:
    lines = [f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {v!r}" for k, v in values.items()]
    (home / "settings.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


class PauseOnFirst:
    """Records events; pauses the engine from inside the first event `when` accepts."""

    def __init__(self, when: Callable[[m.IndexEvent], bool]) -> None:
        self.events: list[m.IndexEvent] = []
        self.engine: Engine | None = None
        self._when = when
        self._lock = threading.RLock()
        self.paused_at: m.IndexEvent | None = None
        self.pause_asked = threading.Event()
        self.folder_paused = threading.Event()  # a run's folders say "paused": it is held

    def __call__(self, event: m.IndexEvent) -> None:
        with self._lock:
            self.events.append(event)
            if isinstance(event, m.FolderChanged) and event.state is m.FolderState.PAUSED:
                self.folder_paused.set()
            if self.paused_at is None and self.engine is not None and self._when(event):
                self.paused_at = event
                self.engine.pause()
                self.pause_asked.set()

    def wait_held(self) -> bool:
        """Until the pause was asked for (by the event), then until it has taken hold."""
        assert self.engine is not None and self.pause_asked.wait(120), "never paused"
        return self.engine.indexer.wait_until_held(120)

    def of(self, kind: type) -> list:
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]


def _indexed(engine: Engine) -> int:
    query = "SELECT count(*) FROM files WHERE status='indexed'"
    return int(engine.index.db.execute(query).fetchone()[0])


def test_pause_stops_writing_after_the_current_batch_and_resume_loses_nothing(
    isolated_home: Path, tmp_path: Path
) -> None:
    _settings(isolated_home, model="bundled-fast", batch_chunks=BATCH)
    folder = _notes(tmp_path / "notes", FILES)
    rec = PauseOnFirst(lambda e: isinstance(e, m.FileIndexed))
    with Engine.open(on_event=rec) as engine:
        rec.engine = engine
        engine.add_folder(folder)
        # Held: the extraction workers are idle and the writer is parked. Before the fix, files
        # read ahead kept being embedded and written for seconds after the pause.
        assert rec.wait_held()
        written = _indexed(engine)
        assert 1 <= written <= BATCH < FILES  # the batch being written when Pause came, no more
        assert len(rec.of(m.FileIndexed)) == written
        # Every place that shows state says paused: the flag, the folder (catalog and event),
        # and the last progress figures, which match what was written.
        assert engine.paused and not engine.wait_until_idle(0)
        assert [f.state for f in engine.folders()] == [m.FolderState.PAUSED.value]
        assert m.FolderChanged(str(folder), state=m.FolderState.PAUSED) in rec.events
        progress = rec.of(m.Progress)[-1]
        assert progress.paused and progress.done == written
        # Still held, and so still nothing new written: the count is read again after the
        # indexer confirmed (a second time) that every part of the pipeline is parked.
        assert engine.indexer.wait_until_held(0)
        assert _indexed(engine) == written == len(rec.of(m.FileIndexed))

        engine.resume()
        assert engine.wait_until_idle(60)
        assert _indexed(engine) == FILES
        indexed = [e.path for e in rec.of(m.FileIndexed)]
        assert len(indexed) == len(set(indexed)) == FILES  # each file once: none lost or redone
        assert [e.paused for e in rec.of(m.Paused)] == [True, False]
        assert [f.state for f in engine.folders()] == [m.FolderState.UP_TO_DATE.value]
        assert not engine.indexer.wait_until_held(0)


def test_pause_before_the_work_arrives_holds_it_all(isolated_home: Path, tmp_path: Path) -> None:
    folder = _notes(tmp_path / "notes", 10)
    rec = PauseOnFirst(lambda e: False)
    with Engine.open(on_event=rec) as engine:
        engine.pause()
        engine.add_folder(folder)
        # The scan finds the files, then the run stops where work would be handed out.
        assert rec.folder_paused.wait(60)
        assert engine.indexer.wait_until_held(60)
        assert _indexed(engine) == 0 and rec.of(m.FileIndexed) == []
        assert engine.folders()[0].state == m.FolderState.PAUSED.value
        engine.resume()
        assert engine.wait_until_idle(60)
        assert _indexed(engine) == 10


def test_pass_two_pauses_after_the_batch_it_is_embedding(
    isolated_home: Path, tmp_path: Path, tiny_transformer: Path
) -> None:
    _settings(isolated_home, model=str(tiny_transformer))
    folder = _notes(tmp_path / "notes", 100)  # 100 passages: more than one pass-2 batch
    # Pass 2 reports where it starts before it embeds anything: pause right there.
    rec = PauseOnFirst(lambda e: isinstance(e, m.Improving))
    with Engine.open(on_event=rec) as engine:
        rec.engine = engine
        engine.add_folder(folder)
        assert engine.wait_until_idle(60)
        assert rec.wait_held()
        from desktop_search.core.indexing.improver import BATCH_PASSAGES

        done, total = engine.status().meaning
        assert total == 100 and done == BATCH_PASSAGES  # the batch under way, then it stopped
        assert not engine.wait_until_improved(0)
        assert engine.indexer.wait_until_held(0)
        assert engine.status().meaning == (done, total)
        engine.resume()
        assert engine.wait_until_improved(120)
        assert engine.status().meaning == (100, 100)


def test_the_gate_is_held_only_once_every_working_part_has_parked() -> None:
    gate = PauseGate()
    assert not gate.held and not gate.park("a")  # not paused: parking returns at once
    writer_parked = threading.Event()
    release = threading.Event()
    held_seen: list[bool] = []

    def writer() -> None:
        with gate.working("writer"):
            release.wait()
            writer_parked.set()
            gate.park("writer")

    with gate.working("indexer"):
        thread = threading.Thread(target=writer, name="gate-test-writer")
        thread.start()
        assert gate.pause() and not gate.pause()
        parked = threading.Thread(
            # on_held runs once, and only after the writer (released below) has parked too.
            target=lambda: gate.park("indexer", lambda: held_seen.append(release.is_set())),
            name="gate-test-indexer",
        )
        parked.start()
        assert not gate.wait_until_held(0)  # the writer is still working
        release.set()
        assert gate.wait_until_held(30)
        assert gate.resume() and not gate.resume()
        parked.join(30)
        thread.join(30)
    assert held_seen == [True]
    assert not gate.held


def test_a_writer_parked_with_a_full_queue_parks_whoever_hands_it_results(
    isolated_home: Path, tmp_path: Path
) -> None:
    """Files read ahead fill the writer's queue; a pause then parks the writer. The indexer's
    next hand-over must park too (the pipeline is held), not block outside the gate's view."""
    from desktop_search.core.config import Paths, Settings
    from desktop_search.core.embed.factory import load_embedder
    from desktop_search.core.extract.pool import ExtractionPool, ExtractionTask
    from desktop_search.core.indexing.batch_writer import BatchWriter
    from desktop_search.core.indexing.catalog_diff import WorkItem
    from desktop_search.core.indexing.progress import ProgressMeter, RunStats
    from desktop_search.core.indexing.scanning import ExcludeRules, walk
    from desktop_search.core.storage.index import Index

    folder = _notes(tmp_path / "notes", 300)  # more than the writer's queue holds (256)
    items = [WorkItem(f, str(folder), None) for f in walk(str(folder), ExcludeRules())]
    with ExtractionPool(1) as pool:
        results = list(pool.run([ExtractionTask(i.found.path, token=i) for i in items]))
    index = Index(Paths.resolve(isolated_home), Settings())
    embedder = load_embedder("bundled-fast")
    events: list[m.IndexEvent] = []
    gate = PauseGate()
    gate.pause()
    writer = BatchWriter(
        index,
        lambda: embedder,
        batch_chunks=8,
        progress=ProgressMeter(len(results), events.append, gate.is_set),
        stats=RunStats(),
        emit=events.append,
        gate=gate,
    )
    held_by_indexer = threading.Event()

    def hand_over() -> None:
        with gate.working("indexer"):
            for result in results:
                writer.put(result, hold=lambda: gate.park("indexer", held_by_indexer.set))
            writer.finish()

    try:
        writer.start()
        indexer = threading.Thread(target=hand_over, name="pause-test-indexer")
        indexer.start()
        assert gate.wait_until_held(120) and held_by_indexer.is_set()
        assert writer.done == 0 and not any(isinstance(e, m.FileIndexed) for e in events)
        gate.resume()
        indexer.join(120)
        assert not indexer.is_alive()
        assert sum(isinstance(e, m.FileIndexed) for e in events) == 300 == writer.done
    finally:
        index.close()
