"""Unexpected errors: a dialog with the traceback and where the log file is."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_search.core.errors import DesktopSearchError

log = logging.getLogger(__name__)


def plain_message(exc: BaseException) -> str:
    """The text to show in place: an error written for people as is, anything else named."""
    return str(exc) if isinstance(exc, DesktopSearchError) else f"{type(exc).__name__}: {exc}"


def format_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def show_unexpected_error(
    parent: QWidget | None, exc: BaseException, log_file: Path | str, *, context: str = ""
) -> QMessageBox:
    """Log the error and open a non-modal dialog about it (non-modal: no nested event loop)."""
    log.error("Unexpected error%s", f" while {context}" if context else "", exc_info=exc)
    box = QMessageBox(parent)
    box.setObjectName("unexpectedErrorDialog")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Something went wrong")
    what = f" while {context}" if context else ""
    box.setText(f"An unexpected error happened{what}: {type(exc).__name__}: {exc}")
    box.setInformativeText(
        "Your index is safe. The details below are also in the log file:\n"
        f"{log_file}\nPlease include it if you report this problem."
    )
    box.setDetailedText(format_exception(exc))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def excepthook_for(log_file: Path | str, parent_getter: object) -> object:
    """A sys.excepthook that logs and shows the dialog instead of printing to the terminal only."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            return
        exc.__traceback__ = tb
        parent = parent_getter() if callable(parent_getter) else None
        try:
            show_unexpected_error(parent, exc, log_file)
        except Exception:  # the dialog itself failed: at least the log has it
            log.exception("Could not show the error dialog")

    return hook
