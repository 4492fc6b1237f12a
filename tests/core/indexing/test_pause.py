"""Pause pauses: no more work is handed out, files read ahead and passages waiting to be embedded
are held (not written), every part of the pipeline parks, and resume loses nothing.

Most tests pause from inside an event the pipeline sends at a known point (on the pipeline's own
thread), so how far the work got before the pause took hold is fixed, not a race with the clock.
The tests "from another thread" pause the way a person does: from a thread of their own, while
the writer is busy (a write under way, or wherever it happens to be), then wait for the pause
to take hold and read the figures through the engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_search.core import models as m
from desktop_search.core.engine import Engine
from desktop_search.core.indexing import batch_writer
from desktop_search.core.indexing.pause_gate import PauseGate
from desktop_search.core.indexing.progress import ProgressMeter

BATCH = 4  # passages per write: a run of many one-passage files is many small writes
FILES = 60
# The most a person may see written after Pause (passages of whole small files): the write under
# way when it came, cut small; never the rest of a batch (hundreds of files).
SMALL_WRITE = 32


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


class FirstWriteWaits:
    """Passes every write to the real store; the first one, once it has started, waits until
    `go_on` is set: the moment a Pause hurts most, with a write under way. (No event is sent
    inside a write, so this pass-through is how a test puts a pause there, every time.)"""

    def __init__(self, write: Callable[..., object]) -> None:
        self._write = write
        self.started = threading.Event()
        self.go_on = threading.Event()
        self.first: tuple | None = None  # the first write's arguments

    def __call__(self, *args: object) -> object:
        if self.first is None:
            self.first = args
            self.started.set()
            assert self.go_on.wait(120), "the test never let the write go on"
        return self._write(*args)


class Counter:
    """Counts FileIndexed events and keeps the Progress ones (events come on pipeline threads).

    With a meeting armed (`meet_at`), the writer, as it sends that file's event, says so
    (`reached`) and waits until the test has paused (`paused`). The pause still comes from the
    test's thread, with the extraction workers and the indexer wherever they are; and the run
    can't have ended before it, whatever the machine's load.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.indexed: list[str] = []
        self.progress: list[m.Progress] = []
        self._meeting: int | None = None
        self.reached = threading.Event()
        self.paused = threading.Event()

    def meet_at(self, count: int | None) -> None:
        with self._lock:
            self._meeting = count
            self.reached.clear()
            self.paused.clear()

    def __call__(self, event: m.IndexEvent) -> None:
        if isinstance(event, m.FileIndexed):
            with self._lock:
                self.indexed.append(event.path)
                meeting = len(self.indexed) == self._meeting
            if meeting:
                self.reached.set()
                assert self.paused.wait(120), "the test never paused"
        elif isinstance(event, m.Progress):
            with self._lock:
                self.progress.append(event)

    def last_progress(self) -> m.Progress:
        with self._lock:
            return self.progress[-1]


def _pdfs(make_pdf: Callable[..., Path], folder: Path, count: int) -> Path:
    """Real one-page PDFs, one to three passages each (some files are longer than others)."""
    for i in range(count):
        sentence = f"Report {i} on the wind tunnel tests of wing section {i % 17}, at Mach {i}. "
        make_pdf(folder / f"report{i:03d}.pdf", [sentence * (3 + 12 * (i % 3))])
    return folder


