"""The main window's menus and keyboard shortcuts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut

from desktop_search.gui import window_dialogs
from desktop_search.gui.theme import THEMES

if TYPE_CHECKING:
    from desktop_search.gui.main_window import MainWindow


def build_menus(window: MainWindow) -> dict[str, QAction]:
    """File, View and Help; returns the theme actions by theme name."""
    file_menu = window.menuBar().addMenu("&File")
    window.add_folder_action = file_menu.addAction("Add &folder…", window.choose_folder)
    file_menu.addAction("Add fi&les…", window.choose_files)
    file_menu.addAction("&Rescan all folders", window.index.rescan)
    file_menu.addSeparator()
    settings_action = file_menu.addAction("&Settings…", window.open_settings)
    settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
    file_menu.addSeparator()
    quit_action = file_menu.addAction("&Quit", window.close)
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    view_menu = window.menuBar().addMenu("&View")
    theme_menu = view_menu.addMenu("&Theme")
    theme_actions: dict[str, QAction] = {}
    for theme in THEMES:
        action = theme_menu.addAction(theme.capitalize())
        action.triggered.connect(lambda _=False, t=theme: window.set_theme(t))
        action.setCheckable(True)
        theme_actions[theme] = action
    preview, results = window.preview, window.results
    view_menu.addAction("Zoom &in", QKeySequence.StandardKey.ZoomIn, preview.zoom_in)
    view_menu.addAction("Zoom &out", QKeySequence.StandardKey.ZoomOut, preview.zoom_out)
    view_menu.addAction("&Fit page width", QKeySequence("Ctrl+0"), preview.fit_width)
    view_menu.addAction("&Next passage", QKeySequence("Ctrl+Down"), lambda: results.step(1))
    view_menu.addAction("&Previous passage", QKeySequence("Ctrl+Up"), lambda: results.step(-1))
    help_menu = window.menuBar().addMenu("&Help")
    help_menu.addAction("Open &log folder", lambda: window.open_folder(str(window.paths.log_file)))
    help_menu.addAction("&About", lambda: window_dialogs.show_about(window, window.paths))
    for key in ("Ctrl+K", "Ctrl+F"):
        QShortcut(QKeySequence(key), window, window.search_bar.focus_query)
    QShortcut(QKeySequence(Qt.Key.Key_Escape), window, window.escape)
    return theme_actions
