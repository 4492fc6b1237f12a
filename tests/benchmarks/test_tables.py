"""Plain-text tables: numbers right-aligned, text left-aligned."""

from __future__ import annotations

from benchmarks.tables import format_table


def test_format_table_aligns_columns() -> None:
    table = format_table(["name", "score"], [["hybrid", 0.5], ["kw", 12.25]])
    lines = table.splitlines()
    assert lines[0] == "name     score"
    assert lines[1] == "------  ------"
    assert lines[2] == "hybrid   0.500"
    assert lines[3] == "kw      12.250"
    assert len({len(line) for line in lines}) == 1
