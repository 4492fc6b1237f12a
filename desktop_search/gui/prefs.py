"""Window state and GUI-only choices (geometry, splitters, theme, index location) in an INI file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from desktop_search.core.config import HOME_ENV, Paths

PREFS_NAME = "gui.ini"
LAST_FOLDER_KEY = "dialogs/last_folder"


class GuiPrefs:
    """A thin typed wrapper over QSettings stored beside settings.toml (never in the registry)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    @classmethod
    def for_paths(cls, paths: Paths) -> GuiPrefs:
        return cls(paths.config_file.parent / PREFS_NAME)

    def get_bytes(self, key: str) -> QByteArray | None:
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def get_str(self, key: str, default: str = "") -> str:
        value = self._qs.value(key, default)
        return str(value) if value is not None else default

    def get_ints(self, key: str) -> list[int]:
        value = self._qs.value(key)
        if isinstance(value, str):
            value = [value]
        try:
            return [int(v) for v in value] if value else []
        except (TypeError, ValueError):
            return []

    def set(self, key: str, value: Any) -> None:
        self._qs.setValue(key, value)

    def remove(self, key: str) -> None:
        self._qs.remove(key)

    def sync(self) -> None:
        self._qs.sync()

    def last_folder(self) -> str:
        """Where the last "Add folder"/"Add files" choice was made; the home folder when there
        was none or it is gone."""
        saved = self.get_str(LAST_FOLDER_KEY)
        return saved if saved and os.path.isdir(saved) else os.path.expanduser("~")

    def remember_folder(self, folder: str) -> None:
        self.set(LAST_FOLDER_KEY, folder)
        self.sync()


def launcher_prefs() -> GuiPrefs | None:
    """Prefs of the default home, where a chosen index location is remembered.

    None when the home is fixed from outside ($DESKTOP_SEARCH_HOME), which then always wins.
    """
    if os.environ.get(HOME_ENV):
        return None
    return GuiPrefs.for_paths(Paths.resolve(None))


def chosen_home(explicit: str | None) -> str | None:
    """The home to open: the explicit one, else the location picked in Settings, else default."""
    if explicit:
        return explicit
    prefs = launcher_prefs()
    if prefs is None:
        return None
    picked = prefs.get_str("index/home")
    return picked or None
