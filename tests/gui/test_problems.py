"""The Problems tab: file names over their folders, reasons that read whole in the side panel's
own width, sorting, a summary by reason, open on double-click, one count everywhere, and Unlock…
for a password-protected PDF (or, with no keyring to keep its password, a clear word why not)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLineEdit, QStyle

from desktop_search.core.models import PASSWORD_PROTECTED, FailedFile, PartialFile
from desktop_search.gui.folder_name_delegate import FolderNameDelegate
from desktop_search.gui.problems_view import (
    FILE_COLUMN,
    REASON_COLUMN,
    ProblemsView,
    file_column_width,
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
SIDE_WIDTH = 280  # the window's side panel, as it opens the first time


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
    folders = view.folders()  # the line under each name
    assert folders["/home/ann/Taxes/2019/scan.pdf"] != folders["/home/ann/Letters/scan.pdf"]
    assert folders["/home/ann/Letters/scan.pdf"].endswith("Letters")
    # Name over folder, as the Folders tab shows a folder: a row is two lines tall.
    row = view.tree.visualItemRect(letters)
    assert row.height() >= 2 * view.tree.fontMetrics().height()


def test_file_names_are_whole_where_the_reason_still_fits_beside_them(
    view: ProblemsView, qtbot
) -> None:
    view.resize(1000, 400)
    long_name = view._rows[f"/home/ann/Clubs/{LONG}"]
    wanted = FolderNameDelegate.two_line_width(
        view.tree, LONG, view.folders()[f"/home/ann/Clubs/{LONG}"]
    )
    qtbot.waitUntil(lambda: view.tree.columnWidth(FILE_COLUMN) >= wanted, timeout=WAIT_MS)
    # Narrower, the name is cut in its middle (the tooltip keeps the path), not the reason.
    view.resize(SIDE_WIDTH, 400)
    qtbot.waitUntil(lambda: view.tree.columnWidth(FILE_COLUMN) < wanted, timeout=WAIT_MS)
    assert long_name.toolTip(FILE_COLUMN) == f"/home/ann/Clubs/{LONG}"


def test_reasons_read_whole_in_the_side_panels_own_width(qtbot) -> None:
    """At the side panel's width the reason wraps between words (never "Password-prot…ected"):
    each row is as tall as its wrapped reason, also after the panel narrows under rows already
    shown, and nothing hides past the right edge."""
    long_reason = (
        "it took longer than 120 s to read (the reader was stopped); a password-protected "
        "attachment inside it could not be opened"
    )
    view = ProblemsView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.set_problems((*FAILED, FailedFile("/home/ann/Letters/slow.pdf", long_reason)), PARTIAL)
    tree = view.tree
    metrics = tree.fontMetrics()
    margin = tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1

    def needed(reason: str) -> int:
        text_width = tree.columnWidth(REASON_COLUMN) - 2 * margin  # as the style lays it out
        flags = Qt.TextFlag.TextWordWrap
        return metrics.boundingRect(QRect(0, 0, text_width, 10_000), flags, reason).height()

    def rows_fit() -> bool:
        return all(
            tree.visualItemRect(view._rows[path]).height() >= needed(reason)
            for path, reason in view.problems().items()
        )

    view.resize(SIDE_WIDTH, 500)
    qtbot.waitUntil(lambda: tree.viewport().width() < SIDE_WIDTH, timeout=WAIT_MS)
    qtbot.waitUntil(rows_fit, timeout=WAIT_MS)
    assert needed(long_reason) >= 3 * metrics.lineSpacing()  # the long one did wrap
    assert tree.columnWidth(REASON_COLUMN) >= metrics.horizontalAdvance("password-protected")
    assert tree.columnWidth(FILE_COLUMN) + tree.columnWidth(REASON_COLUMN) <= (
        tree.viewport().width()
    )


def test_the_file_column_gives_way_to_the_reason_but_keeps_a_name_readable() -> None:
    assert file_column_width(600, 200, 300, 100) == 200  # both fit
    assert file_column_width(262, 170, 150, 125) == 137  # the reason keeps 45 %
    assert file_column_width(262, 170, 250, 200) == 62  # ... or its longest word
    assert file_column_width(100, 170, 150, 125) == 48  # a name never vanishes


def test_every_column_sorts(view: ProblemsView, qtbot) -> None:
    header = view.tree.header()
    for column in (REASON_COLUMN, FILE_COLUMN):
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
    # Asked once a keyring to keep the password in is found (off the GUI thread).
    qtbot.waitUntil(
        lambda: window.password_prompt is not None and window.password_prompt.isVisible(),
        timeout=WAIT_MS,
    )
    prompt = window.password_prompt
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


def test_the_folder_under_a_name_is_short_and_tells_files_apart(qtbot) -> None:
    view = ProblemsView()
    qtbot.addWidget(view)
    view.set_problems(
        (
            FailedFile("/data/Documents/Taxes/2019/scan.pdf", PASSWORD_PROTECTED),
            FailedFile("/data/Documents/scan.pdf", PASSWORD_PROTECTED),
        ),
        folders=["/data/Documents"],
    )
    assert sorted(view.folders().values()) == ["Documents", "Documents/Taxes/2019"]


def test_the_problems_tab_leaves_the_layout_as_it_is(window, qtbot) -> None:
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: window.splitter.sizes()[2] > 0, timeout=WAIT_MS)
    before = window.splitter.sizes()
    window.problems.set_problems(FAILED, PARTIAL)
    window.side.setCurrentWidget(window.problems)
    qtbot.waitUntil(window.problems.tree.isVisible, timeout=WAIT_MS)
    assert window.splitter.sizes() == before
    window.side.setCurrentWidget(window.folders)
    assert window.splitter.sizes() == before


def test_with_no_keyring_unlock_says_so_once_and_asks_for_no_password(
    window, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """keyring's own "fail" backend is what a machine without a keyring gets."""
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        path = f"/home/ann/Clubs/{LONG}"
        window.problems.set_problems(FAILED, PARTIAL)
        window.problems.tree.setCurrentItem(window.problems._rows[path])
        window.problems.unlock_button.click()
        qtbot.waitUntil(
            lambda: window.keyring_notice is not None and window.keyring_notice.isVisible(),
            timeout=WAIT_MS,
        )
    finally:
        keyring.set_keyring(before)
    notice = window.keyring_notice
    assert window.password_prompt is None  # nothing typed that could not be kept
    assert LONG in notice.text() and "stays locked" in notice.text()
    assert "there is none it can use here" in notice.informativeText()
    assert "gnome-keyring" in notice.informativeText()  # what to install
    notice.accept()
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=WAIT_MS)
    assert window.password_prompt is None  # told once: no password dialog follows
    assert path in window.problems.problems()  # nothing lost: still listed, still unlockable
    assert window.problems.unlock_button.isEnabled()


