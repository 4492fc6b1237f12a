"""The unlock command: ask for a locked document's password, keep it in the system keyring,
and index the document."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from desktop_search.cli.exit_codes import EXIT_ERROR, EXIT_OK


def cmd_unlock(args: argparse.Namespace, paths: Any) -> int:
    from desktop_search.core.service.client import connect

    target = os.path.abspath(os.path.expanduser(args.path))
    name = os.path.basename(target)
    if not os.path.isfile(target):
        print(f"desktop-search: '{args.path}' is not a file.", file=sys.stderr)
        return EXIT_ERROR
    if not paths.sqlite_file.exists():
        print(
            "desktop-search: nothing is indexed yet; run 'desktop-search index FOLDER' first.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    served = connect(paths.home)
    if served is not None:
        # The app or `watch` writes this index: it checks, keeps and indexes (its keyring).
        with served:
            served.unlock(target, _read_password(name))
        print(
            f"Unlocked '{name}': the running desktop-search is indexing it now; its password "
            "is kept in the system keyring.",
            file=sys.stderr,
        )
        return EXIT_OK
    return _unlock_here(paths, target, name)


def _unlock_here(paths: Any, target: str, name: str) -> int:
    from desktop_search.core.engine import Engine
    from desktop_search.core.extract.passwords import keyring_name
    from desktop_search.core.models import FileStatus

    keyring = keyring_name()  # no keyring: say so before asking for a password
    password = _read_password(name)
    engine = Engine(paths)
    try:
        engine.unlock(target, password)
        engine.wait_until_idle()
        failure = engine.last_error
        row = engine.index.file_by_path(target) or engine.index.file_by_path(
            os.path.realpath(target)
        )
    finally:
        engine.close()
    if failure is not None:
        raise failure
    if row is None or row.status != FileStatus.INDEXED.value:
        reason = row.reason if row is not None else "it is no longer in the index"
        print(
            f"desktop-search: the password is right and kept ({keyring}), but '{name}' could "
            f"not be indexed: {reason}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    print(
        f"Unlocked '{name}': indexed, {row.chunks} passages; its password is kept in the "
        f"system keyring ({keyring}).",
        file=sys.stderr,
    )
    return EXIT_OK


def _read_password(name: str) -> str:
    """From the terminal without echo; from standard input when that is not a terminal (a
    script piping it in). Nothing is ever read from the command line, where others see it."""
    from desktop_search.core.errors import DesktopSearchError

    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass(f"Password for '{name}': ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise DesktopSearchError("No password given; nothing was changed.")
    return password
