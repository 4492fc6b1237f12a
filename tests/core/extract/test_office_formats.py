"""Office, OpenDocument, RTF, web-page and e-mail files, well-formed: each word on its page,
only the text a person sees, and the preview's page text the same as the indexed one.
(What can't be read, and why: test_office_damaged.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.formats import format_of, is_drawable, type_groups
from desktop_search.core.extract.reader import read_page_text
from desktop_search.core.models import ExtractedDocument
from tests.core.extract.office_files import (
    UNUSUAL_WORDS,
    WORD_PAGES,
    make_docx,
    make_eml,
    make_odp,
    make_ods,
    make_odt,
    make_pptx,
    make_rtf,
    make_xlsx,
    read_document,
)

ALL_KINDS = tuple(UNUSUAL_WORDS)


def page_with(doc: ExtractedDocument, word: str) -> int:
    pages = [p.page for p in doc.pages if word in p.text]
    assert len(pages) == 1, f"{word!r} on pages {pages}"
    return pages[0]


# ---- the registry ----


def test_every_format_is_registered_with_a_text_preview() -> None:
    groups = dict(type_groups())
    assert set(groups["Word & Writer documents"]) == {"docx", "odt", "rtf"}
    assert set(groups["Spreadsheets"]) == {"xlsx", "ods"}
    assert set(groups["Presentations"]) == {"pptx", "odp"}
    assert set(groups["Web pages"]) == {"html", "htm", "xhtml"}
    assert groups["E-mail"] == ("eml",)
    for kind in (*ALL_KINDS, "htm", "xhtml"):
        assert format_of(f"x.{kind}") is not None
        assert not is_drawable(kind)  # the preview shows their page text, hit highlighted


# ---- well-formed files: the unusual word on the right page ----


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_unusual_word_is_on_its_page(one_of_each: dict[str, Path], kind: str) -> None:
    doc = read_document(one_of_each[kind])
    assert page_with(doc, UNUSUAL_WORDS[kind]) == WORD_PAGES.get(kind, 1)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_preview_page_text_is_the_indexed_text(one_of_each: dict[str, Path], kind: str) -> None:
    # The preview finds the hit by its character offsets in this text: it must be the same.
    doc = read_document(one_of_each[kind])
    for page in doc.pages:
        assert read_page_text(str(one_of_each[kind]), page.page) == page.text
    with pytest.raises(ExtractionError, match="has no"):
        read_page_text(str(one_of_each[kind]), doc.page_count + 1)


def test_docx_reads_body_tables_headers_and_title(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "a.docx",
        ["Opening paragraph", "Tab\tinside"],
        table=[["cellword1", "cellword2"]],
        header="headerword",
        title="Annual Report",
    )
    doc = read_document(path)
    assert doc.title == "Annual Report"
    assert doc.page_count == 1
    text = doc.pages[0].text
    for word in ("Opening paragraph", "Tab\tinside", "cellword1", "cellword2", "headerword"):
        assert word in text
    assert text.index("Opening") < text.index("cellword1") < text.index("headerword")


def test_pptx_slides_are_pages_with_their_notes(tmp_path: Path) -> None:
    path = make_pptx(tmp_path / "a.pptx", ["first", "", "third"], notes={3: "notesword"})
    doc = read_document(path)
    assert doc.page_count == 3
    assert doc.title == "Slide 1"
    assert page_with(doc, "notesword") == 3
    assert page_with(doc, "third") == 3
    assert page_with(doc, "Slide 2") == 2  # a slide with only its title is still a page


def test_xlsx_sheets_are_pages_rows_are_lines(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "book.xlsx",
        {"First": [["a", 1.0, 2.5, True]], "Empty": [], "Third": [["name", None, "value"]]},
    )
    doc = read_document(path)
    assert doc.page_count == 3
    assert [p.page for p in doc.pages] == [1, 3]
    assert doc.pages[0].text == "First\na\t1\t2.5\tTRUE"
    assert doc.pages[1].text == "Third\nname\t\tvalue"
    assert doc.title == "book"


def test_ods_sheets_are_pages_and_repeated_cells_cost_nothing(tmp_path: Path) -> None:
    path = make_ods(tmp_path / "s.ods", {"One": [["x", "", "y"]], "Two": [["deepword"]]})
    doc = read_document(path)
    assert doc.page_count == 2
    assert doc.pages[0].text == "One\nx\t\ty"
    assert page_with(doc, "deepword") == 2


def test_odt_spacing_spans_notes_and_deleted_text(tmp_path: Path) -> None:
    extra = (
        '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion>'
        "<text:p>deletedword</text:p></text:deletion></text:changed-region></text:tracked-changes>"
        '<text:p>two<text:s text:c="3"/>spaces<text:tab/>tab<!-- a note --><text:line-break/>'
        '<text:span text:style-name="T1">spanword</text:span>'
        "<office:annotation><dc:creator>Reviewer Name</dc:creator>"
        "<text:p>commentword</text:p></office:annotation> tail</text:p>"
    )
    path = make_odt(tmp_path / "d.odt", ["Heading"], title="Writer Title", extra=extra)
    doc = read_document(path)
    text = doc.pages[0].text
    assert doc.title == "Writer Title"
    assert "two   spaces\ttab\nspanword tail" in text
    assert "commentword" in text
    assert "deletedword" not in text
    assert "Reviewer Name" not in text


def test_odp_slides_are_pages(tmp_path: Path) -> None:
    path = make_odp(tmp_path / "p.odp", ["one", "", "three"], notes={1: "noteword"})
    doc = read_document(path)
    assert doc.page_count == 3
    assert [p.page for p in doc.pages] == [1, 3]
    assert page_with(doc, "noteword") == 1


def test_rtf_escapes_and_characters_beyond_the_basic_plane(tmp_path: Path) -> None:
    path = make_rtf(tmp_path / "a.rtf", ["Grüße {braces} back\\slash", "emoji 😀 here"])
    doc = read_document(path)
    text = doc.pages[0].text
    assert "Grüße {braces} back\\slash" in text
    assert "emoji 😀 here" in text
    assert "A title" not in text  # document properties are not body text
    assert "Arial" not in text


def test_html_indexes_visible_text_only(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        """<!DOCTYPE html><html><head><title> The  page
        title </title><meta name="description" content="metaword">
        <style>.x { content: "styleword" }</style><script>var s = "scriptword";</script>
        </head><body><!-- commentword --><h1>Heading</h1>
        <p>visible <b>bold</b>word and   collapsed
        space</p><template><p>templateword</p></template>
        <noscript>noscriptword</noscript><div hidden><p>hiddenword<p>still hidden</div>
        <div style="display: none">displaynoneword</div><span style="visibility:hidden">
        invisibleword</span><table><tr><td>c1</td><td>c2</td></tr></table>
        <pre>keep   this\n  layout</pre><script type="text/template">tplscript</script>
        <p>after</p></body></html>""",
        encoding="utf-8",
    )
    doc = read_document(page)
    text = doc.pages[0].text
    assert doc.title == "The page title"
    assert "visible boldword and collapsed space" in text
    assert "c1\tc2" in text
    assert "keep   this\n" in text
    assert "after" in text
    for hidden in (
        "metaword", "styleword", "scriptword", "commentword", "templateword", "noscriptword",
        "hiddenword", "still hidden", "displaynoneword", "invisibleword", "tplscript",
    ):  # fmt: skip
        assert hidden not in text


def test_html_declared_charset_is_honoured(tmp_path: Path) -> None:
    page = tmp_path / "old.htm"
    page.write_bytes(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "</head><body><p>Grüße aus Köln</p></body></html>".encode("latin-1")
    )
    doc = read_document(page)
    assert "Grüße aus Köln" in doc.pages[0].text
    assert doc.title == "Grüße aus Köln"  # no <title> or heading: the first line


def test_eml_headers_body_and_attachment_names(tmp_path: Path) -> None:
    path = make_eml(
        tmp_path / "m.eml",
        subject="Quarterly figures",
        sender="Alice Example <alice@example.org>",
        plain="Plain body with plainword.",
        html="<p>HTML body with htmlword</p>",
        attachment=("figures-2025.pdf", b"%PDF-1.4 attachmentword"),
    )
    doc = read_document(path)
    text = doc.pages[0].text
    assert doc.title == "Quarterly figures"
    assert "Subject: Quarterly figures" in text
    assert "From: Alice Example <alice@example.org>" in text
    assert "Date: Tue, 04 Mar 2025 09:30:00 +0100" in text
    assert "Attachments: figures-2025.pdf" in text
    assert "plainword" in text
    assert "htmlword" not in text  # the plain part is preferred
    assert "attachmentword" not in text  # attachments are listed, never read


def test_eml_non_ascii_subject_and_body_are_decoded(tmp_path: Path) -> None:
    path = make_eml(
        tmp_path / "u.eml",
        subject="Grüße aus Köln — 東京",
        sender="Jörg Müller <joerg@example.org>",
        plain="Der Straßenbahnfahrplan liegt bei. 日本語の本文",
    )
    doc = read_document(path)
    text = doc.pages[0].text
    assert doc.title == "Grüße aus Köln — 東京"
    assert "From: Jörg Müller <joerg@example.org>" in text
    assert "Straßenbahnfahrplan" in text and "日本語の本文" in text


def test_eml_html_only_body_is_rendered(tmp_path: Path) -> None:
    path = make_eml(
        tmp_path / "h.eml",
        subject="Newsletter",
        sender="news@example.org",
        plain=None,
        html="<html><head><style>p{color:red}</style></head><body><p>Hello "
        "<b>htmlonlyword</b></p><script>trackerword()</script></body></html>",
    )
    text = read_document(path).pages[0].text
    assert "Hello htmlonlyword" in text
    assert "trackerword" not in text
    assert "color:red" not in text
