"""Queries reach the CLI verbatim, one per line; its batch output is read back in order."""

from __future__ import annotations

import pytest

from benchmarks.cli_driver import batch_line, batch_results, cli_command, doc_id_of


def test_batch_line_changes_only_line_breaks() -> None:
    query = 'The "training" phase\nof  -dash pitot-static\ttubes\r\nand -x'
    assert batch_line(query) == 'The "training" phase of  -dash pitot-static\ttubes and -x'
    assert batch_line('"exact phrase" -excluded') == '"exact phrase" -excluded'


def test_batch_results_accepts_list_or_object() -> None:
    hit = {"path": "/x/12.pdf", "score": 1.0}
    assert batch_results([hit]) == [hit]
    assert batch_results({"query": "q", "results": [hit]}) == [hit]
    assert doc_id_of(hit) == "12"
    with pytest.raises(ValueError):
        batch_results({"query": "q"})


def test_cli_command_runs_the_package_with_an_explicit_home() -> None:
    cmd = cli_command("/h", "search", "--json")
    assert cmd[1:] == ["-m", "desktop_search", "--home", "/h", "search", "--json"]
