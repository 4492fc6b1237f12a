"""The main window: lays out the widgets, builds the menus and wires widgets to the controllers
(search_controller for queries, index_controller for the index); drag and drop; window state."""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QByteArray, QMimeData, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
)
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

from desktop_search.core.api import EngineAPI
from desktop_search.core.config import Paths, Settings
from desktop_search.core.errors import DesktopSearchError, EngineStoppedError
from desktop_search.core.extract.ocr import WordBox
from desktop_search.core.models import IndexStatus
from desktop_search.gui import open_file, window_dialogs
from desktop_search.gui.bridge import QueryOutcome
from desktop_search.gui.engine_host import EngineHost
from desktop_search.gui.error_dialog import show_unexpected_error
from desktop_search.gui.folders_panel import FoldersPanel
from desktop_search.gui.index_controller import IndexController
from desktop_search.gui.prefs import GuiPrefs
from desktop_search.gui.preview import PreviewWidget
from desktop_search.gui.problems_view import ProblemsView
from desktop_search.gui.results_panel import ResultsPanel
from desktop_search.gui.search_bar import SearchBar
from desktop_search.gui.search_controller import SearchController
from desktop_search.gui.search_follow import SearchFollow
from desktop_search.gui.settings_dialog import SettingsDialog
from desktop_search.gui.status_panel import StatusPanel
from desktop_search.gui.window_menus import build_menus

