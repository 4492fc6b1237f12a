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
