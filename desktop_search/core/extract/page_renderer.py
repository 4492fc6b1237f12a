"""Page previews drawn in a worker process, with a time limit.

PyMuPDF holds the GIL while it draws a page, and some pages take seconds to draw (or never
finish: one of the shared test PDFs loops forever). Drawn in the window's process, such a page
would freeze the window; drawn here, it only costs the worker, which is killed and replaced.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from desktop_search.core.errors import DesktopSearchError, ExtractionError
from desktop_search.core.extract.ocr import WordBox
from desktop_search.core.extract.pool import cap_memory, signal_name, worker_context
from desktop_search.core.models import RenderedPage

log = logging.getLogger(__name__)

RENDER_TIMEOUT_S = 20.0
RENDER_MEMORY_MB = 3072


class RenderCancelled(DesktopSearchError):
    """A newer request replaced this one before it finished."""


def _renderer_main(conn: Connection, memory_mb: int) -> None:
    """Loop in the worker: (kind, path, page, zoom, highlight, words) in, ("ok"|"error", value)
    out."""
    cap_memory(memory_mb)
    from desktop_search.core.extract.reader import read_page_text, render_page  # noqa: PLC0415

    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        kind, path, page, zoom, highlight, words = request
        try:
            if kind == "render":
                value: Any = render_page(path, page, zoom=zoom, highlight=highlight, words=words)
            else:
                value = read_page_text(path, page)
            reply: tuple[str, Any] = ("ok", value)
        except ExtractionError as exc:
            reply = ("error", exc)
        except MemoryError:
            reply = ("error", ExtractionError(path, "drawing it needs too much memory"))
        except Exception as exc:  # noqa: BLE001 - any library failure is this page's problem
            reply = ("error", ExtractionError(path, f"{type(exc).__name__}: {exc}"))
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("error", ExtractionError(path, "it is too large to show")))


class PageRenderer:
    """Draws pages and reads page texts for the preview, one at a time, in a worker process.

    `render` and `page_text` block the calling thread (never a GUI thread); `cancel`, from any
    thread, cuts short a request that has run for a while, so a newer one need not wait for it.
    """

    def __init__(
        self, *, timeout_s: float = RENDER_TIMEOUT_S, memory_mb: int = RENDER_MEMORY_MB
    ) -> None:
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self._lock = threading.Lock()  # one request at a time
        self._state = threading.Lock()  # guards the fields below, never held while waiting
        self._process: Any = None
        self._conn: Connection | None = None
        self._busy_since: float | None = None
        self._cancelled = False
        self._closed = False

    def start(self) -> None:
        """Start the worker now, so the first preview does not wait for it."""
        with self._lock, contextlib.suppress(RenderCancelled):  # closed before it could start
            self._ensure_worker()

    def render(
        self,
        path: str,
        page: int,
        *,
        zoom: float,
        highlight: str = "",
        words: Sequence[WordBox] = (),
    ) -> RenderedPage:
        """Draw a page with `highlight` marked; `words`, for a scanned page, are where text
        recognition found each word (the page has no text of its own to search)."""
        value: RenderedPage = self._request(("render", path, page, zoom, highlight, tuple(words)))
        return value

    def page_text(self, path: str, page: int) -> str:
        return str(self._request(("text", path, page, 1.0, "", ())))

    def cancel(self, older_than_s: float = 0.3) -> None:
        """Abandon the running request if it has run for `older_than_s` (its caller gets
        RenderCancelled). A quick one is left to finish: replacing the worker costs more."""
        with self._state:  # held while killing: a newer request can't have taken the worker
            if self._busy_since is None or time.monotonic() - self._busy_since < older_than_s:
                return
            self._cancelled = True
            if self._process is not None:
                self._process.kill()

    def close(self) -> None:
        """Stop the worker at once; a request still running is abandoned, not waited for."""
        with self._state:
            self._closed = True
            if self._process is not None:
                self._process.kill()
        with self._lock:
            self._stop_worker()

    def _request(self, request: tuple[Any, ...]) -> Any:
        _, path, page, *_ = request
        with self._lock:
            if self._closed:
                raise RenderCancelled("The preview is closed.")
            conn = self._ensure_worker()
            with self._state:
                if self._closed:  # closed while the worker started
                    raise RenderCancelled("The preview is closed.")
                self._busy_since = time.monotonic()
                self._cancelled = False
            try:
                conn.send(request)
                if not conn.poll(self.timeout_s):
                    self._stop_worker(kill=True)
                    raise ExtractionError(
                        path, f"drawing it took longer than {self.timeout_s:.0f} s"
                    )
                kind, value = conn.recv()
            except (EOFError, OSError):
                code = None
                if self._process is not None:
                    self._process.join(1.0)
                    code = self._process.exitcode
                self._stop_worker(kill=True)
                if self._cancelled or self._closed:
                    raise RenderCancelled("A newer preview was asked for.") from None
                killed_by = signal_name(code)
                raise ExtractionError(
                    path,
                    "drawing it crashed the PDF library" + (f" ({killed_by})" if killed_by else ""),
                ) from None
            finally:
                with self._state:
                    self._busy_since = None
        if kind == "error":
            raise value
        return value

    def _ensure_worker(self) -> Connection:
        if self._closed:
            raise RenderCancelled("The preview is closed.")
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._stop_worker()
        ctx = worker_context()
        parent, child = ctx.Pipe(duplex=True)
        process = ctx.Process(
            target=_renderer_main,
            args=(child, self.memory_mb),
            name="desktop-search-render",
            daemon=True,
        )
        process.start()
        child.close()
        with self._state:
            self._process, self._conn = process, parent
        return parent

    def _stop_worker(self, kill: bool = False) -> None:
        with self._state:
            process, conn = self._process, self._conn
            self._process = self._conn = None
        if conn is not None:
            if not kill:
                with contextlib.suppress(OSError, ValueError):
                    conn.send(None)
            conn.close()
        if process is not None:
            if kill:
                process.kill()
            process.join(2.0)
            if process.is_alive():
                process.kill()
                process.join(2.0)
