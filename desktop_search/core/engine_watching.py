"""The engine's live watching: one FolderWatcher over every folder, and the folders' watch modes
saved in the index so that `status` in another process can show them."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from desktop_search.core.config import Settings
from desktop_search.core.indexing.indexer import Indexer
from desktop_search.core.indexing.scanning import ExcludeRules
from desktop_search.core.models import IndexEvent
from desktop_search.core.storage.index import Index

log = logging.getLogger(__name__)

MODES_KEY = "watch_modes"


class FolderWatching:
    """Starts, feeds and stops the watcher of one engine."""

    def __init__(self, index: Index, indexer: Indexer, emit: Callable[[IndexEvent], None]) -> None:
        self._index = index
        self._indexer = indexer
        self._emit = emit
        self._watcher: Any = None

    def start(self, settings: Settings) -> None:
        """Follow every folder's changes live (watchdog), after a reconcile scan."""
        from desktop_search.core.indexing.watcher import FolderWatcher

        if self._watcher is None:
            self._watcher = FolderWatcher(
                self._indexer.update_paths,
                self._on_event,
                rules=ExcludeRules.for_settings(settings),
            )
        # Watch first, then reconcile: a change made while the scan runs is still seen.
        for folder in self._index.folder_paths():
            self._watcher.watch(folder)
        self._indexer.scan()
        self._save_modes()

    def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
            self._save_modes()

    def watch(self, folder: str) -> None:
        if self._watcher is not None:
            self._watcher.watch(folder)

    def unwatch(self, folder: str) -> None:
        if self._watcher is not None:
            self._watcher.unwatch(folder)

    def follow_settings(self, settings: Settings) -> None:
        """The scans' rules: a change inside a newly excluded folder is not even queued."""
        if self._watcher is not None:
            self._watcher.rules = ExcludeRules.for_settings(settings)

    def modes(self, read_only: bool) -> dict[str, str]:
        """Folder -> "live", "polling" or "unavailable"; a read-only engine (`status`) sees
        the modes of the process that watches, if one does."""
        if self._watcher is not None:
            return dict(self._watcher.modes())
        if read_only:
            stored = self._index.get_meta(MODES_KEY)
            return dict(json.loads(stored)) if stored else {}
        return {}

    def _on_event(self, event: IndexEvent) -> None:
        self._save_modes()  # the watcher reports every change of a folder's mode
        self._emit(event)

    def _save_modes(self) -> None:
        modes = self._watcher.modes() if self._watcher is not None else {}
        try:
            self._index.set_meta(MODES_KEY, json.dumps(modes, sort_keys=True) if modes else None)
        except Exception:  # noqa: BLE001 - only `status` in another process reads it
            log.warning("Couldn't record the folders' watch modes", exc_info=True)
