"""Kill -9 at random moments of `desktop-search index`, then prove the index is still whole.

Each kill point starts a real indexing subprocess on a folder of generated PDFs (one unique marker
word each, plus six files that must fail), lets it run to a random moment (during start-up, or
shortly after its first write reaches the catalog), kills it with SIGKILL, and restarts: a fresh
process opens the index (`Engine.open`, which repairs). The point *survives* when, after that:

- catalog passages, stored passages, keyword rows and vectors agree exactly (same ids, not just
  the same counts), the FTS5 index passes its integrity check, no file is left half-written;
- every file that was indexed before the kill is still indexed, untouched (same row, same
  passages): nothing is lost and nothing is redone.

When a run reaches its end before the kill, the next point starts from an empty home or after
60 files were rewritten (same marker, new text), so kills also land while changed files replace
their old passages. After the last point the same command runs to completion: it must index
exactly the files that were still missing, and every marker word must then find its own file,
once.

    python -m benchmarks.kill_points [--points 40] [--files 150] [--seed 1]

The machinery is shared with tests/e2e/test_crash_recovery.py, which runs a dozen points. The
corpus is made by kill_corpus and the index judged by kill_oracle; this module kills and resumes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.cli_driver import cli_command, cli_env
from benchmarks.eval_sets import REPO_ROOT
from benchmarks.kill_corpus import make_bad_files, make_marker_corpus, rewrite_pdf
from benchmarks.kill_oracle import (
    caught_mid_write,
    needs_indexing,
    read_catalog,
    verify_home,
    verify_search,
)
from benchmarks.tables import print_table
from desktop_search.core.models import FileInfo


# ------------------------------------------------------------------------------- the subprocess
def start_index(home: Path, folder: Path, log_file: Path) -> subprocess.Popen[bytes]:
    with log_file.open("ab") as log:
        return subprocess.Popen(
            cli_command(home, "index", folder),
            cwd=REPO_ROOT,
            env=cli_env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group: workers can be reaped after
        )


def kill_hard(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the indexer, then anything it left behind (extraction workers, forkserver)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


# ------------------------------------------------------------------------------- kill points
@dataclass
class KillPoint:
    number: int
    plan: str  # "start-up +1.23 s" or "1st write +0.05 s"
    killed: bool
    seconds: float
    rows_at_kill: int = 0
    writing_at_kill: int = 0
    indexed_before: int = 0
    indexed_after: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def survived(self) -> bool:
        return not self.problems


@dataclass
class KillReport:
    points: list[KillPoint]
    final_problems: list[str]
    final_indexed_run: int | None = None
    final_expected_run: int | None = None

    @property
    def kills(self) -> list[KillPoint]:
        return [p for p in self.points if p.killed]

    @property
    def survived(self) -> int:
        return sum(p.survived for p in self.kills)


def run_kill_points(
    folder: Path,
    markers: dict[str, str],
    bad_files: list[str],
    work_dir: Path,
    *,
    points: int,
    seed: int,
    startup_share: float = 0.3,
    progress: Callable[[KillPoint], None] | None = None,
    model: str | None = None,
) -> KillReport:
    """Kill the indexer at `points` random moments (resuming each time), then finish the run.

    When a run gets to the end before its kill, the next one starts either from an empty home
    or after rewriting 60 files (same marker, new text), so that kills also land while changed
    files replace their old passages. `model`: the settings' model of every home (default: the
    app's default, whose second pass runs too).
    """
    rng = random.Random(seed)
    total = len(markers) + len(bad_files)
    homes = 1
    home = work_dir / "home-1"
    log_file = work_dir / "index.log"
    indexed_before: dict[str, FileInfo] = {}
    report = KillReport([], [])
    rewrites = 0
    stale: set[str] = set()  # rewritten, and maybe not indexed again yet: no "before" to keep
    finished = False
    for number in range(1, points + 1):
        if finished and rng.random() < 0.5:
            homes += 1
            home = work_dir / f"home-{homes}"
            indexed_before = {}
        elif finished:
            rewrites += 1
            for path in rng.sample(sorted(markers), k=min(60, len(markers))):
                rewrite_pdf(path, markers[path], seed=seed * 1000 + rewrites)
                stale.add(path)
                indexed_before.pop(path, None)
        if model is not None and not home.exists():
            home.mkdir(parents=True)
            (home / "settings.toml").write_text(f'model = "{model}"\n', encoding="utf-8")
        catalog = read_catalog(home)
        started = time.monotonic()
        proc = start_index(home, folder, log_file)
        if rng.random() < startup_share:
            delay = rng.uniform(0.0, 2.5)
            plan = f"start-up +{delay:.2f} s"
        else:
            # Wait for this run's first write to reach the catalog, then a little longer: the
            # kill lands inside or between the writes of a batch, or in the next extraction.
            _wait_for_change(home, catalog, proc, limit=120)
            delay = rng.uniform(0.0, 0.25 if rng.random() < 0.5 else 1.0)
            plan = f"1st write +{delay:.2f} s"
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=delay)
        killed = proc.poll() is None
        kill_hard(proc)
        point = KillPoint(number, plan, killed, time.monotonic() - started)
        at_kill = read_catalog(home)
        point.rows_at_kill = len(at_kill)
        point.writing_at_kill = caught_mid_write(at_kill)
        point.indexed_before = len(indexed_before)
        if not killed and proc.returncode != 0:
            point.problems.append(f"index exited {proc.returncode} without being killed")
        after, problems = verify_home(home, indexed_before)
        point.problems += problems
        finished = not killed and proc.returncode == 0
        if finished:
            stale.clear()
        indexed_before = {
            p: s for p, s in after.items() if s.status == "indexed" and p not in stale
        }
        point.indexed_after = sum(s.status == "indexed" for s in after.values())
        report.points.append(point)
        if progress is not None:
            progress(point)
    # Finish the interrupted run: exactly the missing files are indexed, each once.
    expected = len(needs_indexing(home, markers))
    with log_file.open("ab") as log:
        finished_run = subprocess.run(
            cli_command(home, "index", folder),
            cwd=REPO_ROOT,
            env=cli_env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.PIPE,
            timeout=600,
        )
        log.write(finished_run.stderr)
    stderr = finished_run.stderr.decode(errors="replace")
    if finished_run.returncode != 0:
        report.final_problems.append(f"final index run exited {finished_run.returncode}: {stderr}")
    found = re.search(r"Indexed (\d+) files", stderr)
    report.final_expected_run = expected
    report.final_indexed_run = int(found.group(1)) if found else None
    if report.final_indexed_run != expected:
        report.final_problems.append(
            f"final run indexed {report.final_indexed_run} files, {expected} were missing"
        )
    after, problems = verify_home(home, indexed_before)
    report.final_problems += problems
    not_indexed = [p for p in markers if p not in after or after[p].status != "indexed"]
    if not_indexed:
        report.final_problems.append(f"{len(not_indexed)} files not indexed: {not_indexed[:3]}")
    not_failed = [
        p for p in bad_files if p not in after or after[p].status != "failed" or not after[p].reason
    ]
    if not_failed:
        report.final_problems.append(f"not recorded as failed with a reason: {not_failed}")
    if len(after) != total:
        report.final_problems.append(f"{len(after)} catalog rows for {total} files")
    report.final_problems += verify_search(home, markers)
    return report


def _wait_for_change(
    home: Path, before: dict[str, FileInfo], proc: subprocess.Popen[bytes], limit: float
) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if read_catalog(home) != before:
            return
        time.sleep(0.01)


# ------------------------------------------------------------------------------- benchmark
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=40)
    parser.add_argument("--files", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    args = parser.parse_args(argv)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kill-points-"))
    work.mkdir(parents=True, exist_ok=True)
    folder = work / "docs"
    started = time.monotonic()
    markers = make_marker_corpus(folder, args.files, seed=args.seed)
    bad = make_bad_files(folder)
    print(
        f"{len(markers)} PDFs + {len(bad)} bad files in {folder}; {args.points} kill points, "
        f"seed {args.seed}",
        flush=True,
    )

    def show(point: KillPoint) -> None:
        state = "ok" if point.survived else "FAILED: " + "; ".join(point.problems)[:200]
        print(
            f"  #{point.number:>2} {point.plan:<19} killed={point.killed!s:<5} "
            f"rows={point.rows_at_kill:>3} mid-write={point.writing_at_kill:>3} "
            f"indexed {point.indexed_before:>3} -> {point.indexed_after:>3}  {state}",
            flush=True,
        )

    report = run_kill_points(
        folder, markers, bad, work, points=args.points, seed=args.seed, progress=show
    )
    kills = report.kills
    startup = [p for p in kills if p.plan.startswith("start-up")]
    mid_write = [p for p in kills if p.writing_at_kill]
    print_table(
        "kill -9 points",
        ["points", "killed", "survived", "in start-up", "caught mid-write", "ran to the end"],
        [
            [
                len(report.points),
                len(kills),
                report.survived,
                len(startup),
                len(mid_write),
                len(report.points) - len(kills),
            ]
        ],
    )
    print_table(
        "final run after the last kill",
        ["files", "missing before", "indexed by the run", "problems"],
        [
            [
                len(markers),
                report.final_expected_run,
                report.final_indexed_run,
                len(report.final_problems),
            ]
        ],
    )
    for problem in report.final_problems[:20]:
        print("  " + problem)
    print(
        f"\nsurvived {report.survived}/{len(kills)} kill points "
        f"({time.monotonic() - started:.0f} s)"
    )
    return 0 if report.survived == len(kills) and not report.final_problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
