"""Take the README screenshot: index a small sample folder, type a query, save the window.

Usage:
    python scripts/screenshot.py [--theme light|dark] [--query TEXT] [--output docs/screenshot.png]
                                 [--settings-output settings.png]

Runs the real app (real engine, bundled model, real PDFs from ../shared/data/pdfs) in a throwaway
home. Without a display it starts itself again under Xvfb (`xvfb-run`), so the picture is what
an X server really shows, not an offscreen rendering. Needs: apt-get install xvfb.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_PDFS = (
    Path(os.environ.get("DESKTOP_SEARCH_SHARED", REPO.parent / "shared")) / "data" / "pdfs"
)
SAMPLE = (
    "pdfplumber__federal-register-2020-17221.pdf",
    "pymupdf__2201.00069.pdf",
    "pymupdf__v110-changes.pdf",
    "pymupdf__cython.pdf",
    "pdfplumber__scotus-transcript-p1.pdf",
    "pdfplumber__WARN-Report-for-7-1-2015-to-03-25-2016.pdf",
    "pdfplumber__issue-848.pdf",
    "pdfminer__zen_of_python_corrupted.pdf",
    "pdfplumber__empty.pdf",  # a broken file, so the Problems tab has something to show
)
DEFAULT_QUERY = "public comments on the proposed rule"
SIZE = (1440, 900)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--query", default=DEFAULT_QUERY)
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="PNG to write (default docs/screenshot.png, -dark for dark)",
    )
    parser.add_argument(
        "--settings-output",
        type=Path,
        default=None,
        help="also open the settings dialog over the window and write it to this PNG",
    )
    parser.add_argument("--no-xvfb", action="store_true", help="use the current display as is")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if not os.environ.get("DISPLAY") and not args.no_xvfb:
        if not shutil.which("xvfb-run"):
            print("No display and no xvfb-run: apt-get install xvfb", file=sys.stderr)
            return 2
        cmd = [
            "xvfb-run",
            "-a",
            "-s",
            f"-screen 0 {SIZE[0]}x{SIZE[1]}x24 -dpi 96",
            sys.executable,
            *sys.argv,
        ]
        return subprocess.call(cmd)
    output = args.output or REPO / "docs" / (
        "screenshot.png" if args.theme == "light" else "screenshot-dark.png"
    )
    with tempfile.TemporaryDirectory(prefix="desktop-search-shot-") as tmp:
        return take(Path(tmp), args.theme, args.query, output, args.settings_output)


def take(
    tmp: Path, theme: str, query: str, output: Path, settings_output: Path | None = None
) -> int:
    sample = tmp / "Documents"
    sample.mkdir()
    for name in SAMPLE:
        source = SHARED_PDFS / name
        if source.exists():
            # Readable names in the picture: drop the "<project>__" prefix of the test suite.
            shutil.copy(source, sample / name.split("__", 1)[-1])
    home = tmp / "home"
    os.environ["DESKTOP_SEARCH_HOME"] = str(home)
    os.environ["DESKTOP_SEARCH_THEME"] = theme
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from PySide6.QtCore import QEventLoop, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from desktop_search.gui.app import load_icon
    from desktop_search.gui.main_window import MainWindow
    from desktop_search.gui.theme import apply_theme

    app = QApplication([sys.argv[0]])
    app.setApplicationName("Desktop Search")
    app.setWindowIcon(load_icon())
    apply_theme(app, theme)

    def wait(condition, timeout: float = 180.0, settle: float = 0.0) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError("the app did not get there in time")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        end = time.monotonic() + settle
        while time.monotonic() < end:  # let late paints land before the picture is taken
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)

    window = MainWindow(str(home))
    window.setGeometry(0, 0, *SIZE)
    window.show()
    window.start()
    wait(lambda: window.search_ready and window.status is not None)
    window.splitter.setSizes([250, 560, 630])
    window.add_paths([str(sample)])
    wait(
        lambda: (
            window.status is not None
            and window.status.folders
            and not window.status.indexing
            and window.status.documents > 0
            and not window.status_panel.indexing
        ),
        settle=0.5,
    )
    window.search_bar.edit.setFocus()
    QTest.keyClicks(window.search_bar.edit, query, Qt.KeyboardModifier.NoModifier, 40)
    wait(
        lambda: (
            window.last_outcome is not None
            and window.last_outcome.request.text == query
            and window.results.model.rowCount() > 0
        )
    )
    window.results.focus_results()
    wait(lambda: window.preview.mode == "page", settle=1.5)
    window.search_bar.edit.setFocus()
    window.search_bar.edit.deselect()
    wait(lambda: True, settle=0.5)

    if not grab(window, output):
        return 1
    print(f"{output} ({theme}); {window.status.documents} documents, query '{query}'")
    if settings_output is not None:
        dialog = window.open_settings()
        assert dialog is not None
        wait(lambda: dialog.isVisible(), settle=1.0)
        if not grab(dialog, settings_output):
            return 1
        print(f"{settings_output} (the settings dialog, {theme})")
        dialog.reject()
    window.close()
    wait(lambda: window._closed, timeout=60)
    return 0


def grab(widget, output: Path) -> bool:
    """Save what the X server shows where `widget` (a top-level window) is."""
    frame = widget.frameGeometry()
    picture = widget.screen().grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    output.parent.mkdir(parents=True, exist_ok=True)
    if not picture.save(str(output)):
        print(f"could not write {output}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
