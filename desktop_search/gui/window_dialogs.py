"""The small questions the main window asks: files to add, remove a folder, rebuild a damaged
index, exclude patterns, about. Non-modal where they act later (no nested event loop)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from desktop_search.core.config import Paths


def choose_folder(parent: QWidget) -> list[str]:
    folder = QFileDialog.getExistingDirectory(parent, "Add a folder to search")
    return [folder] if folder else []


def choose_files(parent: QWidget) -> list[str]:
    files, _ = QFileDialog.getOpenFileNames(parent, "Add files to search")
    return list(files)


def confirm_remove_folder(parent: QWidget, path: str, remove: Callable[[], None]) -> QMessageBox:
    """Ask before a folder is forgotten; `remove` runs if the person says yes."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Remove folder",
        f"Stop searching '{path}'?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setInformativeText("Its entries are removed from the index; your files are not touched.")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.accepted.connect(remove)
    box.open()
    return box


def offer_rebuild(parent: QWidget, exc: BaseException, rebuild: Callable[[], None]) -> QMessageBox:
    """Offer to move the damaged index aside and start a new one; `rebuild` runs on yes."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "The index is damaged",
        "The search index can't be used as it is.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.button(QMessageBox.StandardButton.Yes).setText("Rebuild index")
    box.setInformativeText(
        f"{exc}\n\nRebuilding moves the old index into a 'broken-…' folder beside it "
        "(nothing is deleted) and indexes your folders again."
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.accepted.connect(rebuild)
    box.open()
    return box


def ask_excludes(parent: QWidget, current: tuple[str, ...]) -> tuple[str, ...] | None:
    """The exclude patterns as edited, or None if the person cancelled."""
    text, ok = QInputDialog.getMultiLineText(
        parent,
        "Exclude patterns",
        "Files and folders to skip, one pattern per line (.gitignore syntax):",
        "\n".join(current),
    )
    if not ok:
        return None
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def show_about(parent: QWidget, paths: Paths) -> None:
    from desktop_search import __version__  # noqa: PLC0415

    QMessageBox.about(
        parent,
        "About Desktop Search",
        f"Desktop Search {__version__}\nFind passages in your own documents by meaning, "
        f"offline.\n\nIndex: {paths.home}\nLog: {paths.log_file}",
    )
