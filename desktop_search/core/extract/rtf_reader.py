"""Reader for Rich Text Format (.rtf): the whole document is one page.

This module owns the `striprtf` import. A file cut short still gives the text before the cut.
"""

from __future__ import annotations

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.text_pages import build_document, page_of, read_bytes, tidy
from desktop_search.core.models import ExtractedDocument


def read(path: str, digest: str) -> ExtractedDocument:
    return build_document(path, digest, [_text(path)])


def page_text(path: str, page: int) -> str:
    return page_of(path, [_text(path)], page)


def _text(path: str) -> str:
    from striprtf.striprtf import rtf_to_text

    raw = read_bytes(path)
    if not raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise ExtractionError(path, "it is not a valid RTF file (it does not start as one)")
    # RTF is 7-bit text that escapes everything else; a stray 8-bit byte is most often in the
    # Windows code page, which every RTF writer defaults to.
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError:
        source = raw.decode("cp1252", errors="replace")
    text = rtf_to_text(source, errors="replace")
    # \uN escapes are UTF-16 units: characters beyond them arrive as surrogate pairs.
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return tidy(text)
