"""The benchmarks' way into the product as a person's scripts use it: the CLI as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.eval_sets import REPO_ROOT


def cli_env() -> dict[str, str]:
    """The environment for a CLI subprocess: offline, no telemetry, no inherited home."""
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("ANONYMIZED_TELEMETRY", "False")
    env.pop("DESKTOP_SEARCH_HOME", None)  # --home is always given explicitly
    return env


def cli_command(home: str | Path, *args: str | Path) -> list[str]:
    """`python -m desktop_search --home HOME ARGS...` as an argument list."""
    return [sys.executable, "-m", "desktop_search", "--home", str(home), *map(str, args)]


def run_cli(
    home: str | Path, *args: str | Path, check: bool = True, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m desktop_search --home HOME ARGS...` from the repository root.

    stdout/stderr are captured as text. With check=True a non-zero exit raises CliError carrying
    the command line and stderr's tail.
    """
    cmd = cli_command(home, *args)
    proc = subprocess.run(
        cmd, cwd=REPO_ROOT, env=cli_env(), capture_output=True, text=True, timeout=timeout
    )
    if check and proc.returncode != 0:
        raise CliError(cmd, proc)
    return proc


class CliError(RuntimeError):
    """A CLI command that exited non-zero; the message ends with its stderr's tail."""

    def __init__(self, cmd: Sequence[str], proc: subprocess.CompletedProcess[str]) -> None:
        self.cmd = list(cmd)
        self.proc = proc
        tail = (proc.stderr or "").strip().splitlines()[-15:]
        super().__init__(
            f"exit {proc.returncode}: {' '.join(self.cmd)}\n" + "\n".join("  " + t for t in tail)
        )


def cli_status(home: str | Path) -> dict[str, Any]:
    return json.loads(run_cli(home, "status", "--json").stdout)


def batch_line(query: str) -> str:
    """One query as one line of a --batch file: its line breaks become spaces, nothing else
    changes. A person pasting a multi-line query into the search bar gets the same one line;
    quotes, dashes and spacing reach the engine exactly as written."""
    return query.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def batch_results(obj: Any) -> list[dict[str, Any]]:
    """The result list of one line of `search --batch --json` output.

    Accepts a bare list of results or an object holding it under "results" (or "documents"/"hits").
    """
    if isinstance(obj, list):
        return obj
    if isinstance(obj, dict):
        for key in ("results", "documents", "hits"):
            if isinstance(obj.get(key), list):
                return obj[key]
    raise ValueError(f"Unexpected batch output line: {str(obj)[:200]}")


def doc_id_of(result: dict[str, Any]) -> str:
    return Path(result["path"]).stem


def search_batch(
    home: str | Path, queries: Sequence[str], *, k: int, mode: str, batch_file: Path
) -> tuple[list[dict[str, Any]], float]:
    """Run all queries through one `search --batch` call.

    Returns one output record per query, in order (`{"query", "results"}`, plus `"error"` when
    the engine refused the query), and the call's seconds.
    """
    batch_file.write_text("".join(batch_line(q) + "\n" for q in queries), encoding="utf-8")
    start = time.perf_counter()
    proc = run_cli(home, "search", "--batch", batch_file, "-k", str(k), "--mode", mode, "--json")
    elapsed = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if len(lines) != len(queries):
        raise RuntimeError(
            f"search --batch gave {len(lines)} output lines for {len(queries)} queries "
            f"(mode {mode}); stderr tail: {proc.stderr.strip()[-500:]}"
        )
    records = []
    for ln in lines:
        obj = json.loads(ln)
        records.append(obj if isinstance(obj, dict) else {"results": batch_results(obj)})
    return records, elapsed
