"""Progress on a terminal: a tqdm bar, failure lines that do not tear it, then the summary;
and no bar at all when stderr is a file or a pipe."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tests.e2e.conftest import REPO_ROOT, cli_env, run_cli


def _docs(root: Path) -> Path:
    for number in range(12):
        (root / f"note{number}.md").parent.mkdir(parents=True, exist_ok=True)
        (root / f"note{number}.md").write_text(f"Note {number} on tide pools and kelp.")
    (root / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    return root


def _index_on_a_terminal(home: Path, docs: Path, columns: int) -> str:
    """`index` with its stderr on a pseudo-terminal of `columns` x 24 (0: size never set)."""
    (home / "settings.toml").parent.mkdir(parents=True, exist_ok=True)
    (home / "settings.toml").write_text('model = "bundled-fast"\n', encoding="utf-8")
    main, terminal = pty.openpty()
    if columns:
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_search", "--home", str(home), "index", str(docs)],
        cwd=REPO_ROOT,
        env=cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
    )
    os.close(terminal)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal's last writer is gone
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    assert proc.wait(180) == 0, out.decode(errors="replace")
    return out.decode("utf-8", errors="replace")


def test_a_terminal_gets_a_bar_and_whole_failure_lines(tmp_path: Path) -> None:
    docs = _docs(tmp_path / "docs")
    for columns in (80, 0):  # a terminal whose size was never set still gets its bar
        shown = _index_on_a_terminal(tmp_path / f"home{columns}", docs, columns)
        assert "Indexing: 100%|" in shown and "13/13 files" in shown, shown
        lines = shown.replace("\r\n", "\n").split("\n")
        failed = [line for line in lines if "failed: " in line]
        assert len(failed) == 1, shown
        # Drawn over the bar's line, the failure still reads whole.
        assert failed[0].split("\r")[-1] == (
            f"failed: {docs / 'broken.pdf'}: the file is damaged or not a valid PDF"
        )
        assert lines[-2].split("\r")[-1].startswith("Indexed 12 files, 1 failed")


def test_a_pipe_gets_no_bar(tmp_path: Path) -> None:
    docs = _docs(tmp_path / "docs")
    done = run_cli(tmp_path / "h", "index", docs)
    assert done.returncode == 0
    assert "Indexing:" not in done.stderr and "\r" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith("Indexed 12 files, 1 failed")
