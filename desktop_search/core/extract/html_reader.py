"""Reader for web pages (.html, .htm, .xhtml): the text a browser shows, as one page.

Scripts, styles, templates, hidden elements and the page's head are never text; the title comes
from <title>. Pages are parsed as HTML5 by lexbor (through selectolax), which owns that import
here; the e-mail reader renders HTML bodies with `html_to_text` too.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.text import decode_text
from desktop_search.core.extract.text_pages import build_document, page_of, read_bytes, tidy
from desktop_search.core.models import ExtractedDocument

# Never shown as text: code, styling, inert templates, embedded content's fallback, and what
# a browser with scripts on does not show (noscript).
_INVISIBLE = frozenset(
    {
        "head", "script", "style", "template", "noscript", "iframe", "object", "embed",
        "canvas", "audio", "video", "datalist", "dialog", "-comment", "!doctype",
    }
)  # fmt: skip
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl",
        "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "legend", "li", "main", "nav", "ol", "p", "pre", "section",
        "summary", "table", "tbody", "thead", "tfoot", "tr", "ul", "body", "html", "option",
    }
)  # fmt: skip
_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table"})
_PREFORMATTED = frozenset({"pre", "textarea", "listing", "plaintext"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\n\r\f]+")
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read(path: str, digest: str) -> ExtractedDocument:
    title, text = _read(path)
    return build_document(path, digest, [text], title, empty="the page shows no text")


def page_text(path: str, page: int) -> str:
    return page_of(path, [_read(path)[1]], page)


def _read(path: str) -> tuple[str, str]:
    raw = read_bytes(path)
    markup = decode_markup(raw)
    if markup is None:
        raise ExtractionError(path, "it is not a web page (binary content)")
    return html_to_text(markup)


def decode_markup(raw: bytes) -> str | None:
    """A page's characters: by its byte-order mark, else the charset it declares, else guessed;
    None for binary data."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace")
    declared = _DECLARED_CHARSET.search(raw[:4096])
    if declared:
        name = (declared.group(1) or declared.group(2)).decode("ascii")
        try:
            text = raw.decode(name, errors="replace")
        except LookupError:
            pass  # an unknown charset name: guess as for any text
        else:
            return None if "\x00" in text else text
    return decode_text(raw)


def html_to_text(markup: str) -> tuple[str, str]:
    """(title, visible text) of an HTML document; blocks on their own lines, table cells apart
    by tabs, whitespace collapsed as a browser does outside <pre>."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(markup)
    title_node = tree.css_first("title")
    title = _SPACES.sub(" ", title_node.text(deep=True)).strip() if title_node else ""
    out: list[str] = []
    root = tree.root
    if root is not None:
        _visible_text(root, out)
    text = tidy("\n".join(line.strip(" ") for line in "".join(out).split("\n")))
    if not title:
        heading = tree.css_first("h1")
        title = _SPACES.sub(" ", heading.text(deep=True)).strip() if heading else ""
    return title, text


def _visible_text(root: Any, out: list[str]) -> None:
    # An explicit stack rather than recursion: pages nest thousands of elements deep.
    pending: list[tuple[Any, bool, bool]] = [(root, False, False)]
    while pending:
        node, leaving, preformatted = pending.pop()
        tag = node.tag
        if leaving:
            out.append(_after(tag))
            continue
        if tag == "-text":
            text = node.text_content or ""
            out.append(text if preformatted else _SPACES.sub(" ", text))
            continue
        if tag in _INVISIBLE or _hidden(node):
            continue
        if tag == "br":
            out.append("\n")
            continue
        out.append(_before(tag))
        pending.append((node, True, preformatted))
        inner = preformatted or tag in _PREFORMATTED
        children = []
        child = node.first_child
        while child is not None:
            children.append((child, False, inner))
            child = child.next
        pending.extend(reversed(children))


def _hidden(node: Any) -> bool:
    attributes = node.attributes
    if not attributes:
        return False
    if "hidden" in attributes and attributes["hidden"] != "until-found":
        return True
    style = attributes.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


def _before(tag: str) -> str:
    if tag in _PARAGRAPHS:
        return "\n\n"
    return "\n" if tag in _BLOCKS else ""


def _after(tag: str) -> str:
    if tag in ("td", "th"):
        return "\t"
    return _before(tag)
