"""Settling changed paths: quiet time, steady streams, moves kept together, folded folders."""

from __future__ import annotations

import pytest

from desktop_search.core.indexing.change_buffer import ChangeBuffer, collapse_paths


def test_buffer_waits_for_quiet_then_hands_over_once() -> None:
    buffer = ChangeBuffer(settle_s=0.5, max_delay_s=3.0)
    for i in range(10):
        buffer.add(["/f/a.pdf"], now=i / 10)
        assert buffer.take_due(now=i / 10 + 0.05) == []
    assert buffer.next_due(now=1.0) == pytest.approx(1.4)
    assert buffer.take_due(now=1.45) == ["/f/a.pdf"]
    assert buffer.take_due(now=5.0) == []
    assert buffer.next_due(now=5.0) is None


def test_buffer_under_steady_changes_releases_settled_paths_only() -> None:
    buffer = ChangeBuffer(settle_s=0.5, max_delay_s=3.0)
    buffer.add(["/f/old.pdf", "/f/new.pdf"], now=0.0)  # a move: released together
    buffer.add(["/f/done.pdf"], now=0.2)
    for i in range(1, 15):  # a log file written to all the time
        buffer.add(["/f/growing.txt"], now=i / 5)
    assert buffer.take_due(now=3.0) == ["/f/done.pdf", "/f/new.pdf", "/f/old.pdf"]
    assert len(buffer) == 1
    # Still changing, it waits, but not forever (HOLD_FACTOR * max_delay_s after it began).
    for i in range(15, 75):
        buffer.add(["/f/growing.txt"], now=i / 5)
        assert buffer.take_due(now=i / 5) == []
    assert buffer.take_due(now=15.3) == ["/f/growing.txt"]


def test_buffer_keeps_a_move_together_while_one_side_changes() -> None:
    buffer = ChangeBuffer(settle_s=0.5, max_delay_s=1.0)
    buffer.add(["/f/a.pdf", "/f/b.pdf"], now=0.0)
    buffer.add(["/f/other.pdf"], now=0.0)
    for i in range(1, 9):
        buffer.add(["/f/b.pdf"], now=i * 0.2)
    assert buffer.take_due(now=1.7) == ["/f/other.pdf"]
    assert buffer.take_due(now=2.2) == ["/f/a.pdf", "/f/b.pdf"]


def test_changes_below_an_unwatched_folder_are_dropped() -> None:
    buffer = ChangeBuffer(settle_s=0.5, max_delay_s=3.0)
    buffer.add(["/f/a.pdf", "/g/b.pdf"], now=0.0)  # linked, as a move between folders is
    buffer.add(["/f/sub/c.pdf", "/f-2/d.pdf"], now=0.0)
    buffer.discard_under("/f")
    assert buffer.take_due(now=1.0) == ["/f-2/d.pdf", "/g/b.pdf"]


def test_paths_below_a_changed_folder_are_folded_into_it() -> None:
    paths = ["/f/sub/x.pdf", "/f/sub", "/f/sub-2/y.pdf", "/f/sub/deeper/z.pdf", "/f/sub"]
    assert collapse_paths(paths) == ["/f/sub", "/f/sub-2/y.pdf"]
