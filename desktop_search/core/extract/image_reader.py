"""Reader for pictures (PNG, JPEG, TIFF): no text of their own, every page (a TIFF may hold
several) is left for text recognition, and PyMuPDF draws them for the preview like a page."""

from __future__ import annotations

from pathlib import Path

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.pymupdf_reader import open_document
from desktop_search.core.models import ExtractedDocument


def read(path: str, digest: str) -> ExtractedDocument:
    doc = open_document(path)
    try:
        count = doc.page_count
        has_pixels = count > 0 and bool(doc.load_page(0).get_image_info())
    except Exception as exc:  # noqa: BLE001 - MuPDF's format errors are of its own classes
        raise ExtractionError(path, f"the picture is damaged ({exc})") from exc
    finally:
        doc.close()
    if not has_pixels:
        raise ExtractionError(path, "the picture is damaged: it holds no image")
    return ExtractedDocument(
        path=path,
        pages=(),
        title=Path(path).stem,
        page_count=count,
        content_hash=digest,
        pages_without_text=tuple(range(1, count + 1)),
    )


def page_text(path: str, page: int) -> str:
    """A picture has no text layer: its words are only what text recognition read."""
    doc = open_document(path)
    try:
        if not 1 <= page <= doc.page_count:
            raise ExtractionError(path, f"it has no page {page}")
    finally:
        doc.close()
    return ""
