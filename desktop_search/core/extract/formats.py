"""The one registry of document formats: which extensions are read, by which reader, and how
they are grouped and shown. Extraction, scanning, the search bar's type filter and the preview all
read it, so a new format is one reader module plus one line here."""

from __future__ import annotations

import os
from collections import namedtuple

# As in the CLI's modules: `typing` itself is a cost the fast path does without.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    class Format(NamedTuple):
        """One kind of document.

        Attributes:
            group: the type filter's label ("PDF", "E-books", ...); formats share a group.
            extensions: lower-case, without the dot.
            reader: the module of `desktop_search.core.extract` that reads it (see `reader.py`).
            drawable: pages can be drawn as pictures for the preview; otherwise the preview
                shows the page's text.
        """

        group: str
        extensions: tuple[str, ...]
        reader: str
        drawable: bool

else:
    # The same at run time without `typing` or `dataclasses`: the CLI's fast path reads page
    # names from here, and those imports would cost it about 10 ms a search.
    Format = namedtuple("Format", ["group", "extensions", "reader", "drawable"])


# The group of pictures: they have no text of their own, only what text recognition reads.
IMAGES = "Images"

FORMATS: tuple[Format, ...] = (
    Format("PDF", ("pdf",), "pymupdf_reader", drawable=True),
    Format("Text & Markdown", ("txt", "md", "markdown", "rst", "text"), "text_reader", False),
    Format("Word & Writer documents", ("docx",), "docx_reader", drawable=False),
    Format("Word & Writer documents", ("odt",), "odf_reader", drawable=False),
    Format("Word & Writer documents", ("rtf",), "rtf_reader", drawable=False),
    Format("Spreadsheets", ("xlsx",), "xlsx_reader", drawable=False),
    Format("Spreadsheets", ("ods",), "odf_reader", drawable=False),
    Format("Presentations", ("pptx",), "pptx_reader", drawable=False),
    Format("Presentations", ("odp",), "odf_reader", drawable=False),
    Format("Web pages", ("html", "htm", "xhtml"), "html_reader", drawable=False),
    Format("E-mail", ("eml",), "eml_reader", drawable=False),
    Format("E-books", ("epub", "mobi", "fb2"), "pymupdf_reader", drawable=True),
    Format("Other documents", ("xps", "oxps", "cbz"), "pymupdf_reader", drawable=True),
    Format(IMAGES, ("png", "jpg", "jpeg", "tif", "tiff"), "image_reader", drawable=True),
)

_BY_EXTENSION = {ext: fmt for fmt in FORMATS for ext in fmt.extensions}
SUPPORTED_TYPES = frozenset(_BY_EXTENSION)


def file_type(path: str | os.PathLike[str]) -> str:
    """Lower-case extension without the dot ('' when there is none)."""
    # os.path, not pathlib: result rows ask this of every row they paint.
    return os.path.splitext(os.fspath(path))[1].lower().lstrip(".")


def format_of(path: str | os.PathLike[str]) -> Format | None:
    """The format a file is read as, by its extension; None when it is not indexed."""
    return _BY_EXTENSION.get(file_type(path))


def is_supported(path: str | os.PathLike[str]) -> bool:
    return file_type(path) in _BY_EXTENSION


def type_groups() -> list[tuple[str, tuple[str, ...]]]:
    """(label, extensions) per group, in registry order: the search bar's type filter."""
    groups: dict[str, list[str]] = {}
    for fmt in FORMATS:
        groups.setdefault(fmt.group, []).extend(fmt.extensions)
    return [(label, tuple(exts)) for label, exts in groups.items()]


def is_drawable(file_type_name: str) -> bool:
    """Whether a preview can draw this type's pages (else it shows their text)."""
    fmt = _BY_EXTENSION.get(file_type_name.lower())
    return fmt is not None and fmt.drawable


# Documents of real pages (drawn by the preview), pictures aside: one picture is one page.
PAGED_TYPES = frozenset(
    {ext for fmt in FORMATS if fmt.drawable and fmt.group != IMAGES for ext in fmt.extensions}
    | {"djvu"}
)
# Where a "page" of the index is something else to the person.
_PART_WORDS = {"Presentations": "slide", "Spreadsheets": "sheet"}
_ABBREVIATIONS = {"page": "p."}  # where space is short (result rows, headers, the CLI)


def opens_at_page(path: str | os.PathLike[str]) -> bool:
    """Whether "open at page N" means something for this file: a document of pages that a
    viewer can jump in (not a text file, a web page or a picture)."""
    return file_type(path) in PAGED_TYPES


def page_word(path: str | os.PathLike[str]) -> str:
    """What a person calls one 'page' of this file ('page', 'slide', 'sheet'), or '' when its
    pages are only how it was cut up for searching (text, mail, web pages, pictures)."""
    fmt = format_of(path)
    if fmt is not None and fmt.group in _PART_WORDS:
        return _PART_WORDS[fmt.group]
    return "page" if opens_at_page(path) else ""


def page_label(path: str | os.PathLike[str], page: int, *, short: bool = True) -> str:
    """Where in the file a passage is, as a person names it: 'p. 12' ('page 12' when not
    short), 'slide 3', 'sheet 2'; '' for a file whose pages are only how it was cut up for
    searching (a text file, a mail, a picture), where a page number would mean nothing."""
    word = page_word(path)
    if not word or page < 1:
        return ""
    return f"{_ABBREVIATIONS.get(word, word) if short else word} {page}"
