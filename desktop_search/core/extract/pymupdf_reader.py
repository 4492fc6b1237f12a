"""Reader for PDF and the other formats PyMuPDF opens (e-books, XPS, comic archives).

This module owns the `pymupdf` import. It runs inside extraction worker processes (see
pool.py) and in the page-drawing process (see page_renderer.py).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.formats import file_type
from desktop_search.core.extract.text import clean_title, first_line, normalise_text
from desktop_search.core.models import ExtractedDocument, PageText, RenderedPage

log = logging.getLogger(__name__)


def read(path: str, digest: str) -> ExtractedDocument:
    import pymupdf

    doc = _open_document(path)
    pages: list[PageText] = []
    image_only: list[int] = []
    try:
        page_count = doc.page_count
        for number in range(page_count):
            try:
                page = doc.load_page(number)
                text = normalise_text(page.get_text("text", flags=_text_flags()))
            except (RuntimeError, ValueError, pymupdf.FileDataError) as exc:
                # One broken page must not cost the rest of the document.
                log.info("Skipping unreadable page %d of %s: %s", number + 1, path, exc)
                continue
            if text.strip():
                pages.append(PageText(number + 1, text))
            elif page.get_images(full=False):
                image_only.append(number + 1)
        title = (doc.metadata or {}).get("title") or ""
    finally:
        doc.close()
    if not pages:
        if image_only:
            raise ExtractionError(
                path,
                f"no text layer: {'the page is' if len(image_only) == 1 else 'all pages are'} "
                "scanned images (text recognition is not supported)",
            )
        if page_count == 0:
            raise ExtractionError(path, "the file is damaged: no readable pages")
        raise ExtractionError(path, "the document contains no text")
    title = clean_title(title) or first_line(pages[0].text) or Path(path).stem
    return ExtractedDocument(
        path=path,
        pages=tuple(pages),
        title=title,
        page_count=page_count,
        content_hash=digest,
        pages_without_text=tuple(image_only),
    )


def page_text(path: str, page: int) -> str:
    doc = _open_document(path)
    try:
        if not 1 <= page <= doc.page_count:
            raise ExtractionError(path, f"it has no page {page}")
        return str(doc.load_page(page - 1).get_text("text"))
    finally:
        doc.close()


def render_page(path: str, page: int, *, zoom: float = 1.5, highlight: str = "") -> RenderedPage:
    """Render one page (counted from 1) to RGB pixels; rectangles of `highlight` in pixels.

    The passage is located by searching the page for its text, line by line, so a highlight
    survives differences in whitespace between the extracted text and the page layout.
    """
    import pymupdf

    doc = _open_document(path)
    try:
        count = doc.page_count
        if not 1 <= page <= count:
            raise ExtractionError(path, f"it has no page {page}")
        pdf_page = doc.load_page(page - 1)
        matrix = pymupdf.Matrix(zoom, zoom)
        pix = pdf_page.get_pixmap(matrix=matrix, alpha=False)
        rects = [tuple(r * matrix) for r in _passage_rects(pdf_page, highlight)]
        return RenderedPage(
            page=page,
            page_count=count,
            width=pix.width,
            height=pix.height,
            stride=pix.stride,
            samples=bytes(pix.samples),
            highlights=tuple((r[0], r[1], r[2], r[3]) for r in rects),
        )
    finally:
        doc.close()


def _open_document(path: str) -> Any:
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    try:
        doc = pymupdf.open(path)
    except pymupdf.FileDataError as exc:
        raise ExtractionError(
            path, f"the file is damaged or not a valid {_kind_name(path)}"
        ) from exc
    except pymupdf.EmptyFileError as exc:
        raise ExtractionError(path, "the file is empty") from exc
    except (RuntimeError, ValueError) as exc:
        raise ExtractionError(path, f"it can't be opened ({exc})") from exc
    except OSError as exc:
        raise ExtractionError(path, f"it can't be read ({exc.strerror or exc})") from exc
    if doc.needs_pass:
        doc.close()
        raise ExtractionError(path, "it is password-protected")
    return doc


def _kind_name(path: str) -> str:
    kind = file_type(path)
    return kind.upper() if kind else "document"


def _text_flags() -> int:
    import pymupdf

    # Ligatures expanded ("ﬁ" -> "fi") so words match what people type.
    return int(pymupdf.TEXTFLAGS_TEXT) & ~int(pymupdf.TEXT_PRESERVE_LIGATURES)


def _passage_rects(pdf_page: Any, passage: str) -> list[Any]:
    rects = []
    for line in passage.splitlines():
        line = " ".join(line.split())
        if len(line) < 3:
            continue
        rects.extend(pdf_page.search_for(line[:200]))
    return rects
