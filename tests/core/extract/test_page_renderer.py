"""Previews drawn in a worker process: same pixels as in-process, and a page that never finishes
drawing (a real one from the shared PDFs), a crash or a newer request never leave it stuck."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.page_renderer import PageRenderer, RenderCancelled
from desktop_search.core.extract.reader import render_page
from tests.conftest import SHARED_PDFS, make_pdf

NEVER_FINISHES = SHARED_PDFS / "pymupdf__test_2548.pdf"  # page 1 loops in MuPDF's drawing
needs_never_finishing_page = pytest.mark.skipif(
    not NEVER_FINISHES.is_file(), reason=f"shared PDF {NEVER_FINISHES.name} not present"
)


@pytest.fixture
def renderer():
    r = PageRenderer(timeout_s=3.0)
    yield r
    r.close()


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "a.pdf", ["Swept wings flutter at transonic speed.", "Page two."])


def test_draws_the_same_page_as_in_process(renderer: PageRenderer, pdf: Path) -> None:
    page = renderer.render(str(pdf), 1, zoom=2.0, highlight="wings flutter")
    local = render_page(str(pdf), 1, zoom=2.0, highlight="wings flutter")
    assert (page.width, page.height, page.page_count) == (local.width, local.height, 2)
    assert page.samples == local.samples
    assert page.highlights == local.highlights and page.highlights
    assert "Page two." in renderer.page_text(str(pdf), 2)


def test_reasons_come_back_as_extraction_errors(renderer: PageRenderer, pdf: Path) -> None:
    with pytest.raises(ExtractionError, match="has no page 9"):
        renderer.render(str(pdf), 9, zoom=1.0)
    broken = pdf.with_name("broken.pdf")
    broken.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(ExtractionError):
        renderer.render(str(broken), 1, zoom=1.0)
    assert renderer.render(str(pdf), 2, zoom=1.0).page == 2  # the worker carries on


@needs_never_finishing_page
def test_a_page_that_never_finishes_is_cut_off_and_the_next_one_draws(
    renderer: PageRenderer, pdf: Path
) -> None:
    # The message itself says the page was cut off at the limit, not drawn to the end.
    with pytest.raises(ExtractionError, match="drawing it took longer than 3 s"):
        renderer.render(str(NEVER_FINISHES), 1, zoom=1.0)
    assert renderer.render(str(pdf), 1, zoom=1.0).page == 1


@needs_never_finishing_page
def test_a_crashed_worker_is_reported_and_replaced(renderer: PageRenderer, pdf: Path) -> None:
    thread, errors = _draw_stuck_page_in_background(renderer)
    renderer._process.kill()  # what a segfault in the PDF library looks like from here
    thread.join(10)
    assert len(errors) == 1 and "crashed the PDF library (SIGKILL)" in str(errors[0])
    assert renderer.render(str(pdf), 1, zoom=1.0).page == 1


@needs_never_finishing_page
def test_a_newer_request_cancels_a_slow_one(renderer: PageRenderer, pdf: Path) -> None:
    thread, errors = _draw_stuck_page_in_background(renderer)
    _wait_busy(renderer, for_s=0.3)  # only a request older than that is abandoned
    renderer.cancel(older_than_s=0.3)
    thread.join(60)
    # Cancelled, not cut off by the 3 s limit (that would be an ExtractionError).
    assert not thread.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], RenderCancelled)
    assert renderer.render(str(pdf), 1, zoom=1.0).page == 1


@needs_never_finishing_page
def test_close_abandons_a_page_still_drawing(pdf: Path) -> None:
    renderer = PageRenderer(timeout_s=60.0)
    thread, errors = _draw_stuck_page_in_background(renderer)
    renderer.close()
    thread.join(120)
    # Abandoned, not waited for until the 60 s limit (that would be an ExtractionError).
    assert not thread.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], RenderCancelled)
    with pytest.raises(RenderCancelled):
        renderer.render(str(pdf), 1, zoom=1.0)


def _draw_stuck_page_in_background(
    renderer: PageRenderer,
) -> tuple[threading.Thread, list[BaseException]]:
    """Start drawing the page that never finishes; returns once the worker is busy with it."""
    errors: list[BaseException] = []

    def draw() -> None:
        try:
            renderer.render(str(NEVER_FINISHES), 1, zoom=1.0)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    thread = threading.Thread(target=draw)
    thread.start()
    _wait_busy(renderer)
    return thread, errors


def _wait_busy(renderer: PageRenderer, for_s: float = 0.0) -> None:
    """Until the worker has been drawing for `for_s` seconds (bounded: a broken renderer fails
    here rather than hanging the run)."""

    def busy_long_enough() -> bool:
        since = renderer._busy_since
        return since is not None and time.monotonic() - since >= for_s

    deadline = time.monotonic() + 120
    while not busy_long_enough() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert busy_long_enough()
