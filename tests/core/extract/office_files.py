"""Real Office, OpenDocument, RTF, web-page and e-mail files for tests, made on the spot.

OOXML files are written by the very libraries that read them (python-docx, python-pptx,
openpyxl); OpenDocument files, RTF, HTML and e-mail are written by hand or with the standard
library, as their formats are plain XML or text. Zip bombs and encrypted Office files are
assembled byte by byte, so the tests need no binary fixtures.
"""

from __future__ import annotations

import email.message
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

from desktop_search.core.extract.reader import extract
from desktop_search.core.models import ExtractedDocument


def read_document(path: Path) -> ExtractedDocument:
    """`extract` for a file that must be read (not an unchanged one)."""
    doc = extract(str(path))
    assert doc is not None
    return doc


def replace_part(source: Path, target: Path, name: str, change: Callable[[str], str]) -> Path:
    """A copy of the zip `source` whose part `name` went through `change`."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == name:
                data = change(data.decode()).encode()
            dst.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
    return target


# ---- Office Open XML, through the libraries ----


def make_docx(
    path: Path,
    paragraphs: Sequence[str],
    *,
    table: Sequence[Sequence[str]] = (),
    header: str = "",
    title: str = "",
) -> Path:
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(r) for r in table))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    if header:
        document.sections[0].header.paragraphs[0].text = header
    document.save(str(path))
    return path


def make_pptx(path: Path, slides: Sequence[str], *, notes: dict[int, str] | None = None) -> Path:
    """One slide per text (title 'Slide n', the text as its body); notes by slide number."""
    import pptx

    presentation = pptx.Presentation()
    for number, text in enumerate(slides, 1):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = f"Slide {number}"
        slide.placeholders[1].text = text
        if notes and number in notes:
            slide.notes_slide.notes_text_frame.text = notes[number]
    presentation.save(str(path))
    return path


def make_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(str(path))
    return path


# ---- OpenDocument, by hand ----

_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'office:version="1.3"'
)
_ODF_TYPES = {
    "text": "application/vnd.oasis.opendocument.text",
    "spreadsheet": "application/vnd.oasis.opendocument.spreadsheet",
    "presentation": "application/vnd.oasis.opendocument.presentation",
}


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def odf_content(body_kind: str, body: str, *, doctype: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f"<office:document-content {_ODF_NS}><office:body><office:{body_kind}>"
        f"{body}</office:{body_kind}></office:body></office:document-content>"
    )


def write_odf(
    path: Path, body_kind: str, content: str, *, title: str = "", encrypted: bool = False
) -> Path:
    """An OpenDocument package as LibreOffice lays it out: mimetype first and stored."""
    mimetype = _ODF_TYPES[body_kind]
    entry = '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"'
    if encrypted:
        entry += (
            '><manifest:encryption-data manifest:checksum-type="SHA1/1K" '
            'manifest:checksum="AAAA"><manifest:algorithm '
            'manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
            "</manifest:encryption-data></manifest:file-entry>"
        )
    else:
        entry += "/>"
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{mimetype}"/>{entry}</manifest:manifest>'
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODF_NS}>'
        f"<office:meta><dc:title>{_esc(title)}</dc:title></office:meta></office:document-meta>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        data = bytes(reversed(content.encode())) if encrypted else content.encode()
        archive.writestr("content.xml", data, zipfile.ZIP_DEFLATED)
        archive.writestr("meta.xml", meta, zipfile.ZIP_DEFLATED)
    return path


def make_odt(path: Path, paragraphs: Sequence[str], *, title: str = "", extra: str = "") -> Path:
    body = "".join(f"<text:p>{_esc(p)}</text:p>" for p in paragraphs) + extra
    return write_odf(path, "text", odf_content("text", body), title=title)


def make_ods(path: Path, sheets: dict[str, Sequence[Sequence[str]]]) -> Path:
    tables = []
    for name, rows in sheets.items():
        cells = "".join(
            "<table:table-row>"
            + "".join(
                f'<table:table-cell office:value-type="string"><text:p>{_esc(v)}</text:p>'
                "</table:table-cell>"
                if v
                else "<table:table-cell/>"
                for v in row
            )
            # A sheet's rows end in a run of empty cells, as LibreOffice writes them.
            + '<table:table-cell table:number-columns-repeated="16380"/></table:table-row>'
            for row in rows
        )
        tables.append(f'<table:table table:name="{_esc(name)}">{cells}</table:table>')
    return write_odf(path, "spreadsheet", odf_content("spreadsheet", "".join(tables)))


def make_odp(path: Path, slides: Sequence[str], *, notes: dict[int, str] | None = None) -> Path:
    pages = []
    for number, text in enumerate(slides, 1):
        note = ""
        if notes and number in notes:
            note = (
                "<presentation:notes><draw:frame><draw:text-box>"
                f"<text:p>{_esc(notes[number])}</text:p></draw:text-box></draw:frame>"
                "</presentation:notes>"
            )
        pages.append(
            f'<draw:page draw:name="page{number}"><draw:frame><draw:text-box>'
            f"<text:p>{_esc(text)}</text:p></draw:text-box></draw:frame>{note}</draw:page>"
        )
    return write_odf(path, "presentation", odf_content("presentation", "".join(pages)))


# ---- RTF, web pages, e-mail ----


def make_rtf(path: Path, paragraphs: Sequence[str]) -> Path:
    """RTF as WordPad writes it: a font table, then paragraphs; non-ASCII as \\uN escapes."""

    def escape(text: str) -> str:
        out = []
        for ch in text:
            if ch in "\\{}":
                out.append("\\" + ch)
            elif ord(ch) < 128:
                out.append(ch)
            else:
                for unit in struct.unpack(
                    f"<{len(ch.encode('utf-16-le')) // 2}h", ch.encode("utf-16-le")
                ):
                    out.append(f"\\u{unit}?")
        return "".join(out)

    body = "".join(f"\\pard {escape(p)}\\par\n" for p in paragraphs)
    rtf = (
        "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss\\fcharset0 Arial;}}\n"
        "{\\info{\\title A title}}\n" + body + "}"
    )
    path.write_bytes(rtf.encode("ascii"))
    return path


def make_eml(
    path: Path,
    *,
    subject: str,
    sender: str,
    plain: str | None,
    html: str | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> Path:
    message = email.message.EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = "Bob Example <bob@example.org>"
    message["Date"] = "Tue, 04 Mar 2025 09:30:00 +0100"
    if plain is not None:
        message.set_content(plain)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    if attachment is not None:
        name, data = attachment
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    path.write_bytes(bytes(message))
    return path


# ---- hostile containers, byte by byte ----


def write_precompressed_zip(path: Path, name_prefix: str, part: bytes, copies: int) -> Path:
    """A zip of `copies` parts that each unpack to `part`; its deflate stream is made once and
    reused, so a zip that unpacks to gigabytes is written in a blink. Every part is valid."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = compressor.compress(part) + compressor.flush()
    crc = zlib.crc32(part)
    local, central = bytearray(), bytearray()
    for index in range(copies):
        name = f"{name_prefix}{index}.xml".encode()
        offset = len(local)
        fields = (20, 0, 8, 0, 0x21, crc, len(packed), len(part), len(name), 0)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + name + packed
        central += (
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, offset) + name
        )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, copies, copies, len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def write_many_parts_zip(path: Path, parts: int) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(parts):
            archive.writestr(f"customXml/item{index}.xml", b"<a/>")
    return path


