"""One-off `desktop-search search` wall time, with and without a running engine.

Each run is a whole new process, as a person's script or shell starts it: interpreter start,
imports, the search, the output. Without a running engine the command opens the index and loads
the model itself; while `desktop-search watch` runs (or the app), it hands the query to that
engine over the local socket (through the CLI's fast path, cli/fast_path.py; with -v, through
the whole CLI). The same queries go both ways, and their outputs are compared.

    .venv/bin/python -m benchmarks.cli_search [--runs 20] [--docs 300] [--model bundled]

The index (Cranfield documents as text files, so building it takes seconds) is cached under
.bench-cache/cli_search/.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

from benchmarks.cli_driver import cli_command, cli_env, run_cli
from benchmarks.eval_sets import CACHE_DIR, REPO_ROOT, load_corpus, load_queries
from benchmarks.tables import print_table

LOCAL_ONLY = {"DESKTOP_SEARCH_NO_SERVER": "1"}


def build_home(docs: int, model: str) -> Path:
    """A home indexing the first `docs` Cranfield documents (both passes), made once."""
    home = CACHE_DIR / "cli_search" / f"{model}-{docs}"
    if (home / "ready").exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    folder = home.parent / f"docs-{docs}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for doc in load_corpus("cranfield")[:docs]:
        text = f"{doc.get('title', '')}\n\n{doc['text']}"
        (folder / f"{doc['_id']}.txt").write_text(text, encoding="utf-8")
    home.mkdir(parents=True)
    (home / "settings.toml").write_text(f'model = "{model}"\n', encoding="utf-8")
    started = time.perf_counter()
    run_cli(home, "index", folder)
    print(f"Indexed {docs} documents in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    (home / "ready").write_text("")
    return home


class Run(NamedTuple):
    """One whole process: wall seconds, CPU seconds of the process itself, what it printed."""

    wall: float
    cpu: float
    output: str


def one_off(command: list[str], env: dict[str, str]) -> Run:
    """Run one process to its end. Its CPU time is its own (not a running engine's): a figure
    that a busy machine inflates much less than the wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {proc.stderr.strip()[-500:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Run(took, cpu, proc.stdout)


class Watch:
    """`desktop-search watch` on the home, for as long as the `with` block runs."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._ready = threading.Event()

    def __enter__(self) -> Watch:
        self.process = subprocess.Popen(
            cli_command(self.home, "watch"),
            cwd=REPO_ROOT,
            env=cli_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(600) or self.process.poll() is not None:
            raise RuntimeError("desktop-search watch did not start")
        return self

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if line.startswith("Watching "):
                self._ready.set()
        self._ready.set()

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(120)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def row(label: str, command: str, runs: list[Run], same: str = "") -> list[object]:
    ms = [run.wall * 1000 for run in runs]
    return [
        label,
        command,
        len(ms),
        f"{statistics.median(ms):.0f}",
        f"{percentile(ms, 0.95):.0f}",
        f"{min(ms):.0f}",
        f"{statistics.median(run.cpu * 1000 for run in runs):.0f}",
        same,
    ]


def ranking(output: str) -> list[str]:
    """The documents a `search --json` printed, in order."""
    return [result["path"] for result in json.loads(output)]


def agreement(alone: list[Run], other: list[Run]) -> str:
    """'20/20 (20)': same documents in the same order (and byte for byte the same output)."""
    pairs = list(zip(alone, other, strict=True))
    ranked = sum(ranking(a.output) == ranking(o.output) for a, o in pairs)
    exact = sum(a.output == o.output for a, o in pairs)
    return f"{ranked}/{len(alone)} ({exact})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="processes per row (20)")
    parser.add_argument("--docs", type=int, default=300, help="Cranfield documents (300)")
    parser.add_argument("--model", default="bundled", help="bundled (default) or bundled-fast")
    args = parser.parse_args(argv)

    # Bytecode compiled once, as an installed package has it, and not again in every process
    # (which a PYTHONDONTWRITEBYTECODE in the environment would do): kept under the cache.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(CACHE_DIR / "pycache")
    home = build_home(args.docs, args.model)
    queries = list(load_queries("cranfield").values())[: args.runs]
    commands = {
        "search QUERY --json": [cli_command(home, "search", q, "--json") for q in queries],
        "search QUERY --mode keyword --json": [
            cli_command(home, "search", q, "--mode", "keyword", "--json") for q in queries
        ],
        "status --json": [cli_command(home, "status", "--json")] * len(queries),
    }
    floor = [sys.executable, "-c", "pass"]
    # -I leaves out $PYTHON* and the user's site-packages, not the environment's: its .pth files
    # (an editable install's finder) still run. -S runs no site at all: the interpreter alone.
    isolated = [sys.executable, "-I", "-c", "pass"]
    bare = [sys.executable, "-S", "-c", "pass"]
    helped = [sys.executable, "-m", "desktop_search", "--help"]
    env, alone_env = cli_env(), {**cli_env(), **LOCAL_ONLY}

    for warm_up in (floor, isolated, bare, helped, commands["status --json"][0]):
        one_off(warm_up, env)  # compiles what each one imports, before any is timed
    rows = [
        row("(floor)", "python -c pass", [one_off(floor, env) for _ in queries]),
        row("(floor)", "python -I -c pass", [one_off(isolated, env) for _ in queries]),
        row("(floor)", "python -S -c pass", [one_off(bare, env) for _ in queries]),
        row("(floor)", "desktop-search --help", [one_off(helped, env) for _ in queries]),
    ]
    alone = {name: [one_off(c, env) for c in runs] for name, runs in commands.items()}
    rows += [row("no engine running", name, runs) for name, runs in alone.items()]
    searches = commands["search QUERY --json"]
    with Watch(home):
        one_off(searches[0], env)  # the engine's first query may wait for its model to load
        for name, runs in commands.items():
            served = [one_off(c, env) for c in runs]
            same = agreement(alone[name], served) if name.startswith("search") else ""
            rows.append(row("watch running", name, served, same))
        # The forms a person reads, and the whole CLI (-v keeps the fast path out of it).
        served_only = {
            "search QUERY": [cli_command(home, "search", q) for q in queries],
            "status": [cli_command(home, "status")] * len(queries),
            "-v search QUERY --json": [
                cli_command(home, "-v", "search", q, "--json") for q in queries
            ],
        }
        for name, runs in served_only.items():
            rows.append(row("watch running", name, [one_off(c, env) for c in runs]))
        # No site at all (python -S, the package found on PYTHONPATH): how an installed, not
        # editable, package starts, less its site-packages; the fast path needs nothing there.
        no_site = {**env, "PYTHONPATH": str(REPO_ROOT)}
        for name, runs in commands.items():
            started_bare = [[c[0], "-S", *c[1:]] for c in runs]
            served = [one_off(c, no_site) for c in started_bare]
            rows.append(row("watch running, python -S", name, served))
        # The engine on its own again, to tell its own variation from the socket's.
        again = [one_off(c, alone_env) for c in searches]
        rows.append(
            row(
                "watch running, CLI told to work alone",
                "search QUERY --json",
                again,
                agreement(alone["search QUERY --json"], again),
            )
        )
    print_table(
        f"One-off CLI wall time, ms ({args.docs} Cranfield documents, model {args.model}, "
        f"{args.runs} processes per row, a different query each, bytecode compiled once)",
        ["engine", "command", "runs", "p50", "p95", "min", "CPU p50", "same ranking (same bytes)"],
        rows,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
