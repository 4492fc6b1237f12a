"""The CLI answered by a running `desktop-search watch` over its socket: the same output and exit
codes as on its own (through the fast path, and through the whole CLI with -v), nothing heavy
imported, stale sockets survived; and `unlock` end to end."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_pdf
from tests.core.extract.test_passwords import make_locked_pdf
from tests.e2e.conftest import REPO_ROOT, assert_one_line_error, cli_env, run_cli
from tests.keyring_backend import BACKEND_NAME, PATH_ENV

SERVED = "Answered by the running desktop-search"
LOCAL = {"DESKTOP_SEARCH_NO_SERVER": "1"}
HEAVY = ("torch", "chromadb", "sentence_transformers", "transformers", "numpy", "pymupdf")
# What the whole CLI imports for a served command, and the fast path (cli/fast_path.py) not.
WHOLE_CLI = (
    "argparse",
    "logging",
    "typing",
    "dataclasses",
    "sqlite3",
    "desktop_search.cli.main",
    "desktop_search.core.config",
    "desktop_search.core.models",
    "desktop_search.core.service.codec",
    "desktop_search.core.service.client",
)


class Watch:
    """`desktop-search watch` as a subprocess: started, waited for, stopped."""

    def __init__(self, home: Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "desktop_search", "--home", str(home), "watch"],
            cwd=REPO_ROOT,
            env=env if env is not None else cli_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._watching = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            if line.startswith("Watching "):
                self._watching.set()
        self._watching.set()  # it ended: whoever waits looks at the lines

    def wait_until_watching(self) -> None:
        assert self._watching.wait(180), "watch did not start"
        assert self.process.poll() is None, "".join(self.lines)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        code = self.process.wait(120)
        self._reader.join(30)
        return code

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(60)
        self._reader.join(30)


@pytest.fixture
def home(tmp_path: Path, corpus: Path) -> Path:
    for name in ("plans.dwg", "archive.zip", "photos.zip"):
        (corpus / name).write_bytes(b"\0")
    target = tmp_path / "cli-home"
    done = run_cli(target, "index", corpus)
    assert done.returncode == 0, done.stderr
    return target


@pytest.fixture
def watching(home: Path) -> Iterator[Watch]:
    watch = Watch(home)
    try:
        watch.wait_until_watching()
        yield watch
    finally:
        if watch.process.poll() is None:
            watch.stop()


def _both(home: Path, *args: str | Path) -> tuple[Any, Any]:
    return run_cli(home, *args), run_cli(home, *args, env=cli_env(**LOCAL))


def test_served_commands_answer_exactly_as_the_cli_alone(
    home: Path, corpus: Path, watching: Watch, tmp_path: Path
) -> None:
    served = run_cli(home, "-v", "search", "volcano", "--json")
    assert SERVED in served.stderr, served.stderr
    alone = run_cli(home, "-v", "search", "volcano", "--json", env=cli_env(**LOCAL))
    assert SERVED not in alone.stderr
    fast = run_cli(home, "search", "volcano", "--json")  # no -v: the fast path answers
    assert (fast.returncode, fast.stdout) == (0, served.stdout)

    batch = tmp_path / "queries.txt"
    batch.write_text('sourdough bread\n\n"share buyback" -volcano\nexploding star\n')
    commands: list[tuple[str | Path, ...]] = [
        ("search", "volcano eruption"),
        ("search", "volcano eruption", "--json", "-k", "2"),
        ("search", "sourdough", "--mode", "keyword", "--json"),
        ("search", "star", "--mode", "semantic", "--type", "md", "--json"),
        ("search", "--batch", batch, "--json", "-k", "2"),
        ("search", "--batch", batch, "--mode", "keyword"),
        ("search", "--like", corpus / "volcano.pdf", "--json"),
        ("search", "--after", "2000-01-01", "--folder", corpus, "bread", "--json"),
        ("search", "   "),  # refused the same way: exit 1, the same one line
        ("search", "--after", "yesterday", "bread"),
        ("search", "--mode=keyword", "bread", "-k", " 2", "--json"),  # forms argparse reads too
        ("search", "--batch", tmp_path / "no-such-file.txt", "--json"),  # fails once served
        ("search", "volcano", "-k", "0"),  # the fast path leaves these to the whole CLI
        ("search",),
        ("search", "--json", "volcano", "star"),
        ("status",),
        ("status", "--json"),
    ]
    for command in commands:
        by_watch, on_its_own = _both(home, *command)
        assert (by_watch.returncode, by_watch.stdout, by_watch.stderr) == (
            on_its_own.returncode,
            on_its_own.stdout,
            on_its_own.stderr,
        ), command
    status = json.loads(run_cli(home, "status", "--json").stdout)
    (folder,) = status["folders"]
    assert (folder["other_files"], folder["other_kinds"]) == (3, ["zip", "dwg"])
    assert status["indexing"] is True and folder["watch_mode"] == "live"
    text = run_cli(home, "status").stdout
    assert "not indexed: 3 files of other kinds: .zip, .dwg" in text

    assert watching.stop() == 0
    assert "Stopped watching." in "".join(watching.lines)
    after = run_cli(home, "-v", "search", "volcano", "--json")
    assert after.returncode == 0 and SERVED not in after.stderr
    assert json.loads(after.stdout) == json.loads(served.stdout)


def _imported(home: Path, *args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules a CLI command imported itself (those the interpreter's start-up did not)."""
    timed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "desktop_search", "--home", str(home), *args],
        cwd=REPO_ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert timed.returncode == 0, timed.stderr[-2000:]
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|(.*)$", timed.stderr, re.M)
    started = [name.strip() for name in names].index("site")  # printed once site is done
    return {name.strip() for name in names[started + 1 :]}, timed


