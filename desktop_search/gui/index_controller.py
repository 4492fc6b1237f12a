"""The index's lifecycle for the window: open, load the model, restart a lost engine, rebuild a
damaged index; folders, pause, settings; index events and status refreshes."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_search.core.api import EngineAPI
from desktop_search.core.config import Paths, Settings
from desktop_search.core.errors import DesktopSearchError, EngineStoppedError, IndexCorruptError
from desktop_search.core.extract.passwords import KeyringUnavailableError, keyring_name
from desktop_search.core.models import (
    FileFailed,
    FileIndexed,
    FileRemoved,
    FolderChanged,
    Idle,
    IndexEvent,
    IndexStatus,
    Message,
    Paused,
    ReadingScans,
    ScanStarted,
)
from desktop_search.gui.engine_host import EngineHost
from desktop_search.gui.error_dialog import plain_message
from desktop_search.gui.folders_panel import FoldersPanel
from desktop_search.gui.problems_view import ProblemsView
from desktop_search.gui.results_panel import ResultsPanel
from desktop_search.gui.status_panel import StatusPanel

log = logging.getLogger(__name__)

# ReadingScans: each scanned page read may add passages and clear a file's problem.
_REFRESHING_EVENTS = (
    FileIndexed,
    FileFailed,
    FileRemoved,
    FolderChanged,
    ScanStarted,
    ReadingScans,
)
REFRESH_MS = 800  # status/folders refresh while indexing; live results follow at this pace
ENGINE_RESTART_INTERVAL_S = 60.0  # a process that keeps dying is left stopped, not restarted
PAUSED_MESSAGE = "Indexing paused: nothing is read or written until you click Resume."


class IndexController(QObject):
    """Carries out what the window asks of the index, off the GUI thread, and feeds the panels.

    `status_changed` follows every status refresh (after the panels show it); `rebuild_offered`
    asks the window to offer a rebuild of a damaged index; `message` and `error` go to the
    status bar and to the window's error reporting.
    """

    status_changed = Signal(object, bool)  # IndexStatus, whether the query should run again
    rebuild_offered = Signal(object)  # IndexCorruptError
    message = Signal(str, int)  # status bar text, timeout in ms (0: until replaced)
    error = Signal(object, str)  # exception, what was being done

    def __init__(
        self,
        host: EngineHost,
        paths: Paths,
        *,
        home: str | None,
        read_only: bool,
        results: ResultsPanel,
        status_panel: StatusPanel,
        folders: FoldersPanel,
        problems: ProblemsView,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.paths = paths
        self.home = home
        self.read_only = read_only
        self.results = results
        self.status_panel = status_panel
        self.folders = folders
        self.problems = problems
        self.status: IndexStatus | None = None
        self.timings: dict[str, float] = {}
        self.closing = False
        self._created = time.perf_counter()
        self._engine_restarted = -ENGINE_RESTART_INTERVAL_S
        self._pending_paths: list[str] = []
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh_status)
        host.opened.connect(self._on_opened)
        host.open_failed.connect(self._on_open_failed)
        host.lost.connect(self._on_engine_lost)
        host.model_loading.connect(self._on_model_loading)
        host.model_ready.connect(self._on_model_ready)
        host.model_failed.connect(self._on_model_failed)
        host.bridge.event.connect(self._on_event)

    @property
    def engine(self) -> EngineAPI | None:
        return self.host.engine

    # ---- lifetime ----
    def start(self) -> None:
        """Open the index, then load the model, both in the background."""
        self.host.open(self.home, read_only=self.read_only)

    def close(self, on_closed: Callable[[], None]) -> None:
        """Stop refreshing and close the engine off-thread (it finishes the current file)."""
        self.closing = True
        self._refresh_timer.stop()
        self.host.close(on_closed)

    def locked_message(self) -> str:
        return f"{self.host.locked_reason} This window can search the index but not change it."

    def _on_opened(self, engine: EngineAPI) -> None:
        self.timings["engine_open_s"] = time.perf_counter() - self._created
        # A new engine (e.g. after a restart) starts unpaused: the panels follow it.
        self.status_panel.set_paused(engine.paused)
        self.folders.set_paused(engine.paused)
        for path in self._pending_paths:
            self._add_one(engine, path)
        self._pending_paths.clear()
        self.refresh_status()
        if self.host.locked_reason:
            self.message.emit(self.locked_message(), 0)
        if not engine.read_only:
            # Catch up with changes made while the app was closed, then follow them live.
            self.host.run(
                engine.start_watching,
                None,
                lambda exc: self.error.emit(exc, "watching your folders"),
            )

    def _on_open_failed(self, exc: BaseException) -> None:
        self.results.show_message("The index can't be opened", plain_message(exc))
        if isinstance(exc, DesktopSearchError):
            self.message.emit(str(exc), 0)
            if isinstance(exc, IndexCorruptError):
                self.rebuild_offered.emit(exc)
        else:
            self.error.emit(exc, "opening the index")

    def _on_engine_lost(self, exc: BaseException) -> None:
        """The engine's process died (crash, out of memory, killed): restart it once a minute
        at most; what it had written is kept and indexing goes on where it stopped."""
        now = time.monotonic()
        if self.closing:
            return
        if now - self._engine_restarted < ENGINE_RESTART_INTERVAL_S:
            detail = (
                f"{exc} It stopped again soon after a restart, so it was left stopped. "
                f"Details are in the log ('{self.paths.log_file}')."
            )
            self.results.show_message(
                "Searching and indexing stopped", detail, "Try again", self.restart_engine
            )
            self.message.emit(str(exc), 0)
            return
        self._engine_restarted = now
        self.message.emit(f"{exc} Restarting it; nothing indexed so far is lost.", 0)
        self.host.open(self.home, read_only=self.read_only)

    def restart_engine(self) -> None:
        if self.host.engine is None and not self.closing:
            self._engine_restarted = time.monotonic()
            self.results.show_message("Restarting…", "Your index is opened again.")
            self.host.open(self.home, read_only=self.read_only)

    # ---- the model ----
    def _on_model_loading(self, name: str) -> None:
        label = "the built-in model" if name == "bundled" else f"the model '{name}'"
        self.message.emit(f"Loading {label}…", 0)

    def _on_model_ready(self) -> None:
        self.timings["search_ready_s"] = time.perf_counter() - self._created
        if self.host.locked_reason:
            self.message.emit(self.locked_message(), 0)
        else:
            self.message.emit("Ready to search.", 4000)

    def _on_model_failed(self, exc: BaseException) -> None:
        self.message.emit(
            "Searching by keywords only: the model could not be loaded "
            f"({plain_message(exc)}). Choose another in Settings.",
            0,
        )
        if not isinstance(exc, DesktopSearchError):
            self.error.emit(exc, "loading the model")

    # ---- index events (FolderChanged carries the folder's state to the folders panel) ----
    def _on_event(self, event: IndexEvent) -> None:
        self.status_panel.handle_event(event)
        if isinstance(event, FileFailed):
            self.problems.add_problem(event.path, event.reason)
        elif isinstance(event, FileIndexed | FileRemoved):
            self.problems.remove_problem(event.path)
        elif isinstance(event, FolderChanged):
            self.folders.apply_change(event)
        elif isinstance(event, Paused):
            self.folders.set_paused(event.paused)
            if event.paused:
                self.message.emit(PAUSED_MESSAGE, 0)  # stays: the state, not a passing note
            else:
                self.message.emit("Indexing resumed.", 3000)
        elif isinstance(event, Message):
            self.message.emit(event.text, 0 if event.level == "error" else 8000)
        if isinstance(event, Idle):
            self.refresh_status(rerun_query=True)
        elif isinstance(event, _REFRESHING_EVENTS) and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def refresh_status(self, rerun_query: bool = False) -> None:
        engine = self.host.engine
        if engine is None or self.closing:
            return
        self.host.run(
            engine.status,
            lambda status: self._apply_status(status, rerun_query),
            lambda exc: self.error.emit(exc, "reading the index status"),
        )

    def _apply_status(self, status: IndexStatus, rerun_query: bool) -> None:
        self.status = status
        self.status_panel.set_documents(status.documents, status.chunks)
        self.problems.set_problems(
            status.failed, status.partial, folders=[f.path for f in status.folders]
        )
        # Each folder counts its rows of the Problems tab: the same count everywhere.
        counts = self.problems.counts_by_folder(f.path for f in status.folders)
        self.folders.set_folders([replace(f, failed=counts[f.path]) for f in status.folders])
        self.status_changed.emit(status, rerun_query)
        if status.indexing and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    # ---- folders ----
    def add_paths(self, paths: list[str]) -> None:
        """Index and watch these folders or files; remembered until the index is open."""
        engine = self.host.engine
        for path in paths:
            if engine is None:
                self._pending_paths.append(path)
                self.message.emit(f"{os.path.basename(path)} is added once the index is open.", 0)
            else:
                self._add_one(engine, path)

    def _add_one(self, engine: EngineAPI, path: str) -> None:
        name = os.path.basename(path.rstrip(os.sep)) or path

        def done(_: object) -> None:
            self.message.emit(f"Added {name}; indexing it in the background.", 5000)
            self.refresh_status()

        self.host.run(
            lambda: engine.add_folder(path),
            done,
            lambda exc: self.error.emit(exc, f"adding {name}"),
        )

    def remove_folder(self, path: str) -> None:
        """Forget a folder and purge its entries (the window asks first)."""
        engine = self.host.engine
        if engine is None:
            return
        self.host.run(
            lambda: engine.remove_folder(path),
            lambda _: self.refresh_status(),
            lambda exc: self.error.emit(exc, "removing a folder"),
        )

    def rescan(self) -> None:
        engine = self.host.engine
        if engine is not None:
            self.host.run(engine.rescan, None, lambda exc: self.error.emit(exc, "rescanning"))

    def set_paused(self, paused: bool) -> None:
        engine = self.host.engine
        if engine is None:
            return
        # pause/resume only send a note to the engine, never wait: cheap enough to call here.
        # Its Paused event then updates every place that shows the state.
        if paused:
            engine.pause()
        else:
            engine.resume()

    def check_keyring(
        self,
        path: str,
        on_ready: Callable[[str], None],
        on_no_keyring: Callable[[str, str], None],
    ) -> None:
        """Before a password is asked for: is there a system keyring to keep it in?
        `on_ready(path)` when there is, else `on_no_keyring(path, why)`, so nobody types a
        password that can't be kept. Off the GUI thread: finding the keyring may ask D-Bus."""

        def check() -> str:
            try:
                keyring_name()
            except KeyringUnavailableError as exc:
                return str(exc)
            return ""

        def checked(why: str) -> None:
            if why:
                on_no_keyring(path, why)
            else:
                on_ready(path)

        self.host.tasks.run(check, checked, lambda exc: self.error.emit(exc, "finding a keyring"))

    def unlock(
        self,
        path: str,
        password: str,
        on_refused: Callable[[str, str], None],
        on_no_keyring: Callable[[str, str], None],
    ) -> None:
        """Give a locked document its password (kept in the keyring by the engine); it is
        then indexed again. `on_refused(path, why)` asks again, e.g. for a wrong password;
        `on_no_keyring(path, why)` says why it can't be kept (asking again would not help)."""
        engine = self.host.engine
        name = os.path.basename(path)
        if engine is None:
            on_refused(path, "The index is not open yet; try again in a moment.")
            return

        def done(_: object) -> None:
            self.message.emit(f"Unlocked {name}; indexing it now.", 6000)
            self.refresh_status()

        def refused(exc: BaseException) -> None:
            if isinstance(exc, KeyringUnavailableError):
                on_no_keyring(path, str(exc))
            elif isinstance(exc, DesktopSearchError):
                on_refused(path, str(exc))
            else:
                self.error.emit(exc, f"unlocking {name}")

        self.host.run(lambda: engine.unlock(path, password), done, refused)

    def rebuild_index(self) -> None:
        """Move the damaged index aside, open a new one and add the folders it still names."""
        from desktop_search.core.engine import Engine  # noqa: PLC0415 (keeps startup light)

        home = self.host.home
        paths = Paths.resolve(home)

        def reopen(moved: tuple[Path, list[str]]) -> None:
            aside, folders = moved
            self.message.emit(f"The old index was moved to '{aside}'.", 0)
            self._pending_paths.extend(f for f in folders if os.path.exists(f))
            self.host.open(home)

        self.host.run(
            lambda: Engine.rebuild(paths),
            reopen,
            lambda err: self.error.emit(err, "rebuilding the index"),
        )

    # ---- settings ----
    @property
    def settings(self) -> Settings | None:
        """The open index's settings (None until it is open)."""
        engine = self.host.engine
        return engine.settings if engine is not None else None

    def set_excludes(self, excludes: tuple[str, ...]) -> None:
        current = self.settings
        if current is not None:
            self.apply_settings(replace(current, excludes=excludes))

    def check_model(self, model: str, device: str) -> str:
        """Load a newly chosen model in the engine before it is saved (blocking: call it off
        the GUI thread); raises ModelError with the reason it can't be used."""
        engine = self.host.engine
        if engine is None:
            raise EngineStoppedError("The index is not open yet, so the model can't be tried.")
        return engine.check_model(model, device)

    def apply_settings(self, settings: Settings) -> None:
        """Save and apply; a new model is loaded (searches wait for it)."""
        engine = self.host.engine
        if engine is None:
            return
        old_model = engine.settings.model

        def done(_: object) -> None:
            self.message.emit("Settings saved.", 4000)
            if settings.model != old_model:
                self.host.load_model()
            self.refresh_status()

        self.host.run(
            lambda: engine.apply_settings(settings),
            done,
            lambda exc: self.error.emit(exc, "saving the settings"),
        )
