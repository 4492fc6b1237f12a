"""End-to-end helpers: the CLI as a subprocess, one-line error checks, the kill-point machinery."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
_KILL_POINTS = REPO_ROOT / "benchmarks" / "kill_points.py"


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)  # the autouse fixture already isolated home, config and caches
    env.pop("DESKTOP_SEARCH_HOME", None)  # every call names its --home
    env.update(extra)
    return env


def module_env(root: Path) -> dict[str, str]:
    """cli_env for module-scoped fixtures, which run before the per-test isolation is set up."""
    return cli_env(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        XDG_CONFIG_HOME=str(root / "xdg-config"),
        XDG_DATA_HOME=str(root / "xdg-data"),
        XDG_CACHE_HOME=str(root / "xdg-cache"),
    )


def run_cli(
    home: Path | str,
    *args: str | Path,
    env: dict[str, str] | None = None,
    timeout: float = 180,
    prefix: Sequence[str] = (),
    model: str | None = "bundled-fast",
    **kwargs: Any,
) -> subprocess.CompletedProcess[str]:
    """`[PREFIX...] python -m desktop_search --home HOME ARGS...`; output captured as text.

    Never raises on a non-zero exit; `prefix` runs it under a wrapper (unshare, setpriv).
    A home that does not exist yet is made with settings choosing `model` (the fast one unless
    the test is about the default model: pass model=None to leave the home untouched).
    """
    home_path = Path(home)
    if model is not None and not home_path.exists():
        home_path.mkdir(parents=True)
        (home_path / "settings.toml").write_text(f'model = "{model}"\n', encoding="utf-8")
    cmd = [*prefix, sys.executable, "-m", "desktop_search", "--home", str(home)]
    cmd += [str(a) for a in args]
    return subprocess.run(
        cmd,
        cwd=REPO_ROOT,
        env=env if env is not None else cli_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=timeout,
        **kwargs,
    )


def read_status(home: Path) -> Any:
    """The index's status read in-process (read-only, no model): faster than `status --json`."""
    from desktop_search.core.engine import Engine

    with Engine.open(home, read_only=True) as engine:
        return engine.status()


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """A refused command: non-zero exit, no traceback, one 'desktop-search: ...' line on stderr
    that contains every fragment (case-insensitive). Returns the line."""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    context = f"exit {proc.returncode}, stderr:\n{proc.stderr}"
    assert proc.returncode != 0, context
    assert "Traceback" not in proc.stderr, context
    assert len(lines) == 1, context
    line = lines[0]
    assert line.startswith("desktop-search: "), context
    for fragment in fragments:
        assert fragment.lower() in line.lower(), f"{fragment!r} missing; {context}"
    return line


def failed_lines(stderr: str) -> list[str]:
    """The per-file failure lines the CLI prints while indexing."""
    return [line for line in stderr.splitlines() if line.startswith("failed: ")]


def processes_with_open(path: Path | str, *, exclude: Sequence[int] = ()) -> list[int]:
    """Pids (Linux /proc) that hold `path` open right now."""
    target = os.path.realpath(path)
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in exclude:
            continue
        fd_dir = f"/proc/{entry}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"{fd_dir}/{fd}") == target:
                    pids.append(int(entry))
                    break
            except OSError:
                continue
    return pids


def _load_kill_points() -> ModuleType:
    # benchmarks/ is not a package on sys.path under plain `pytest`
    spec = importlib.util.spec_from_file_location("kill_points_under_test", _KILL_POINTS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def kill_points() -> ModuleType:
    """benchmarks/kill_points.py: corpus maker, kill -9 driver and index verifier."""
    return _load_kill_points()
