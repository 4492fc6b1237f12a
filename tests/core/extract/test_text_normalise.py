"""Text normalisation: compatibility forms folded, vertical CJK text joined, nothing else."""

from __future__ import annotations

import pymupdf

from desktop_search.core.extract.text import normalise_text
from tests.conftest import SHARED_PDFS


def test_vertical_text_one_character_per_line_is_joined() -> None:
    vertical = "\u3000\n序\nわ\nた\nく\nし\n（\n幽\n霊\n）\n\u3000\n\u3000\nこ\nれ\nら\n"
    assert normalise_text(vertical) == " \n序わたくし(幽霊)\nこれら\n"


def test_the_vertical_page_of_a_real_pdf_reads_as_sentences() -> None:
    doc = pymupdf.open(SHARED_PDFS / "pdfminer__jo.pdf")
    try:
        text = normalise_text(doc[0].get_text())
    finally:
        doc.close()
    assert "あらゆる透明な幽霊の複合体" in text
    assert max(len(line) for line in text.splitlines()) > 50


def test_short_lines_of_other_text_are_left_alone() -> None:
    for text in (
        "a\nb\nc\n",  # letters down a margin
        "1\n2\n3\n",  # list numbers
        "Total\n4\n.\nx\n",
        "第\nOK\n月\n",  # single CJK characters apart from each other
    ):
        assert normalise_text(text) == text
    # A table cell of one character between lines of text stays on its line.
    assert normalise_text("Title\n幽\n霊\nend\n月\nok") == "Title\n幽霊\nend\n月\nok"


def test_compatibility_forms_fold_to_what_people_type() -> None:
    assert normalise_text("ｆｕｌｌ－ｗｉｄｔｈ ﬁle ²") == "full-width file 2"
