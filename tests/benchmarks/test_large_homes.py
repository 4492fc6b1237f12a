"""Synthetic files for the big latency homes."""

from __future__ import annotations

from pathlib import Path

from benchmarks.large_homes import write_synthetic_files
from tests.benchmarks.helpers import need_shared_data


def test_synthetic_files_are_about_ten_passages_long(tmp_path: Path) -> None:
    need_shared_data()
    write_synthetic_files(tmp_path, 3, seed=1)
    files = sorted(tmp_path.glob("*.txt"))
    assert [f.name for f in files] == ["doc000000.txt", "doc000001.txt", "doc000002.txt"]
    texts = [f.read_text(encoding="utf-8") for f in files]
    assert all(7000 <= len(t) <= 9000 for t in texts)
    assert len(set(texts)) == 3
