"""Live watching on the real file system: real watchdog observers, a real Engine, real PDFs.

Waits poll the awaited event or state itself against a deadline; the only pauses are the ones a
person's program would make (pieces of a file written over a moment).
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from desktop_search.core.indexing import inotify
from desktop_search.core.indexing.watcher import FolderWatcher
from desktop_search.core.models import (
    FileFailed,
    FileIndexed,
    FolderChanged,
    FolderState,
    IndexEvent,
    Message,
    WatchMode,
)

DEADLINE_S = 30.0


def wait_for(condition: Callable[[], object], what: str, timeout: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def wait_for_event(events: list[IndexEvent], event: IndexEvent) -> None:
    """Wait until `event` has been delivered (events arrive on the engine's threads)."""
    wait_for(lambda: event in events, repr(event))


@dataclass
class Watched:
    engine: Any
    folder: Path
    events: list[IndexEvent]
    # Every call the watcher made to the indexer's update_paths, in order.
    handed_over: list[list[str]] = field(default_factory=list)

    def found(self, word: str) -> set[str]:
        return {r.path for r in self.engine.search(word, mode="keyword")}

    def row(self, path: Path) -> Any:
        return self.engine.index.file_by_path(str(path))

    def indexed_paths(self) -> set[str]:
        rows = self.engine.index.db.execute("SELECT path FROM files WHERE status='indexed'")
        return {r[0] for r in rows}

    def indexings_of(self, path: Path) -> int:
        return sum(1 for e in self.events if isinstance(e, FileIndexed) and e.path == str(path))

    def settle_with_sentinel(self, name: str = "sentinel.txt") -> None:
        """Write one more file and wait for it: everything changed before it has been handed
        over and processed by then (the watcher hands paths over in order)."""
        marker = f"sentinel{len(self.events)}x"
        path = self.folder / name
        path.write_text(f"sentinel {marker}", encoding="utf-8")
        wait_for(lambda: str(path) in self.found(marker), f"{name} to be indexed")
        assert self.engine.wait_until_idle(DEADLINE_S)


def start_watching(engine: Any, folder: Path, events: list[IndexEvent]) -> Watched:
    watched = Watched(engine, folder, events)
    update_paths = engine.indexer.update_paths

    def recording_update_paths(paths: list[str]) -> None:
        watched.handed_over.append(list(paths))
        update_paths(paths)

    # The engine hands this method to the FolderWatcher it creates in start_watching.
    engine.indexer.update_paths = recording_update_paths
    engine.start_watching()
    assert engine.wait_until_idle(DEADLINE_S)
    return watched


@pytest.fixture
def watched(engine_factory: Callable[..., Any], corpus: Path) -> Watched:
    events: list[IndexEvent] = []
    engine = engine_factory(on_event=events.append)
    engine.load_model()
    engine.add_folder(corpus)
    assert engine.wait_until_idle(60)
    assert engine.index.counts()[0] == 4
    return start_watching(engine, corpus, events)


def pdf_bytes(pdf_factory: Callable[..., Path], tmp_path: Path, text: str) -> bytes:
    scratch = tmp_path / "scratch"
    path = pdf_factory(scratch / f"{abs(hash(text))}.pdf", [text])
    data = path.read_bytes()
    path.unlink()
    return data


# ------------------------------------------------------------------------------ files
def test_watching_is_live_for_every_folder(watched: Watched) -> None:
    assert watched.engine.watch_modes() == {str(watched.folder): "live"}
    (info,) = watched.engine.status().folders
    assert info.watch_mode == "live"
    # Sent before `watch` returns: the front end hears of every change of watch mode.
    assert FolderChanged(str(watched.folder), watch=WatchMode.LIVE) in watched.events


def test_created_files_are_indexed(watched: Watched, pdf_factory: Callable[..., Path]) -> None:
    text_file = watched.folder / "created.txt"
    text_file.write_text("A note about the quokkazephyr migration.", encoding="utf-8")
    pdf = pdf_factory(watched.folder / "deep" / "er" / "created.pdf", ["The marmotvelvet report."])

    wait_for(lambda: watched.found("quokkazephyr") == {str(text_file)}, "the new text file")
    wait_for(lambda: watched.found("marmotvelvet") == {str(pdf)}, "the new PDF in new folders")


def test_modified_file_is_reindexed(watched: Watched) -> None:
    notes = watched.folder / "notes" / "astronomy.md"
    notes.write_text("# Comets\n\nA comet's tail of ice glows: pulsarwhistle.", encoding="utf-8")

    wait_for(lambda: watched.found("pulsarwhistle") == {str(notes)}, "the new text")
    assert watched.found("supernova") == set()


def test_deleted_file_leaves_the_index(watched: Watched) -> None:
    baking = watched.folder / "baking.pdf"
    assert watched.found("sourdough") == {str(baking)}
    baking.unlink()

    wait_for(lambda: watched.row(baking) is None, "the deleted file's entry to go")
    assert watched.found("sourdough") == set()
    assert watched.engine.status().documents == 3


@pytest.mark.parametrize("new_name", ["eruptions.pdf", "notes/volcano.pdf"])
def test_renamed_file_keeps_its_passages(watched: Watched, new_name: str) -> None:
    old = watched.folder / "volcano.pdf"
    new = watched.folder / new_name
    before = watched.row(old)
    chunk_ids = watched.engine.index.chunk_ids_of_file(before.id)
    assert chunk_ids

    os.rename(old, new)

    wait_for(lambda: watched.row(new) is not None, "the renamed file's entry")
    assert watched.row(old) is None
    after = watched.row(new)
    # Same catalog row, same passages (and so the same vectors): nothing was re-extracted.
    assert after.id == before.id
    assert watched.engine.index.chunk_ids_of_file(after.id) == chunk_ids
    assert watched.found("magma") == {str(new)}
    # The old and the new name reached the indexer in the same call: that is what lets it match.
    assert any(str(old) in call and str(new) in call for call in watched.handed_over)


# ------------------------------------------------------------------------------ folders
def test_folder_created_renamed_and_deleted(watched: Watched) -> None:
    sub = watched.folder / "project"
    sub.mkdir()
    (sub / "plan.txt").write_text("The lanternfjord plan.", encoding="utf-8")
    (sub / "inner").mkdir()
    (sub / "inner" / "budget.md").write_text("Budget for lanternfjord.", encoding="utf-8")
    wait_for(lambda: len(watched.found("lanternfjord")) == 2, "the new folder's files")
    ids = {p: watched.row(Path(p)).id for p in watched.found("lanternfjord")}

    renamed = watched.folder / "project-2024"
    os.rename(sub, renamed)
    expected = {str(renamed / "plan.txt"), str(renamed / "inner" / "budget.md")}
    wait_for(lambda: watched.found("lanternfjord") == expected, "the renamed folder's files")
    assert sorted(watched.row(Path(p)).id for p in expected) == sorted(ids.values())
    assert not any(p.startswith(str(sub) + os.sep) for p in watched.indexed_paths())

    shutil.rmtree(renamed)
    wait_for(lambda: watched.found("lanternfjord") == set(), "the deleted folder's files to go")
    assert watched.engine.status().documents == 4


def test_folder_moved_in_from_outside_is_indexed(watched: Watched, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "papers"
    (outside / "sub").mkdir(parents=True)
    (outside / "a.txt").write_text("First harpsichordial paper.", encoding="utf-8")
    (outside / "sub" / "b.txt").write_text("Second harpsichordial paper.", encoding="utf-8")

    os.rename(outside, watched.folder / "papers")

    wait_for(lambda: len(watched.found("harpsichordial")) == 2, "the moved-in folder's files")


def test_folder_moved_out_leaves_the_index(watched: Watched, tmp_path: Path) -> None:
    notes = watched.folder / "notes"
    os.rename(notes, tmp_path / "archived-notes")

    wait_for(lambda: watched.found("supernova") == set(), "the moved-out folder's files to go")
    assert watched.engine.status().documents == 3


# ------------------------------------------------------------------------------ settling
def test_burst_of_writes_is_indexed_once(
    watched: Watched, pdf_factory: Callable[..., Path], tmp_path: Path
) -> None:
    data = pdf_bytes(pdf_factory, tmp_path, "The glimmerbasalt survey, written slowly.")
    target = watched.folder / "survey.pdf"
    pieces = 25
    step = len(data) // pieces + 1
    with open(target, "wb") as fh:
        for start in range(0, len(data), step):
            fh.write(data[start : start + step])
            fh.flush()
            time.sleep(0.02)  # a program writing as data arrives

    wait_for(lambda: watched.found("glimmerbasalt") == {str(target)}, "the written PDF")
    watched.settle_with_sentinel()
    assert watched.indexings_of(target) == 1
    assert not [e for e in watched.events if isinstance(e, FileFailed)]
    assert sum(str(target) in call for call in watched.handed_over) == 1


@pytest.mark.parametrize("temp_name", [".finance.pdf.swp", "finance.pdf.tmp", "finance.pdf~"])
def test_editor_style_atomic_save(
    watched: Watched, pdf_factory: Callable[..., Path], tmp_path: Path, temp_name: str
) -> None:
    target = watched.folder / "finance.pdf"
    temp = watched.folder / temp_name
    seen_before = len(watched.events)
    temp.write_bytes(pdf_bytes(pdf_factory, tmp_path, "Revised figures: the opalfinch fund."))
    os.replace(temp, target)

    wait_for(lambda: watched.found("opalfinch") == {str(target)}, "the saved document")
    watched.settle_with_sentinel()
    assert watched.found("dividend") == set()
    later = watched.events[seen_before:]
    assert sum(isinstance(e, FileIndexed) and e.path == str(target) for e in later) == 1
    assert not any(str(temp) == getattr(e, "path", None) for e in later)
    assert watched.row(temp) is None


def test_temporary_files_are_never_looked_at(
    watched: Watched, pdf_factory: Callable[..., Path], tmp_path: Path
) -> None:
    data = pdf_bytes(pdf_factory, tmp_path, "Draft about the cobaltheron.")
    names = [
        "~$report.pdf",
        ".~lock.report.pdf#",
        "report.pdf.part",
        "report.pdf.crdownload",
        ".report.md.swp",
        "report.md.tmp",
        ".hidden.pdf",
        ".cache/inside.pdf",
    ]
    for name in names:
        path = watched.folder / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)

    watched.settle_with_sentinel()
    assert watched.found("cobaltheron") == set()
    temp_paths = {str(watched.folder / name) for name in names}
    assert not temp_paths & {p for call in watched.handed_over for p in call}
    assert not temp_paths & {getattr(e, "path", None) for e in watched.events}


def test_changes_in_excluded_folders_are_not_even_queued(watched: Watched) -> None:
    engine = watched.engine
    # Set while watching: the watcher follows the settings, not the ones it started with.
    engine.apply_settings(replace(engine.settings, excludes=("drafts/",)))
    assert engine.wait_until_idle(DEADLINE_S)
    drafts = watched.folder / "notes" / "drafts"
    drafts.mkdir()
    first = drafts / "plan.txt"
    first.write_text("A draft about the wrenfathom.", encoding="utf-8")

    watched.settle_with_sentinel()
    assert watched.found("wrenfathom") == set()
    handed = {p for call in watched.handed_over for p in call}
    assert not [p for p in handed if p == str(drafts) or p.startswith(str(drafts) + os.sep)]

    # No longer excluded: the rescan the change queues finds the file, the watch sees new ones.
    engine.apply_settings(replace(engine.settings, excludes=()))
    assert engine.wait_until_idle(DEADLINE_S)
    assert watched.found("wrenfathom") == {str(first)}
    second = drafts / "later.txt"
    second.write_text("A later draft about the wrenfathom.", encoding="utf-8")
    wait_for(lambda: watched.found("wrenfathom") == {str(first), str(second)}, "the new draft")
    assert any(str(second) in call for call in watched.handed_over)


# ------------------------------------------------------------------------------ availability
def test_folder_removed_and_recreated(watched: Watched, pdf_factory: Callable[..., Path]) -> None:
    folder = str(watched.folder)
    shutil.rmtree(watched.folder)

    def state() -> str:
        (info,) = watched.engine.folders()
        return info.state

    # The watcher says it can't watch the folder, then the indexer records it as unavailable.
    wait_for_event(watched.events, FolderChanged(folder, watch=WatchMode.UNAVAILABLE))
    wait_for_event(watched.events, FolderChanged(folder, state=FolderState.UNAVAILABLE))
    assert watched.engine.watch_modes()[folder] == "unavailable"
    assert state() == "unavailable"
    assert watched.engine.wait_until_idle(DEADLINE_S)
    # Its entries are kept while it is gone: a drive may just be unplugged.
    assert watched.engine.status().documents == 4
    assert watched.found("sourdough") == {str(watched.folder / "baking.pdf")}

    (watched.folder / "notes").mkdir(parents=True)
    back = watched.folder / "back.txt"
    back.write_text("The folder is back with a tamarindgale note.", encoding="utf-8")
    (watched.folder / "notes" / "astronomy.md").write_text("Neutron stars.", encoding="utf-8")

    wait_for(lambda: watched.found("tamarindgale") == {str(back)}, "the new file to be indexed")
    wait_for_event(watched.events, FolderChanged(folder, watch=WatchMode.LIVE))
    wait_for_event(watched.events, FolderChanged(folder, state=FolderState.PENDING))
    assert watched.engine.watch_modes()[folder] == "live"
    # Watched live again; the sentinel's change is picked up by the new watch.
    watched.settle_with_sentinel()
    wait_for_event(watched.events, FolderChanged(folder, state=FolderState.UP_TO_DATE))
    assert state() == "up to date"
    # Reconciled with what is there now: files that did not come back are gone.
    assert watched.found("sourdough") == set()
    assert watched.indexed_paths() == {
        str(back),
        str(watched.folder / "notes" / "astronomy.md"),
        str(watched.folder / "sentinel.txt"),
    }


def test_changes_while_not_running_are_found_at_start(
    engine_factory: Callable[..., Any], corpus: Path
) -> None:
    first = engine_factory()
    first.load_model()
    first.add_folder(corpus)
    assert first.wait_until_idle(60)
    first.start_watching()
    volcano_id = first.index.file_by_path(str(corpus / "volcano.pdf")).id
    first.close()

    (corpus / "baking.pdf").unlink()
    os.rename(corpus / "volcano.pdf", corpus / "lava.pdf")
    (corpus / "notes" / "astronomy.md").write_text("Comets and the brindlecomet.", "utf-8")
    (corpus / "added.txt").write_text("Added while closed: fennelquartz.", "utf-8")

    events: list[IndexEvent] = []
    second = engine_factory(on_event=events.append)
    second.load_model()
    watched = start_watching(second, corpus, events)

    assert watched.found("sourdough") == set()
    assert watched.found("brindlecomet") == {str(corpus / "notes" / "astronomy.md")}
    assert watched.found("supernova") == set()
    assert watched.found("fennelquartz") == {str(corpus / "added.txt")}
    assert watched.row(corpus / "lava.pdf").id == volcano_id  # matched by content, not re-read
    assert watched.indexed_paths() == {
        str(corpus / n) for n in ("lava.pdf", "finance.pdf", "notes/astronomy.md", "added.txt")
    }
    # Then the watchers take over.
    (corpus / "live.txt").write_text("Live again: saffronkite.", "utf-8")
    wait_for(lambda: watched.found("saffronkite") == {str(corpus / "live.txt")}, "a live change")


def test_folder_added_while_watching_is_watched(watched: Watched, tmp_path: Path) -> None:
    second = tmp_path / "second"
    second.mkdir()
    watched.engine.add_folder(second)
    wait_for(lambda: watched.engine.watch_modes().get(str(second)) == "live", "the new watch")
    assert watched.engine.wait_until_idle(DEADLINE_S)

    added = second / "fresh.txt"
    added.write_text("Fresh from the second folder: emberlynx.", encoding="utf-8")
    wait_for(lambda: watched.found("emberlynx") == {str(added)}, "a change in the added folder")


def test_status_elsewhere_shows_the_watch_modes(watched: Watched, isolated_home: Path) -> None:
    from desktop_search.core.engine import Engine

    # What `desktop-search status` sees while the app (or `watch`) follows the folders.
    with Engine.open(isolated_home, read_only=True) as reader:
        (info,) = reader.status().folders
        assert info.watch_mode == "live"
    watched.engine.stop_watching()
    with Engine.open(isolated_home, read_only=True) as reader:
        (info,) = reader.status().folders
        assert info.watch_mode == "off"


# ------------------------------------------------------------------------------ watch limit
def _fail_like_inotify_limit(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "inotify watch limit reached")


def test_watch_limit_falls_back_to_polling(
    engine_factory: Callable[..., Any], corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from watchdog.observers.api import BaseObserver

    # The real limit is a system-wide setting; fail the way watchdog fails when it is hit.
    monkeypatch.setattr(BaseObserver, "schedule", _fail_like_inotify_limit)
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(corpus)
    assert engine.wait_until_idle(60)
    events: list[IndexEvent] = []
    polling = FolderWatcher(engine.indexer.update_paths, events.append, poll_interval_s=0.5)
    try:
        polling.watch(str(corpus))
        assert polling.modes() == {str(corpus): "polling"}
        (warning,) = [e for e in events if isinstance(e, Message)]
        assert warning.level == "warning"
        assert str(corpus) in warning.text and "every 0.5 s" in warning.text
        if sys.platform.startswith("linux"):
            assert "max_user_watches" in warning.text
        assert FolderChanged(str(corpus), watch=WatchMode.POLLING) in events

        added = corpus / "notes" / "polled.md"
        added.write_text("Found by a rescan: the velvetorca.", encoding="utf-8")
        (corpus / "baking.pdf").unlink()

        def found(word: str) -> set[str]:
            return {r.path for r in engine.search(word, mode="keyword")}

        wait_for(lambda: found("velvetorca") == {str(added)}, "the polled folder's new file")
        wait_for(lambda: found("sourdough") == set(), "the polled folder's deleted file")
    finally:
        polling.stop()


def test_half_watched_folder_polls_and_says_so(
    engine_factory: Callable[..., Any], corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # watchdog skips subfolders it can't watch without a word; the probe after scheduling
    # catches that. Here the probe reports the limit as reached.
    monkeypatch.setattr(inotify, "watch_limit_reached", lambda path: True)
    events: list[IndexEvent] = []
    engine = engine_factory(on_event=events.append)
    engine.load_model()
    engine.add_folder(corpus)
    assert engine.wait_until_idle(60)
    engine.start_watching()

    (info,) = engine.status().folders
    assert info.watch_mode == "polling"
    assert any(isinstance(e, Message) and "limit" in e.text for e in events)


# ------------------------------------------------------------------------------ watcher alone
@pytest.fixture
def bare_watcher() -> Iterator[tuple[FolderWatcher, list[list[str]]]]:
    calls: list[list[str]] = []
    watcher = FolderWatcher(calls.append, lambda event: None, settle_s=0.2)
    yield watcher, calls
    watcher.stop()
    assert not [t for t in threading.enumerate() if t.name.startswith("desktop-search-watch")]


def test_unwatched_folder_is_no_longer_followed(
    bare_watcher: tuple[FolderWatcher, list[list[str]]], tmp_path: Path
) -> None:
    watcher, calls = bare_watcher
    kept, dropped = tmp_path / "kept", tmp_path / "dropped"
    kept.mkdir()
    dropped.mkdir()
    watcher.watch(str(kept))
    watcher.watch(str(dropped))
    watcher.unwatch(str(dropped))
    assert watcher.modes() == {str(kept): "live"}

    (dropped / "ignored.txt").write_text("x", encoding="utf-8")
    (kept / "seen.txt").write_text("x", encoding="utf-8")
    wait_for(lambda: calls, "the kept folder's change")
    assert calls == [[str(kept / "seen.txt")]]


def test_folder_that_cannot_be_watched_is_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from watchdog.observers.api import BaseObserver

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    # Root reads every folder, so the refusal a person's account would get is simulated.
    monkeypatch.setattr(BaseObserver, "schedule", refuse)
    calls: list[list[str]] = []
    events: list[IndexEvent] = []
    watcher = FolderWatcher(calls.append, events.append, settle_s=0.2, check_interval_s=0.1)
    try:
        watcher.watch(str(tmp_path))
        assert watcher.modes() == {str(tmp_path): "unavailable"}
        assert events == [FolderChanged(str(tmp_path), watch=WatchMode.UNAVAILABLE)]

        monkeypatch.undo()  # permissions fixed
        wait_for_event(events, FolderChanged(str(tmp_path), state=FolderState.PENDING))
        assert watcher.modes() == {str(tmp_path): "live"}
        # Said once each, however many tries it took.
        assert events == [
            FolderChanged(str(tmp_path), watch=WatchMode.UNAVAILABLE),
            FolderChanged(str(tmp_path), watch=WatchMode.LIVE),
            FolderChanged(str(tmp_path), state=FolderState.PENDING),
        ]
        wait_for(lambda: [str(tmp_path)] in calls, "a reconcile of the folder")
        (tmp_path / "new.txt").write_text("x", encoding="utf-8")
        wait_for(lambda: [str(tmp_path / "new.txt")] in calls, "a live change")
    finally:
        watcher.stop()


def test_lost_events_trigger_a_rescan(
    bare_watcher: tuple[FolderWatcher, list[list[str]]], tmp_path: Path
) -> None:
    watcher, calls = bare_watcher
    watcher.watch(str(tmp_path))
    # How watchdog reports a kernel queue overflow: only in its log.
    logging.getLogger("watchdog.observers.inotify_c").warning(
        "Inotify queue overflowed; filesystem events were lost"
    )
    wait_for(lambda: calls, "a rescan of the folder")
    assert calls == [[str(tmp_path)]]


def test_single_file_root_is_followed(
    bare_watcher: tuple[FolderWatcher, list[list[str]]], tmp_path: Path
) -> None:
    watcher, calls = bare_watcher
    target = tmp_path / "only.txt"
    target.write_text("v1", encoding="utf-8")
    watcher.watch(str(target))
    (tmp_path / "neighbour.txt").write_text("not watched", encoding="utf-8")
    replacement = tmp_path / ".only.txt.swp"
    replacement.write_text("v2", encoding="utf-8")
    os.replace(replacement, target)

    wait_for(lambda: calls, "the file's change")
    assert calls == [[str(target)]]
    assert watcher.modes() == {str(target): "live"}
