"""Reader for PDF and the other formats PyMuPDF opens (e-books, XPS, comic archives).

This module owns the `pymupdf` import. It runs inside extraction worker processes (see
pool.py) and in the page-drawing process (see page_renderer.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop_search.core.errors import ExtractionError, InvalidPathError
from desktop_search.core.extract.formats import file_type
from desktop_search.core.extract.ocr import WordBox, passage_boxes
from desktop_search.core.extract.text import clean_title, first_line, normalise_text
from desktop_search.core.models import PASSWORD_PROTECTED, ExtractedDocument, PageText, RenderedPage

log = logging.getLogger(__name__)


def read(path: str, digest: str) -> ExtractedDocument:
    import pymupdf

    doc = open_document(path)
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
    if not pages and not image_only:
        if page_count == 0:
            raise ExtractionError(path, "the file is damaged: no readable pages")
        raise ExtractionError(path, "the document contains no text")
    # A scan may have no text page at all: whether that is a failure or work for text
    # recognition is for `reader.extract` to say.
    title = clean_title(title) or (first_line(pages[0].text) if pages else "") or Path(path).stem
    return ExtractedDocument(
        path=path,
        pages=tuple(pages),
        title=title,
        page_count=page_count,
        content_hash=digest,
        pages_without_text=tuple(image_only),
    )


def page_text(path: str, page: int) -> str:
    doc = open_document(path)
    try:
        if not 1 <= page <= doc.page_count:
            raise ExtractionError(path, f"it has no page {page}")
        return str(doc.load_page(page - 1).get_text("text"))
    finally:
        doc.close()


def render_page(
    path: str,
    page: int,
    *,
    zoom: float = 1.5,
    highlight: str = "",
    words: Sequence[WordBox] = (),
) -> RenderedPage:
    """Render one page (counted from 1) to RGB pixels; rectangles of `highlight` in pixels.

    The passage is located by searching the page for its text, line by line, so a highlight
    survives differences in whitespace between the extracted text and the page layout. A
    scanned page has no text to search: `words`, what text recognition found on it, locate
    the passage there instead.
    """
    import pymupdf

    doc = open_document(path)
    try:
        count = doc.page_count
        if not 1 <= page <= count:
            raise ExtractionError(path, f"it has no page {page}")
        pdf_page = doc.load_page(page - 1)
        matrix = pymupdf.Matrix(zoom, zoom)
        pix = pdf_page.get_pixmap(matrix=matrix, alpha=False)
        found = _passage_rects(pdf_page, highlight)
        if not found and words and highlight:
            found = [pymupdf.Rect(box) for box in passage_boxes(words, highlight)]
        rects = [tuple(r * matrix) for r in found]
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


def open_document(path: str) -> Any:
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
        locked = _unlock_with_saved_password(doc, path)
        if locked:
            doc.close()
            raise ExtractionError(path, locked)
    return doc


def _unlock_with_saved_password(doc: Any, path: str) -> str:
    """'' once the document is open with the password the keyring keeps for it; else why not."""
    from desktop_search.core.extract.passwords import saved_password

    password = saved_password(path)
    if password is None:
        return PASSWORD_PROTECTED
    if doc.authenticate(password):
        return ""
    return f"{PASSWORD_PROTECTED}, and the saved password no longer opens it"


def check_password(path: str, password: str) -> None:
    """Whether `password` opens the document at `path`.

    Raises:
        WrongPasswordError: It does not.
        InvalidPathError: The document needs no password.
        ExtractionError: The document can't be opened at all (damaged, unreadable).
    """
    import pymupdf

    from desktop_search.core.extract.passwords import WrongPasswordError

    pymupdf.TOOLS.mupdf_display_errors(False)
    try:
        doc = pymupdf.open(path)
    except Exception as exc:  # noqa: BLE001 - any failure to open says the same to the person
        raise ExtractionError(path, f"it can't be opened ({exc})") from None
    try:
        if not doc.needs_pass:
            raise InvalidPathError(f"'{path}' is not password-protected: nothing to unlock.")
        if not doc.authenticate(password):
            raise WrongPasswordError(f"That password does not open '{Path(path).name}'.")
    finally:
        doc.close()


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
