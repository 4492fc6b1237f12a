"""Open a file at a page in the person's viewer, or its folder in the file manager; say so when
nothing could open it."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QProcess, QUrl, Signal
from PySide6.QtGui import QDesktopServices

from desktop_search.core.extract.formats import opens_at_page

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
# The desktop's own opener, in order of preference; each reports by its exit status.
DESKTOP_OPENERS: tuple[tuple[str, ...], ...] = (("xdg-open",), ("gio", "open"))


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
    if not opens_at_page(path) or page < 1:
        return None
    candidates = [viewer] if viewer in _PAGE_ARGS else []
    if not viewer:
        candidates += [v for v in _PREFERENCE if v != viewer]
    for name in candidates:
        exe = which(name)
        if exe:
            return _PAGE_ARGS[name](exe, path, page)
    return None


def desktop_command(target: str) -> list[str] | None:
    """argv of the desktop's own opener for a file or folder (xdg-open, else gio); None where
    there is none (then Qt's desktop services are asked, which can't report failures)."""
    if not sys.platform.startswith("linux"):
        return None
    for argv in DESKTOP_OPENERS:
        exe = shutil.which(argv[0])
        if exe:
            return [exe, *argv[1:], target]
    return None


def start_detached(argv: Sequence[str]) -> int:
    """Start a program that outlives this app; returns its process id. Qt reaps the process in
    between at once, so a viewer that has ended never lingers as a zombie until the app quits.
    Raises OSError when it can't be started."""
    started, pid = QProcess.startDetached(argv[0], list(argv[1:]))
    if not started:
        raise OSError(f"'{os.path.basename(argv[0])}' could not be started")
    return int(pid)


# Replaced in tests so that nothing is actually launched.
launcher: Callable[[Sequence[str]], object] = start_detached
url_opener: Callable[[QUrl], bool] = QDesktopServices.openUrl


class FileOpener(QObject):
    """Opens files (at a page, where a viewer can jump there) and folders in the person's
    applications.

    A viewer that takes a page is started detached. Everything else goes through the desktop's
    opener (xdg-open or gio), run as a child whose exit is watched: when it finds no application,
    `failed` says so in a sentence, instead of nothing happening after a log line claiming
    success. It is reaped as soon as it exits.
    """

    failed = Signal(str)  # for the status bar

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Each running opener -> the sentence that starts its failure message.
        self._running: dict[QProcess, str] = {}

    def open_file(self, path: str, page: int = 0) -> str:
        """Open `path` (at `page` where that means something). Returns how: the argv run, or
        'desktop'. Raises OSError with a readable message when the file is gone or nothing can
        be started; a failure found later is sent through `failed`."""
        if not os.path.exists(path):
            raise OSError(f"'{path}' no longer exists; it may have been moved or deleted.")
        name = os.path.basename(path)
        if sys.platform.startswith("linux") and page and opens_at_page(path):
            argv = viewer_command(path, page, default_viewer())
            if argv:
                try:
                    launcher(argv)
                    return " ".join(argv)
                except OSError as exc:
                    log.warning("Viewer %s failed (%s); using the desktop's opener", argv[0], exc)
        return self._open_with_desktop(path, f"No application is set up to open '{name}'")

    def open_folder(self, path: str) -> str:
        """Show the folder containing `path` (or `path` itself, a folder) in the file manager."""
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        if not os.path.isdir(folder):
            raise OSError(f"The folder '{folder}' no longer exists.")
        self._open_with_desktop(folder, f"No file manager is set up to show '{folder}'")
        return folder

    @property
    def running(self) -> int:
        """Openers started and not finished yet (each is reaped when it exits)."""
        return len(self._running)

    def _open_with_desktop(self, target: str, failure: str) -> str:
        argv = desktop_command(target)
        if argv is None:
            if not url_opener(QUrl.fromLocalFile(target)):
                raise OSError(f"{failure}.")
            return "desktop"
        process = QProcess(self)
        process.setProgram(argv[0])
        process.setArguments(argv[1:])
        process.setStandardInputFile(QProcess.nullDevice())
        # Bound methods, never closures over `self` or the process: a closure held by the
        # child's connection was the last reference to this opener, so the child's deleteLater
        # deleted the opener, which deleted the child a second time (a crash).
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._start_failed)
        self._running[process] = failure
        process.start()
        return " ".join(argv)

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        process = self.sender()
        if not isinstance(process, QProcess) or process not in self._running:
            return
        failure = self._running.pop(process)
        if status != QProcess.ExitStatus.NormalExit or code != 0:
            said = bytes(process.readAllStandardError().data()).decode(errors="replace")
            detail = said.strip().splitlines()[-1] if said.strip() else f"exit status {code}"
            log.warning("%s failed: %s", process.program(), detail)
            # "gio: file:///…/a.md: Failed to find…": the program and the file are known here.
            detail = detail.rsplit(": ", 1)[-1]
            self.failed.emit(f"{failure} ({detail}).")
        process.deleteLater()

    def _start_failed(self, error: QProcess.ProcessError) -> None:
        process = self.sender()
        if error != QProcess.ProcessError.FailedToStart or process not in self._running:
            return  # a crash also ends in `finished`, which reports it
        failure = self._running.pop(process)
        assert isinstance(process, QProcess)
        self.failed.emit(f"{failure} ('{os.path.basename(process.program())}' could not start).")
        process.deleteLater()
