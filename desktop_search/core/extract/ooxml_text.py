"""Text out of Office Open XML trees (Word's and DrawingML's paragraphs), in reading order.

python-docx and python-pptx open the packages; their `.text` helpers skip text in tables,
text boxes, tracked insertions and content controls, so the parts' XML is walked here instead.
Both libraries parse with entity resolution off, so a part that declares entities can't expand.
"""

from __future__ import annotations

from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# Word writes text boxes twice, as DrawingML and as a VML fallback for old readers.
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

_WORD_TEXT = {_W + "t"}
_WORD_BREAKS = {_W + "br": "\n", _W + "cr": "\n", _W + "tab": "\t", _W + "noBreakHyphen": "-"}
_WORD_PARAGRAPHS = {_W + "p"}
# Moved text is written at both ends of the move: keep the destination only.
_WORD_SKIPPED = {_FALLBACK, _W + "moveFrom"}

_DRAWING_TEXT = {_A + "t"}
_DRAWING_BREAKS = {_A + "br": "\n"}
_DRAWING_PARAGRAPHS = {_A + "p"}


def word_text(element: Any) -> str:
    """The text of a WordprocessingML element (document body, header, footnotes, comments):
    one line per paragraph; deleted text (w:delText) and field codes (w:instrText) left out."""
    return _walk(element, _WORD_TEXT, _WORD_BREAKS, _WORD_PARAGRAPHS, _WORD_SKIPPED)


def drawing_text(element: Any) -> str:
    """The text of a DrawingML element (a slide, a shape, a table): one line per paragraph."""
    return _walk(element, _DRAWING_TEXT, _DRAWING_BREAKS, _DRAWING_PARAGRAPHS, {_FALLBACK})


def _walk(
    element: Any, text: set[str], breaks: dict[str, str], paragraphs: set[str], skipped: set[str]
) -> str:
    from lxml import etree

    out: list[str] = []
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        tag = node.tag
        if event == "start":
            if tag in text:
                out.append(node.text or "")
            elif tag in breaks:
                out.append(breaks[tag])
            elif tag in skipped:
                walker.skip_subtree()
        elif tag in paragraphs:
            out.append("\n")
    return "".join(out)
