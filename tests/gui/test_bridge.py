"""The thread bridge: queries and blocking calls run off the GUI thread; newest query wins."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktop_search.gui.bridge import QueryRunner, TaskRunner
from tests.gui.conftest import WAIT_MS


class _ThreadRecordingEngine:
    """The real engine, with the thread of each search call recorded (nothing else changed)."""

    def __init__(self, engine) -> None:
        self._engine = engine
        self.threads: list[int] = []

    def search(self, *args, **kwargs):
        self.threads.append(threading.get_ident())
        return self._engine.search(*args, **kwargs)

    def more_like_this(self, *args, **kwargs):
        return self._engine.more_like_this(*args, **kwargs)


@pytest.fixture
def engine(engine_factory, corpus: Path):
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(corpus)
    assert engine.wait_until_idle(120)
    return engine


def test_queries_run_off_the_gui_thread_and_only_the_newest_is_delivered(qtbot, engine):
    runner = QueryRunner()
    recording = _ThreadRecordingEngine(engine)
    delivered = []
    runner.finished.connect(lambda outcome: delivered.append(outcome))
    try:
        for text in ("volcano", "bread", "dividend"):
            runner.submit(text)
        runner.set_engine(recording)  # queries wait for the engine, then the newest runs
        qtbot.waitUntil(lambda: bool(delivered), timeout=WAIT_MS)
        assert [o.request.text for o in delivered] == ["dividend"]
        assert delivered[0].results[0].path.endswith("finance.pdf")
        assert recording.threads and threading.get_ident() not in recording.threads
    finally:
        runner.shutdown()
    assert not runner.running


def test_query_errors_come_back_as_outcomes(qtbot, engine):
    runner = QueryRunner()
    delivered = []
    runner.finished.connect(lambda outcome: delivered.append(outcome))
    try:
        runner.set_engine(engine)
        runner.submit("   ")
        qtbot.waitUntil(lambda: bool(delivered), timeout=WAIT_MS)
        assert delivered[0].error is not None and not delivered[0].results
    finally:
        runner.shutdown()


def test_task_runner_calls_back_on_the_gui_thread(qtbot):
    tasks = TaskRunner()
    seen: dict[str, object] = {}
    gui_thread = threading.get_ident()
    try:
        tasks.run(
            lambda: threading.get_ident(),
            lambda worker: seen.update(worker=worker, callback=threading.get_ident()),
        )
        tasks.run(lambda: 1 / 0, None, lambda exc: seen.update(error=exc))
        unhandled = []
        tasks.unhandled.connect(lambda exc: unhandled.append(exc))
        tasks.run(lambda: [][1])
        qtbot.waitUntil(lambda: len(seen) == 3 and bool(unhandled), timeout=WAIT_MS)
        assert seen["worker"] != gui_thread
        assert seen["callback"] == gui_thread
        assert isinstance(seen["error"], ZeroDivisionError)
        assert isinstance(unhandled[0], IndexError)
    finally:
        tasks.shutdown()
