"""Reader for OpenDocument files: text (.odt, one page), spreadsheets (.ods, a sheet is a page)
and presentations (.odp, a slide is a page).

content.xml is read as a stream by lxml, and each paragraph, row and slide is dropped once its
text is taken, so a large spreadsheet never sits in memory as a tree. Entities are never
expanded: resolution is off, libxml2 stops runaway expansion on its own, and a document that
declares any is refused. (odfpy was weighed and not used: it loads every part of the file,
pictures included, into a pure-Python tree, and has had no release since 2020.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.containers import UNSAFE_XML, library_errors, open_zip
from desktop_search.core.extract.formats import file_type
from desktop_search.core.extract.text_pages import build_document, page_of, tidy
from desktop_search.core.models import ExtractedDocument

_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_DC = "{http://purl.org/dc/elements/1.1/}"

_PARAGRAPHS = {_TEXT + "p", _TEXT + "h"}
_CELLS = {_TABLE + "table-cell", _TABLE + "covered-table-cell"}
# Paragraphs inside these are not the document's text: deleted text kept for tracked changes,
# and tables of contents that repeat the headings.
_SKIPPED = {_TEXT + "tracked-changes", _TEXT + "table-of-content"}
# Inside a paragraph: comments carry their author and date; frames and shapes carry alt text.
_NOT_INLINE = {_OFFICE + "annotation", _OFFICE + "annotation-end"}
_MAX_SPACES = 64

# The body element says how the document is paged, whatever the file's extension.
_TEXT_BODY = _OFFICE + "text"
_SHEETS_BODY = _OFFICE + "spreadsheet"
_SLIDES_BODIES = {_OFFICE + "presentation", _OFFICE + "drawing"}
_BODIES = {_TEXT_BODY, _SHEETS_BODY, *_SLIDES_BODIES}


def read(path: str, digest: str) -> ExtractedDocument:
    title, pages = _read(path)
    return build_document(path, digest, pages, title)


def page_text(path: str, page: int) -> str:
    return page_of(path, _read(path)[1], page)


def _read(path: str) -> tuple[str, list[str]]:
    """(title from meta.xml, page texts)."""
    kind = file_type(path).upper() or "OpenDocument"
    with open_zip(path, kind) as archive, library_errors(path, kind):
        names = set(archive.namelist())
        # Encrypted parts are listed in the manifest with how they were encrypted.
        manifest = "META-INF/manifest.xml"
        if manifest in names and b"encryption-data" in archive.read(manifest):
            raise ExtractionError(path, "it is password-protected")
        if "content.xml" not in names:
            raise ExtractionError(
                path, f"the file is damaged or not a valid {kind} file: it has no content part"
            )
        with archive.open("content.xml") as content:
            pages = list(_pages(path, content))
        title = ""
        if "meta.xml" in names:
            with archive.open("meta.xml") as meta:
                title = _title(path, meta)
        if not title and "mimetype" in names and b"spreadsheet" in archive.read("mimetype"):
            # A spreadsheet's first line is its first sheet's name: the file's name says more.
            title = Path(path).stem
    return title, pages


def _parse(path: str, stream: IO[bytes], events: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """lxml's iterparse, refusing a document that declares entities (no ODF writer does)."""
    from lxml import etree

    parsed = etree.iterparse(
        stream, events=events, resolve_entities=False, no_network=True, load_dtd=False
    )
    checked = False
    for event, element in parsed:
        if not checked:
            # At the root's start the document type, if any, has been read.
            if element.getroottree().docinfo.internalDTD is not None:
                raise ExtractionError(path, UNSAFE_XML)
            checked = True
        yield event, element


def _title(path: str, stream: IO[bytes]) -> str:
    for _event, element in _parse(path, stream, ("end",)):
        if element.tag == _DC + "title":
            return str(element.text or "")
    return ""


def _pages(path: str, stream: IO[bytes]) -> Iterator[str]:
    """Page texts of content.xml, in order; elements are freed as soon as they are read."""
    skipping = 0
    body = ""
    lines: list[str] = []  # the current page's
    row: list[str] = []
    cell: list[str] | None = None  # paragraphs of the current cell, when in one
    for event, element in _parse(path, stream, ("start", "end")):
        tag = element.tag
        if event == "start":
            if tag in _SKIPPED:
                skipping += 1
            elif not body and tag in _BODIES:
                body = tag
            elif tag == _TABLE + "table-row":
                row = []
            elif tag in _CELLS and body == _SHEETS_BODY:
                cell = []
            continue
        if tag in _SKIPPED:
            skipping -= 1
        elif tag in _PARAGRAPHS:
            if not skipping:
                (cell if cell is not None else lines).append(_paragraph_text(element))
        elif tag in _CELLS and cell is not None:
            # A run of equal cells (often thousands of empty ones) is stored once; it is
            # indexed once, as a person searching for its value needs it only once.
            row.append(" ".join(" ".join(cell).split()))
            cell = None
        elif tag == _TABLE + "table-row" and body == _SHEETS_BODY:
            while row and not row[-1]:
                row.pop()
            if row:
                lines.append("\t".join(row))
        elif (tag == _TABLE + "table" and body == _SHEETS_BODY) or (
            tag == _DRAW + "page" and body in _SLIDES_BODIES
        ):
            if tag == _TABLE + "table" and lines:
                lines.insert(0, element.get(_TABLE + "name", ""))  # the sheet's name first
            yield tidy("\n".join(lines))
            lines = []
        elif tag == body:
            if body == _TEXT_BODY:
                yield tidy("\n".join(lines))
            lines = []
        else:
            continue
        # Read: drop it, and what it holds, from the tree being built.
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)


def _paragraph_text(paragraph: Any) -> str:
    """A paragraph's text: spans and links followed; spaces, tabs and line breaks restored;
    paragraphs nested in it (text boxes, notes) were already taken on their own."""
    out: list[str] = []
    # (element, whether its own text was done): an explicit stack, so nesting has no limit.
    pending: list[tuple[Any, bool]] = [(paragraph, False)]
    while pending:
        element, done = pending.pop()
        if done:
            if element is not paragraph and element.tail:
                out.append(element.tail)
            continue
        tag = element.tag
        pending.append((element, True))
        # Only the text namespace's elements inline text (comments' tags are not even strings).
        if element is not paragraph and not str(tag).startswith(_TEXT) or tag in _NOT_INLINE:
            continue
        if tag == _TEXT + "s":
            out.append(" " * min(_MAX_SPACES, _count(element.get(_TEXT + "c"))))
        elif tag == _TEXT + "tab":
            out.append("\t")
        elif tag == _TEXT + "line-break":
            out.append("\n")
        elif element.text:
            out.append(element.text)
        pending.extend((child, False) for child in reversed(element))
    return "".join(out)


def _count(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1