log = logging.getLogger(__name__)


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
        self.error_dialogs: list[QWidget] = []
        self.rebuild_prompt: QMessageBox | None = None
        self.password_prompt: QInputDialog | None = None
        self.keyring_notice: QMessageBox | None = None
        self._closing = False
        self._closed = False

        self.setWindowTitle("Desktop Search")
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.host = EngineHost(self)
        self.opener = open_file.FileOpener(self)
        self._build()
        self.follow = SearchFollow(
            self.search_bar, self.results, self.statusBar().showMessage, self
        )
        # Before the search controller's: the keyword stand-in that follows is then known.
        self.host.model_failed.connect(self.follow.on_model_failed)
        self.index = IndexController(
            self.host,
            self.paths,
            home=home,
            read_only=read_only,
            results=self.results,
            status_panel=self.status_panel,
            folders=self.folders,
            problems=self.problems,
            parent=self,
        )
        self.search = SearchController(
            self.host,
            self.search_bar,
            self.results,
            indexing=lambda: self.status_panel.indexing,
            parent=self,
        )
        self.theme_actions = build_menus(self)
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
        # Extra width goes mostly to the preview: a page is only readable when wide enough.
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([280, 440, 560])
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

    def _connect(self) -> None:
        host, index, search = self.host, self.index, self.search
        host.tasks.unhandled.connect(self.report_error)
        host.opened.connect(self._on_opened)
        host.model_ready.connect(self.preview.warm_up)
        host.model_ready.connect(self.follow.on_model_ready)
        self.preview.words_for = self._page_words
        for controller in (index, search):
            controller.message.connect(self.statusBar().showMessage)
            controller.error.connect(self.report_error)
        index.rebuild_offered.connect(self.offer_rebuild)
        index.status_changed.connect(search.apply_status)
        index.status_changed.connect(lambda status, _: self.status_refreshed.emit(status))
        search.results_shown.connect(self.follow.on_results_shown)
        search.results_shown.connect(self.results_shown)
        self.search_bar.move_to_results.connect(self.results.focus_results)
        self.search_bar.activated.connect(self.results.focus_results)
        self.results.passage_selected.connect(self.preview.show_passage)
        self.results.selection_cleared.connect(self.preview.clear)
        self.results.open_requested.connect(self.open_path)
        self.results.open_folder_requested.connect(self.open_folder)
        self.results.add_folder_requested.connect(self.choose_folder)
        self.results.focus_search_requested.connect(self.search_bar.focus_query)
        self.preview.step_requested.connect(self.results.step)
        self.preview.open_requested.connect(self.open_path)
        self.folders.add_requested.connect(self.add_paths)
        self.folders.choose_requested.connect(self.choose_folder)
        self.folders.remove_requested.connect(self.remove_folder)
        self.folders.excludes_requested.connect(self.edit_excludes)
        self.folders.rescan_requested.connect(index.rescan)
        self.problems.count_changed.connect(self._on_problem_count)
        self.problems.open_folder_requested.connect(self.open_folder)
        self.problems.open_requested.connect(self.open_path)
        self.problems.unlock_requested.connect(self.unlock_document)
        self.status_panel.pause_toggled.connect(index.set_paused)
        self.opener.failed.connect(lambda text: self.statusBar().showMessage(text, 15000))

    # ---- what tests, scripts and benchmarks read (the controllers own it) ----
    @property
    def engine(self) -> EngineAPI | None:
        return self.host.engine

    @property
    def search_ready(self) -> bool:
        return self.host.search_ready

    @property
    def status(self) -> IndexStatus | None:
        return self.index.status

    @property
    def last_outcome(self) -> QueryOutcome | None:
        return self.search.last_outcome

    def add_paths(self, paths: list[str]) -> None:
        self.index.add_paths(paths)

    def apply_settings(self, settings: Settings) -> None:
        self.index.apply_settings(settings)

    # ---- lifetime ----
    def start(self) -> None:
        """Open the index and load the model in the background; the window is already usable."""
        self.search_bar.focus_query()
        self.index.start()

    def _on_opened(self, engine: EngineAPI) -> None:
        if self.host.locked_reason:
            self.setWindowTitle("Desktop Search (search only)")

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
        self.index.close(self._finish_close)

    def _finish_close(self) -> None:
        self._closed = True
        self.closed.emit()
        self.close()

    # ---- asking the person (non-modal: no nested event loops) ----
    def choose_folder(self) -> QFileDialog:
        return window_dialogs.choose_folder(self, self.prefs, self.add_paths)

    def choose_files(self) -> QFileDialog:
        return window_dialogs.choose_files(self, self.prefs, self.add_paths)

    def remove_folder(self, path: str, *, confirm: bool = True) -> QMessageBox | None:
        """Forget a folder and purge its entries; asks first unless `confirm` is off."""
        if self.engine is None:
            return None
        if not confirm:
            self.index.remove_folder(path)
            return None
        return window_dialogs.confirm_remove_folder(
            self, path, lambda: self.index.remove_folder(path)
        )

    def offer_rebuild(self, exc: BaseException) -> QMessageBox:
        """Ask whether to move the damaged index aside and start a new one."""
        self.rebuild_prompt = window_dialogs.offer_rebuild(self, exc, self.index.rebuild_index)
        return self.rebuild_prompt

    def edit_excludes(self) -> None:
        current = self.index.settings
        excludes = window_dialogs.ask_excludes(self, current.excludes) if current else None
        if excludes is not None:
            self.index.set_excludes(excludes)

    def open_settings(self) -> SettingsDialog | None:
        settings = self.index.settings
        if settings is None:
            self.statusBar().showMessage("Settings are available once the index is open.", 4000)
            return None
        home = str(self.paths.home)
        return SettingsDialog.edit(
            settings,
            home,
            home_editable=not self.home_fixed,
            parent=self,
            on_accepted=self._saved,
            check_model=self.index.check_model,
        )

    def _saved(self, settings: Settings, home: str) -> None:
        if os.path.abspath(home) != os.path.abspath(str(self.paths.home)):
            self.switch_home(home)
        else:
            self.index.apply_settings(settings)

    def switch_home(self, home: str) -> None:
        """Use another index folder: remembered for next start, then reopened in a new window."""
        from desktop_search.gui.prefs import launcher_prefs  # noqa: PLC0415

        prefs = launcher_prefs()
        if prefs is not None:
            prefs.set("index/home", home)
            prefs.sync()
        replacement = MainWindow(home, prefs=GuiPrefs.for_paths(Paths.resolve(home)))
        replacement.setGeometry(self.geometry())

        def show_replacement() -> None:
            replacement.show()
            replacement.start()

        self.closed.connect(show_replacement)
        self.close()

    # ---- opening files ----
    def open_path(self, path: str, page: int = 0) -> None:
        try:
            how = self.opener.open_file(path, page)
        except OSError as exc:
            self.statusBar().showMessage(str(exc), 15000)
            return
        # Asked, not done: a desktop opener that finds no application says so (opener.failed).
        log.info("Asked %s to open %s (page %s)", how, path, page)
        self.statusBar().showMessage(f"Opening {os.path.basename(path)}…", 3000)

    def _page_words(self, path: str, page: int) -> tuple[WordBox, ...]:
        """Recognised word boxes of a scanned page, for the preview (off the GUI thread)."""
        engine = self.host.engine
        if engine is None:
            return ()
        try:
            return engine.page_words(path, page)
        except DesktopSearchError:  # the engine stopped meanwhile: no highlight, still a page
            return ()

    def open_folder(self, path: str) -> None:
        try:
            self.opener.open_folder(path)
        except OSError as exc:
            self.statusBar().showMessage(str(exc), 15000)

    # ---- misc ----
    def report_error(self, exc: BaseException, context: str = "") -> None:
        """Errors for people go in place (status bar); anything else opens the error dialog."""
        if isinstance(exc, EngineStoppedError):
            return  # calls cut short by the engine's process dying: the index controller tells
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

    def escape(self) -> None:
        if self.search_bar.edit.hasFocus():
            self.search_bar.edit.clear()
        else:
            self.search_bar.focus_query()

    def _on_problem_count(self, count: int) -> None:
        self.side.setTabText(1, f"Problems ({count})" if count else "Problems")
        self.status_panel.set_problem_count(count)

    def unlock_document(self, path: str) -> None:
        """Unlock…: ask for the password where a keyring can keep it, else say why not."""
        self.index.check_keyring(path, self.ask_password, self.tell_no_keyring)

    def ask_password(self, path: str, problem: str = "") -> QInputDialog:
        """Ask for the password; a wrong one asks again, saying so in the dialog."""
        self.password_prompt = window_dialogs.ask_password(
            self,
            path,
            lambda password: self.index.unlock(
                path,
                password,
                self.ask_password,
                lambda path, why: self.tell_no_keyring(path, why, typed=True),
            ),
            problem,
        )
        return self.password_prompt

    def tell_no_keyring(self, path: str, why: str, *, typed: bool = False) -> QMessageBox:
        """Say once that the password can't be kept and what would fix it; no password is
        asked for (again): no try could keep it."""
        self.keyring_notice = window_dialogs.tell_no_keyring(self, path, why, typed=typed)
        return self.keyring_notice

    # ---- drag and drop ----
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()
            self.statusBar().showMessage("Drop to add to your search folders", 2000)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    # ---- window state ----
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
        self.prefs.set("search/mode", self.follow.chosen_mode)  # not a keyword-only stand-in
        self.prefs.sync()


def _local_paths(mime: QMimeData) -> list[str]:
    if not mime.hasUrls():
        return []
    return [
        url.toLocalFile()
        for url in mime.urls()
        if url.isLocalFile() and os.path.exists(url.toLocalFile())
    ]
