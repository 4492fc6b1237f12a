"""Text recognition with the real engine (PyMuPDF's Tesseract) and the packaged language data:
scans, pictures, word boxes and the highlight drawn from them, and where language data is
looked for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract import ocr
from desktop_search.core.extract.reader import extract, render_page
from tests.scanned_files import make_mixed_scanned_pdf, make_picture, make_scanned_pdf

SENTENCE = "The quartermaster counted seven xylophones in the harbour warehouse."


def words_of(text: str) -> set[str]:
    return {w.strip(".,").lower() for w in text.split()}


def test_english_comes_with_the_install_and_a_missing_language_is_named() -> None:
    assert "eng" in ocr.available_languages()
    request = ocr.request_for(["eng"])
    assert (Path(request.tessdata) / "eng.traineddata").is_file()
    with pytest.raises(ocr.OcrUnavailableError, match="'klingon'.*languages available: .*eng"):
        ocr.request_for(["eng", "klingon"])


def test_language_data_named_by_tessdata_prefix_comes_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A system Tesseract's data (here: named by TESSDATA_PREFIX, as Tesseract itself reads
    it) is preferred to the packaged data: it may hold more languages or better models."""
    system = tmp_path / "tessdata"
    system.mkdir()
    packaged = Path(ocr.request_for(["eng"]).tessdata)
    shutil.copy(packaged / "eng.traineddata", system / "eng.traineddata")
    shutil.copy(packaged / "eng.traineddata", system / "frk.traineddata")
    monkeypatch.setenv("TESSDATA_PREFIX", str(system))
    first = ocr.language_data()[0]
    assert (first.folder, first.source) == (str(system), "system")
    assert first.languages == {"eng", "frk"}
    assert ocr.request_for(["eng"]).tessdata == str(system)
    assert "frk" in ocr.available_languages()


def test_a_scanned_page_is_read_with_the_position_of_each_word(tmp_path: Path) -> None:
    pdf = make_scanned_pdf(tmp_path / "scan.pdf", [SENTENCE])
    page = ocr.read_file_page(str(pdf), 1, ocr.request_for(["eng"]))
    assert {"quartermaster", "xylophones", "warehouse"} <= words_of(page.text)
    assert page.error == ""
    boxes = {w[4].strip(".,").lower(): w[:4] for w in page.words}
    x0, y0, x1, y1 = boxes["xylophones"]
    # Page units (the page is 420 x 160 points), left of "warehouse" on the same line or above.
    assert 0 <= x0 < x1 <= 420 and 0 <= y0 < y1 <= 160
    assert boxes["quartermaster"][0] < boxes["seven"][0]


def test_a_file_changed_since_its_task_was_made_is_not_read(tmp_path: Path) -> None:
    pdf = make_scanned_pdf(tmp_path / "scan.pdf", [SENTENCE])
    stale = ocr.OcrRequest("eng", ocr.request_for(["eng"]).tessdata, expected_hash="0" * 32)
    with pytest.raises(ExtractionError, match="changed while waiting"):
        ocr.read_file_page(str(pdf), 1, stale)


def test_scans_are_left_for_recognition_or_refused_with_a_reason(tmp_path: Path) -> None:
    pdf = make_scanned_pdf(tmp_path / "scan.pdf", [SENTENCE, "A second page."])
    doc = extract(str(pdf), read_scans=True)
    assert doc is not None and doc.pages == () and doc.pages_without_text == (1, 2)
    with pytest.raises(ExtractionError, match="no text layer: all pages are scanned images"):
        extract(str(pdf))
    recognised = extract(str(pdf), recognised=[(1, SENTENCE), (2, "")])
    assert recognised is not None
    assert [p.page for p in recognised.pages] == [1]  # a blank page gives no passage
    assert recognised.pages_without_text == ()  # nor is it a problem: it was read
    assert recognised.title.startswith("The quartermaster")


def test_recognised_pages_take_their_place_among_the_text_pages(tmp_path: Path) -> None:
    pdf = make_mixed_scanned_pdf(tmp_path / "mixed.pdf", ["Glaciers carve valleys."], SENTENCE)
    doc = extract(str(pdf), read_scans=True)
    assert doc is not None and [p.page for p in doc.pages] == [1]
    assert doc.pages_without_text == (2,)
    merged = extract(str(pdf), recognised=[(2, SENTENCE)])
    assert merged is not None and [p.page for p in merged.pages] == [1, 2]
    assert merged.title == "Glaciers carve valleys."


@pytest.mark.parametrize("name", ["receipt.png", "receipt.jpg", "receipt.tiff"])
def test_pictures_are_read_by_recognition(tmp_path: Path, name: str) -> None:
    picture = make_picture(tmp_path / name, "Receipt for zeppelin repairs\nPaid in full")
    doc = extract(str(picture), read_scans=True)
    pages = 2 if name.endswith("tiff") else 1
    assert doc is not None and doc.pages == () and doc.page_count == pages
    assert doc.pages_without_text == tuple(range(1, pages + 1))
    with pytest.raises(ExtractionError, match="picture, and text recognition is turned off"):
        extract(str(picture))
    page = ocr.read_file_page(str(picture), 1, ocr.request_for(["eng"]))
    assert "zeppelin" in words_of(page.text)


def test_a_damaged_picture_fails_with_a_reason(tmp_path: Path) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a picture" * 10)
    with pytest.raises(ExtractionError) as failure:
        extract(str(bad), read_scans=True)
    assert failure.value.reason and "Traceback" not in failure.value.reason


def test_a_hit_on_a_scanned_page_is_highlighted_from_the_recognised_words(tmp_path: Path):
    pdf = make_scanned_pdf(tmp_path / "scan.pdf", [SENTENCE])
    page = ocr.read_file_page(str(pdf), 1, ocr.request_for(["eng"]))
    passage = "seven xylophones in the harbour"
    plain = render_page(str(pdf), 1, zoom=2.0, highlight=passage)
    assert plain.highlights == ()  # no text layer to search
    drawn = render_page(str(pdf), 1, zoom=2.0, highlight=passage, words=page.words)
    assert drawn.highlights
    boxes = {w[4].strip(".,").lower(): w[:4] for w in page.words}
    x0, y0, x1, y1 = drawn.highlights[0]
    # Drawn at zoom 2: the rectangle covers where "xylophones" was read, in pixels.
    word = boxes["xylophones"]
    assert x0 <= word[0] * 2 + 1 and y0 <= word[1] * 2 + 1 and y1 >= word[3] * 2 - 1


def test_passage_boxes_follow_the_words_of_the_passage_line_by_line() -> None:
    words = [
        (10.0, 10.0, 40.0, 20.0, "Alpha"),
        (45.0, 10.0, 80.0, 20.0, "beta,"),
        (10.0, 30.0, 50.0, 40.0, "gamma"),
        (55.0, 30.0, 90.0, 40.0, "delta"),
    ]
    assert ocr.passage_boxes(words, "beta gamma") == [
        (45.0, 10.0, 80.0, 20.0),
        (10.0, 30.0, 50.0, 40.0),
    ]
    assert ocr.passage_boxes(words, "omega") == []
