"""File -> page texts: picks the reader that the format registry names for a file.

Runs inside extraction worker processes (see pool.py) and, for previews, in the page-drawing
process. Each reader module offers `read(path, digest)` and `page_text(path, page)`.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Sequence
from dataclasses import replace
from types import ModuleType

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.formats import IMAGES, file_type, format_of
from desktop_search.core.extract.ocr import WordBox
from desktop_search.core.extract.text import first_line
from desktop_search.core.models import ExtractedDocument, PageText, RenderedPage

_HASH_CHUNK = 1 << 20


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


def extract(
    path: str,
    known_hash: str | None = None,
    *,
    read_scans: bool = False,
    recognised: Sequence[tuple[int, str]] = (),
) -> ExtractedDocument | None:
    """Read one file into page texts.

    Args:
        path: The file.
        known_hash: Its content hash when it was last read: None is returned when the file
            still has it (nothing to do).
        read_scans: Text recognition will read the pages without a text layer later, so a
            document made only of such pages (a scan, a picture) is returned, not refused.
        recognised: (page, text) that text recognition already read from pages without a
            text layer: they join the document's pages and leave `pages_without_text`.

    Raises:
        ExtractionError: with a short reason a person understands.
    """
    digest = content_hash(path)
    if known_hash is not None and digest == known_hash:
        return None
    if os.path.getsize(path) == 0:
        raise ExtractionError(path, "the file is empty")
    doc: ExtractedDocument = _reader_for(path).read(path, digest)
    if recognised:
        doc = merge_recognised(doc, recognised)
    if not doc.pages and not read_scans:
        scans = doc.pages_without_text
        fmt = format_of(path)
        if fmt is not None and fmt.group == IMAGES:
            raise ExtractionError(path, "it is a picture, and text recognition is turned off")
        raise ExtractionError(
            path,
            f"no text layer: {'the page is' if len(scans) == 1 else 'all pages are'} "
            "scanned images (text recognition is turned off)",
        )
    return doc


def merge_recognised(
    doc: ExtractedDocument, recognised: Sequence[tuple[int, str]]
) -> ExtractedDocument:
    """The document with recognised page texts in page order among its own.

    A page that was recognised leaves `pages_without_text` even when no words were found on
    it (a blank page is not a problem to report).
    """
    scanned = set(doc.pages_without_text)
    extra = [PageText(page, text) for page, text in recognised if page in scanned]
    done = {page.page for page in extra}
    pages = sorted([*doc.pages, *(p for p in extra if p.text.strip())], key=lambda p: p.page)
    title = doc.title
    if not doc.pages and pages:
        title = first_line(pages[0].text) or title
    return replace(
        doc,
        pages=tuple(pages),
        title=title,
        pages_without_text=tuple(p for p in doc.pages_without_text if p not in done),
    )


def read_page_text(path: str, page: int) -> str:
    """The text of one page (counted from 1); a text file is a single page."""
    return str(_reader_for(path).page_text(path, page))


def render_page(
    path: str,
    page: int,
    *,
    zoom: float = 1.5,
    highlight: str = "",
    words: Sequence[WordBox] = (),
) -> RenderedPage:
    """Draw one page (counted from 1); see `pymupdf_reader.render_page`."""
    from desktop_search.core.extract import pymupdf_reader

    return pymupdf_reader.render_page(path, page, zoom=zoom, highlight=highlight, words=words)


def _reader_for(path: str) -> ModuleType:
    fmt = format_of(path)
    if fmt is None:
        raise ExtractionError(path, f"'.{file_type(path)}' files are not supported")
    # Imported on first use, so a worker loads only the libraries of the formats it meets.
    return importlib.import_module(f"desktop_search.core.extract.{fmt.reader}")
