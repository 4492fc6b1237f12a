"""What the benchmark tests share: skipping when the shared eval data is not here."""

from __future__ import annotations

import pytest

from benchmarks.eval_sets import shared_dir


def need_shared_data() -> None:
    if not (shared_dir() / "data" / "eval" / "cranfield" / "corpus.jsonl").is_file():
        pytest.skip(f"eval data not found under {shared_dir()}")
