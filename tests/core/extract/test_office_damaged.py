"""Office, OpenDocument, RTF, web-page and e-mail files that can't be read: empty, cut short,
damaged, locked, zip bombs and XML entity bombs each fail their one file, with a reason a person
understands, and nothing is unpacked or expanded on the way."""

from __future__ import annotations

import resource
import zipfile
from pathlib import Path

import pytest

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract import containers
from desktop_search.core.extract.reader import extract
from tests.core.extract.office_files import (
    BILLION_LAUGHS,
    UNUSUAL_WORDS,
    make_docx,
    make_eml,
    make_odp,
    make_ods,
    make_odt,
    make_pptx,
    make_rtf,
    make_xlsx,
    odf_content,
    read_document,
    replace_part,
    write_encrypted_ooxml,
    write_many_parts_zip,
    write_odf,
    write_precompressed_zip,
)

ZIP_KINDS = ("docx", "pptx", "xlsx", "odt", "ods", "odp")
ALL_KINDS = tuple(UNUSUAL_WORDS)


# ---- empty and damaged ----


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_empty_file_says_so(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"empty.{kind}"
    path.write_bytes(b"")
    with pytest.raises(ExtractionError, match="the file is empty"):
        extract(str(path))


def _empty_document(tmp_path: Path, kind: str) -> Path:
    target = tmp_path / f"blank.{kind}"
    makers = {
        "docx": lambda: make_docx(target, []),
        "pptx": lambda: make_pptx(target, []),
        "xlsx": lambda: make_xlsx(target, {"Sheet1": []}),
        "odt": lambda: make_odt(target, []),
        "ods": lambda: make_ods(target, {"Sheet1": []}),
        "odp": lambda: make_odp(target, ["", ""]),
        "rtf": lambda: make_rtf(target, []),
        "eml": lambda: make_eml(target, subject="", sender="", plain=""),
    }
    if kind == "html":
        target.write_text("<html><head><title>t</title></head><body> </body></html>")
        return target
    return makers[kind]()


@pytest.mark.parametrize("kind", [k for k in ALL_KINDS if k != "eml"])
def test_document_without_text_says_so(tmp_path: Path, kind: str) -> None:
    with pytest.raises(ExtractionError, match="contains no text|shows no text"):
        extract(str(_empty_document(tmp_path, kind)))


@pytest.mark.parametrize("kind", ZIP_KINDS)
def test_truncated_container_is_damaged(
    one_of_each: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    data = one_of_each[kind].read_bytes()
    cut = tmp_path / f"cut.{kind}"
    cut.write_bytes(data[: len(data) // 2])
    reason = f"damaged or incomplete: it is not a valid {kind.upper()} file"
    with pytest.raises(ExtractionError, match=reason):
        extract(str(cut))


@pytest.mark.parametrize("kind", ZIP_KINDS)
def test_part_failing_its_checksum_is_damaged(
    one_of_each: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    target = tmp_path / f"crc.{kind}"
    # Every part stored uncompressed, then a letter of the unusual word changed in place:
    # the zip stays readable, the part's checksum no longer matches.
    with zipfile.ZipFile(one_of_each[kind]) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info), zipfile.ZIP_STORED)
    word = UNUSUAL_WORDS[kind].encode()
    data = target.read_bytes()
    assert word in data
    target.write_bytes(data.replace(word, word.upper(), 1))
    with pytest.raises(ExtractionError, match="damaged"):
        extract(str(target))


@pytest.mark.parametrize("kind", ZIP_KINDS)
def test_zip_bomb_by_total_size_fails_fast(tmp_path: Path, kind: str) -> None:
    # 70 parts of 16 MiB of zeros: 1.1 GB unpacked from a 1 MB file; no part alone suspicious.
    bomb = write_precompressed_zip(tmp_path / f"bomb.{kind}", "word/part", bytes(16 << 20), 70)
    assert bomb.stat().st_size < 2 << 20
    memory_before = _peak_memory_mb()
    with pytest.raises(ExtractionError) as err:
        extract(str(bomb))
    assert err.value.reason == "it unpacks to more than 1,024 MB: possibly a zip bomb"
    assert _peak_memory_mb() - memory_before < 100  # nothing was unpacked


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    bomb = write_precompressed_zip(
        tmp_path / "ratio.xlsx", "xl/worksheets/sheet", bytes(20 << 20), 1
    )
    with pytest.raises(ExtractionError, match=r"unpacks to [\d,]+ times its packed size: possibly"):
        extract(str(bomb))


def test_zip_with_too_many_parts(tmp_path: Path) -> None:
    path = write_many_parts_zip(tmp_path / "many.docx", containers.MAX_ENTRIES + 1)
    with pytest.raises(ExtractionError, match="more than 10,000 parts: possibly a zip bomb"):
        extract(str(path))


@pytest.mark.parametrize("kind", ("docx", "pptx", "xlsx"))
def test_password_protected_office_file(tmp_path: Path, kind: str) -> None:
    path = write_encrypted_ooxml(tmp_path / f"locked.{kind}")
    with pytest.raises(ExtractionError) as err:
        extract(str(path))
    assert err.value.reason == "it is password-protected"


@pytest.mark.parametrize("kind", ("docx", "ods"))
def test_zip_encrypted_by_password(one_of_each: dict[str, Path], tmp_path: Path, kind: str) -> None:
    data = bytearray(one_of_each[kind].read_bytes())
    start = data.find(b"PK\x01\x02")  # the table of contents: mark every part encrypted
    while start != -1:
        data[start + 8] |= 0x1
        start = data.find(b"PK\x01\x02", start + 4)
    path = tmp_path / f"zipcrypto.{kind}"
    path.write_bytes(bytes(data))
    with pytest.raises(ExtractionError) as err:
        extract(str(path))
    assert err.value.reason == "it is password-protected"


def test_old_binary_office_file_under_a_new_name(tmp_path: Path) -> None:
    data = write_encrypted_ooxml(tmp_path / "x.bin").read_bytes()
    path = tmp_path / "old.docx"
    path.write_bytes(data.replace("EncryptedPackage".encode("utf-16-le"), bytes(32)))
    with pytest.raises(ExtractionError, match="older binary Office file .* save it again as DOCX"):
        extract(str(path))


@pytest.mark.parametrize("kind", ("docx", "pptx", "xlsx"))
def test_strict_open_xml_says_so(one_of_each: dict[str, Path], tmp_path: Path, kind: str) -> None:
    # Word, PowerPoint and Excel can save "Strict Open XML": the same parts in other namespaces.
    target = tmp_path / f"strict.{kind}"
    replace_part(
        one_of_each[kind],
        target,
        "_rels/.rels",
        lambda xml: xml.replace(
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            "http://purl.oclc.org/ooxml/officeDocument/relationships",
        ),
    )
    with pytest.raises(ExtractionError, match=f"Strict Open XML.*regular {kind.upper()} file"):
        extract(str(target))


@pytest.mark.parametrize("kind", ("odt", "ods", "odp"))
def test_password_protected_opendocument(tmp_path: Path, kind: str) -> None:
    body = {"odt": "text", "ods": "spreadsheet", "odp": "presentation"}[kind]
    path = write_odf(
        tmp_path / f"locked.{kind}", body, odf_content(body, "<text:p>x</text:p>"), encrypted=True
    )
    with pytest.raises(ExtractionError) as err:
        extract(str(path))
    assert err.value.reason == "it is password-protected"


@pytest.mark.parametrize(
    ("kind", "made_as", "reason"),
    [
        ("docx", "pptx", "not a Word document"),
        ("pptx", "docx", "not a PowerPoint presentation"),
        ("xlsx", "docx", "not a valid XLSX file|not an Excel workbook"),
        ("odt", "docx", "damaged or not a valid ODT file"),
    ],
)
def test_another_kind_of_file_under_the_name(
    one_of_each: dict[str, Path], tmp_path: Path, kind: str, made_as: str, reason: str
) -> None:
    path = tmp_path / f"renamed.{kind}"
    path.write_bytes(one_of_each[made_as].read_bytes())
    with pytest.raises(ExtractionError, match=reason):
        extract(str(path))


@pytest.mark.parametrize("kind", ZIP_KINDS)
def test_not_a_zip_at_all(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"text.{kind}"
    path.write_text("just some text saved with the wrong name")
    with pytest.raises(ExtractionError, match=f"not a valid {kind.upper()} file"):
        extract(str(path))


def test_truncated_rtf_keeps_the_text_before_the_cut(tmp_path: Path) -> None:
    data = make_rtf(tmp_path / "full.rtf", ["keptword " * 20, "lostword " * 20]).read_bytes()
    cut = tmp_path / "cut.rtf"
    cut.write_bytes(data[: data.index(b"lostword")])
    text = read_document(cut).pages[0].text
    assert "keptword" in text and "lostword" not in text


def test_truncated_eml_keeps_headers_and_the_text_before_the_cut(tmp_path: Path) -> None:
    data = make_eml(
        tmp_path / "full.eml",
        subject="Cut short",
        sender="a@example.org",
        plain="keptword " * 20 + "lostword",
        attachment=("a.pdf", b"x" * 5000),
    ).read_bytes()
    cut = tmp_path / "cut.eml"
    cut.write_bytes(data[: data.index(b"lostword")])
    doc = read_document(cut)
    assert doc.title == "Cut short"
    assert "keptword" in doc.pages[0].text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("x.rtf", b"plain words, not rich text", "not a valid RTF file"),
        ("x.html", bytes(range(256)) * 8, "not a web page"),
        ("x.eml", b"just a line of text\nand another\n", "not an e-mail message"),
    ],
)
def test_text_formats_refuse_what_they_are_not(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ExtractionError, match=reason):
        extract(str(path))


# ---- XML entity expansion ('billion laughs') ----


def _laughing_docx(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / "laughs.docx"
    replace_part(
        source,
        target,
        "word/document.xml",
        lambda xml: xml.replace("?>", "?>" + BILLION_LAUGHS, 1).replace(
            "Dear committee,", "&lol9;", 1
        ),
    )
    return target


def _laughing_xlsx(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / "laughs.xlsx"
    replace_part(
        source,
        target,
        "xl/worksheets/sheet1.xml",
        lambda xml: (
            xml.replace("?>", "?>" + BILLION_LAUGHS, 1) if "?>" in xml else BILLION_LAUGHS + xml
        ),
    )
    return target


def _laughing_pptx(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / "laughs.pptx"
    replace_part(
        source,
        target,
        "ppt/slides/slide1.xml",
        lambda xml: xml.replace("?>", "?>" + BILLION_LAUGHS, 1).replace("Welcome", "&lol9;", 1),
    )
    return target


@pytest.mark.parametrize("kind", ("docx", "xlsx", "pptx", "odt"))
def test_xml_entities_never_expand(one_of_each: dict[str, Path], tmp_path: Path, kind: str) -> None:
    if kind == "odt":
        path = write_odf(
            tmp_path / "laughs.odt",
            "text",
            odf_content("text", "<text:p>&lol9;</text:p>", doctype=BILLION_LAUGHS),
        )
    else:
        maker = {"docx": _laughing_docx, "xlsx": _laughing_xlsx, "pptx": _laughing_pptx}[kind]
        path = maker(tmp_path, one_of_each[kind])
    # defusedxml (under openpyxl) refuses the declarations; libxml2 (under python-docx,
    # python-pptx and the OpenDocument reader) stops the expansion at its amplification limit.
    with pytest.raises(ExtractionError) as err:
        extract(str(path))
    assert err.value.reason == containers.UNSAFE_XML


def test_opendocument_declaring_any_entity_is_refused(tmp_path: Path) -> None:
    # One entity used many times ('quadratic blowup') stays under libxml2's limit: the reader
    # refuses any document type, as no OpenDocument writer makes one.
    big = "x" * 10_000
    path = write_odf(
        tmp_path / "quadratic.odt",
        "text",
        odf_content(
            "text",
            "<text:p>" + "&big;" * 1000 + "</text:p>",
            doctype=f'<!DOCTYPE d [<!ENTITY big "{big}">]>',
        ),
    )
    with pytest.raises(ExtractionError) as err:
        extract(str(path))
    assert err.value.reason == containers.UNSAFE_XML


def _peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
