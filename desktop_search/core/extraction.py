"""File -> page texts. PyMuPDF for PDF and the other formats it opens; a plain read for text.

This module owns the `pymupdf` import. It runs inside extraction worker processes
(see extraction_pool.py) and, for previews, in the GUI's worker threads.
"""

from __future__ import annotations

import hashlib
import logging
import os
import unicodedata
from pathlib import Path

from desktop_search.core.errors import ExtractionError
from desktop_search.core.models import ExtractedDocument, PageText, RenderedPage

log = logging.getLogger(__name__)

PYMUPDF_TYPES = frozenset({"pdf", "epub", "xps", "oxps", "mobi", "fb2", "cbz"})
TEXT_TYPES = frozenset({"txt", "md", "markdown", "rst", "text"})
SUPPORTED_TYPES = PYMUPDF_TYPES | TEXT_TYPES

_HASH_CHUNK = 1 << 20


def file_type(path: str | os.PathLike[str]) -> str:
    """Lower-case extension without the dot ('' when there is none)."""
    return Path(path).suffix.lower().lstrip(".")


def is_supported(path: str | os.PathLike[str]) -> bool:
    return file_type(path) in SUPPORTED_TYPES


def content_hash(path: str) -> str:
    """A fingerprint of the bytes, used to spot unchanged and renamed files."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        with open(path, "rb") as fh:
            while block := fh.read(_HASH_CHUNK):
                digest.update(block)
    except FileNotFoundError as exc:
        raise ExtractionError(path, "the file disappeared before it could be read") from exc
    except PermissionError as exc:
        raise ExtractionError(path, "permission denied") from exc
    except OSError as exc:
        raise ExtractionError(path, f"it can't be read ({exc.strerror or exc})") from exc
    return digest.hexdigest()


def extract(path: str, known_hash: str | None = None) -> ExtractedDocument | None:
    """Read one file into page texts.

    Returns None when `known_hash` equals the file's current hash (nothing to do).
    Raises ExtractionError with a short reason a person understands.
    """
    digest = content_hash(path)
    if known_hash is not None and digest == known_hash:
        return None
    if os.path.getsize(path) == 0:
        raise ExtractionError(path, "the file is empty")
    kind = file_type(path)
    if kind in TEXT_TYPES:
        return _extract_text_file(path, digest)
    if kind in PYMUPDF_TYPES:
        return _extract_with_pymupdf(path, digest)
    raise ExtractionError(path, f"'.{kind}' files are not supported")


def _extract_text_file(path: str, digest: str) -> ExtractedDocument:
    raw = Path(path).read_bytes()
    text = decode_text(raw)
    if text is None:
        raise ExtractionError(path, "it is not a text file (binary content)")
    text = _normalise_text(text)
    if not text.strip():
        raise ExtractionError(path, "the file contains no text")
    title = _first_line(text) or Path(path).stem
    return ExtractedDocument(
        path=path, pages=(PageText(1, text),), title=title, page_count=1, content_hash=digest
    )


def decode_text(raw: bytes) -> str | None:
    """Decode bytes whose encoding is unknown; None for binary data."""
    if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        return str(best) if best is not None else None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is None:
            return None
        text = str(best)
    if "\x00" in text:
        return None
    return text


def _first_line(text: str, limit: int = 120) -> str:
    for line in text.splitlines():
        line = clean_title(line.lstrip("# "))
        if line:
            return line[:limit]
    return ""


def clean_title(text: str) -> str:
    """A title fit to show: control characters dropped; '' when too little of it is words."""
    text = "".join(ch for ch in text if ch.isprintable() and ch != "\ufeff").strip()
    if sum(ch.isalnum() for ch in text) < 2:
        return ""
    return " ".join(text.split())


def _open_document(path: str):  # type: ignore[no-untyped-def]
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


def _extract_with_pymupdf(path: str, digest: str) -> ExtractedDocument:
    import pymupdf

    doc = _open_document(path)
    pages: list[PageText] = []
    image_only = 0
    try:
        page_count = doc.page_count
        for number in range(page_count):
            try:
                page = doc.load_page(number)
                text = _normalise_text(page.get_text("text", flags=_text_flags()))
            except (RuntimeError, ValueError, pymupdf.FileDataError) as exc:
                # One broken page must not cost the rest of the document.
                log.info("Skipping unreadable page %d of %s: %s", number + 1, path, exc)
                continue
            if text.strip():
                pages.append(PageText(number + 1, text))
            elif page.get_images(full=False):
                image_only += 1
        title = (doc.metadata or {}).get("title") or ""
    finally:
        doc.close()
    if not pages:
        if image_only:
            raise ExtractionError(
                path,
                f"no text layer: {'the page is' if image_only == 1 else 'all pages are'} "
                "scanned images (text recognition is not supported)",
            )
        if page_count == 0:
            raise ExtractionError(path, "the file is damaged: no readable pages")
        raise ExtractionError(path, "the document contains no text")
    title = clean_title(title) or _first_line(pages[0].text) or Path(path).stem
    return ExtractedDocument(
        path=path,
        pages=tuple(pages),
        title=title,
        page_count=page_count,
        content_hash=digest,
        pages_without_text=image_only,
    )


def _text_flags() -> int:
    import pymupdf

    # Ligatures expanded ("ﬁ" -> "fi") so words match what people type.
    return int(pymupdf.TEXTFLAGS_TEXT) & ~int(pymupdf.TEXT_PRESERVE_LIGATURES)


def _normalise_text(text: str) -> str:
    # NFKC folds compatibility forms (full-width letters, ligatures, superscripts) into the
    # characters people type; the keyword index and the model both see the same text.
    return unicodedata.normalize("NFKC", text)


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


def _passage_rects(pdf_page, passage: str):  # type: ignore[no-untyped-def]
    rects = []
    for line in passage.splitlines():
        line = " ".join(line.split())
        if len(line) < 3:
            continue
        rects.extend(pdf_page.search_for(line[:200]))
    return rects


def read_page_text(path: str, page: int) -> str:
    """The text of one page (counted from 1); a text file is a single page."""
    if file_type(path) in TEXT_TYPES:
        text = decode_text(Path(path).read_bytes())
        if text is None:
            raise ExtractionError(path, "it is not a text file (binary content)")
        return text
    doc = _open_document(path)
    try:
        if not 1 <= page <= doc.page_count:
            raise ExtractionError(path, f"it has no page {page}")
        return str(doc.load_page(page - 1).get_text("text"))
    finally:
        doc.close()
