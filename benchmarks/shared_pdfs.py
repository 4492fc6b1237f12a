"""The real-world PDFs of ../shared/data/pdfs through the engine: what ends indexed, what fails
and why, and how long each file takes.

1. Every PDF is copied to a temporary folder and indexed in-process (`Engine.open`, default
   settings, events recorded): the run's wall time and files per second.
2. Outcome per file from `Engine.files()`: indexed, or failed grouped by reason (with the
   manifest's kind next to it), and `Engine.check_consistency()` of the result.
3. Time per file: every file extracted again, one at a time, by a one-worker ExtractionPool
   (the time the worker reports, so it excludes queueing and embedding): summary and the
   slowest ten.

    python -m benchmarks.shared_pdfs [--pdfs DIR] [--keep DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.eval_sets import shared_dir
from benchmarks.tables import print_table
from desktop_search.core import models as m
from desktop_search.core.engine import Engine


def _manifest(pdfs: Path) -> dict[str, dict[str, str]]:
    with (pdfs / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


def index_through_engine(folder: Path, home: Path) -> dict[str, Any]:
    """Index `folder` into `home` in-process; returns wall time, events and the catalog."""
    events: list[tuple[float, Any]] = []
    lock = threading.Lock()

    def record(event: Any) -> None:
        with lock:
            events.append((time.monotonic(), event))

    engine = Engine.open(home, on_event=record)
    try:
        started = time.monotonic()
        engine.load_model()
        loaded = time.monotonic()
        engine.add_folder(folder)
        if not engine.wait_until_idle(3600):
            raise RuntimeError("indexing did not finish within an hour")
        finished = time.monotonic()
        # Then pass 2 and, last, text recognition of the scanned pages: the outcome is read
        # once both are done, so a scan counts as what recognition made of it.
        if not engine.wait_until_improved(3600):
            raise RuntimeError("pass 2 and text recognition did not finish within an hour")
        settled = time.monotonic()
        scanned_pages = engine.status().scanned_pages
        files = engine.files()
        check = engine.check_consistency()
    finally:
        engine.close()
    return {
        "model_s": loaded - started,
        "index_s": finished - loaded,
        "background_s": settled - finished,
        "scanned_pages": scanned_pages,
        "events": events,
        "indexed_events": sum(isinstance(e, m.FileIndexed) for _, e in events),
        "failed_events": sum(isinstance(e, m.FileFailed) for _, e in events),
        "catalog": {Path(f.path).name: f for f in files},
        "consistency": check,
    }


def time_each_file(folder: Path, names: list[str]) -> dict[str, tuple[float, str | None, int]]:
    """{name: (seconds in the worker, error, passages)} with one worker, one file at a time."""
    from desktop_search.core.extract.pool import ExtractionPool, ExtractionTask

    out: dict[str, tuple[float, str | None, int]] = {}
    with ExtractionPool(1) as pool:
        for result in pool.run([ExtractionTask(str(folder / n)) for n in names]):
            out[Path(result.task.path).name] = (result.seconds, result.error, len(result.chunks))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdfs", type=Path, default=shared_dir() / "data" / "pdfs")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    parser.add_argument(
        "--limit", type=int, metavar="N", help="only the first N files of the manifest"
    )
    args = parser.parse_args(argv)

    manifest = _manifest(args.pdfs)
    if args.limit:
        manifest = {name: manifest[name] for name in sorted(manifest)[: args.limit]}
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="shared-pdfs-"))
    folder, home = work / "pdfs", work / "home"
    shutil.rmtree(home, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    for name in manifest:
        shutil.copy(args.pdfs / name, folder / name)
    names = sorted(manifest)
    megabytes = sum(int(r["bytes"]) for r in manifest.values()) / 1e6
    print(f"{len(names)} PDFs from {args.pdfs} ({megabytes:.1f} MB)")

    run = index_through_engine(folder, home)
    catalog = run["catalog"]
    missing = [n for n in names if n not in catalog]
    statuses = Counter(catalog[n].status for n in names if n in catalog)
    check = run["consistency"]
    print_table(
        "indexing run (in-process Engine, default settings)",
        [
            "files",
            "indexed",
            "failed",
            "not in catalog",
            "model load s",
            "index s",
            "files/s",
            "then pass 2 + scans s",
            "scanned pages read",
            "consistent",
        ],
        [
            [
                len(names),
                statuses["indexed"],
                statuses["failed"],
                len(missing),
                round(run["model_s"], 2),
                round(run["index_s"], 2),
                round(len(names) / run["index_s"], 1),
                round(run["background_s"], 1),
                "{} of {}".format(*run["scanned_pages"]),
                "yes" if check.consistent else "NO",
            ]
        ],
    )

    by_reason: dict[str, list[str]] = {}
    indexed = [n for n in names if n in catalog and catalog[n].status == "indexed"]
    for name in names:
        if name not in catalog:
            by_reason.setdefault("(not in the catalog)", []).append(name)
        elif catalog[name].status != "indexed":
            by_reason.setdefault(catalog[name].reason or "(no reason!)", []).append(name)
    noted: dict[str, list[str]] = {}
    for name in indexed:
        if catalog[name].reason:
            noted.setdefault(catalog[name].reason or "", []).append(name)
    whole = [n for n in indexed if not catalog[n].reason]
    rows = [["indexed", len(whole), _kinds(manifest, whole)]]
    for reason, files in sorted(noted.items(), key=lambda kv: -len(kv[1])):
        rows.append([f"indexed, but {reason}", len(files), _kinds(manifest, files)])
    for reason, files in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        rows.append([f"failed: {reason}", len(files), _kinds(manifest, files)])
    print_table("outcome by reason", ["outcome", "files", "manifest kinds"], rows)
    for problem in check.problems[:20]:
        print(f"  inconsistent: {problem}")

    timings = time_each_file(folder, names)
    seconds = sorted(t[0] for t in timings.values())
    print_table(
        "extraction time per file (one worker, s)",
        ["files", "mean", "median", "p95", "max", "total"],
        [
            [
                len(seconds),
                statistics.mean(seconds),
                statistics.median(seconds),
                seconds[int(0.95 * (len(seconds) - 1))],
                seconds[-1],
                sum(seconds),
            ]
        ],
    )
    slowest = sorted(timings.items(), key=lambda kv: -kv[1][0])[:10]
    print_table(
        "slowest ten files",
        ["file", "kind", "MB", "pages", "passages", "outcome", "s"],
        [
            [
                name,
                manifest[name]["kind"],
                round(int(manifest[name]["bytes"]) / 1e6, 2),
                catalog[name].pages if name in catalog else None,
                passages,
                "failed" if error else "indexed",
                round(secs, 3),
            ]
            for name, (secs, error, passages) in slowest
        ],
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    bad = missing or by_reason.get("(no reason!)") or not check.consistent
    return 1 if bad else 0


def _kinds(manifest: dict[str, dict[str, str]], files: list[str]) -> str:
    counts = Counter(manifest[f]["kind"] for f in files)
    return ", ".join(f"{k} {v}" for k, v in counts.most_common())


if __name__ == "__main__":
    raise SystemExit(main())
