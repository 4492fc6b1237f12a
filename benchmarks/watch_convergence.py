"""How fast the index follows a folder: random file operations in bursts, then time to converge.

A folder of generated PDFs and text files (each with its own marker word) is indexed in-process
and watched. Then 1,000 random operations (create, modify in place or by an editor's atomic
save, delete, rename, move to a subfolder) run in bursts with pauses between them. From the last
operation on, the index is compared with the folder until they match exactly:

  * the indexed paths (and `status()`'s document count) equal the files on disk, nothing failed;
  * a keyword search for each file's current marker finds exactly that file;
  * a search for any marker that no longer exists (deleted files, older versions) finds nothing.

"converged" is the time from the last operation to the first full match. The run also reports
how many files were extracted (read and embedded) and how many renames re-used the stored
passages and vectors. The engine reports a re-used rename as the old path removed and, straight
after, the new one indexed; that pair, for a path this run renamed or moved a file to, is what is
counted. Target: converged within 5 s, nothing missing, nothing stale.

    python -m benchmarks.watch_convergence [--files 200] [--ops 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.tables import print_table
from desktop_search.core.engine import Engine
from desktop_search.core.models import FileFailed, FileIndexed, FileRemoved

SUBFOLDERS = ("reports", "archive", "archive/2023", "notes", "inbox/downloads")
_FILLER_TEXT = (
    "budget meeting river harbour engine valve protein sample survey letter invoice garden "
    "lecture theorem bridge sensor contract chapter weather station ledger museum orbit"
)
FILLER = _FILLER_TEXT.split()
EXTENSIONS = ("pdf", "pdf", "txt", "md")  # about half PDFs
OPERATIONS = {"create": 20, "modify": 25, "delete": 15, "rename": 20, "move": 20}


def letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def pdf_bytes(text: str, pages: int) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page()
        page.insert_textbox(pymupdf.Rect(50, 50, 550, 800), f"{text} page {i + 1}", fontsize=11)
    data = doc.tobytes()
    doc.close()
    return bytes(data)


@dataclass
class Folder:
    """The generated folder and what it should contain: path -> current marker word."""

    root: Path
    rng: random.Random
    files: dict[str, str] = field(default_factory=dict)
    gone_markers: set[str] = field(default_factory=set)
    moved_to: set[str] = field(default_factory=set)  # paths a rename or move made
    counter: int = 0
    ops: Counter[str] = field(default_factory=Counter)

    def _marker(self) -> str:
        self.counter += 1
        return f"zq{letters(self.counter)}q"

    def _content(self, path: Path, marker: str) -> bytes:
        words = " ".join(self.rng.choices(FILLER, k=self.rng.randint(20, 120)))
        text = f"Document {path.stem} about {marker}. {words}"
        if path.suffix == ".pdf":
            return pdf_bytes(text, self.rng.randint(1, 3))
        return text.encode("utf-8")

    def _new_path(self, folder: Path | None = None, ext: str | None = None) -> Path:
        folder = folder or self.root / self.rng.choice(("", *SUBFOLDERS))
        self.counter += 1
        return folder / f"doc{self.counter:05d}.{ext or self.rng.choice(EXTENSIONS)}"

    def create(self, path: Path | None = None) -> None:
        path = path or self._new_path()
        marker = self._marker()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self._content(path, marker))
        self.files[str(path)] = marker

    def modify(self) -> None:
        path = Path(self.rng.choice(sorted(self.files)))
        marker = self._marker()
        data = self._content(path, marker)
        if self.rng.random() < 0.5:
            path.write_bytes(data)
        else:  # an editor's save: a temporary file renamed over the document
            temp = path.with_name(self.rng.choice((f".{path.name}.swp", f"{path.name}.tmp")))
            temp.write_bytes(data)
            os.replace(temp, path)
        self.gone_markers.add(self.files[str(path)])
        self.files[str(path)] = marker

    def delete(self) -> None:
        path = self.rng.choice(sorted(self.files))
        os.remove(path)
        self.gone_markers.add(self.files.pop(path))

    def rename(self) -> None:
        old = Path(self.rng.choice(sorted(self.files)))
        self._move(old, self._new_path(old.parent, old.suffix.lstrip(".")))

    def move(self) -> None:
        old = Path(self.rng.choice(sorted(self.files)))
        target = self.root / self.rng.choice(SUBFOLDERS)
        if target == old.parent:
            target = self.root
        new = target / old.name
        if str(new) in self.files:
            new = self._new_path(target, old.suffix.lstrip("."))
        self._move(old, new)

    def _move(self, old: Path, new: Path) -> None:
        new.parent.mkdir(parents=True, exist_ok=True)
        os.rename(old, new)
        self.files[str(new)] = self.files.pop(str(old))
        self.moved_to.add(str(new))

    def random_operation(self, target_size: int) -> str:
        weights = dict(OPERATIONS)
        if len(self.files) < target_size * 0.75:
            weights["create"] *= 3
        elif len(self.files) > target_size * 1.25:
            weights["delete"] *= 3
        if len(self.files) < 2:
            weights = {"create": 1}
        kind = self.rng.choices(list(weights), weights=list(weights.values()))[0]
        getattr(self, kind)()
        self.ops[kind] += 1
        return kind

    def on_disk(self) -> set[str]:
        return {
            os.path.join(parent, name) for parent, _, names in os.walk(self.root) for name in names
        }


@dataclass
class Counters:
    indexed: int = 0
    renamed: int = 0
    failed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    last_removed: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def compare(engine: Any, folder: Folder, *, searches: bool) -> tuple[int, int]:
    """(missing, stale) between the index and the folder; searches only when asked."""
    on_disk = folder.on_disk()
    assert on_disk == set(folder.files), "the benchmark's own model of the folder is wrong"
    files = engine.files()
    indexed = {f.path for f in files if f.status == "indexed"}
    missing = len(on_disk - indexed)
    stale = len({f.path for f in files} - on_disk) + sum(f.status != "indexed" for f in files)
    if not searches or missing or stale:
        return missing, stale
    for path, marker in folder.files.items():
        found = {r.path for r in engine.search(marker, mode="keyword", k=5)}
        if path not in found:
            missing += 1
        stale += len(found - {path})
    for marker in folder.gone_markers:
        stale += len(engine.search(marker, mode="keyword", k=5))
    return missing, stale


def run(args: argparse.Namespace) -> int:
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="watch-bench-"))
    if work.exists() and args.keep:
        shutil.rmtree(work)
    rng = random.Random(args.seed)
    folder = Folder(work / "folder", rng)
    folder.root.mkdir(parents=True)
    for i in range(args.files):
        sub = folder.root / SUBFOLDERS[i % len(SUBFOLDERS)] if i % 3 else folder.root
        folder.create(folder._new_path(sub))

    counters = Counters()

    def on_event(event: Any) -> None:  # on the indexer's one thread, in order
        with counters.lock:
            if isinstance(event, FileIndexed):
                counters.indexed += 1
                if counters.last_removed is not None and event.path in folder.moved_to:
                    counters.renamed += 1  # old path removed, new one indexed: passages re-used
            elif isinstance(event, FileFailed):
                counters.failed += 1
                counters.reasons[event.reason] += 1
            counters.last_removed = event.path if isinstance(event, FileRemoved) else None

    engine = Engine.open(work / "home", on_event=on_event)
    try:
        t = time.monotonic()
        engine.load_model()
        engine.add_folder(folder.root)
        engine.wait_until_idle()
        initial_s = time.monotonic() - t
        engine.start_watching()
        engine.wait_until_idle()
        modes = set(engine.watch_modes().values())
        print(
            f"Indexed {len(folder.files)} files in {initial_s:.1f} s; watching: {modes}", flush=True
        )
        with counters.lock:
            counters.indexed = counters.renamed = counters.failed = 0

        ops = bursts = 0
        started = time.monotonic()
        while ops < args.ops:
            size = min(rng.randint(1, args.max_burst), args.ops - ops)
            for _ in range(size):
                folder.random_operation(args.files)
            ops += size
            bursts += 1
            if ops < args.ops:
                time.sleep(rng.uniform(0.0, args.max_pause))
        last_op = time.monotonic()
        ops_s = last_op - started

        catalog_s = converged_s = None
        missing = stale = -1
        while time.monotonic() - last_op < args.timeout:
            missing, stale = compare(engine, folder, searches=False)
            if not missing and not stale:
                checked_at = time.monotonic()
                catalog_s = catalog_s or checked_at - last_op
                missing, stale = compare(engine, folder, searches=True)
                if not missing and not stale:
                    converged_s = checked_at - last_op
                    break
            time.sleep(0.05)
        if converged_s is None:
            missing, stale = compare(engine, folder, searches=True)
        engine.wait_until_idle(args.timeout)
        documents = engine.status().documents
        with counters.lock:
            extracted = counters.indexed - counters.renamed
            renamed, failed = counters.renamed, counters.failed
    finally:
        engine.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print_table(
        "Watch convergence (time from the last operation until the index matches the folder)",
        [
            "ops",
            "bursts",
            "ops time s",
            "files at end",
            "status documents",
            "catalog s",
            "converged s",
            "missing",
            "stale",
        ],
        [
            [
                ops,
                bursts,
                f"{ops_s:.1f}",
                len(folder.files),
                documents,
                "-" if catalog_s is None else f"{catalog_s:.2f}",
                "not converged" if converged_s is None else f"{converged_s:.2f}",
                missing,
                stale,
            ]
        ],
    )
    moved = folder.ops["rename"] + folder.ops["move"]
    print_table(
        "Work done while following the operations",
        [
            "creates",
            "modifies",
            "deletes",
            "renames+moves",
            "extracted",
            "renamed (re-used)",
            "failed",
        ],
        [
            [
                folder.ops["create"],
                folder.ops["modify"],
                folder.ops["delete"],
                moved,
                extracted,
                renamed,
                failed,
            ]
        ],
    )
    for reason, count in counters.reasons.most_common():
        print(f"  failed {count}x during the run: {reason}")
    ok = converged_s is not None and converged_s <= 5.0 and not missing and not stale
    print(f"\nTarget (converged within 5 s, nothing missing or stale): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=200, help="generated files at the start")
    parser.add_argument("--ops", type=int, default=1000, help="random file operations")
    parser.add_argument("--max-burst", type=int, default=50, help="most operations in a burst")
    parser.add_argument("--max-pause", type=float, default=1.5, help="longest pause (s)")
    parser.add_argument("--timeout", type=float, default=120.0, help="give up after (s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temp folder)")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
