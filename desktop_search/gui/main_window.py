"""The main window: assembles the widgets and connects them to the engine host."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_search.core.config import Paths, Settings
from desktop_search.core.errors import DesktopSearchError, EngineStoppedError, IndexCorruptError
from desktop_search.core.models import (
    FileFailed,
    FileIndexed,
    FileRemoved,
    FolderChanged,
    Idle,
    IndexEvent,
    IndexStatus,
    Message,
    ScanStarted,
)
from desktop_search.gui import open_file
from desktop_search.gui.bridge import QueryOutcome
from desktop_search.gui.engine_host import EngineHost
from desktop_search.gui.error_dialog import show_unexpected_error
from desktop_search.gui.folders_panel import FoldersPanel
from desktop_search.gui.prefs import GuiPrefs
from desktop_search.gui.preview import PreviewWidget
from desktop_search.gui.problems_view import ProblemsView
from desktop_search.gui.results_panel import ResultsPanel
from desktop_search.gui.search_bar import SearchBar
from desktop_search.gui.settings_dialog import SettingsDialog
from desktop_search.gui.status_panel import StatusPanel
from desktop_search.gui.theme import THEMES

log = logging.getLogger(__name__)

_REFRESHING_EVENTS = (FileIndexed, FileFailed, FileRemoved, FolderChanged, ScanStarted)
REFRESH_MS = 800  # status/folders refresh while indexing; live results follow at this pace
ENGINE_RESTART_INTERVAL_S = 60.0  # a process that keeps dying is left stopped, not restarted


class MainWindow(QMainWindow):
    """Search bar on top; folders/problems, results and preview side by side; progress below."""

    results_shown = Signal(int)  # query id, after the results (or "no results") are in the view
    status_refreshed = Signal(object)  # IndexStatus
    closed = Signal()  # the engine is closed and the window is gone
    theme_changed = Signal(str)

    def __init__(
        self,
        home: str | None,
        *,
        paths: Paths | None = None,
        prefs: GuiPrefs | None = None,
        home_fixed: bool = False,
        read_only: bool = False,
    ) -> None:
        super().__init__()
        self.home = home
        self.paths = paths or Paths.resolve(home)
        self.prefs = prefs or GuiPrefs.for_paths(self.paths)
        self.home_fixed = home_fixed
        self.read_only = read_only
        self._engine_restarted = -ENGINE_RESTART_INTERVAL_S
        self.status: IndexStatus | None = None
        self.last_outcome: QueryOutcome | None = None
        self.error_dialogs: list[QWidget] = []
        self.timings: dict[str, float] = {}
        self._like_path = ""
        self._pending_paths: list[str] = []
        self._closing = False
        self._closed = False
        self._model_error = ""
        self._created = time.perf_counter()

        self.setWindowTitle("Desktop Search")
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.host = EngineHost(self)
        self._build()
        self._connect()
        self._restore_state()
        self.results.show_message("Opening your index…")

    # ---- construction ----
    def _build(self) -> None:
        self.search_bar = SearchBar(self)
        self.results = ResultsPanel(self)
        self.preview = PreviewWidget(self)
        self.folders = FoldersPanel(self)
        self.problems = ProblemsView(self)
        self.side = QTabWidget(self)
        self.side.setObjectName("sideTabs")
        self.side.addTab(self.folders, "Folders")
        self.side.addTab(self.problems, "Problems")
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.side)
        self.splitter.addWidget(self.results)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([240, 520, 520])
        self.splitter.setChildrenCollapsible(True)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.status_panel = StatusPanel(self)
        self.statusBar().addPermanentWidget(self.status_panel)
        self._build_menus()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh_status)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.add_folder_action = file_menu.addAction("Add &folder…", self.choose_folder)
        file_menu.addAction("Add fi&les…", self.choose_files)
        file_menu.addAction("&Rescan all folders", self.rescan)
        file_menu.addSeparator()
        settings_action = file_menu.addAction("&Settings…", self.open_settings)
        settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit", self.close)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        view_menu = self.menuBar().addMenu("&View")
        theme_menu = view_menu.addMenu("&Theme")
        self.theme_actions: dict[str, QAction] = {}
        for theme in THEMES:
            action = theme_menu.addAction(theme.capitalize(), lambda t=theme: self.set_theme(t))
            action.setCheckable(True)
            self.theme_actions[theme] = action
        view_menu.addAction("Zoom &in", QKeySequence.StandardKey.ZoomIn, self.preview.zoom_in)
        view_menu.addAction("Zoom &out", QKeySequence.StandardKey.ZoomOut, self.preview.zoom_out)
        view_menu.addAction("&Fit page width", QKeySequence("Ctrl+0"), self.preview.fit_width)
        view_menu.addAction(
            "&Next passage", QKeySequence("Ctrl+Down"), lambda: self.results.step(1)
        )
        view_menu.addAction(
            "&Previous passage", QKeySequence("Ctrl+Up"), lambda: self.results.step(-1)
        )
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("Open &log folder", lambda: self._open_folder(str(self.paths.log_file)))
        help_menu.addAction("&About", self._about)
        for key in ("Ctrl+K", "Ctrl+F"):
            QShortcut(QKeySequence(key), self, self.search_bar.focus_query)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._escape)

    def _connect(self) -> None:
        host = self.host
        host.opened.connect(self._on_opened)
        host.open_failed.connect(self._on_open_failed)
        host.lost.connect(self._on_engine_lost)
        host.model_loading.connect(self._on_model_loading)
        host.model_ready.connect(self._on_model_ready)
        host.model_failed.connect(self._on_model_failed)
        host.bridge.event.connect(self._on_event)
        host.queries.finished.connect(self._on_query_finished)
        host.tasks.unhandled.connect(self.report_error)
        self.search_bar.query_changed.connect(self._on_query_changed)
        self.search_bar.move_to_results.connect(self.results.focus_results)
        self.search_bar.activated.connect(self.results.focus_results)
        self.results.passage_selected.connect(self.preview.show_passage)
        self.results.selection_cleared.connect(self.preview.clear)
        self.results.open_requested.connect(self.open_path)
        self.results.open_folder_requested.connect(self._open_folder)
        self.results.more_like_this_requested.connect(self.more_like_this)
        self.results.add_folder_requested.connect(self.choose_folder)
        self.results.focus_search_requested.connect(self.search_bar.focus_query)
        self.preview.step_requested.connect(self.results.step)
        self.preview.open_requested.connect(self.open_path)
        self.folders.add_requested.connect(self.add_paths)
        self.folders.remove_requested.connect(self.remove_folder)
        self.folders.excludes_requested.connect(self.edit_excludes)
        self.problems.count_changed.connect(self._on_problem_count)
        self.problems.open_folder_requested.connect(self._open_folder)
        self.status_panel.pause_toggled.connect(self.set_paused)

    # ---- lifetime ----
    def start(self) -> None:
        """Open the index and load the model in the background; the window is already usable."""
        self.search_bar.focus_query()
        self.host.open(self.home, read_only=self.read_only)

    @property
    def search_ready(self) -> bool:
        return self.host.search_ready

    @property
    def engine(self) -> Any:
        return self.host.engine

    def _on_opened(self, engine: Any) -> None:
        self.timings["engine_open_s"] = time.perf_counter() - self._created
        for path in self._pending_paths:
            self._add_one(path)
        self._pending_paths.clear()
        self.refresh_status()
        if self.host.locked_reason:
            self.setWindowTitle("Desktop Search (search only)")
            self.statusBar().showMessage(self._locked_message())
        if not getattr(engine, "read_only", False):
            # Catch up with changes made while the app was closed, then follow them live.
            self.host.run(
                engine.start_watching,
                None,
                lambda exc: self.report_error(exc, "watching your folders"),
            )

    def _locked_message(self) -> str:
        return f"{self.host.locked_reason} This window can search the index but not change it."

    def _on_open_failed(self, exc: BaseException) -> None:
        if isinstance(exc, IndexCorruptError):
            self.results.show_message("The index can't be opened", str(exc))
            self.statusBar().showMessage(str(exc))
            self.rebuild_prompt = self.offer_rebuild(exc)
        elif isinstance(exc, DesktopSearchError):
            self.results.show_message("The index can't be opened", str(exc))
            self.statusBar().showMessage(str(exc))
        else:
            self.results.show_message("The index can't be opened", f"{type(exc).__name__}: {exc}")
            self.report_error(exc, "opening the index")

    def _on_engine_lost(self, exc: BaseException) -> None:
        """The engine's process died (crash, out of memory, killed): restart it once a minute
        at most; what it had written is kept and indexing goes on where it stopped."""
        now = time.monotonic()
        if self._closing:
            return
        if now - self._engine_restarted < ENGINE_RESTART_INTERVAL_S:
            detail = (
                f"{exc} It stopped again soon after a restart, so it was left stopped. "
                f"Details are in the log ('{self.paths.log_file}')."
            )
            self.results.show_message(
                "Searching and indexing stopped", detail, "Try again", self._restart_engine
            )
            self.statusBar().showMessage(str(exc))
            return
        self._engine_restarted = now
        self.statusBar().showMessage(f"{exc} Restarting it; nothing indexed so far is lost.")
        self.host.open(self.home, read_only=self.read_only)

    def _restart_engine(self) -> None:
        if self.host.engine is None and not self._closing:
            self._engine_restarted = time.monotonic()
            self.results.show_message("Restarting…", "Your index is opened again.")
            self.host.open(self.home, read_only=self.read_only)

    def _on_model_loading(self, name: str) -> None:
        label = "the built-in model" if name == "bundled" else f"the model '{name}'"
        self.statusBar().showMessage(f"Loading {label}…")

    def _on_model_ready(self) -> None:
        self.timings["search_ready_s"] = time.perf_counter() - self._created
        self.preview.warm_up()
        self._model_error = ""
        if self.host.locked_reason:
            self.statusBar().showMessage(self._locked_message())
        else:
            self.statusBar().showMessage("Ready to search.", 4000)
        self._on_query_changed(
            self.search_bar.text(), self.search_bar.current_mode(), self.search_bar.filters()
        )

    def _on_model_failed(self, exc: BaseException) -> None:
        self._model_error = (
            str(exc) if isinstance(exc, DesktopSearchError) else (f"{type(exc).__name__}: {exc}")
        )
        self.statusBar().showMessage(
            f"The model could not be loaded: {self._model_error} Keyword search still works."
        )
        if not isinstance(exc, DesktopSearchError):
            self.report_error(exc, "loading the model")
        self.search_bar.set_mode("keyword")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            event.accept()
            return
        event.ignore()
        if self._closing:
            return
        self._closing = True
        self._save_state()
        indexing = self.status_panel.indexing
        self.statusBar().showMessage(
            "Finishing the current file, then closing…" if indexing else "Closing…"
        )
        self.setEnabled(False)
        self.preview.shutdown()
        self.host.close(self._finish_close)

    def _finish_close(self) -> None:
        self._closed = True
        self.closed.emit()
        self.close()

    # ---- searching ----
    def _on_query_changed(self, text: str, mode: str, filters: Any) -> None:
        self._like_path = ""
        if not text:
            self.host.queries.cancel_pending()
            self._show_idle_state()
            return
        if self.host.engine is None and not self.host.search_ready:
            self.results.show_message(
                "Opening your index…", "Your search runs as soon as it is ready."
            )
        elif not self.search_ready and not self._model_error:
            self.results.show_message(
                "Loading the search model…", "Your search runs as soon as it is ready."
            )
        k = self.host.engine.settings.results_per_page if self.host.engine else 20
        self.host.queries.submit(text, mode=mode, filters=filters, k=k)

    def more_like_this(self, path: str) -> None:
        self._like_path = path
        self.host.queries.submit(os.path.basename(path), like_path=path)
        self.statusBar().showMessage(f"Finding documents like {os.path.basename(path)}…", 3000)

    def _on_query_finished(self, outcome: QueryOutcome) -> None:
        self.last_outcome = outcome
        request = outcome.request
        if outcome.error is None and not request.like_path:
            self.search_bar.set_search_cost(outcome.seconds)
        if outcome.error is not None:
            exc = outcome.error
            if isinstance(exc, DesktopSearchError):
                self.results.show_message("This search can't run", str(exc))
            else:
                self.results.show_message("The search failed", f"{type(exc).__name__}: {exc}")
                self.report_error(exc, "searching")
        elif request.like_path:
            name = os.path.basename(request.like_path)
            self.results.show_results(
                outcome.results,
                "",
                f"Documents like <b>{_esc(name)}</b> · {len(outcome.results)} found",
            )
        elif not outcome.results:
            self.results.show_message(
                f"No matches for “{request.text}”",
                self._no_results_hint(request.mode),
            )
        else:
            count = len(outcome.results)
            took = outcome.seconds * 1000
            self.results.show_results(
                outcome.results,
                request.text,
                f"{count} document{'s' if count != 1 else ''} · {took:.0f} ms"
                + (" · more appear as indexing goes on" if self.status_panel.indexing else ""),
            )
        self.results_shown.emit(request.id)

    def _no_results_hint(self, mode: str) -> str:
        if self.status and not self.status.documents:
            return "Nothing is indexed yet: drop a folder on this window to search it."
        tips = ["Try fewer or different words"]
        if mode == "keyword":
            tips.append("or switch to Hybrid to match by meaning")
        if self.search_bar.filters() is not None:
            tips.append("or clear the filters")
        return " ".join(tips) + "."

    def _show_idle_state(self) -> None:
        status = self.status
        if status is None:
            return
        if not status.folders:
            self.results.show_message(
                "Drop a folder here to start",
                "Drag folders or files from your file manager onto this window, or use the "
                "button. They are indexed in the background and kept up to date; you can search "
                "while that happens.",
                "Add folder…",
            )
        else:
            n = len(status.folders)
            where = f"{status.documents:,} documents in {n} folder{'s' if n != 1 else ''}"
            if status.indexing:
                where += " so far; more are being indexed and can be searched as they arrive"
            self.results.show_message(
                "Type to search",
                f'{where}. Use "quotes" for an exact phrase and -word to leave a word out.',
            )

    # ---- indexing events ----
    def _on_event(self, event: IndexEvent) -> None:
        self.status_panel.handle_event(event)
        if isinstance(event, FileFailed):
            self.problems.add_problem(event.path, event.reason)
        elif isinstance(event, FileIndexed | FileRemoved):
            self.problems.remove_problem(event.path)
        elif isinstance(event, FolderChanged):
            self.folders.set_state(event.path, event.state)
        elif isinstance(event, Message):
            self.statusBar().showMessage(event.text, 0 if event.level == "error" else 8000)
        if isinstance(event, Idle):
            self.refresh_status(rerun_query=True)
        elif isinstance(event, _REFRESHING_EVENTS) and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def refresh_status(self, rerun_query: bool = False) -> None:
        engine = self.host.engine
        if engine is None or self._closing:
            return
        self.host.run(
            engine.status,
            lambda status: self._apply_status(status, rerun_query),
            lambda exc: self.report_error(exc, "reading the index status"),
        )

    def _apply_status(self, status: IndexStatus, rerun_query: bool) -> None:
        self.status = status
        self.status_panel.set_documents(status.documents, status.chunks)
        self.folders.set_folders(list(status.folders))
        self.problems.set_problems(status.failed)
        self.search_bar.set_folders([f.path for f in status.folders])
        text = self.search_bar.text()
        if not text and not self._like_path:
            self._show_idle_state()
        elif (
            text
            and self.search_ready
            and not self._like_path
            and (
                rerun_query
                or not self.results.model.rowCount()
                or not self.results.view.currentIndex().isValid()
            )
        ):
            # New documents may match: refresh the list, unless the person is browsing it.
            self.host.queries.submit(
                text,
                mode=self.search_bar.current_mode(),
                filters=self.search_bar.filters(),
                k=self.host.engine.settings.results_per_page,
            )
        self.status_refreshed.emit(status)
        if status.indexing and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    # ---- folders ----
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()
            self.statusBar().showMessage("Drop to add to your search folders", 2000)
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    def add_paths(self, paths: list[str]) -> None:
        for path in paths:
            if self.host.engine is None:
                self._pending_paths.append(path)
                self.statusBar().showMessage(
                    f"{os.path.basename(path)} is added once the index is open."
                )
            else:
                self._add_one(path)

    def _add_one(self, path: str) -> None:
        engine = self.host.engine
        name = os.path.basename(path.rstrip(os.sep)) or path

        def done(_: Any) -> None:
            self.statusBar().showMessage(f"Added {name}; indexing it in the background.", 5000)
            self.refresh_status()

        self.host.run(
            lambda: engine.add_folder(path),
            done,
            lambda exc: self.report_error(exc, f"adding {name}"),
        )

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder to search")
        if folder:
            self.add_paths([folder])

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Add files to search")
        if files:
            self.add_paths(files)

    def remove_folder(self, path: str, *, confirm: bool = True) -> QMessageBox | None:
        """Forget a folder and purge its entries; asks first (non-modal) unless `confirm` is off."""
        engine = self.host.engine
        if engine is None:
            return None

        def remove() -> None:
            self.host.run(
                lambda: engine.remove_folder(path),
                lambda _: self.refresh_status(),
                lambda exc: self.report_error(exc, "removing a folder"),
            )

        if not confirm:
            remove()
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove folder",
            f"Stop searching '{path}'?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(
            "Its entries are removed from the index; your files are not touched."
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(remove)
        box.open()
        return box

    def offer_rebuild(self, exc: BaseException) -> QMessageBox:
        """Ask (non-modal) whether to move the damaged index aside and start a new one."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "The index is damaged",
            "The search index can't be used as it is.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Rebuild index")
        box.setInformativeText(
            f"{exc}\n\nRebuilding moves the old index into a 'broken-…' folder beside it "
            "(nothing is deleted) and indexes your folders again."
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(self.rebuild_index)
        box.open()
        return box

    def rebuild_index(self) -> None:
        """Move the damaged index aside, open a new one and add the folders it still names."""
        from desktop_search.core.engine import Engine  # noqa: PLC0415 (keeps startup light)

        home = self.host.home
        paths = Paths.resolve(home)

        def reopen(moved: tuple[Any, list[str]]) -> None:
            aside, folders = moved
            self.statusBar().showMessage(f"The old index was moved to '{aside}'.")
            self._pending_paths.extend(f for f in folders if os.path.exists(f))
            self.host.open(home)

        self.host.run(
            lambda: Engine.rebuild(paths),
            reopen,
            lambda err: self.report_error(err, "rebuilding the index"),
        )

    def rescan(self) -> None:
        engine = self.host.engine
        if engine is not None:
            self.host.run(engine.rescan, None, lambda exc: self.report_error(exc, "rescanning"))

    def set_paused(self, paused: bool) -> None:
        engine = self.host.engine
        if engine is None:
            return
        # pause/resume only set a flag the indexer checks between files; cheap enough to call here
        engine.pause() if paused else engine.resume()
        self.statusBar().showMessage("Indexing paused." if paused else "Indexing resumed.", 3000)

    def edit_excludes(self) -> None:
        engine = self.host.engine
        if engine is None:
            return
        current: Settings = engine.settings
        text, ok = QInputDialog.getMultiLineText(
            self,
            "Exclude patterns",
            "Files and folders to skip, one pattern per line (.gitignore syntax):",
            "\n".join(current.excludes),
        )
        if ok:
            excludes = tuple(line.strip() for line in text.splitlines() if line.strip())
            self.apply_settings(replace(current, excludes=excludes))

    # ---- settings ----
    def open_settings(self) -> SettingsDialog | None:
        engine = self.host.engine
        if engine is None:
            self.statusBar().showMessage("Settings are available once the index is open.", 4000)
            return None
        dialog = SettingsDialog(
            engine.settings, str(self.paths.home), home_editable=not self.home_fixed, parent=self
        )
        dialog.accepted.connect(lambda: self._settings_accepted(dialog))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _settings_accepted(self, dialog: SettingsDialog) -> None:
        new_home = dialog.home_path()
        if os.path.abspath(new_home) != os.path.abspath(str(self.paths.home)):
            self.switch_home(new_home)
            return
        self.apply_settings(dialog.settings())

    def apply_settings(self, settings: Settings) -> None:
        engine = self.host.engine
        if engine is None:
            return
        old_model = engine.settings.model

        def done(_: Any) -> None:
            self.statusBar().showMessage("Settings saved.", 4000)
            if settings.model != old_model:
                self.host.load_model()
            self.refresh_status()

        self.host.run(
            lambda: engine.apply_settings(settings),
            done,
            lambda exc: self.report_error(exc, "saving the settings"),
        )

    def switch_home(self, home: str) -> None:
        """Use another index folder: remembered for next start, then reopened in a new window."""
        from desktop_search.gui.prefs import launcher_prefs  # noqa: PLC0415

        prefs = launcher_prefs()
        if prefs is not None:
            prefs.set("index/home", home)
            prefs.sync()
        replacement = MainWindow(home, prefs=GuiPrefs.for_paths(Paths.resolve(home)))
        replacement.setGeometry(self.geometry())
        self.closed.connect(lambda: (replacement.show(), replacement.start()))
        self.close()

    # ---- opening files ----
    def open_path(self, path: str, page: int = 0) -> None:
        try:
            how = open_file.open_file(path, page)
            log.info("Opened %s at page %s with %s", path, page, how)
        except OSError as exc:
            self.statusBar().showMessage(str(exc), 8000)

    def _open_folder(self, path: str) -> None:
        try:
            open_file.open_folder(path)
        except OSError as exc:
            self.statusBar().showMessage(str(exc), 8000)

    # ---- misc ----
    def report_error(self, exc: BaseException, context: str = "") -> None:
        """Errors for people go in place (status bar); anything else opens the error dialog."""
        if isinstance(exc, EngineStoppedError):
            return  # calls cut short by the engine's process dying: `_on_engine_lost` tells
        if isinstance(exc, DesktopSearchError):
            self.statusBar().showMessage(str(exc), 10000)
            return
        self.error_dialogs.append(
            show_unexpected_error(self, exc, self.paths.log_file, context=context)
        )

    def set_theme(self, theme: str) -> None:
        from desktop_search.gui.theme import apply_theme  # noqa: PLC0415

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        for name, action in self.theme_actions.items():
            action.setChecked(name == theme)
        self.prefs.set("view/theme", theme)
        self.theme_changed.emit(theme)

    def _escape(self) -> None:
        if self.search_bar.edit.hasFocus():
            self.search_bar.edit.clear()
        else:
            self.search_bar.focus_query()

    def _on_problem_count(self, count: int) -> None:
        self.side.setTabText(1, f"Problems ({count})" if count else "Problems")

    def _about(self) -> None:
        from desktop_search import __version__  # noqa: PLC0415

        QMessageBox.about(
            self,
            "About Desktop Search",
            f"Desktop Search {__version__}\nFind passages in your own documents "
            f"by meaning, offline.\n\nIndex: {self.paths.home}\n"
            f"Log: {self.paths.log_file}",
        )

    def _restore_state(self) -> None:
        geometry = self.prefs.get_bytes("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        sizes = self.prefs.get_ints("window/splitter")
        if len(sizes) == 3 and sum(sizes) > 0:
            self.splitter.setSizes(sizes)
        self.search_bar.set_mode(self.prefs.get_str("search/mode", "hybrid"))
        theme = self.prefs.get_str("view/theme", "system")
        for name, action in self.theme_actions.items():
            action.setChecked(name == theme)

    def _save_state(self) -> None:
        self.prefs.set("window/geometry", QByteArray(self.saveGeometry()))
        self.prefs.set("window/splitter", self.splitter.sizes())
        self.prefs.set("search/mode", self.search_bar.current_mode())
        self.prefs.sync()


def _local_paths(mime: Any) -> list[str]:
    if not mime.hasUrls():
        return []
    return [
        url.toLocalFile()
        for url in mime.urls()
        if url.isLocalFile() and os.path.exists(url.toLocalFile())
    ]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
