"""Reader for plain text and Markdown: the whole file is one page."""

from __future__ import annotations

from pathlib import Path

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.text import decode_text, first_line, normalise_text
from desktop_search.core.models import ExtractedDocument, PageText


def read(path: str, digest: str) -> ExtractedDocument:
    text = page_text(path, 1)
    text = normalise_text(text)
    if not text.strip():
        raise ExtractionError(path, "the file contains no text")
    title = first_line(text) or Path(path).stem
    return ExtractedDocument(
        path=path, pages=(PageText(1, text),), title=title, page_count=1, content_hash=digest
    )


def page_text(path: str, page: int) -> str:
    text = decode_text(Path(path).read_bytes())
    if text is None:
        raise ExtractionError(path, "it is not a text file (binary content)")
    return text
