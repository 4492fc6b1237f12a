"""A failed command says one line, the same whichever path answered it; an unexpected one is
written to the log with its traceback, and the line names the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_search.cli.failure import exit_status
from desktop_search.core.errors import InvalidQueryError
from desktop_search.core.logging_setup import setup_logging


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "logs" / "desktop-search.log"
    yield path
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_desktop_search", False):
            root.removeHandler(handler)
            handler.close()


def test_each_failure_in_one_line(
    tmp_path: Path, log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[Path] = []

    def start_log() -> Path:
        started.append(setup_logging(log_file))
        return log_file

    cases: list[tuple[BaseException, int, str]] = [
        (InvalidQueryError("Type a word or two."), 1, "desktop-search: Type a word or two.\n"),
        (KeyboardInterrupt(), 130, "desktop-search: interrupted\n"),
        (
            FileNotFoundError(2, "No such file or directory", "/q.txt"),
            1,
            "desktop-search: No such file or directory: /q.txt\n",
        ),
    ]
    for exc, status, line in cases:
        assert exit_status(exc, "search", tmp_path, start_log) == status
        assert capsys.readouterr().err == line
    assert not started  # nothing unexpected yet: no log started for these

    try:
        raise RuntimeError("the socket said something odd")
    except RuntimeError as exc:
        assert exit_status(exc, "search", tmp_path, start_log) == 1
    assert capsys.readouterr().err == (
        f"desktop-search: unexpected error: the socket said something odd (details in {log_file})\n"
    )
    logged = log_file.read_text(encoding="utf-8")
    assert "Unexpected error in search" in logged
    assert "Traceback" in logged and "RuntimeError: the socket said something odd" in logged
