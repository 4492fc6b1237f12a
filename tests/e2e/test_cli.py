"""The CLI as a subprocess on real files: the contract of DESIGN.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED_PDFS, make_mixed_pdf
from tests.scanned_files import make_mixed_scanned_pdf


def run(home: Path, *args: str, input_text: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop_search", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=240,
        input=input_text,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )


@pytest.fixture
def indexed(tmp_path: Path, corpus: Path) -> Path:
    home = tmp_path / "cli-home"
    done = run(home, "index", str(corpus))
    assert done.returncode == 0, done.stderr
    assert "Indexed 4 files" in done.stderr
    return home


def test_search_json_is_one_result_per_document(indexed: Path) -> None:
    out = run(indexed, "search", "volcano eruption", "--json", "-k", "3")
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert 1 <= len(results) <= 3
    top = results[0]
    assert Path(top["path"]).name == "volcano.pdf"
    assert set(top) >= {"path", "score", "title", "hits"}
    assert {"page", "snippet", "score"} <= set(top["hits"][0])
    assert len({r["path"] for r in results}) == len(results)


def test_batch_search_keeps_order_and_answers_every_line(indexed: Path, tmp_path: Path) -> None:
    batch = tmp_path / "queries.txt"
    batch.write_text("sourdough bread\n\nsupernova star\n", encoding="utf-8")
    out = run(indexed, "search", "--batch", str(batch), "--json", "-k", "2", "--mode", "keyword")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["sourdough bread", "", "supernova star"]
    assert Path(lines[0]["results"][0]["path"]).name == "baking.pdf"
    assert lines[1]["results"] == [] and "error" in lines[1]
    assert Path(lines[2]["results"][0]["path"]).name == "astronomy.md"


def test_text_output_marks_terms(indexed: Path) -> None:
    out = run(indexed, "search", "sourdough")
    assert out.returncode == 0
    assert "baking.pdf" in out.stdout and "[sourdough]" in out.stdout.lower()


def test_text_output_names_pages_as_the_window_does(indexed: Path) -> None:
    """A PDF's hit says its page ("p. 1"); a text file's says none: its "page" is only how it
    was cut up for searching."""
    pdf = run(indexed, "search", "sourdough", "-k", "1", "--mode", "keyword")
    assert pdf.returncode == 0, pdf.stderr
    assert "baking.pdf" in pdf.stdout
    assert any(line.startswith("    p. 1: ") for line in pdf.stdout.splitlines()), pdf.stdout
    text = run(indexed, "search", "supernova star", "-k", "1", "--mode", "keyword")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert "astronomy.md" in text.stdout
    hits = [line for line in lines if "[" in line and line.startswith("    ")]
    assert hits and not any(line.lstrip().startswith("p.") for line in hits), text.stdout


def test_filters_from_the_command_line(indexed: Path, corpus: Path) -> None:
    out = run(indexed, "search", "star", "--type", "md", "--json")
    assert [Path(r["path"]).name for r in json.loads(out.stdout)] == ["astronomy.md"]
    out = run(indexed, "search", "volcano", "--after", "2999-01-01", "--json")
    assert json.loads(out.stdout) == []
    out = run(indexed, "search", "volcano", "--after", "last week")
    assert out.returncode != 0 and "2024-05-31" in out.stderr


def test_status_json_lists_folders_and_failures(tmp_path: Path, corpus: Path) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 nothing here")
    home = tmp_path / "h"
    assert run(home, "index", str(corpus)).returncode == 0  # failures don't fail the command
    status = json.loads(run(home, "status", "--json").stdout)
    assert {"model", "documents", "chunks", "indexing", "folders", "failed"} <= set(status)
    assert status["documents"] == 4 and status["indexing"] is False
    assert status["folders"][0]["path"] == str(corpus)
    assert status["folders"][0]["failed"] == 1
    assert status["failed"] == [
        {"path": str(corpus / "broken.pdf"), "reason": "the file is damaged or not a valid PDF"}
    ]


def test_remove_purges(indexed: Path, corpus: Path) -> None:
    assert run(indexed, "remove", str(corpus)).returncode == 0
    status = json.loads(run(indexed, "status", "--json").stdout)
    assert status["documents"] == 0 and status["folders"] == []
    bad = run(indexed, "remove", str(corpus))
    assert bad.returncode == 1 and "not one of the indexed folders" in bad.stderr


def test_errors_are_one_line_and_non_zero(tmp_path: Path) -> None:
    home = tmp_path / "h"
    missing = run(home, "index", str(tmp_path / "nope"))
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "does not exist" in missing.stderr
    empty = run(home, "search", "volcano")
    assert empty.returncode == 1 and "nothing is indexed yet" in empty.stderr
    assert "Traceback" not in missing.stderr + empty.stderr


def test_more_like_this_from_cli(indexed: Path, corpus: Path) -> None:
    out = run(indexed, "search", "--like", str(corpus / "volcano.pdf"), "--json")
    assert out.returncode == 0, out.stderr
    assert "volcano.pdf" not in [Path(r["path"]).name for r in json.loads(out.stdout)]


@pytest.mark.skipif(not SHARED_PDFS.is_dir(), reason="shared PDFs not present")
def test_sample_of_real_world_pdfs(tmp_path: Path) -> None:
    sample = tmp_path / "real"
    sample.mkdir()
    names = [
        "pypdf__crazyones.pdf",
        "pypdf__encrypted-file.pdf",
        "qpdf__bad1.pdf",
        "pdfminer__jo.pdf",
        "pdfplumber__issue-203-decimalize.pdf",
        "pdfplumber__empty.pdf",
    ]
    for name in names:
        (sample / name).write_bytes((SHARED_PDFS / name).read_bytes())
    home = tmp_path / "h"
    assert run(home, "index", str(sample)).returncode == 0
    status = json.loads(run(home, "status", "--json").stdout)
    failed = {Path(f["path"]).name: f["reason"] for f in status["failed"]}
    assert failed["pypdf__encrypted-file.pdf"] == "it is password-protected"
    # A scan of three pages: indexed, its pages read by text recognition before `index` ends.
    assert "pdfplumber__issue-203-decimalize.pdf" not in failed
    assert status["scanned_pages"] == [3, 3]
    assert failed["pdfplumber__empty.pdf"] == "the file is empty"
    assert "damaged" in failed["qpdf__bad1.pdf"]
    assert status["documents"] + len(failed) == len(names)
    out = json.loads(run(home, "search", "crazy ones misfits", "--json").stdout)
    assert Path(out[0]["path"]).name == "pypdf__crazyones.pdf"


def test_scanned_pages_inside_a_readable_pdf_are_reported(tmp_path: Path) -> None:
    """With text recognition off, the text pages are searchable and the scanned page is
    named in `status`, not lost."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    make_mixed_pdf(
        folder / "mixed.pdf",
        ["Glaciers carve valleys over thousands of years.", "Moraines mark old ice."],
    )
    home = tmp_path / "cli-home"
    home.mkdir()
    (home / "settings.toml").write_text('model = "bundled-fast"\nocr = false\n', encoding="utf-8")
    assert run(home, "index", str(folder)).returncode == 0

    status = json.loads(run(home, "status", "--json").stdout)
    assert status["documents"] == 1 and status["failed"] == []
    assert [p["path"] for p in status["partial"]] == [str(folder / "mixed.pdf")]
    assert status["partial"][0]["reason"] == (
        "page 3 is a scanned image without a text layer (text recognition is turned off)"
    )
    text = run(home, "status").stdout
    assert "Files indexed only in part (1):" in text and "page 3" in text
    hits = json.loads(run(home, "search", "glaciers valleys", "--json").stdout)
    assert hits and hits[0]["path"].endswith("mixed.pdf")


def test_index_reads_scanned_pages_before_it_returns(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    make_mixed_scanned_pdf(
        folder / "mixed.pdf",
        ["Glaciers carve valleys over thousands of years."],
        "The quartermaster counted seven xylophones in the harbour warehouse.",
    )
    home = tmp_path / "cli-home"
    home.mkdir()
    (home / "settings.toml").write_text('model = "bundled-fast"\n', encoding="utf-8")
    done = run(home, "index", str(folder))
    assert done.returncode == 0, done.stderr
    assert "Scanned pages read by text recognition: all 1." in done.stderr
    hits = json.loads(run(home, "search", "xylophones", "--mode", "keyword", "--json").stdout)
    assert [(Path(h["path"]).name, h["hits"][0]["page"]) for h in hits] == [("mixed.pdf", 2)]
    text = run(home, "status").stdout
    assert "Scans:     1 of 1 scanned pages read by text recognition" in text
    assert "indexed only in part" not in text
