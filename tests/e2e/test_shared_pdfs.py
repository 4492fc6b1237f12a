"""Every real-world PDF ends indexed or failed with a reason; extraction is isolated per file.

The shared folder (../shared/data/pdfs, described by MANIFEST.tsv) holds encrypted, broken,
scanned, CJK and oddly built PDFs from public test suites. Isolation is shown with files that
really hang (a FIFO named *.pdf blocks its reader forever), a reader killed mid-file, and a file
too big for the worker's memory cap.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
import shutil
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from desktop_search.core.config import Settings, save_settings
from desktop_search.core.extract.pool import ExtractionPool, ExtractionTask
from tests.conftest import SHARED_PDFS, make_pdf
from tests.e2e.conftest import (
    failed_lines,
    module_env,
    processes_with_open,
    read_status,
    run_cli,
)

pytestmark = pytest.mark.skipif(
    not (SHARED_PDFS / "MANIFEST.tsv").is_file(), reason=f"no shared PDFs at {SHARED_PDFS}"
)


def _manifest() -> list[dict[str, str]]:
    with (SHARED_PDFS / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _catalog(home: Path) -> dict[str, tuple[int, str, str | None]]:
    """{file name: (row id, status, reason)} straight from the index's catalog."""
    conn = sqlite3.connect(f"file:{home / 'catalog.sqlite3'}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT path, id, status, reason FROM files").fetchall()
    finally:
        conn.close()
    return {os.path.basename(r[0]): (r[1], r[2], r[3]) for r in rows}


@pytest.fixture(scope="module")
def shared_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """All shared PDFs copied to a temp folder and indexed once through the CLI."""
    root = tmp_path_factory.mktemp("shared")
    folder = root / "pdfs"
    folder.mkdir()
    for row in _manifest():
        shutil.copy(SHARED_PDFS / row["file"], folder / row["file"])
    home = root / "home"
    first = run_cli(home, "index", folder, env=module_env(root), timeout=600)
    status = run_cli(home, "status", "--json", env=module_env(root))
    return {
        "home": home,
        "folder": folder,
        "first": first,
        "status": status,
        "catalog": _catalog(home),
    }


def test_every_file_ends_indexed_or_failed_with_a_reason(shared_run: dict[str, Any]) -> None:
    first = shared_run["first"]
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    status = shared_run["status"]
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    catalog = shared_run["catalog"]
    names = [row["file"] for row in _manifest()]
    assert sorted(catalog) == sorted(names)
    assert {state for _, state, _ in catalog.values()} <= {"indexed", "failed"}
    failed = {os.path.basename(f["path"]): f["reason"] for f in data["failed"]}
    assert failed == {n: r for n, (_, state, r) in catalog.items() if state == "failed"}
    assert all(reason and reason.strip() for reason in failed.values()), failed
    indexed = [n for n, (_, state, _) in catalog.items() if state == "indexed"]
    assert data["documents"] == len(indexed)
    (folder_info,) = data["folders"]
    assert folder_info["documents"] + folder_info["failed"] == len(names)
    # Every failure was reported while indexing, one line each.
    assert len(failed_lines(first.stderr)) == len(failed)


def test_files_with_a_text_layer_are_indexed(shared_run: dict[str, Any]) -> None:
    catalog = shared_run["catalog"]
    wrong = {
        row["file"]: catalog[row["file"]]
        for row in _manifest()
        if row["needs_pass"] == "0"
        and int(row["text_chars"] or 0) >= 20
        and catalog[row["file"]][1] != "indexed"
    }
    assert not wrong


def test_password_protected_files_say_so(shared_run: dict[str, Any]) -> None:
    catalog = shared_run["catalog"]
    locked = [row["file"] for row in _manifest() if row["needs_pass"] == "1"]
    assert len(locked) >= 10
    for name in locked:
        _, state, reason = catalog[name]
        assert state == "failed" and "password-protected" in (reason or ""), (name, reason)
    # An empty user password is no password: those files never say so.
    others = [r["file"] for r in _manifest() if r["needs_pass"] != "1"]
    assert not [n for n in others if "password" in (catalog[n][2] or "")]


def test_scanned_pages_are_read_by_text_recognition(shared_run: dict[str, Any]) -> None:
    """Scans are indexed, and `index` reads their pages before it ends: none is left as
    having no text layer. A scan with no words on it (a blank or a drawing) says so."""
    catalog = shared_run["catalog"]
    scans = [
        row["file"]
        for row in _manifest()
        if row["kind"] == "scanned" and "zero-text" in row["tags"].split(",")
    ]
    assert len(scans) >= 10
    for name in scans:
        _, state, reason = catalog[name]
        assert state == "indexed", (name, reason)
        assert reason in (None, "text recognition found no words on its scanned pages")
    assert not [n for n, (_, _, reason) in catalog.items() if "no text layer" in (reason or "")]
    read, scanned = json.loads(shared_run["status"].stdout)["scanned_pages"]
    assert read == scanned >= 20


