"""The small questions the main window asks: files to add, remove a folder, rebuild a damaged
index, exclude patterns, a password (or why none can be kept), about. Non-modal where they act
later (no nested event loop)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QLineEdit, QMessageBox, QWidget

from desktop_search.core.config import Paths
from desktop_search.gui.prefs import GuiPrefs

log = logging.getLogger(__name__)

EXCLUDES_HELP = (
    "Files and folders to leave out of the index, one pattern per line. For example:\n"
    "    drafts/           every folder named drafts\n"
    "    *.tmp             every file ending in .tmp\n"
    "    Private/taxes/    that one folder inside an indexed folder\n"
    "    !keep.tmp         take back a file a line above left out"
)

PASSWORD_DIALOG_WIDTH = 460  # px: room for a file name, short enough to wrap a long reason


def choose_folder(
    parent: QWidget, prefs: GuiPrefs, on_chosen: Callable[[list[str]], None]
) -> QFileDialog:
    """Ask for a folder to add, starting where the last choice was made (its parent folder is
    remembered: the next folder to add is often a neighbour)."""

    def chosen(folder: str) -> None:
        prefs.remember_folder(os.path.dirname(folder.rstrip(os.sep)) or folder)
        on_chosen([folder])

    dialog = QFileDialog(parent, "Add a folder to search", prefs.last_folder())
    dialog.setObjectName("addFolderDialog")
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog


def choose_files(
    parent: QWidget, prefs: GuiPrefs, on_chosen: Callable[[list[str]], None]
) -> QFileDialog:
    """Ask for files to add, starting in the folder of the last choice."""

    def chosen(files: list[str]) -> None:
        if files:
            prefs.remember_folder(os.path.dirname(files[0]))
            on_chosen(list(files))

    dialog = QFileDialog(parent, "Add files to search", prefs.last_folder())
    dialog.setObjectName("addFilesDialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.filesSelected.connect(chosen)
    dialog.open()
    return dialog


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
        "Leave out files and folders",
        EXCLUDES_HELP,
        "\n".join(current),
    )
    if not ok:
        return None
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def ask_password(
    parent: QWidget, path: str, on_password: Callable[[str], None], problem: str = ""
) -> QInputDialog:
    """Ask for a locked document's password (typed hidden); `problem` says why it is asked
    again (a wrong password). Non-modal: `on_password` runs once OK is clicked."""
    dialog = QInputDialog(parent)
    dialog.setObjectName("passwordDialog")
    dialog.setWindowTitle("Unlock document")
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    intro = f"{problem}\n\n" if problem else ""
    dialog.setLabelText(
        f"{intro}Password of '{os.path.basename(path)}':\n(kept in your system keyring "
        "only, so the document can be searched from now on)"
    )
    dialog.setOkButtonText("Unlock")
    # A long reason (no keyring, wrong password) wraps: unwrapped, it widened the dialog past
    # the screen and pushed the buttons out of reach.
    label = dialog.findChild(QLabel)
    if label is not None:
        label.setWordWrap(True)
    dialog.setMinimumWidth(PASSWORD_DIALOG_WIDTH)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.textValueSelected.connect(on_password)
    dialog.open()
    return dialog


def tell_no_keyring(parent: QWidget, path: str, why: str, *, typed: bool = False) -> QMessageBox:
    """Say, once, that a document's password can't be kept, so it stays locked and listed, and
    what would fix it. `why` is the keyring's own reason: shown when a password was `typed` (it
    may be specific: a locked keyring), logged only when the check before asking found none."""
    name = os.path.basename(path)
    box = QMessageBox(
        QMessageBox.Icon.Information,
        "Unlock document",
        f"'{name}' stays locked: its password can't be kept on this computer.",
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("noKeyringNotice")
    if typed:
        reason = why
    else:
        log.info("No keyring to keep a password in: %s", why)
        reason = (
            "desktop-search keeps passwords only in a system keyring, never in a file of its "
            "own, and there is none it can use here."
        )
    box.setInformativeText(f"{reason}\n\n{keyring_advice()}")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def keyring_advice(platform: str = sys.platform) -> str:
    """What to do so that a password can be kept."""
    if platform.startswith("linux"):
        how = (
            "install a keyring (GNOME Keyring: the gnome-keyring package, or KWallet) and "
            "use desktop-search in a desktop session that unlocks it when you log in"
        )
    else:
        how = "make sure your system keyring is unlocked"
    return (
        f"To unlock the document, {how}; then choose Unlock… again. Until then it stays in "
        "the Problems list, and everything else is searched as before."
    )


def show_about(parent: QWidget, paths: Paths) -> None:
    from desktop_search import __version__  # noqa: PLC0415

    QMessageBox.about(
        parent,
        "About Desktop Search",
        f"Desktop Search {__version__}\nFind passages in your own documents by meaning, "
        f"offline.\n\nIndex: {paths.home}\nLog: {paths.log_file}",
    )
