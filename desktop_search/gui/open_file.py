"""Open a file at a page in the person's viewer, or its folder in the file manager."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

log = logging.getLogger(__name__)

# Viewers that take a page on the command line: desktop-file stem -> argv builder.
_PAGE_ARGS: dict[str, Callable[[str, str, int], list[str]]] = {
    "evince": lambda exe, p, n: [exe, f"--page-index={n}", p],
    "atril": lambda exe, p, n: [exe, f"--page-index={n}", p],
    "xreader": lambda exe, p, n: [exe, f"--page-index={n}", p],
    "okular": lambda exe, p, n: [exe, "-p", str(n), p],
    "zathura": lambda exe, p, n: [exe, "-P", str(n), p],
    "qpdfview": lambda exe, p, n: [exe, f"{p}#{n}"],
    "mupdf": lambda exe, p, n: [exe, p, str(n)],
    "mupdf-gl": lambda exe, p, n: [exe, p, str(n)],
    "sioyek": lambda exe, p, n: [exe, "--page", str(n), p],
    "firefox": lambda exe, p, n: [exe, QUrl.fromLocalFile(p).toString() + f"#page={n}"],
    "chromium": lambda exe, p, n: [exe, QUrl.fromLocalFile(p).toString() + f"#page={n}"],
    "google-chrome": lambda exe, p, n: [exe, QUrl.fromLocalFile(p).toString() + f"#page={n}"],
}
_PREFERENCE = ("evince", "okular", "zathura", "atril", "xreader", "qpdfview", "sioyek", "mupdf")
_PAGED_TYPES = {".pdf", ".xps", ".oxps", ".epub", ".cbz", ".djvu"}


def default_viewer(mime: str = "application/pdf") -> str:
    """Stem of the desktop file the desktop uses for `mime` ('' when unknown)."""
    if not shutil.which("xdg-mime"):
        return ""
    try:
        out = subprocess.run(
            ["xdg-mime", "query", "default", mime],
            capture_output=True,
            text=True,
            timeout=3,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    stem = out.removesuffix(".desktop").rsplit(".", 1)[-1].lower()  # org.gnome.Evince -> evince
    return stem


def viewer_command(
    path: str, page: int, viewer: str, which: Callable[[str], str | None] = shutil.which
) -> list[str] | None:
    """argv that opens `path` at `page` (1-based), or None when no known viewer can.

    The desktop's default viewer is used when it takes a page; otherwise the first installed viewer
    that does, so a page jump never silently opens a different app than the person chose unless
    their default cannot jump.
    """
    if Path(path).suffix.lower() not in _PAGED_TYPES or page < 1:
        return None
    candidates = [viewer] if viewer in _PAGE_ARGS else []
    if not viewer:
        candidates += [v for v in _PREFERENCE if v != viewer]
    for name in candidates:
        exe = which(name)
        if exe:
            return _PAGE_ARGS[name](exe, path, page)
    return None


def _launch(argv: Sequence[str]) -> None:
    subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


# Replaced in tests so that nothing is actually launched.
launcher: Callable[[Sequence[str]], None] = _launch
url_opener: Callable[[QUrl], bool] = QDesktopServices.openUrl


def open_file(path: str, page: int = 0) -> str:
    """Open `path` (at `page` where the viewer allows it). Returns how: the argv or 'desktop'.

    Raises OSError with a readable message when the file is gone or nothing could open it.
    """
    if not os.path.exists(path):
        raise OSError(f"'{path}' no longer exists; it may have been moved or deleted.")
    if sys.platform.startswith("linux") and page:
        argv = viewer_command(path, page, default_viewer())
        if argv:
            try:
                launcher(argv)
                return " ".join(argv)
            except OSError as exc:
                log.warning("Viewer %s failed (%s); using the desktop default", argv[0], exc)
    if not url_opener(QUrl.fromLocalFile(path)):
        raise OSError(f"No application is set up to open '{os.path.basename(path)}'.")
    return "desktop"


def open_folder(path: str) -> str:
    """Show the folder containing `path` in the file manager."""
    folder = path if os.path.isdir(path) else os.path.dirname(path)
    if not os.path.isdir(folder):
        raise OSError(f"The folder '{folder}' no longer exists.")
    if not url_opener(QUrl.fromLocalFile(folder)):
        raise OSError(f"No file manager is set up to open '{folder}'.")
    return folder
