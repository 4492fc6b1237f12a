"""The index's home folder: checks on the paths a person gives, and moving a damaged index
aside so a new one can start."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

from desktop_search.core.config import Paths
from desktop_search.core.errors import InvalidPathError
from desktop_search.core.storage.locking import WriterLock

log = logging.getLogger(__name__)


def move_index_aside(paths: Paths) -> tuple[Path, list[str]]:
    """Move a damaged index into `broken-<time>/` beside it (never delete it).

    Returns the folder it was moved to and the indexed folders that could still be read from
    it. Raises IndexLockedError while another process uses the index.
    """
    check_home(paths)
    lock = WriterLock(paths.lock_file)
    lock.acquire()
    try:
        folders = _recover_folders(paths.sqlite_file)
        aside = paths.home / time.strftime("broken-%Y%m%d-%H%M%S")
        suffix = 1
        while aside.exists():
            suffix += 1
            aside = paths.home / f"{time.strftime('broken-%Y%m%d-%H%M%S')}-{suffix}"
        aside.mkdir(parents=True)
        names = [paths.sqlite_file.name + s for s in ("", "-wal", "-shm")]
        for name in [*names, paths.chroma_dir.name]:
            source = paths.home / name
            if source.exists():
                os.replace(source, aside / name)
        log.warning("Moved the index in %s aside to %s", paths.home, aside)
        return aside, folders
    finally:
        lock.release()


def check_home(paths: Paths) -> None:
    """Refuse a home that exists but is not a folder (a file of the person's must stay put)."""
    if paths.home.exists() and not paths.home.is_dir():
        raise InvalidPathError(
            f"The index folder '{paths.home}' is not a folder (a file has that name); "
            "choose another with --home."
        )


def _recover_folders(catalog: Path) -> list[str]:
    """The folder list of a possibly damaged catalog, read without writing to it."""
    if not catalog.is_file():
        return []
    try:
        conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
        try:
            return [r[0] for r in conn.execute("SELECT path FROM folders ORDER BY path")]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def check_path(path: str | Path) -> str:
    """The absolute path of a folder or document that can be indexed.

    Args:
        path: A folder or a single document, as a person typed it (`~` is expanded).

    Returns:
        The absolute path, symbolic links kept.

    Raises:
        InvalidPathError: The path is empty, missing, unreadable, or a file of a type that
            can't be indexed; the message says which.
    """
    text = str(path)
    if not text.strip():
        raise InvalidPathError("No folder given.")
    resolved = os.path.abspath(os.path.expanduser(text))
    if not os.path.exists(resolved):
        raise InvalidPathError(f"'{path}' does not exist.")
    if not os.access(resolved, os.R_OK):
        raise InvalidPathError(f"'{path}' can't be read (permission denied).")
    if os.path.isfile(resolved):
        from desktop_search.core.extract.formats import SUPPORTED_TYPES, is_supported

        if not is_supported(resolved):
            kinds = ", ".join(sorted(SUPPORTED_TYPES))
            raise InvalidPathError(f"'{path}' is not a supported document ({kinds}).")
    return resolved
