"""File -> page texts: picks the reader that the format registry names for a file.

Runs inside extraction worker processes (see pool.py) and, for previews, in the page-drawing
process. Each reader module offers `read(path, digest)` and `page_text(path, page)`.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from types import ModuleType

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.formats import file_type, format_of
from desktop_search.core.models import ExtractedDocument, RenderedPage

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
    doc: ExtractedDocument = _reader_for(path).read(path, digest)
    return doc


def read_page_text(path: str, page: int) -> str:
    """The text of one page (counted from 1); a text file is a single page."""
    return str(_reader_for(path).page_text(path, page))


def render_page(path: str, page: int, *, zoom: float = 1.5, highlight: str = "") -> RenderedPage:
    """Draw one page (counted from 1); see `pymupdf_reader.render_page`."""
    from desktop_search.core.extract import pymupdf_reader

    return pymupdf_reader.render_page(path, page, zoom=zoom, highlight=highlight)


def _reader_for(path: str) -> ModuleType:
    fmt = format_of(path)
    if fmt is None:
        raise ExtractionError(path, f"'.{file_type(path)}' files are not supported")
    # Imported on first use, so a worker loads only the libraries of the formats it meets.
    return importlib.import_module(f"desktop_search.core.extract.{fmt.reader}")
