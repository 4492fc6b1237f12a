"""The bundled transformer's OpenVINO exports, made before a benchmark indexes, so one backend
embeds every passage from the first (the product starts on torch and switches once the export
it makes in the background is ready, which would mix the two in one measurement).

An export is calibrated on the collection's own first passages, as the product calibrates on
the person's, made once per collection and variant under `.bench-cache/exports/`, and copied
into each benchmark home's cache folder, where the product finds it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks.eval_sets import CACHE_DIR, load_corpus
from desktop_search.core.config import Paths
from desktop_search.core.embed import openvino_export
from desktop_search.core.embed.minilm import EXPECTED_SHA256, bundled_transformer_folder

VARIANTS = ("torch", openvino_export.FP32, openvino_export.INT8)


def calibration_passages(collection: str, chars: int = 900) -> list[str]:
    """The collection's first documents, cut to about a passage each."""
    docs = load_corpus(collection)[: openvino_export.CALIBRATION_PASSAGES]
    return [f"{d.get('title', '')}\n{d.get('text', '')}".strip()[:chars] for d in docs]


def prepared_export(variant: str, collection: str) -> Path:
    """The folder of `variant` calibrated on `collection`, exported on first use (a minute)."""
    store = CACHE_DIR / "exports" / collection
    target = openvino_export.export_dir(store, EXPECTED_SHA256["model.safetensors"], variant)
    if openvino_export.finished_export(target) is None:
        calibration = calibration_passages(collection) if variant == openvino_export.INT8 else []
        openvino_export.export(bundled_transformer_folder(), target, variant, calibration)
    return target


def seed_home(home: Path, variant: str, collection: str) -> None:
    """Put `variant`'s export where the product looks for it in `home` (no-op for torch)."""
    if variant == "torch":
        return
    source = prepared_export(variant, collection)
    cache = Paths.resolve(home).cache_dir
    target = openvino_export.export_dir(cache, EXPECTED_SHA256["model.safetensors"], variant)
    if openvino_export.finished_export(target) is None:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
