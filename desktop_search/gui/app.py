"""Entry point of the desktop app: window first, then the index and the model in the background."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

_STARTED = time.time()  # as early as possible: startup benchmark reference
TIMING_ENV = "DESKTOP_SEARCH_TIMING_FILE"
# Benchmarks and end-to-end tests: close the window as soon as a search could run.
EXIT_WHEN_READY_ENV = "DESKTOP_SEARCH_EXIT_WHEN_READY"
ICON_NAME = "desktop-search"

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


def icon_paths() -> list[Path]:
    """Where the application icon may be: the installed package, the source tree, a bundle."""
    here = Path(__file__).resolve().parent
    roots = [here.parent / "resources", here.parent.parent / "resources"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        roots.insert(0, Path(bundle) / "resources")
    found = []
    for root in roots:
        icons = root / "icons"
        if not icons.is_dir():
            continue
        found += sorted(icons.rglob(f"{ICON_NAME}.png"))  # hicolor/<size>/apps/ and flat
        found += sorted(icons.rglob(f"{ICON_NAME}.svg"))
    return found


def load_icon():  # -> QIcon
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for path in icon_paths():
        icon.addFile(str(path))
    if icon.isNull():
        icon = QIcon.fromTheme("system-search")
    return icon


def record_timing(event: str, **extra: float) -> None:
    """Append a timing mark (seconds since process start) when the startup benchmark asks."""
    target = os.environ.get(TIMING_ENV)
    if not target:
        return
    now = time.time()
    with open(target, "a", encoding="utf-8") as fh:
        fh.write(
            json.dumps({"event": event, "time": now, "since_import": now - _STARTED, **extra})
            + "\n"
        )


def main(home: str | None = None) -> int:
    """Run the desktop app on `home` (None: $DESKTOP_SEARCH_HOME, the remembered location or the
    default) until its window is closed; returns the exit status."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_search.core.config import HOME_ENV, Paths
    from desktop_search.core.logging_setup import setup_logging
    from desktop_search.gui.error_dialog import excepthook_for
    from desktop_search.gui.main_window import MainWindow
    from desktop_search.gui.prefs import GuiPrefs, chosen_home
    from desktop_search.gui.theme import apply_theme, choose_theme

    home_fixed = bool(home or os.environ.get(HOME_ENV))
    home = chosen_home(home)
    paths = Paths.resolve(home)
    setup_logging(paths.log_file, console_level=logging.WARNING)
    log.info("Starting the desktop app on %s", paths.home)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Desktop Search")
    app.setOrganizationName("desktop-search")
    app.setDesktopFileName(ICON_NAME)
    app.setWindowIcon(load_icon())
    prefs = GuiPrefs.for_paths(paths)
    apply_theme(app, choose_theme(prefs.get_str("view/theme")))

    window = MainWindow(home, paths=paths, prefs=prefs, home_fixed=home_fixed)
    previous_hook = sys.excepthook
    sys.excepthook = excepthook_for(paths.log_file, lambda: window)  # type: ignore[assignment]
    previous_thread_hook = threading.excepthook

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        log.error(
            "Unhandled error in thread %s",
            args.thread.name if args.thread else "?",
            exc_info=args.exc_value,  # carries its traceback
        )

    threading.excepthook = thread_hook

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, lambda: record_timing("window_shown"))
            return False

    first_paint = FirstPaint(window)
    window.installEventFilter(first_paint)
    window.show()
    window.host.model_ready.connect(lambda: record_timing("search_ready"))
    window.host.model_failed.connect(lambda exc: record_timing("model_failed"))
    if os.environ.get(EXIT_WHEN_READY_ENV):
        window.host.model_ready.connect(window.close)
        window.host.model_failed.connect(window.close)
        window.host.open_failed.connect(window.close)
    # Start the engine once the event loop runs, so the first paint is never delayed by it.
    QTimer.singleShot(0, window.start)
    _close_on_termination(window)
    try:
        code = app.exec()
    finally:
        sys.excepthook = previous_hook
        threading.excepthook = previous_thread_hook
        window.host.close_blocking()
        log.info("Desktop app closed")
    return int(code)


def _close_on_termination(window: QWidget) -> None:
    """SIGTERM (logout, `kill`) and Ctrl+C close the window like the close button does, so the
    index is left cleanly. Python runs signal handlers only between bytecodes, and Qt's event
    loop is C++: a light timer gives the interpreter a moment to notice the signal."""
    import signal

    from PySide6.QtCore import QTimer

    def request_close(signum: int, frame: object) -> None:
        log.info("Received signal %d; closing", signum)
        QTimer.singleShot(0, window.close)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, request_close)
    ticker = QTimer(window)
    ticker.setInterval(250)
    ticker.timeout.connect(lambda: None)
    ticker.start()


if __name__ == "__main__":
    raise SystemExit(main())
