"""Reader for Word documents (.docx): one page, body first, then headers, footers, notes and
comments.

A .docx has no pages of its own (Word lays them out when it draws them), so the whole document
is one page, as a text file is. This module owns the `docx` (python-docx) import.
"""

from __future__ import annotations

from typing import Any

from desktop_search.core.extract.containers import (
    another_office_kind,
    check_ooxml,
    library_errors,
)
from desktop_search.core.extract.ooxml_text import word_text
from desktop_search.core.extract.text_pages import build_document, page_of, tidy
from desktop_search.core.models import ExtractedDocument

_KIND = "DOCX"
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
# Parts whose text belongs to the document besides its body, in the order they are appended.
_EXTRA_PARTS = tuple(
    _WML + name for name in ("header+xml", "footer+xml", "footnotes+xml", "endnotes+xml")
) + (_WML + "comments+xml",)


def read(path: str, digest: str) -> ExtractedDocument:
    title, text = _read(path)
    return build_document(path, digest, [text], title)


def page_text(path: str, page: int) -> str:
    return page_of(path, [_read(path)[1]], page)


def _read(path: str) -> tuple[str, str]:
    """(title from the document's properties, the whole text)."""
    import docx

    check_ooxml(path, _KIND)
    with library_errors(path, _KIND):
        try:
            document = docx.Document(path)
        except ValueError as exc:
            if "not a Word file" not in str(exc):
                raise
            raise another_office_kind(path, "a Word document") from exc
        texts = [word_text(document.element.body)]
        seen = set(texts)
        for part in _extra_parts(document):
            text = word_text(_root(part))
            # Each section may repeat the same header: index it once.
            if text.strip() and text not in seen:
                seen.add(text)
                texts.append(text)
        title = document.core_properties.title or ""
    return title, tidy("\n\n".join(texts))


def _extra_parts(document: Any) -> list[Any]:
    parts = [p for p in document.part.package.iter_parts() if p.content_type in _EXTRA_PARTS]
    parts.sort(key=lambda p: (_EXTRA_PARTS.index(p.content_type), str(p.partname)))
    return parts


def _root(part: Any) -> Any:
    from docx.oxml.parser import parse_xml

    # Headers and footers load as XML parts; notes and comments may arrive as plain parts.
    element = getattr(part, "element", None)
    return element if element is not None else parse_xml(part.blob)
