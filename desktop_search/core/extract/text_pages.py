"""Page texts -> ExtractedDocument, for the readers whose pages are text (Office, OpenDocument,
RTF, web pages, e-mail): one place decides titles, empty pages and the 'no text' reason."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.text import clean_title, first_line, normalise_text
from desktop_search.core.models import ExtractedDocument, PageText

_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")

T = TypeVar("T")


def tidy(text: str) -> str:
    """The page text as indexed and as the preview shows it: normalised, no trailing spaces,
    at most one blank line in a row. Readers return exactly this from `page_text` too, so a
    hit's character offsets point at the same text in the preview."""
    text = normalise_text(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_RUNS.sub("\n\n", text).strip("\n")


def build_document(
    path: str, digest: str, pages: Sequence[str], title: str = "", *, empty: str = ""
) -> ExtractedDocument:
    """A document from its pages' tidied texts (page n is `pages[n - 1]`).

    Pages without text are left out but still counted. Raises ExtractionError with `empty`
    (default: 'the document contains no text') when no page has any.
    """
    kept = tuple(PageText(n, text) for n, text in enumerate(pages, 1) if text.strip())
    if not kept:
        raise ExtractionError(path, empty or "the document contains no text")
    title = clean_title(title)[:200] or first_line(kept[0].text) or Path(path).stem
    return ExtractedDocument(
        path=path, pages=kept, title=title, page_count=len(pages), content_hash=digest
    )


def page_of(path: str, pages: Sequence[T], page: int, noun: str = "page") -> T:
    """Page `page` (counted from 1) of `pages` (texts, slides, sheets), or ExtractionError
    'it has no <noun> N' when there is none."""
    if not 1 <= page <= len(pages):
        raise ExtractionError(path, f"it has no {noun} {page}")
    return pages[page - 1]


def read_bytes(path: str) -> bytes:
    """The file's bytes, or ExtractionError saying why they can't be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ExtractionError(path, f"it can't be read ({exc.strerror or exc})") from exc
