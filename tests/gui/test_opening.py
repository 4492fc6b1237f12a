"""Opening files and folders: a failure is said in place, started programs are reaped, and
"Open at page" is offered only where a file has pages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from desktop_search.core.extract import formats
from desktop_search.gui import open_file
from desktop_search.gui.results_panel import ResultsPanel
from tests.gui.conftest import WAIT_MS


def _state(pid: int) -> str | None:
    """The process's state letter ('R', 'S', 'Z', ...), None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def _zombie_children(*names: str) -> list[int]:
    """Children of this process running one of `names` that have ended and were never reaped.
    By name, because the window's own worker processes end on their own schedule and are
    reaped by their pool a moment later: that is not what these tests are about."""
    zombies = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                head, tail = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)
            except (OSError, ValueError):
                continue
            fields = tail.split()
            command = head.split("(", 1)[1]
            if fields[0] == "Z" and int(fields[1]) == os.getpid() and command in names:
                zombies.append(int(entry))
    return zombies


@pytest.fixture
def no_applications(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The desktop's real opener, on a desktop where no application is registered for
    anything (empty XDG data and config folders): it can only fail, and says why."""
    for name in ("gio", "xdg-open"):
        if shutil.which(name):
            break
    else:
        pytest.skip("neither gio nor xdg-open is installed: there is no desktop opener to ask")
    empty = tmp_path / "no-applications"
    empty.mkdir()
    for var in ("XDG_DATA_HOME", "XDG_DATA_DIRS", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS"):
        monkeypatch.setenv(var, str(empty))
    monkeypatch.delenv("BROWSER", raising=False)
    monkeypatch.setattr(open_file, "desktop_command", _real_desktop_command)
    return name


_real_desktop_command = open_file.desktop_command


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="zombies are read from /proc")
def test_a_viewer_started_by_the_app_is_reaped(qtbot) -> None:
    true = shutil.which("true")
    assert true is not None
    pid = open_file.start_detached([true])
    qtbot.waitUntil(lambda: _state(pid) in (None, "Z"), timeout=WAIT_MS)  # it has ended
    # Not a child of ours that nobody waits for (a bare Popen left exactly that behind).
    assert _zombie_children("true") == []


def test_starting_a_program_that_is_not_there_says_so() -> None:
    with pytest.raises(OSError, match="could not be started"):
        open_file.start_detached(["/nonexistent/viewer", "a.pdf"])


def test_no_application_to_open_a_file_is_said_in_place(
    window, qtbot, no_applications: str, tmp_path: Path
) -> None:
    note = tmp_path / "note.md"
    note.write_text("hello", encoding="utf-8")
    bar = window.statusBar()
    window.open_path(str(note), 1)
    qtbot.waitUntil(lambda: bar.currentMessage().startswith("No application"), timeout=WAIT_MS)
    message = bar.currentMessage()
    assert message.startswith("No application is set up to open 'note.md' (")
    assert len(message) > len("No application is set up to open 'note.md' ()")  # says why
    assert window.opener.running == 0
    assert _zombie_children(no_applications) == []


def test_no_file_manager_is_said_in_place(qtbot, no_applications: str, tmp_path: Path) -> None:
    opener = open_file.FileOpener()
    failures: list[str] = []
    opener.failed.connect(failures.append)
    assert opener.open_folder(str(tmp_path)) == str(tmp_path)
    qtbot.waitUntil(lambda: bool(failures), timeout=WAIT_MS)
    assert failures[0].startswith(f"No file manager is set up to show '{tmp_path}' (")
    assert opener.running == 0


@pytest.mark.parametrize(
    ("name", "word", "at_page"),
    [
        ("report.pdf", "page", True),
        ("book.epub", "page", True),
        ("talk.pptx", "slide", False),
        ("budget.xlsx", "sheet", False),
        ("notes.md", "", False),
        ("mail.eml", "", False),
        ("scan.png", "", False),
    ],
)
def test_what_a_page_is_called_and_whether_a_viewer_can_jump_there(
    name: str, word: str, at_page: bool
) -> None:
    assert formats.page_word(name) == word
    assert formats.opens_at_page(name) is at_page


def test_open_at_page_is_offered_only_for_files_with_pages(qtbot) -> None:
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    texts = lambda path, page: [a.text() for a in panel.context_menu(path, page).actions()]  # noqa: E731
    assert texts("/d/report.pdf", 12)[0] == "Open at page 12"
    assert texts("/d/notes.md", 1)[0] == "Open"
    assert texts("/d/scan.png", 1)[0] == "Open"
    assert not any("page" in t for t in texts("/d/notes.md", 1))