def test_a_pause_from_another_thread_during_a_write_stops_within_one_small_write(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One large batch (256 one-passage files), filled by count, never cut short by its age:
    # before the fix the writer wrote all of it after the pause, and the counts went on rising.
    monkeypatch.setattr(batch_writer, "MAX_BATCH_AGE_S", 3600.0)
    _settings(isolated_home, model="bundled-fast", batch_chunks=256)
    files = 300
    folder = _notes(tmp_path / "notes", files)
    counter = Counter()
    # The engine behind a window, where Pause is pressed (a headless one writes whole batches).
    with Engine.open(on_event=counter, interactive=True) as engine:
        spy = FirstWriteWaits(engine.index.write_documents)
        monkeypatch.setattr(engine.index, "write_documents", spy)
        engine.add_folder(folder)
        assert spy.started.wait(120), "nothing was ever written"
        engine.pause()  # from this thread, while the writer is inside its first write
        assert engine.status().documents == 0  # the write under way is not finished yet
        spy.go_on.set()
        assert engine.indexer.wait_until_held(120)

        # The write under way when Pause came is finished, and nothing after it: it was small.
        assert spy.first is not None
        docs = spy.first[0]
        in_flight = {doc.path for doc in docs}
        assert sum(len(doc.chunks) for doc in docs) <= SMALL_WRITE
        status = engine.status()
        assert status.documents == len(in_flight) == len(counter.indexed)
        assert set(counter.indexed) == in_flight
        # "Paused at N of M": the figure shown is what is really done.
        progress = counter.last_progress()
        assert progress.paused and (progress.done, progress.total) == (len(in_flight), files)
        assert [f.state for f in engine.folders()] == [m.FolderState.PAUSED.value]
        # Still held, so still nothing new: the figures are read again after the indexer
        # confirmed (a second time) that every part of the pipeline is parked.
        assert engine.indexer.wait_until_held(0)
        assert engine.status().documents == len(in_flight) == len(counter.indexed)

        engine.resume()
        assert engine.wait_until_idle(120)
        # Files read ahead (in the writer's queue, in the batch it held) are written once each.
        assert engine.status().documents == files
        assert len(counter.indexed) == len(set(counter.indexed)) == files
        assert counter.last_progress().done == files


def test_pauses_from_another_thread_stop_the_counts_and_lose_nothing(
    isolated_home: Path, tmp_path: Path, pdf_factory: Callable[..., Path]
) -> None:
    """A person's Pause, Resume, Pause...: from a thread of their own, during a run of real
    PDFs. Each pause holds within one small write, and says what is really done."""
    _settings(isolated_home, model="bundled-fast")
    files = 150  # about 270 passages: far more than the three small writes the pauses allow
    folder = _pdfs(pdf_factory, tmp_path / "reports", files)
    counter = Counter()
    counter.meet_at(1)
    with Engine.open(on_event=counter, interactive=True) as engine:
        engine.add_folder(folder)
        for pause in range(3):
            assert counter.reached.wait(120), "the run never got to the meeting"
            engine.pause()
            at_pause = engine.status()
            counter.paused.set()
            assert engine.indexer.wait_until_held(120)
            held = engine.status()
            assert held.chunks - at_pause.chunks <= SMALL_WRITE
            assert held.documents == len(counter.indexed) < files
            progress = counter.last_progress()
            assert progress.paused and (progress.done, progress.total) == (held.documents, files)
            assert [f.state for f in engine.folders()] == [m.FolderState.PAUSED.value]
            assert engine.indexer.wait_until_held(0)
            assert engine.status().documents == held.documents
            # Next: the first file written after the resume (one meeting armed at a time).
            counter.meet_at(held.documents + 1 if pause < 2 else None)
            engine.resume()
        assert engine.wait_until_idle(120)
        assert engine.status().documents == files
        assert len(counter.indexed) == len(set(counter.indexed)) == files
        assert [f.state for f in engine.folders()] == [m.FolderState.UP_TO_DATE.value]


def test_pass_two_paused_from_another_thread_writes_only_the_batch_under_way(
    isolated_home: Path, tmp_path: Path, tiny_transformer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pass 2 embeds the next batch while it writes one; a pause during that write must not
    let the next batch be written too. The batch embedded ahead is kept for the resume."""
    from desktop_search.core.indexing.improver import BATCH_PASSAGES

    _settings(isolated_home, model=str(tiny_transformer))
    _notes(tmp_path / "notes", 3 * BATCH_PASSAGES)  # one passage each: three pass-2 batches
    with Engine.open() as engine:
        spy = FirstWriteWaits(engine.indexer.meaning.write)
        monkeypatch.setattr(engine.indexer.meaning, "write", spy)
        engine.add_folder(tmp_path / "notes")
        assert spy.started.wait(120), "pass 2 never wrote"
        engine.pause()  # from this thread, with pass 2's first write under way
        spy.go_on.set()
        assert engine.indexer.wait_until_held(120)
        total = 3 * BATCH_PASSAGES
        assert engine.status().meaning == (BATCH_PASSAGES, total)
        assert not engine.wait_until_improved(0)
        assert engine.indexer.wait_until_held(0)
        assert engine.status().meaning == (BATCH_PASSAGES, total)
        engine.resume()
        assert engine.wait_until_improved(120)
        assert engine.status().meaning == (total, total)


def test_the_rate_and_eta_leave_out_the_time_spent_paused() -> None:
    now = [100.0]
    gate = PauseGate(clock=lambda: now[0])
    events: list[m.IndexEvent] = []
    meter = ProgressMeter(100, events.append, gate.is_set, gate.paused_seconds, lambda: now[0])
    now[0] += 10
    meter.update(20, 0, "a")  # 20 files in 10 s of work
    assert gate.pause()
    now[0] += 600  # ten minutes paused
    assert gate.paused_seconds() == 600
    assert gate.resume() and gate.paused_seconds() == 600
    now[0] += 10
    meter.update(40, 0, "b")  # 20 more in 10 s more of work
    rates = [(e.rate, e.eta) for e in events if isinstance(e, m.Progress)]
    assert rates == [(2.0, 40.0), (2.0, 30.0)]  # 2 files/s; 80 then 60 files left
    assert gate.pause()
    now[0] += 5
    assert gate.paused_seconds() == 605  # the pause under way counts too


def test_a_batch_is_written_in_small_parts_of_whole_files() -> None:
    from desktop_search.core.extract.pool import ExtractionResult, ExtractionTask
    from desktop_search.core.models import Chunk

    def entry(name: str, passages: int) -> tuple:
        chunks = tuple(Chunk(1, 0, 1, "x") for _ in range(passages))
        return (name, ExtractionResult(ExtractionTask(name), chunks=chunks))

    batch = [entry("a", 3), entry("b", 2), entry("c", 9), entry("d", 1), entry("e", 0)]
    parts = [[e[0] for e in part] for part in batch_writer.write_parts(batch, 5)]
    assert parts == [["a", "b"], ["c"], ["d", "e"]]  # a file larger than a part is one part
