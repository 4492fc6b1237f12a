"""The benchmarks' OpenVINO exports: calibration text from the collection, nothing for torch."""

from __future__ import annotations

from pathlib import Path

from benchmarks.model_exports import calibration_passages, seed_home
from desktop_search.core.embed import openvino_export


def test_calibration_passages_are_the_collections_first_documents() -> None:
    passages = calibration_passages("cisi", chars=300)
    assert len(passages) == openvino_export.CALIBRATION_PASSAGES
    assert all(0 < len(p) <= 300 for p in passages)
    assert len(set(passages)) > 290  # real, distinct documents


def test_torch_needs_no_export(tmp_path: Path) -> None:
    seed_home(tmp_path / "bench-home", "torch", "cisi")
    assert not (tmp_path / "bench-home").exists()
