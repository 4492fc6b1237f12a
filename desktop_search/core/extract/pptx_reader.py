"""Reader for PowerPoint presentations (.pptx): a slide is a page, its speaker notes below it.

Slides are numbered as PowerPoint numbers them, hidden ones included. This module owns the
`pptx` (python-pptx) import.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from desktop_search.core.extract.containers import (
    another_office_kind,
    check_ooxml,
    library_errors,
)
from desktop_search.core.extract.ooxml_text import drawing_text
from desktop_search.core.extract.text_pages import build_document, page_of, tidy
from desktop_search.core.models import ExtractedDocument

_KIND = "PPTX"


def read(path: str, digest: str) -> ExtractedDocument:
    with _opened(path) as presentation:
        slides = list(presentation.slides)
        pages = [_slide_text(slide) for slide in slides]
        title = presentation.core_properties.title or (_slide_title(slides[0]) if slides else "")
    return build_document(path, digest, pages, title, empty="the presentation contains no text")


def page_text(path: str, page: int) -> str:
    with _opened(path) as presentation:
        # Only the asked slide is walked.
        return _slide_text(page_of(path, presentation.slides, page, "slide"))


@contextmanager
def _opened(path: str) -> Iterator[Any]:
    """The checked, opened presentation; the library's failures inside the block become
    ExtractionError."""
    import pptx

    check_ooxml(path, _KIND)
    with library_errors(path, _KIND):
        try:
            presentation = pptx.Presentation(path)
        except ValueError as exc:
            if "not a PowerPoint file" not in str(exc):
                raise
            raise another_office_kind(path, "a PowerPoint presentation") from exc
        yield presentation


def _slide_text(slide: Any) -> str:
    text = drawing_text(slide.element)
    if slide.has_notes_slide:
        frame = slide.notes_slide.notes_text_frame
        if frame is not None:
            text += "\n\n" + drawing_text(frame._txBody)
    return tidy(text)


def _slide_title(slide: Any) -> str:
    shape = slide.shapes.title
    return str(shape.text_frame.text) if shape is not None and shape.has_text_frame else ""
