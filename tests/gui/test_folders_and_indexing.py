"""Folders: first-run empty state, drag and drop, progress, pause/resume, problems, clean close."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_search.core.models import Paused, Progress, ScanStarted
from desktop_search.gui.results_model import ResultRole
from tests.conftest import SHARED_PDFS, make_mixed_pdf
from tests.gui.conftest import (
    WAIT_MS,
    close_window,
    collect_events,
    search,
    wait_for_event,
    wait_indexed,
)


def _many_text_files(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"note{i:04d}.txt").write_text(
            f"Field note {i}. The heron waited in the reeds near marker {i}; "
            "wind from the west, light rain, water level rising.\n",
            encoding="utf-8",
        )
    return folder


def _drag_enter(pos: QPoint, mime: QMimeData) -> QDragEnterEvent:
    args = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    try:
        return QDragEnterEvent(QPointF(pos), *args)  # PySide6 >= 6.12
    except TypeError:
        return QDragEnterEvent(pos, *args)  # older PySide6 takes a QPoint only


def _drop(window, paths: list[Path]) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = window.rect().center()
    enter = _drag_enter(centre, mime)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted(), "the window should accept dragged folders"
    drop = QDropEvent(
        QPointF(centre),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, drop)
    return drop


def test_first_run_shows_the_drop_a_folder_state(window):
    assert window.status.documents == 0
    assert window.results.empty.title.text() == "Drop a folder here to start"
    assert window.results.empty.button.isVisibleTo(window)
    assert window.results.empty.button.text() == "Add folder…"


def test_dropping_a_folder_indexes_it_and_its_documents_are_found(window, qtbot, corpus: Path):
    drop = _drop(window, [corpus])
    assert drop.isAccepted()
    wait_indexed(qtbot, window, 4)
    assert window.folders.paths() == [str(corpus)]
    assert window.folders.state_text(str(corpus)) == "up to date"
    assert window.folders.tree.topLevelItem(0).text(2) == "4"
    assert window.status_panel.summary.text() == "4 documents"
    search(qtbot, window, "volcanic ash")
    assert window.results.model.index(0, 0).data(ResultRole.FILE_NAME) == "volcano.pdf"


def test_dropping_text_or_missing_paths_is_ignored(window, tmp_path: Path):
    mime = QMimeData()
    mime.setText("just some text")
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "does-not-exist"))])
    enter = _drag_enter(QPoint(10, 10), mime)
    enter.setAccepted(False)
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_dropping_a_single_file_adds_it(window, qtbot, corpus: Path):
    _drop(window, [corpus / "baking.pdf"])
    wait_indexed(qtbot, window, 1)
    assert window.status.documents == 1
    search(qtbot, window, "knead dough")
    assert window.results.model.index(0, 0).data(ResultRole.FILE_NAME) == "baking.pdf"


def test_progress_pause_and_resume(window, qtbot, tmp_path: Path):
    folder = _many_text_files(tmp_path / "notes", 400)
    panel = window.status_panel
    events = collect_events(window)
    window.add_paths([str(folder)])
    wait_for_event(qtbot, events, lambda e: isinstance(e, ScanStarted))
    assert panel.indexing and panel.pause_button.isVisible()
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    wait_for_event(qtbot, events, lambda e: isinstance(e, Paused) and e.paused)
    engine = window.engine
    assert engine.paused
    assert panel.pause_button.text() == "Resume"
    # Paused means paused: the queued work does not finish while we wait for it.
    assert not engine.wait_until_idle(timeout=0.5)
    assert engine.status().documents < 400
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert not engine.paused
    wait_indexed(qtbot, window, 400)
    assert window.status.documents == 400
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress and progress[-1].total == 400
    assert max(p.done for p in progress) <= 400
    assert not panel.indexing and not panel.pause_button.isVisible()


def test_progress_shows_counts_rate_and_current_file(window, qtbot, tmp_path: Path):
    folder = _many_text_files(tmp_path / "notes", 150)
    panel = window.status_panel
    seen: list[tuple[int, int, str, bool]] = []

    def snapshot(event: object) -> None:  # runs after the panel handled the same event
        if isinstance(event, Progress) and event.done > 0:
            seen.append(
                (
                    panel.progress.maximum(),
                    panel.progress.value(),
                    panel.current.text(),
                    panel.pause_button.isVisible(),
                )
            )

    window.host.bridge.event.connect(snapshot)
    window.add_paths([str(folder)])
    wait_indexed(qtbot, window, 150)
    assert seen, "progress should be reported while indexing"
    maximum, value, current, pause_visible = seen[0]
    assert maximum == 150
    assert 0 < value <= 150
    assert current.startswith("note")
    assert pause_visible
    assert not panel.pause_button.isVisible()  # idle again


def test_problems_view_lists_broken_pdfs_with_reasons(window, qtbot, corpus: Path):
    shutil.copy(SHARED_PDFS / "pdfplumber__empty.pdf", corpus / "empty.pdf")
    (corpus / "truncated.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <</Type /Catalog")
    window.add_paths([str(corpus)])
    wait_indexed(qtbot, window, 6)
    problems = window.problems.problems()
    assert set(problems) == {str(corpus / "empty.pdf"), str(corpus / "truncated.pdf")}
    for reason in problems.values():
        assert reason and "Traceback" not in reason
    assert window.side.tabText(1) == "Problems (2)"
    assert window.folders.state_text(str(corpus)) == "2 problems"
    assert window.status.documents == 4
    assert not window.error_dialogs


def test_scanned_pages_of_an_indexed_pdf_are_listed_as_problems(
    window_factory, qtbot, isolated_home: Path, corpus: Path
):
    """With text recognition turned off, a scanned page can't be searched: it is listed."""
    (isolated_home / "settings.toml").write_text(
        'model = "bundled-fast"\nocr = false\n', encoding="utf-8"
    )
    window = window_factory()
    qtbot.waitUntil(lambda: window.search_ready and window.status is not None, timeout=WAIT_MS)
    mixed = make_mixed_pdf(corpus / "mixed.pdf", ["Glaciers carve valleys.", "Moraines."])
    window.add_paths([str(corpus)])
    wait_indexed(qtbot, window, 5)
    qtbot.waitUntil(lambda: str(mixed) in window.problems.problems(), timeout=WAIT_MS)
    reason = window.problems.problems()[str(mixed)]
    assert reason.startswith("Indexed, but page 3 is a scanned image")
    assert reason.endswith("(text recognition is turned off)")
    assert window.status.documents == 5