def test_the_served_path_imports_nothing_heavy(home: Path, watching: Watch) -> None:
    for output in (["--json"], []):  # JSON, and the text a person reads
        # -v: the whole CLI (its log on stderr says who answered), served all the same.
        imported, timed = _imported(home, "-v", "search", "volcano", *output)
        assert SERVED in timed.stderr, timed.stderr[-2000:]
        packages = {name.split(".")[0] for name in imported}
        assert "desktop_search" in packages
        assert not packages & set(HEAVY), packages & set(HEAVY)
    # Without -v, the fast path: not even the whole CLI's parser, settings, records or log.
    for command in (
        ["search", "volcano", "--json"],
        ["search", "sourdough", "--mode", "keyword", "-k", "3", "--json"],
        ["status", "--json"],
    ):
        imported, timed = _imported(home, *command)
        assert timed.stdout.startswith(("[", "{")), timed.stderr[-2000:]
        assert {"desktop_search.cli.fast_path", "desktop_search.cli.fast_args"} <= imported
        assert not imported & set(WHOLE_CLI), (command, imported & set(WHOLE_CLI))
        assert not {name.split(".")[0] for name in imported} & set(HEAVY)


def test_a_killed_engines_socket_is_passed_over_then_replaced(home: Path) -> None:
    first = Watch(home)
    first.wait_until_watching()
    first.kill()  # SIGKILL: no clean-up, the socket file stays
    alone = run_cli(home, "-v", "search", "volcano", "--json")
    assert alone.returncode == 0, alone.stderr
    assert SERVED not in alone.stderr and "Connection refused" in alone.stderr
    second = Watch(home)
    try:
        second.wait_until_watching()
        served = run_cli(home, "-v", "search", "volcano", "--json")
        assert served.returncode == 0 and SERVED in served.stderr
        assert served.stdout == alone.stdout
    finally:
        assert second.stop() == 0


def _found_by_keyword(home: Path, word: str, env: dict[str, str]) -> list[str]:
    out = run_cli(home, "search", word, "--mode", "keyword", "--json", env=env)
    return [Path(r["path"]).name for r in json.loads(out.stdout)]


def _unlock(home: Path, path: Path, password: str, env: dict[str, str]) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "desktop_search", "--home", str(home), "unlock", str(path)],
        cwd=REPO_ROOT,
        env=env,
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_unlock_from_the_command_line(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    make_locked_pdf(docs / "ledger.pdf", "The quokka ledger of the island.", "s3cret pass")
    make_locked_pdf(docs / "diary.pdf", "A wombat diary kept in winter.", "other pass")
    make_pdf(docs / "open.pdf", ["Tide tables for the harbour."])
    home = tmp_path / "h"
    keyring_file = tmp_path / "keyring.json"
    env = cli_env(PYTHON_KEYRING_BACKEND=BACKEND_NAME, **{PATH_ENV: str(keyring_file)})
    assert run_cli(home, "index", docs, env=env).returncode == 0
    failed = json.loads(run_cli(home, "status", "--json", env=env).stdout)["failed"]
    assert {f["reason"] for f in failed} == {"it is password-protected"}
    assert "desktop-search unlock PATH" in run_cli(home, "status", env=env).stdout

    no_keyring = dict(env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    assert_one_line_error(
        _unlock(home, docs / "ledger.pdf", "s3cret pass", no_keyring), "no system keyring"
    )
    assert_one_line_error(
        _unlock(home, docs / "ledger.pdf", "wrong", env), "does not open 'ledger.pdf'"
    )
    assert_one_line_error(_unlock(home, docs / "open.pdf", "x", env), "not password-protected")
    assert_one_line_error(_unlock(home, docs / "ledger.pdf", "", env), "no password given")
    assert not keyring_file.exists()

    done = _unlock(home, docs / "ledger.pdf", "s3cret pass", env)
    assert done.returncode == 0, done.stderr
    assert "Unlocked 'ledger.pdf': indexed, 1 passages" in done.stderr
    assert _found_by_keyword(home, "quokka", env) == ["ledger.pdf"]

    # While the app or `watch` runs, it does the unlocking (it writes the index).
    watch = Watch(home, env)
    try:
        watch.wait_until_watching()
        served = _unlock(home, docs / "diary.pdf", "other pass", env)
        assert served.returncode == 0, served.stderr
        assert "the running desktop-search is indexing it now" in served.stderr
        while json.loads(run_cli(home, "status", "--json", env=env).stdout)["failed"]:
            pass  # indexing the one file; waits on the state, for as long as the test allows
        assert _found_by_keyword(home, "wombat", env) == ["diary.pdf"]
    finally:
        assert watch.stop() == 0
    kept = json.loads(keyring_file.read_text())["desktop-search"]
    assert kept == {str(docs / "ledger.pdf"): "s3cret pass", str(docs / "diary.pdf"): "other pass"}
    for path in home.rglob("*"):  # the catalog, the logs, the settings: no password anywhere
        if path.is_file():
            data = path.read_bytes()
            assert b"s3cret pass" not in data and b"other pass" not in data, path
