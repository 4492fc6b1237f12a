"""Exports the bundled transformer to OpenVINO on this computer, from its checked files:
converted from the torch model, then (int8) quantised by NNCF, calibrated on passages of the
person's own index. Nothing is downloaded.

An export is kept in the home's cache folder under a name made of everything that shapes it
(the weights' sha256, the versions of the libraries that convert and quantise, this module's
format), so an upgrade of any of them exports again and a damaged export is never reused.
It runs in a child process (`start_export`): the minute of conversion and calibration never
holds up search or quitting, and its memory goes back when it ends.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing as mp
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Sequence
from hashlib import sha256
from importlib import metadata
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1  # bump when the export below changes: older exports are then made again
FP32 = "openvino"
INT8 = "openvino-int8"
VARIANTS = (FP32, INT8)
MODEL_XML = "model.xml"
MANIFEST = "export.json"
FAILED = "failed.txt"
# NNCF's default for transformers (SmoothQuant, mixed preset) on this many passages measured
# within 1% nDCG@10 of torch on Cranfield and CISI (benchmarks/README.md, throughput.py).
CALIBRATION_PASSAGES = 300
_LIBRARIES = ("openvino", "nncf", "torch", "transformers")


def export_dir(cache_dir: Path, weights_sha256: str, variant: str) -> Path:
    """Where `variant` of the model with these weights is (or will be) kept."""
    versions = {name: _version(name) for name in _LIBRARIES}
    key = json.dumps([EXPORT_FORMAT, weights_sha256, variant, versions], sort_keys=True)
    return cache_dir / f"all-minilm-l6-v2-{variant}-{sha256(key.encode()).hexdigest()[:16]}"


def finished_export(folder: Path) -> Path | None:
    """The model file of a complete export in `folder`, else None. An export is complete when
    its manifest is there: the manifest is written last, inside a temporary folder that is then
    renamed into place."""
    xml = folder / MODEL_XML
    if (folder / MANIFEST).is_file() and xml.is_file():
        return xml
    return None


def failure_of(folder: Path) -> str | None:
    """Why the last export into `folder` failed (kept beside it), else None."""
    marker = folder.with_name(folder.name + "." + FAILED)
    try:
        return marker.read_text(encoding="utf-8").strip() or "unknown reason"
    except OSError:
        return None


def start_export(model_folder: Path, target: Path, variant: str, calibration: Sequence[str]) -> Any:
    """Start exporting in a child process (low priority, output discarded) and return it.

    The child ends with exit status 0 and `target` complete, or non-zero with the reason in
    `failure_of(target)`. A killed child leaves only a temporary folder that the next export
    removes.
    """
    ctx = mp.get_context("spawn")  # never fork a process that runs model threads
    process = ctx.Process(
        target=_export_in_child,
        args=(str(model_folder), str(target), variant, list(calibration)),
        name="desktop-search-model-export",
        daemon=True,  # killed with the app; an unfinished export is simply redone next time
    )
    process.start()
    return process


def _export_in_child(model_folder: str, target: str, variant: str, calibration: list[str]) -> None:
    # Progress bars of NNCF and warnings of the converter would land in the CLI's output.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    with contextlib.suppress(OSError):  # as pass 2's own threads: the window comes first
        os.nice(10)
    try:
        export(Path(model_folder), Path(target), variant, calibration)
    except BaseException as exc:  # noqa: BLE001 - whatever it was, the parent must hear why
        reason = f"{type(exc).__name__}: {exc}".strip()
        record_failure(Path(target), reason, "".join(traceback.format_exception(exc)))
        raise SystemExit(1) from None


def record_failure(target: Path, reason: str, detail: str = "") -> None:
    """Keep why the export into `target` failed, so later starts stay on torch instead of
    trying again (and failing the same way) every time the app starts."""
    marker = target.with_name(target.name + "." + FAILED)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{reason}\n\n{detail}".rstrip() + "\n", encoding="utf-8")


def export(model_folder: Path, target: Path, variant: str, calibration: Sequence[str]) -> Path:
    """Convert (and for int8, quantise) the model into `target`; returns the model file.

    Blocking, tens of seconds on two cores; `start_export` runs it in a child process.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown OpenVINO variant {variant!r}")
    if variant == INT8 and not calibration:
        raise ValueError("int8 quantisation needs calibration passages")
    from desktop_search.core.embed.openvino_backend import import_openvino, max_tokens_of

    ov = import_openvino()  # telemetry blocked before nncf or the converter load
    started = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.*"):  # a killed export's leftovers
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        model = _convert(ov, model_folder)
        if variant == INT8:
            model = _quantise(model, model_folder, max_tokens_of(model_folder), calibration)
        # int8: the weights NNCF left in float (the token table) are kept as fp16, as the
        # measured export was; fp32: exact.
        ov.save_model(model, str(work / MODEL_XML), compress_to_fp16=variant == INT8)
        manifest = {
            "variant": variant,
            "format": EXPORT_FORMAT,
            "source": str(model_folder),
            "calibration_passages": len(calibration) if variant == INT8 else 0,
            "seconds": round(time.monotonic() - started, 1),
            "versions": {name: _version(name) for name in _LIBRARIES},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        if target.exists():  # another process finished the same export first
            shutil.rmtree(work, ignore_errors=True)
        else:
            os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    target.with_name(target.name + "." + FAILED).unlink(missing_ok=True)
    return target / MODEL_XML


def _convert(ov: Any, model_folder: Path) -> Any:
    """The transformer (no pooling) as an OpenVINO model with dynamic batch and length."""
    import torch
    from transformers import AutoModel

    class TokenVectors(torch.nn.Module):  # only the output that pooling reads
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    # Eager attention traces into plain matmuls; the fused kernels don't convert everywhere.
    bert = AutoModel.from_pretrained(
        str(model_folder), local_files_only=True, attn_implementation="eager"
    ).eval()
    example = {
        "input_ids": torch.ones((2, 16), dtype=torch.long),
        "attention_mask": torch.ones((2, 16), dtype=torch.long),
        "token_type_ids": torch.zeros((2, 16), dtype=torch.long),
    }
    with torch.no_grad():
        # Inputs are named after forward()'s arguments; batch and length stay dynamic.
        return ov.convert_model(TokenVectors(bert), example_input=example)


def _quantise(model: Any, model_folder: Path, max_tokens: int, texts: Sequence[str]) -> Any:
    """Static int8 (weights and activations), with activation ranges measured on `texts`."""
    import nncf

    from desktop_search.core.embed.openvino_backend import load_tokenizer, tokenise

    tokenizer = load_tokenizer(model_folder, max_tokens)
    tokenizer.no_padding()  # padding tokens' activations would count in the measured ranges
    samples = [tokenise(tokenizer, [text]) for text in texts]  # one passage, unpadded, each
    return nncf.quantize(
        model,
        nncf.Dataset(samples),
        preset=nncf.QuantizationPreset.MIXED,
        model_type=nncf.ModelType.TRANSFORMER,
        subset_size=len(samples),
        fast_bias_correction=True,
    )


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"