def test_a_keyring_that_refuses_the_password_is_said_once_not_asked_again(
    keyring_file: Path, monkeypatch: pytest.MonkeyPatch, window_factory, qtbot, troubled: Path
) -> None:
    """This process finds a keyring, the engine's process does not (keyring's own "fail"
    backend there): the password is right but can't be kept. The person is told so once,
    instead of a password dialog that comes back with the reason in it."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    window = window_factory()
    qtbot.waitUntil(lambda: window.search_ready and window.status is not None, timeout=WAIT_MS)
    window.add_paths([str(troubled)])
    wait_indexed(qtbot, window, 4)
    locked = str(troubled / "ledger.pdf")
    problems = window.problems
    qtbot.waitUntil(lambda: locked in problems.problems(), timeout=WAIT_MS)
    problems.tree.setCurrentItem(problems._rows[locked])
    problems.unlock_button.click()
    qtbot.waitUntil(
        lambda: window.password_prompt is not None and window.password_prompt.isVisible(),
        timeout=WAIT_MS,
    )
    prompt = window.password_prompt
    prompt.setTextValue(PASSWORD)
    prompt.accept()
    qtbot.waitUntil(
        lambda: window.keyring_notice is not None and window.keyring_notice.isVisible(),
        timeout=WAIT_MS,
    )
    assert window.password_prompt is prompt  # not asked again
    assert "No system keyring is available" in window.keyring_notice.informativeText()
    assert not keyring_file.exists()  # nothing kept anywhere
    window.keyring_notice.accept()
    assert locked in problems.problems()


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