def test_remove_folder_asks_then_purges(window, qtbot, corpus: Path):
    window.add_paths([str(corpus)])
    wait_indexed(qtbot, window, 4)
    box = window.remove_folder(str(corpus))
    assert isinstance(box, QMessageBox) and box.isVisible()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(
        lambda: window.status.documents == 0 and not window.status.folders, timeout=WAIT_MS
    )
    assert window.folders.paths() == []
    assert window.results.empty.title.text() == "Drop a folder here to start"


def test_closing_while_indexing_stops_cleanly_and_loses_nothing(
    window_factory, qtbot, tmp_path: Path
):
    folder = _many_text_files(tmp_path / "notes", 300)
    first = window_factory()
    qtbot.waitUntil(lambda: first.engine is not None, timeout=WAIT_MS)
    events = collect_events(first)
    first.add_paths([str(folder)])
    wait_for_event(qtbot, events, lambda e: isinstance(e, Progress) and e.done > 0)
    close_window(qtbot, first)
    assert first.engine is None and first.host.closing
    # A new window on the same home catches up with what was left and ends complete.
    second = window_factory()
    qtbot.waitUntil(lambda: second.search_ready, timeout=WAIT_MS)
    wait_indexed(qtbot, second, 300)
    assert second.status.documents == 300
    assert not second.status.failed
    search(qtbot, second, "heron reeds")
    assert second.results.model.rowCount() > 0


def test_a_crashed_engine_process_is_restarted_and_indexing_goes_on(window, qtbot, tmp_path: Path):
    import os
    import signal

    folder = _many_text_files(tmp_path / "notes", 300)
    events = collect_events(window)
    window.add_paths([str(folder)])
    wait_for_event(qtbot, events, lambda e: isinstance(e, Progress) and e.done > 0)
    crashed = window.engine
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    os.kill(crashed.pid, signal.SIGKILL)
    # The window says what happened, starts a new engine process and catches up.
    qtbot.waitUntil(lambda: any("Restarting" in m for m in messages), timeout=WAIT_MS)
    assert any("stopped by SIGKILL" in m for m in messages)
    qtbot.waitUntil(
        lambda: window.engine is not None and window.engine is not crashed, timeout=WAIT_MS
    )
    assert window.engine.pid != crashed.pid
    qtbot.waitUntil(lambda: window.search_ready, timeout=WAIT_MS)
    wait_indexed(qtbot, window, 300)
    assert window.status.documents == 300
    search(qtbot, window, "heron reeds")
    assert window.results.model.rowCount() > 0


def test_an_engine_process_that_keeps_crashing_is_left_stopped_with_a_message(window, qtbot):
    import os
    import signal

    for _ in range(2):
        qtbot.waitUntil(lambda: window.search_ready, timeout=WAIT_MS)
        os.kill(window.engine.pid, signal.SIGKILL)
        qtbot.waitUntil(lambda: not window.search_ready, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "left stopped" in window.results.empty.body.text(), timeout=WAIT_MS)
    assert window.results.empty.title.text() == "Searching and indexing stopped"
    assert str(window.paths.log_file) in window.results.empty.body.text()
    assert window.engine is None
    # The person can try again without restarting the app.
    assert window.results.empty.button.text() == "Try again"
    window.results.empty.button.click()
    qtbot.waitUntil(lambda: window.search_ready, timeout=WAIT_MS)
    assert window.results.empty.title.text() == "Drop a folder here to start"
