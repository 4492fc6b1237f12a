"""Eval documents as PDFs: the text survives, long ones flow on, renders are cached."""

from __future__ import annotations

from pathlib import Path

from benchmarks.eval_sets import load_corpus
from benchmarks.pdf_corpus import render_collection_pdfs, render_document_pdf
from tests.benchmarks.helpers import need_shared_data


def test_render_three_documents(tmp_path: Path) -> None:
    need_shared_data()
    import pymupdf

    out = render_collection_pdfs("cranfield", limit=3, out_dir=tmp_path / "pdfs")
    docs = load_corpus("cranfield")[:3]
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(f"{d['_id']}.pdf" for d in docs)
    no_ligatures = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES
    for doc in docs:
        with pymupdf.open(out / f"{doc['_id']}.pdf") as pdf:
            text = " ".join(page.get_text(flags=no_ligatures) for page in pdf)
        assert " ".join(text.split()) == " ".join(f"{doc['title']} {doc['text']}".split())

    # the marker makes a second call a no-op (nothing re-rendered)
    first = out / f"{docs[0]['_id']}.pdf"
    before = first.stat().st_mtime_ns
    assert render_collection_pdfs("cranfield", limit=3, out_dir=out) == out
    assert first.stat().st_mtime_ns == before


def test_long_document_continues_on_more_pages(tmp_path: Path) -> None:
    import pymupdf

    words = [f"word{i}" for i in range(3000)]
    path = tmp_path / "long.pdf"
    render_document_pdf(path, "A long title", " ".join(words))
    with pymupdf.open(path) as pdf:
        assert pdf.page_count > 1
        text = " ".join(page.get_text() for page in pdf).split()
    assert text[:3] == ["A", "long", "title"]
    assert text[3:] == words
