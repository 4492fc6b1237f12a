"""Opening a result at its page in the person's viewer."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_search.gui import open_file


def _which(*installed: str):
    return lambda name: f"/usr/bin/{name}" if name in installed else None


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("evince", ["/usr/bin/evince", "--page-index=7", "/d/a.pdf"]),
        ("okular", ["/usr/bin/okular", "-p", "7", "/d/a.pdf"]),
        ("zathura", ["/usr/bin/zathura", "-P", "7", "/d/a.pdf"]),
    ],
)
def test_known_default_viewers_open_at_the_page(viewer: str, expected: list[str]):
    assert open_file.viewer_command("/d/a.pdf", 7, viewer, _which(viewer)) == expected


def test_an_unknown_default_viewer_is_respected():
    # The person chose a viewer we can't pass a page to: use it (via the desktop) without a page.
    assert open_file.viewer_command("/d/a.pdf", 3, "someviewer", _which("evince")) is None


def test_without_a_known_default_an_installed_viewer_is_used():
    assert open_file.viewer_command("/d/a.pdf", 2, "", _which("zathura"))[:3] == [
        "/usr/bin/zathura",
        "-P",
        "2",
    ]


def test_text_files_have_no_page_command():
    assert open_file.viewer_command("/d/notes.md", 1, "evince", _which("evince")) is None


def test_open_file_falls_back_to_the_desktop(qtbot, tmp_path: Path, launched):
    note = tmp_path / "note.md"
    note.write_text("hello", encoding="utf-8")
    assert open_file.FileOpener().open_file(str(note), 1) == "desktop"
    assert launched[-1].toLocalFile() == str(note)


def test_open_file_on_a_missing_file_says_so(qtbot, tmp_path: Path):
    with pytest.raises(OSError, match="no longer exists"):
        open_file.FileOpener().open_file(str(tmp_path / "gone.pdf"), 1)


def test_open_folder_opens_the_containing_folder(qtbot, tmp_path: Path, launched):
    doc = tmp_path / "a.pdf"
    doc.write_bytes(b"%PDF-1.4")
    assert open_file.FileOpener().open_folder(str(doc)) == str(tmp_path)
    assert launched[-1].toLocalFile() == str(tmp_path)
