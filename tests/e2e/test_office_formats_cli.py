"""A folder as people keep it: one Office, OpenDocument, RTF, web-page and e-mail file each,
indexed and searched through the CLI as a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.extract.office_files import (
    UNUSUAL_WORDS,
    WORD_PAGES,
    make_one_of_each,
    write_encrypted_ooxml,
    write_precompressed_zip,
)
from tests.e2e.conftest import failed_lines, run_cli


def test_each_kind_is_indexed_and_its_unusual_word_found(tmp_path: Path) -> None:
    files = make_one_of_each(tmp_path / "Documents")
    # Beside them, two that can't be read: each fails alone, with its reason.
    locked = write_encrypted_ooxml(tmp_path / "Documents" / "salaries.xlsx")
    bomb = write_precompressed_zip(
        tmp_path / "Documents" / "bomb.docx", "word/part", bytes(16 << 20), 70
    )
    home = tmp_path / "home"

    done = run_cli(home, "index", tmp_path / "Documents")
    assert done.returncode == 0, done.stderr
    assert len(failed_lines(done.stderr)) == 2, done.stderr
    status = json.loads(run_cli(home, "status", "--json").stdout)
    assert status["documents"] == len(files)
    reasons = {Path(f["path"]).name: f["reason"] for f in status["failed"]}
    assert reasons == {
        locked.name: "it is password-protected",
        bomb.name: "it unpacks to more than 1,024 MB: possibly a zip bomb",
    }

    queries = tmp_path / "queries.txt"
    queries.write_text("\n".join(UNUSUAL_WORDS.values()) + "\n", encoding="utf-8")
    out = run_cli(home, "search", "--batch", queries, "--json", "-k", "3")
    assert out.returncode == 0, out.stderr
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert [a["query"] for a in answers] == list(UNUSUAL_WORDS.values())
    for (kind, word), answer in zip(UNUSUAL_WORDS.items(), answers, strict=True):
        top = answer["results"][0]
        assert Path(top["path"]).name == files[kind].name, (kind, answer)
        hit = top["hits"][0]
        assert hit["page"] == WORD_PAGES.get(kind, 1), (kind, hit)
        assert word in hit["snippet"].lower(), (kind, hit)

    # The web page's script holds a word of its own: it was never indexed.
    out = run_cli(home, "search", "scriptonly", "--mode", "keyword", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []
