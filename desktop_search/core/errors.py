"""Exceptions whose message is written for the person using the app, not for a developer."""

from __future__ import annotations


class DesktopSearchError(Exception):
    """Base class: `str(err)` is a complete sentence a person can act on."""


class ExtractionError(DesktopSearchError):
    """A file could not be turned into text; `reason` is the short per-file status."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"Couldn't read '{path}': {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # crosses process boundaries
        return (type(self), (self.path, self.reason))


class ModelError(DesktopSearchError):
    """The embedding model could not be loaded (missing, offline, incompatible)."""


class IndexLockedError(DesktopSearchError):
    """Another desktop-search process is writing this index."""


class IndexCorruptError(DesktopSearchError):
    """The index on disk cannot be used as it is; a rebuild is offered, never done silently."""


class InvalidQueryError(DesktopSearchError):
    """The query cannot be run (empty, nothing searchable left after parsing)."""


class InvalidPathError(DesktopSearchError):
    """A path given by the person does not exist or is not what the command needs."""


class ConfigError(DesktopSearchError):
    """The settings file or a setting's value is not usable."""


class StorageFullError(DesktopSearchError):
    """The disk holding the index has no room left."""

    def __init__(self, home: object) -> None:
        self.home = home
        super().__init__(
            f"The disk holding the index ('{home}') is full. Free some space and run again; "
            "everything indexed so far is kept."
        )

    def __reduce__(self) -> tuple[type, tuple[object]]:  # crosses process boundaries
        return (type(self), (self.home,))


class EngineStoppedError(DesktopSearchError):
    """The process running the engine for the window stopped (crashed, killed or closed)."""


def is_disk_full(exc: BaseException, where: object = None) -> bool:
    """Whether an error from SQLite, Chroma or the OS means 'no space left on the device'.

    Chroma words some of its write failures without the cause ("Error in compaction: Failed
    to apply logs to ..."): with `where` (a folder on the index's disk), a failure while that
    disk has under 1 MiB free counts as the disk being full.
    """
    import errno
    import shutil

    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    if "disk is full" in text or "no space left" in text or "disk full" in text:
        return True
    if where is None:
        return False
    try:
        return shutil.disk_usage(str(where)).free < 1 << 20
    except OSError:
        return False
