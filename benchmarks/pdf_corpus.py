"""Eval collections rendered to PDFs, one document per file, cached under `.bench-cache/pdfs/`."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from benchmarks.eval_sets import CACHE_DIR, load_corpus

# Bump when the rendering changes, so cached PDFs are rebuilt instead of silently reused.
RENDER_VERSION = "1"
_MARKER = ".rendered.json"
_PAGE_MARGIN = 72  # points: one inch all round


def render_document_pdf(path: Path, title: str, text: str) -> None:
    """Write one PDF: the title as a heading, then the text, running on over more A4 pages.

    Uses a PyMuPDF Story (HTML layout), so long documents continue on new pages. The default font
    is shaped, so "ff", "fi", "fl" come out as ligatures, as in real typeset PDFs: extraction has
    to undo them (a fair part of what the quality benchmark measures).
    """
    import pymupdf

    body = f"<h2>{html.escape(title)}</h2>" if title.strip() else ""
    body += f"<p>{html.escape(text)}</p>" if text.strip() else ""
    story = pymupdf.Story(html=body)
    mediabox = pymupdf.paper_rect("a4")
    where = mediabox + (_PAGE_MARGIN, _PAGE_MARGIN, -_PAGE_MARGIN, -_PAGE_MARGIN)
    tmp = path.with_suffix(".pdf.part")
    writer = pymupdf.DocumentWriter(str(tmp))
    more = 1
    while more:
        device = writer.begin_page(mediabox)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
    writer.close()
    os.replace(tmp, path)


def render_collection_pdfs(
    name: str, *, limit: int | None = None, out_dir: Path | None = None
) -> Path:
    """Render each document of eval collection `name` to `<out_dir>/<doc_id>.pdf`; return out_dir.

    Default out_dir: `.bench-cache/pdfs/<name>/` (`<name>-<limit>/` for the first `limit`
    documents). A marker file records a finished render (with the document count and
    RENDER_VERSION), so later calls return at once. Empty documents (two in Cranfield) become a
    blank page: the engine must report them, not crash.
    """
    docs = load_corpus(name)
    if limit is not None:
        docs = docs[:limit]
    if out_dir is not None:
        out = Path(out_dir)
    else:
        out = CACHE_DIR / "pdfs" / (name if limit is None else f"{name}-{limit}")
    marker = out / _MARKER
    expected = {"version": RENDER_VERSION, "collection": name, "documents": len(docs)}
    if marker.is_file():
        try:
            if json.loads(marker.read_text(encoding="utf-8")) == expected:
                return out
        except (OSError, ValueError):
            pass
    out.mkdir(parents=True, exist_ok=True)
    wanted = {f"{d['_id']}.pdf" for d in docs}
    for stale in out.glob("*.pdf"):  # a smaller/older render must not leave extra documents
        if stale.name not in wanted:
            stale.unlink()
    for doc in docs:
        render_document_pdf(out / f"{doc['_id']}.pdf", doc.get("title", ""), doc.get("text", ""))
    marker.write_text(json.dumps(expected), encoding="utf-8")
    return out


def cranfield_pdf_dir(limit: int | None = None) -> Path:
    """The rendered Cranfield PDFs (the first `limit` of them when given)."""
    return render_collection_pdfs("cranfield", limit=limit)
