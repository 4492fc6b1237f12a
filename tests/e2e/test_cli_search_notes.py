"""The CLI says what the engine said about a query: "did you mean", the spelling it ran instead,
a phrase no passage has; and each result's confidence, date, size and copies elsewhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.core.search.test_results_trust import HEALTH_NOTE, OTHERS
from tests.e2e.conftest import run_cli


@pytest.fixture
def home(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "health.md").write_text(HEALTH_NOTE, encoding="utf-8")
    for name, text in OTHERS.items():
        (notes / name).write_text(text, encoding="utf-8")
    (tmp_path / "copy").mkdir()
    shutil.copy(notes / "recipe.md", tmp_path / "copy" / "recipe.md")
    home = tmp_path / "home"
    assert run_cli(home, "index", notes, tmp_path / "copy").returncode == 0
    return home


def test_text_output_says_which_spelling_ran(home: Path) -> None:
    out = run_cli(home, "search", "cholestrol").stdout
    assert "No document has “cholestrol”; showing results for “cholesterol”." in out
    first = out.split("\n 1. ", 1)[1]
    assert first.splitlines()[1].strip().endswith("health.md")
    assert "modified " in first and " B" in first


def test_text_output_offers_a_spelling_it_did_not_run(home: Path) -> None:
    out = run_cli(home, "search", "cholestrol oats").stdout
    assert out.startswith("Did you mean: cholesterol oats?")


def test_json_keeps_its_list_and_says_the_notes_on_stderr(home: Path) -> None:
    proc = run_cli(home, "search", '"garlic tahini"', "--json")
    results = json.loads(proc.stdout)
    assert isinstance(results, list) and results
    assert "exact phrase “garlic tahini”" in proc.stderr
    top = results[0]
    assert top["path"].endswith("recipe.md")
    assert 0.0 <= top["confidence"] <= 1.0 and top["size"] > 0
    assert len(top["also_in"]) == 1 and top["also_in"][0].endswith("copy/recipe.md")
    assert top["hits"][0]["matched_terms"] == ["garlic", "tahini"]


def test_batch_records_carry_the_notes(home: Path, tmp_path: Path) -> None:
    batch = tmp_path / "queries.txt"
    batch.write_text("cholestrol\ngarlic\n", encoding="utf-8")
    lines = run_cli(home, "search", "--batch", batch, "--json").stdout.splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["corrected_query"] == "cholesterol" and first["notes"]
    assert second["suggestion"] == "" and second["notes"] == []
