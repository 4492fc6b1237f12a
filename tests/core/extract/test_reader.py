"""Extraction: real PDFs and text files in, page texts or a clear reason out."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.reader import extract, read_page_text, render_page
from tests.conftest import SHARED_PDFS, make_pdf


def test_pdf_pages_keep_their_numbers(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", ["first page text", "", "third page text"], title="Report")
    doc = extract(str(pdf))
    assert doc is not None
    assert [p.page for p in doc.pages] == [1, 3]
    assert "third page" in doc.pages[1].text
    assert doc.page_count == 3
    assert doc.title == "Report"


def test_unchanged_hash_skips_extraction(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", ["some words"])
    doc = extract(str(pdf))
    assert doc is not None
    assert extract(str(pdf), known_hash=doc.content_hash) is None


def test_ligatures_and_compatibility_forms_are_folded(tmp_path: Path) -> None:
    note = tmp_path / "lig.txt"
    note.write_text("the e\ufb03cient \ufb02ow field", encoding="utf-8")
    doc = extract(str(note))
    assert doc is not None
    assert "efficient flow field" in doc.pages[0].text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"%PDF-1.4 this is not really a pdf at all", "damaged"),
    ],
)
def test_broken_pdfs_fail_with_a_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(content)
    with pytest.raises(ExtractionError) as err:
        extract(str(bad))
    assert reason in err.value.reason


def test_encrypted_pdf_says_password(tmp_path: Path) -> None:
    import pymupdf

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret")
    target = tmp_path / "locked.pdf"
    doc.save(target, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
    with pytest.raises(ExtractionError, match="password-protected"):
        extract(str(target))


def test_image_only_pdf_reports_no_text_layer(tmp_path: Path) -> None:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), False)
    pix.clear_with(200)
    page.insert_image(pymupdf.Rect(50, 50, 200, 200), pixmap=pix)
    target = tmp_path / "scan.pdf"
    doc.save(target)
    with pytest.raises(ExtractionError, match="no text layer"):
        extract(str(target))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Grüße aus Köln".encode("latin-1"), "Grüße aus Köln"),
        ("Grüße aus Köln".encode("utf-16"), "Grüße aus Köln"),
        ("日本語のテキスト".encode(), "日本語のテキスト"),
    ],
)
def test_text_encodings_are_detected(tmp_path: Path, data: bytes, expected: str) -> None:
    target = tmp_path / "note.txt"
    target.write_bytes(data)
    doc = extract(str(target))
    assert doc is not None
    assert doc.pages[0].text.strip() == expected


def test_binary_text_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "data.txt"
    target.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ExtractionError, match="not a text file"):
        extract(str(target))


def test_markdown_title_is_first_heading(tmp_path: Path) -> None:
    target = tmp_path / "n.md"
    target.write_text("\n# Meeting notes\n\nWe agreed.", encoding="utf-8")
    doc = extract(str(target))
    assert doc is not None and doc.title == "Meeting notes"


def test_render_page_highlights_the_passage(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", ["alpha beta gamma\ndelta epsilon", "second page"])
    page = render_page(str(pdf), 1, zoom=2.0, highlight="delta epsilon")
    assert page.page_count == 2
    assert page.width > 1000 and len(page.samples) == page.stride * page.height
    assert len(page.highlights) == 1
    x0, y0, x1, y1 = page.highlights[0]
    assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
    assert "second page" in read_page_text(str(pdf), 2)
    with pytest.raises(ExtractionError, match="no page 3"):
        render_page(str(pdf), 3)


@pytest.mark.skipif(not SHARED_PDFS.is_dir(), reason="shared PDFs not present")
def test_real_world_encrypted_and_corrupt_files() -> None:
    with pytest.raises(ExtractionError, match="password-protected"):
        extract(str(SHARED_PDFS / "pypdf__encrypted-file.pdf"))
    with pytest.raises(ExtractionError, match="damaged"):
        extract(str(SHARED_PDFS / "qpdf__bad1.pdf"))
    doc = extract(str(SHARED_PDFS / "pdfminer__jo.pdf"))  # CJK
    assert doc is not None and doc.pages
