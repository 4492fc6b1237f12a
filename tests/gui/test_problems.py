"""The Problems tab: whole file names, a folder column, sorting, a summary by reason, open on
double-click, one count everywhere, and Unlock… for a password-protected PDF."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from desktop_search.core.models import PASSWORD_PROTECTED, FailedFile, PartialFile
from desktop_search.gui.problems_view import (
    FILE_COLUMN,
    FOLDER_COLUMN,
    REASON_COLUMN,
    ProblemsView,
    summarize,
)
from tests.conftest import SHARED_PDFS, make_pdf
from tests.core.extract.test_passwords import make_locked_pdf
from tests.gui.conftest import WAIT_MS, search, wait_indexed

PASSWORD = "correct horse 7"
LONG = "minutes-of-the-annual-general-meeting-of-the-allotment-society-2019.pdf"
FAILED = (
    FailedFile("/home/ann/Taxes/2019/scan.pdf", PASSWORD_PROTECTED),
    FailedFile("/home/ann/Letters/scan.pdf", "it is damaged (no pages could be read)"),
    FailedFile(f"/home/ann/Clubs/{LONG}", PASSWORD_PROTECTED),
)
PARTIAL = (PartialFile("/home/ann/Letters/fax.pdf", "page 2 is a scanned image"),)


@pytest.fixture
def view(qtbot) -> ProblemsView:
    widget = ProblemsView()
    qtbot.addWidget(widget)
    widget.resize(700, 400)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_problems(FAILED, PARTIAL)
    return widget


def _rows(view: ProblemsView, column: int) -> list[str]:
    tree = view.tree
    return [tree.topLevelItem(i).text(column) for i in range(tree.topLevelItemCount())]


def test_same_named_files_are_told_apart_by_their_folder(view: ProblemsView) -> None:
    rows = {
        view.tree.topLevelItem(i).toolTip(FILE_COLUMN): view.tree.topLevelItem(i)
        for i in range(view.tree.topLevelItemCount())
    }
    taxes = rows["/home/ann/Taxes/2019/scan.pdf"]
    letters = rows["/home/ann/Letters/scan.pdf"]
    assert taxes.text(FILE_COLUMN) == letters.text(FILE_COLUMN) == "scan.pdf"
    assert taxes.text(FOLDER_COLUMN) != letters.text(FOLDER_COLUMN)
    assert letters.text(FOLDER_COLUMN).endswith("Letters")
    assert view.tree.headerItem().text(FOLDER_COLUMN) == "Folder"


def test_file_names_are_shown_whole(view: ProblemsView) -> None:
    metrics = view.tree.fontMetrics()
    assert view.tree.columnWidth(FILE_COLUMN) >= metrics.horizontalAdvance(LONG)


def test_every_column_sorts(view: ProblemsView, qtbot) -> None:
    header = view.tree.header()
    for column in (FOLDER_COLUMN, REASON_COLUMN, FILE_COLUMN):
        rect = header.sectionViewportPosition(column) + 5
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_point(rect))
        shown = _rows(view, column)
        assert shown == sorted(shown, key=str.casefold), column
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_point(rect))
        shown = _rows(view, column)
        assert shown == sorted(shown, key=str.casefold, reverse=True), column


def _point(x: int):
    from PySide6.QtCore import QPoint

    return QPoint(x, 5)


def test_a_summary_counts_problems_by_reason(view: ProblemsView) -> None:
    assert view.summary.text() == (
        "4 problems: 2 password-protected · 1 damaged · 1 indexed in part"
    )
    assert summarize([]) == ""


def test_double_click_opens_the_file(view: ProblemsView, qtbot) -> None:
    item = view.tree.topLevelItem(0)
    path = item.toolTip(FILE_COLUMN)
    rect = view.tree.visualItemRect(item)
    with qtbot.waitSignal(view.open_requested, timeout=WAIT_MS) as opened:
        # A real double-click: the first click's press and release, then the double-click.
        qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [path, 0]


def test_unlock_is_offered_for_password_protected_files_only(view: ProblemsView) -> None:
    for i in range(view.tree.topLevelItemCount()):
        item = view.tree.topLevelItem(i)
        view.tree.setCurrentItem(item)
        locked = item.text(REASON_COLUMN) == PASSWORD_PROTECTED
        assert view.unlock_button.isEnabled() is locked
        actions = [a.text() for a in view.context_menu(item).actions()]
        assert ("Unlock…" in actions) is locked
        assert "Open" in actions and "Open containing folder" in actions


# ---- in the window: one count everywhere, and Unlock… end to end ----


@pytest.fixture
def troubled(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    make_locked_pdf(folder / "ledger.pdf", "The quokka ledger of the island.", PASSWORD)
    make_pdf(folder / "open.pdf", ["Tide tables for the harbour."])
    shutil.copy(SHARED_PDFS / "pdfplumber__empty.pdf", folder / "empty.pdf")
    (folder / "sub").mkdir()
    (folder / "sub" / "empty.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <</Type /Catalog")
    return folder


def test_one_count_everywhere_and_unlock_with_the_password(
    keyring_file: Path, window_factory, qtbot, troubled: Path
) -> None:
    window = window_factory()
    qtbot.waitUntil(lambda: window.search_ready and window.status is not None, timeout=WAIT_MS)
    window.add_paths([str(troubled)])
    wait_indexed(qtbot, window, 4)
    problems = window.problems
    qtbot.waitUntil(lambda: problems.count() == 3, timeout=WAIT_MS)
    # The tab, the status bar and the folder say the same number.
    assert window.side.tabText(1) == "Problems (3)"
    assert window.status_panel.summary.text() == "1 document · 3 problems"
    assert window.folders.state_text(str(troubled)) == "3 problems"

    locked = str(troubled / "ledger.pdf")
    problems.tree.setCurrentItem(problems._rows[locked])
    assert problems.unlock_button.isEnabled()
    problems.unlock_button.click()
    prompt = window.password_prompt
    assert prompt is not None and prompt.isVisible()
    assert prompt.textEchoMode() == QLineEdit.EchoMode.Password
    assert "ledger.pdf" in prompt.labelText()
    prompt.setTextValue("a wrong guess")
    prompt.accept()
    # A wrong password: asked again, the reason in the dialog itself.
    qtbot.waitUntil(
        lambda: window.password_prompt is not prompt and window.password_prompt.isVisible(),
        timeout=WAIT_MS,
    )
    again = window.password_prompt
    assert "does not open 'ledger.pdf'" in again.labelText()
    assert not keyring_file.exists()  # nothing kept for a wrong password
    again.setTextValue(PASSWORD)
    again.accept()
    qtbot.waitUntil(lambda: locked not in problems.problems(), timeout=WAIT_MS)
    wait_indexed(qtbot, window, 4)
    qtbot.waitUntil(lambda: window.status.documents == 2, timeout=WAIT_MS)
    assert window.side.tabText(1) == "Problems (2)"
    search(qtbot, window, "quokka", mode="keyword")
    assert [Path(d.path).name for d in window.last_outcome.results] == ["ledger.pdf"]


def test_the_folder_column_is_short_and_tells_files_apart(qtbot) -> None:
    view = ProblemsView()
    qtbot.addWidget(view)
    view.set_problems(
        (
            FailedFile("/data/Documents/Taxes/2019/scan.pdf", PASSWORD_PROTECTED),
            FailedFile("/data/Documents/scan.pdf", PASSWORD_PROTECTED),
        ),
        folders=["/data/Documents"],
    )
    folders = sorted(_rows(view, FOLDER_COLUMN))
    assert folders == ["Documents", "Documents/Taxes/2019"]


def test_the_side_panel_widens_for_the_problems_tab(window, qtbot) -> None:
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: window.splitter.sizes()[2] > 0, timeout=WAIT_MS)
    narrow = window.splitter.sizes()[0]
    window.side.setCurrentWidget(window.problems)
    sizes = window.splitter.sizes()
    assert sizes[0] > narrow and sizes[0] <= 0.45 * sum(sizes) + 1
    assert window.side_width.sizes()[0] == narrow  # what is remembered at close
    window.side.setCurrentWidget(window.folders)
    assert window.splitter.sizes()[0] == narrow


def test_a_long_reason_in_the_password_dialog_wraps_and_keeps_the_buttons_in_reach(qtbot):
    """No keyring: the reason is two long sentences. It wraps inside the dialog, which stays
    about as wide as asked instead of running past the screen's edge with its buttons."""
    from PySide6.QtWidgets import QDialogButtonBox, QWidget

    from desktop_search.gui.window_dialogs import PASSWORD_DIALOG_WIDTH, ask_password

    parent = QWidget()
    qtbot.addWidget(parent)
    reason = (
        "No system keyring is available to keep the password safely, so it was not saved "
        "and the document stays locked. On Linux that is the Secret Service of a desktop "
        "session (GNOME Keyring, KWallet), on macOS the Keychain, on Windows the Credential "
        "Manager."
    )
    dialog = ask_password(parent, f"/home/ann/Clubs/{LONG}", lambda _: None, reason)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    assert dialog.width() < 2 * PASSWORD_DIALOG_WIDTH
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    assert dialog.rect().contains(buttons.geometry())
    dialog.reject()