def test_second_run_does_not_retry_failed_files(shared_run: dict[str, Any]) -> None:
    again = run_cli(shared_run["home"], "index", shared_run["folder"])
    assert again.returncode == 0, again.stderr
    assert failed_lines(again.stderr) == []
    assert "Indexed 0 files" in again.stderr
    assert _catalog(shared_run["home"]) == shared_run["catalog"]  # same rows, same reasons


def test_a_failed_file_is_retried_when_it_changes(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    locked = "pdfplumber__password-example.pdf"
    scan = "pymupdf__image-file1.pdf"
    empty = "pdfplumber__empty.pdf"
    for name in (locked, scan, empty):
        shutil.copy(SHARED_PDFS / name, folder / name)
    home = tmp_path / "home"
    first = run_cli(home, "index", folder)
    assert first.returncode == 0, first.stderr
    # The scan is read by text recognition, so only the locked and the empty file fail.
    assert len(failed_lines(first.stderr)) == 2

    # Touched: read again (and still failing for the same reason), the others left alone.
    stat = (folder / locked).stat()
    os.utime(folder / locked, (stat.st_atime, stat.st_mtime + 10))
    third = run_cli(home, "index", folder)
    assert third.returncode == 0, third.stderr
    assert failed_lines(third.stderr) == [f"failed: {folder / locked}: it is password-protected"]
    # Replaced by a good document: indexed, and no longer listed as failed.
    make_pdf(folder / empty, ["Quokkas live on Rottnest Island near Perth."])
    fourth = run_cli(home, "index", folder)
    assert fourth.returncode == 0, fourth.stderr
    assert failed_lines(fourth.stderr) == []
    failed = read_status(home).failed
    assert [os.path.basename(f.path) for f in failed] == [locked]
    found = json.loads(run_cli(home, "search", "quokkas", "--json", "--mode", "keyword").stdout)
    assert [os.path.basename(r["path"]) for r in found] == [empty]


# ------------------------------------------------------------------------------ isolation
def _long_pdf(path: Path, copies: int) -> Path:
    import pymupdf

    source = pymupdf.open(SHARED_PDFS / "pymupdf__mupdf_explored.pdf")
    out = pymupdf.open()
    for _ in range(copies):
        out.insert_pdf(source)
    out.save(path)
    out.close()
    source.close()
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _wait_for_reader(fifo: Path, timeout: float = 60) -> tuple[int, list[int]]:
    """Block until some process opens `fifo` for reading; return (our write end, reader pids)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    # The reader is counted as soon as it waits in open(); its descriptor shows in /proc only
    # once that open() has returned.
    while not (readers := processes_with_open(fifo, exclude=[os.getpid()])):
        if time.monotonic() > deadline:
            break
        time.sleep(0.01)
    return fd, readers


def _results(pool: ExtractionPool, tasks: list[ExtractionTask]) -> dict[str, Any]:
    return {os.path.basename(r.task.path): r for r in pool.run(tasks)}


@pytest.fixture
def good_pdfs(tmp_path: Path) -> list[Path]:
    return [
        make_pdf(tmp_path / "good-1.pdf", ["Migrating whales follow the cold currents."]),
        make_pdf(tmp_path / "good-2.pdf", ["Glaciers carve valleys over thousands of years."]),
    ]


def test_a_file_that_hangs_times_out_and_the_run_goes_on(
    tmp_path: Path, good_pdfs: list[Path]
) -> None:
    hang = _fifo(tmp_path / "hangs.pdf")  # opening it for reading blocks until a writer comes
    tasks = [ExtractionTask(str(hang)), *(ExtractionTask(str(p)) for p in good_pdfs)]
    with ExtractionPool(1, timeout_s=1.0) as pool:
        results = _results(pool, tasks)
    assert "took longer than 1 s" in (results["hangs.pdf"].error or "")
    for pdf in good_pdfs:
        assert results[pdf.name].error is None and results[pdf.name].chunks
    assert processes_with_open(hang) == []  # the stuck reader was stopped, not left behind


def test_a_reader_killed_mid_file_is_a_failure_and_the_run_goes_on(
    tmp_path: Path, good_pdfs: list[Path]
) -> None:
    doomed = _fifo(tmp_path / "doomed.pdf")
    killed: list[int] = []

    def kill_its_reader() -> None:
        fd, readers = _wait_for_reader(doomed)
        try:
            for pid in readers:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        finally:
            os.close(fd)

    killer = threading.Thread(target=kill_its_reader)
    killer.start()
    tasks = [ExtractionTask(str(doomed)), *(ExtractionTask(str(p)) for p in good_pdfs)]
    with ExtractionPool(1, timeout_s=60) as pool:
        results = _results(pool, tasks)
    killer.join()
    assert len(killed) == 1
    assert results["doomed.pdf"].error == "the reader crashed on this file (SIGKILL)"
    for pdf in good_pdfs:
        assert results[pdf.name].error is None and results[pdf.name].chunks


def test_extraction_runs_in_parallel_worker_processes(tmp_path: Path) -> None:
    """Two files are read at the same time by two different processes, neither the indexer."""
    fifos = [_fifo(tmp_path / f"slow-{i}.pdf") for i in range(2)]
    readers: dict[str, list[int]] = {}
    pool_done = threading.Event()

    def watch() -> None:
        ends = []
        try:
            for fifo in fifos:  # both must be open for reading at once
                fd, pids = _wait_for_reader(fifo, timeout=5)
                ends.append(fd)
                readers[fifo.name] = pids
        except OSError:
            pass  # not both at once: the assertion below says so
        finally:
            for fd in ends:  # let them finish: they read an empty stream
                os.close(fd)
        while not pool_done.is_set():  # anything still opening a FIFO gets an empty stream
            for fifo in fifos:
                with contextlib.suppress(OSError):
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ExtractionPool(2, timeout_s=60) as pool:
            results = _results(pool, [ExtractionTask(str(f)) for f in fifos])
    finally:
        pool_done.set()
        watcher.join()
    pids = [pid for pids in readers.values() for pid in pids]
    assert len(pids) == 2 and len(set(pids)) == 2 and os.getpid() not in pids, readers
    assert all(r.error for r in results.values())  # an empty stream is no document
    assert ExtractionPool().size == (os.cpu_count() or 1)  # default: every core


def test_a_file_over_the_memory_cap_fails_with_that_reason(
    tmp_path: Path, good_pdfs: list[Path]
) -> None:
    big = _huge_text(tmp_path / "huge-notes.txt")
    tasks = [ExtractionTask(str(big)), *(ExtractionTask(str(p)) for p in good_pdfs)]
    with ExtractionPool(1, timeout_s=120, memory_mb=150) as pool:
        results = _results(pool, tasks)
    assert "150 MiB memory limit" in (results[big.name].error or "")
    for pdf in good_pdfs:
        assert results[pdf.name].error is None and results[pdf.name].chunks


def _huge_text(path: Path, megabytes: int = 60) -> Path:
    line = "wombat burrow tunnel soil night foraging grasses roots " * 4 + "\n"
    with path.open("w", encoding="utf-8") as fh:
        for _ in range(megabytes * 1024 * 1024 // len(line)):
            fh.write(line)
    return path


def _index_with(engine_factory, home: Path, folder: Path, settings: Settings) -> dict[str, str]:
    save_settings(settings, home / "settings.toml")
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(folder)
    assert engine.wait_until_idle(120)
    status = engine.status()
    failed = {os.path.basename(f.path): f.reason for f in status.failed}
    failed["(documents)"] = str(status.documents)
    return failed


def _folder_of(folder: Path, pdfs: list[Path]) -> Path:
    folder.mkdir()
    for pdf in pdfs:
        shutil.copy(pdf, folder / pdf.name)
    return folder


def test_engine_gives_up_on_a_slow_file_and_indexes_the_rest(
    engine_factory, tmp_path: Path, good_pdfs: list[Path], isolated_home: Path
) -> None:
    folder = _folder_of(tmp_path / "mixed", good_pdfs)
    _long_pdf(folder / "slow.pdf", copies=6)  # ~1,700 pages: seconds to read
    failed = _index_with(
        engine_factory,
        isolated_home,
        folder,
        Settings(model="bundled-fast", file_timeout_s=0.5, extraction_workers=1),
    )
    assert failed == {
        "slow.pdf": "it took longer than 0.5 s to read, so it was skipped",
        "(documents)": str(len(good_pdfs)),
    }


def test_engine_fails_a_file_over_the_memory_cap_and_indexes_the_rest(
    engine_factory, tmp_path: Path, good_pdfs: list[Path], isolated_home: Path
) -> None:
    folder = _folder_of(tmp_path / "mixed", good_pdfs)
    _huge_text(folder / "huge-notes.txt")
    failed = _index_with(
        engine_factory,
        isolated_home,
        folder,
        Settings(model="bundled-fast", worker_memory_mb=150, extraction_workers=1),
    )
    assert set(failed) == {"huge-notes.txt", "(documents)"}, failed
    assert "150 MiB memory limit" in failed["huge-notes.txt"]
    assert failed["(documents)"] == str(len(good_pdfs))
