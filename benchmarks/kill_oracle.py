"""The kill-point benchmark's oracle: is an index whole after a kill and a restart?"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from benchmarks.cli_driver import cli_env
from benchmarks.eval_sets import REPO_ROOT
from desktop_search.core.config import Paths
from desktop_search.core.engine import Engine
from desktop_search.core.errors import DesktopSearchError
from desktop_search.core.models import FileInfo, FileStatus


def read_catalog(home: Path) -> dict[str, FileInfo]:
    """Every file the index records right now, read without repairing anything ({} before the
    index exists)."""
    if not Paths.resolve(home).sqlite_file.exists():
        return {}
    try:
        with Engine.open(home, read_only=True) as engine:
            return {f.path: f for f in engine.files()}
    except DesktopSearchError:
        return {}


def needs_indexing(home: Path, paths: Iterable[str]) -> list[str]:
    """Which files a scan must (re)index: not indexed, or changed since (size, mtime)."""
    known = read_catalog(home)
    out = []
    for path in paths:
        info = os.stat(path)
        row = known.get(path)
        if (
            row is None
            or row.status != FileStatus.INDEXED.value
            or row.size != info.st_size
            or abs(row.mtime - info.st_mtime) >= 1e-6
        ):
            out.append(path)
    return out


def caught_mid_write(catalog: dict[str, FileInfo]) -> int:
    """Files neither indexed nor failed, before any repair: the kill landed inside their write."""
    done = (FileStatus.INDEXED.value, FileStatus.FAILED.value)
    return sum(f.status not in done for f in catalog.values())


def verify_home(
    home: Path, indexed_before: dict[str, FileInfo] | None = None
) -> tuple[dict[str, FileInfo], list[str]]:
    """Restart on the index: a fresh process opens it (this repairs it) and lists every way it
    is not consistent.

    Returns the catalog after the repair and the problems found ([] = consistent). Files in
    `indexed_before` must still be indexed with the same record. A fresh process is what a
    restart is; it also keeps a crash inside the store (chromadb is native code) from taking the
    caller down: it becomes a problem in the list.
    """
    before = {p: asdict(s) for p, s in (indexed_before or {}).items()}
    done = _run_oracle("--verify", home, before)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-12:])
        return read_catalog(home), [
            f"opening the index after the kill failed ({done.returncode}):\n{tail}"
        ]
    out = json.loads(done.stdout)
    after = {p: FileInfo(**s) for p, s in out["after"].items()}
    return after, out["problems"]


def _run_oracle(flag: str, home: Path, payload: object) -> subprocess.CompletedProcess[str]:
    """This module in a fresh process, `payload` as JSON on its standard input."""
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.kill_oracle", flag, str(home)],
        cwd=REPO_ROOT,
        env=cli_env(),
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _verify_here(
    home: Path, indexed_before: dict[str, FileInfo] | None = None
) -> tuple[dict[str, FileInfo], list[str]]:
    with Engine.open(home) as engine:  # a writable open repairs
        problems = list(engine.check_consistency().problems)
        after = {f.path: f for f in engine.files()}
    for path, old in (indexed_before or {}).items():
        new = after.get(path)
        if new is None or new.status != FileStatus.INDEXED.value:
            problems.append(f"lost: {path} was indexed before the kill, now {new}")
        elif new != old:
            problems.append(f"redone: {path} was rewritten ({old} -> {new})")
    return after, problems


def verify_search(home: Path, markers: dict[str, str]) -> list[str]:
    """Every marker finds its own file, exactly once, in keyword and hybrid search, through a
    passage that holds it; run in a fresh process, whose failure becomes the one problem."""
    done = _run_oracle("--verify-search", home, markers)
    if done.returncode != 0:
        return [f"search check failed ({done.returncode}): {done.stderr}"]
    problems: list[str] = json.loads(done.stdout)
    return problems


def _verify_search_here(home: Path, markers: dict[str, str]) -> list[str]:
    problems: list[str] = []
    with Engine.open(home, read_only=True) as engine:
        engine.load_model()
        for path, marker in markers.items():
            keyword = engine.search(marker, k=5, mode="keyword")
            if [r.path for r in keyword] != [path]:
                found = [r.path for r in keyword]
                problems.append(f"keyword search for {marker}: {found}, expected [{path}]")
            elif not any(marker in hit.text for hit in keyword[0].hits):
                problems.append(f"keyword search for {marker}: no passage shown holds it")
            hybrid = [r.path for r in engine.search(marker, k=10, mode="hybrid")]
            if hybrid.count(path) != 1 or len(set(hybrid)) != len(hybrid):
                problems.append(f"hybrid search for {marker}: {hybrid}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """The fresh process behind verify_home and verify_search: JSON in on stdin, out on stdout."""
    parser = argparse.ArgumentParser(description=__doc__)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--verify", metavar="HOME", help="before: {path: record} -> after, problems")
    which.add_argument("--verify-search", metavar="HOME", help="markers: {path: word} -> problems")
    args = parser.parse_args(argv)
    if args.verify:
        before = {p: FileInfo(**s) for p, s in json.load(sys.stdin).items()}
        after, problems = _verify_here(Path(args.verify), before)
        print(json.dumps({"after": {p: asdict(s) for p, s in after.items()}, "problems": problems}))
    else:
        print(json.dumps(_verify_search_here(Path(args.verify_search), json.load(sys.stdin))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