def write_encrypted_ooxml(path: Path) -> Path:
    """What Office saves for a password-protected .docx/.xlsx/.pptx: an OLE compound file (v3,
    512-byte sectors) holding the EncryptionInfo and EncryptedPackage streams."""
    end_of_chain, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    stream_sectors = 8  # 4 KiB each: at the mini-stream cutoff, so they live in the FAT
    info_start, package_start = 2, 2 + stream_sectors
    fat = [fat_sector, end_of_chain]
    for start in (info_start, package_start):
        fat += [start + i + 1 for i in range(stream_sectors - 1)] + [end_of_chain]
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, no_stream, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    directory = (
        entry("Root Entry", 5, no_stream, 1, end_of_chain, 0)
        + entry("EncryptionInfo", 2, 2, no_stream, info_start, 4096)
        + entry("EncryptedPackage", 2, no_stream, no_stream, package_start, 4096)
        + bytes(128)
    )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end_of_chain, 0, end_of_chain, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *([free] * 108))
    )
    body = struct.pack("<128I", *fat) + directory + bytes(512 * 2 * stream_sectors)
    path.write_bytes(header + body)
    return path


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


# ---- one of each, for the end-to-end and preview tests ----

# Each file holds one word found nowhere else, on a page other than the first where it has pages.
UNUSUAL_WORDS = {
    "docx": "quillowbrand",
    "pptx": "marzipotent",
    "xlsx": "gribbleton",
    "ods": "snorkelwise",
    "odt": "fandangulous",
    "odp": "plinkerdoodle",
    "rtf": "wobblecraft",
    "html": "zephyrquartz",
    "eml": "bramblewhisk",
}
# (the page the word is on, the number of pages)
WORD_PAGES = {"pptx": 2, "xlsx": 2, "ods": 2, "odp": 3}


def make_one_of_each(folder: Path) -> dict[str, Path]:
    """One well-formed file per format, each holding its UNUSUAL_WORDS word."""
    folder.mkdir(parents=True, exist_ok=True)
    w = UNUSUAL_WORDS
    return {
        "docx": make_docx(
            folder / "letter.docx",
            ["Dear committee,", "the garden report follows."],
            table=[["Item", "Note"], ["Hedge", f"trimmed by the {w['docx']} method"]],
        ),
        "pptx": make_pptx(
            folder / "talk.pptx", ["Welcome", f"The {w['pptx']} results", "Questions"]
        ),
        "xlsx": make_xlsx(
            folder / "budget.xlsx",
            {"Summary": [["Total", 120.5]], "Details": [["Item", "Cost"], [w["xlsx"], 3]]},
        ),
        "ods": make_ods(
            folder / "inventory.ods",
            {"Shelf A": [["Bolts", "12"]], "Shelf B": [["Nuts", ""], ["", w["ods"]]]},
        ),
        "odt": make_odt(folder / "minutes.odt", ["Minutes", f"We discussed the {w['odt']} plan."]),
        "odp": make_odp(
            folder / "pitch.odp", ["Intro", "Middle", "End"], notes={3: f"Mention {w['odp']}."}
        ),
        "rtf": make_rtf(folder / "memo.rtf", ["Memo", f"Please file the {w['rtf']} forms."]),
        "html": _write(
            folder / "page.html",
            "<!doctype html><html><head><title>Club news</title>"
            "<script>var hiddenword = 'scriptonly';</script></head>"
            f"<body><h1>News</h1><p>The {w['html']} festival is on Sunday.</p></body></html>",
        ),
        "eml": make_eml(
            folder / "mail.eml",
            subject="Weekend plans",
            sender="Alice Example <alice@example.org>",
            plain=f"Shall we try the {w['eml']} trail?",
        ),
    }


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
