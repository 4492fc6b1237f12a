"""A command that failed: one line on stderr a person can act on, and the exit status.

Shared by the whole CLI (main.py) and its fast path, so that a failure reads the same however
the command was answered.
"""

from __future__ import annotations

import os
import sys

from desktop_search.cli.exit_codes import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK

# Annotations only (never evaluated): `typing` itself is a cost the fast path does without.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def exit_status(
    exc: BaseException, command: str, home: str | os.PathLike[str], log_file: Callable[[], Path]
) -> int:
    """Say what went wrong in one line and return the exit status.

    `log_file` starts the log if need be and names it: only an unexpected error is logged
    (with its traceback), and it is asked for only then.
    """
    from desktop_search.core.errors import DesktopSearchError, StorageFullError, is_disk_full

    if isinstance(exc, DesktopSearchError):
        print(f"desktop-search: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if isinstance(exc, KeyboardInterrupt):
        print("desktop-search: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        # `desktop-search search ... | head` closing the pipe is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    if not isinstance(exc, Exception):
        raise exc
    if is_disk_full(exc, home):
        print(f"desktop-search: {StorageFullError(home)}", file=sys.stderr)
        return EXIT_ERROR
    if isinstance(exc, OSError):
        detail = f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
        print(f"desktop-search: {detail}", file=sys.stderr)
        return EXIT_ERROR
    import logging

    where = log_file()
    logging.getLogger(__name__).error("Unexpected error in %s", command, exc_info=exc)
    print(f"desktop-search: unexpected error: {exc} (details in {where})", file=sys.stderr)
    return EXIT_ERROR
