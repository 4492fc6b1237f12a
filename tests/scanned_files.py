"""Scans and pictures for the text recognition tests, made on the spot: text is laid out on a
page by PyMuPDF, drawn to pixels as a scanner would, and the pixels are all the file keeps."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

DPI = 150


def scanned_pixmap(text: str, *, width: float = 420, height: float = 160, dpi: int = DPI):
    """Pixels of `text` set in 14 pt type on a page of `width` x `height` points."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    page.insert_textbox(pymupdf.Rect(18, 18, width - 18, height - 18), text, fontsize=14)
    pix = page.get_pixmap(dpi=dpi, alpha=False)
    doc.close()
    return pix


def add_scanned_page(doc, text: str) -> None:
    """A page holding only a picture of `text`: no text layer."""
    pix = scanned_pixmap(text)
    page = doc.new_page(width=420, height=160)
    page.insert_image(page.rect, pixmap=pix)


def make_scanned_pdf(path: Path, pages: Sequence[str]) -> Path:
    """A PDF whose every page is a scan of one of `pages`."""
    import pymupdf

    doc = pymupdf.open()
    for text in pages:
        add_scanned_page(doc, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    doc.close()
    return path


def make_mixed_scanned_pdf(path: Path, text_pages: Sequence[str], scanned: str) -> Path:
    """Text pages (a real text layer) followed by one scanned page of `scanned`."""
    import pymupdf

    doc = pymupdf.open()
    for text in text_pages:
        doc.new_page(width=420, height=160).insert_text((18, 40), text, fontsize=12)
    add_scanned_page(doc, scanned)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    doc.close()
    return path


def make_picture(path: Path, text: str) -> Path:
    """A picture of `text`: PNG or JPEG by PyMuPDF, TIFF (one page per line of `text` when
    it has several) by Pillow, chosen by the file's extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".tif", ".tiff"):
        from PIL import Image

        frames = [
            Image.frombytes("RGB", (p.width, p.height), p.samples)
            for p in (scanned_pixmap(line) for line in text.splitlines())
        ]
        frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(DPI, DPI))
        return path
    scanned_pixmap(text).save(path)
    return path
