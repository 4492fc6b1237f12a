"""The bundled transformer on OpenVINO: exported from the real bundled files into the home's
cache, found there on the next load, the same answers as torch, torch whenever OpenVINO can't
serve, and OpenVINO's telemetry silent."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from desktop_search.core.embed import openvino_export
from desktop_search.core.embed.accelerated import AcceleratedTransformer
from desktop_search.core.embed.minilm import (
    BUNDLED_TRANSFORMER_ID,
    EXPECTED_SHA256,
    bundled_transformer_folder,
)

WEIGHTS = EXPECTED_SHA256["model.safetensors"]

DOCUMENTS = [
    "Volcanic eruptions release ash and sulfur dioxide into the stratosphere.",
    "To bake sourdough bread, feed the starter the night before and knead the dough.",
    "Quarterly revenue grew by twelve percent and the board approved a dividend.",
    "A supernova is the explosion of a massive star at the end of its life.",
    "The goalkeeper saved a penalty in the last minute of the football match.",
    "Antibiotics do not work against viral infections such as the common cold.",
]
QUERIES = {  # no word shared with the document it should find
    "what comes out of a mountain that erupts": 0,
    "making a loaf at home": 1,
    "company earnings and payouts to shareholders": 2,
    "dying stars blowing up": 3,
    "soccer game decided late": 4,
    "medicine for bacteria versus flu": 5,
}


def load(cache: Path, inference: str = openvino_export.INT8) -> AcceleratedTransformer:
    return AcceleratedTransformer(
        bundled_transformer_folder(),
        model_id=BUNDLED_TRANSFORMER_ID,
        weights_sha256=WEIGHTS,
        device="cpu",
        cache_dir=cache,
        inference=inference,
    )


def best_documents(model: AcceleratedTransformer) -> list[int]:
    docs = model.embed_documents(DOCUMENTS)
    return [int(np.argmax(docs @ model.embed_query(q))) for q in QUERIES]


def test_exported_once_then_found_in_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    model = load(cache)
    assert model.backend == "torch" and model.exporting  # torch serves until the export is ready
    on_torch = best_documents(model)
    assert on_torch == list(QUERIES.values())
    torch_vectors = model.embed_documents(DOCUMENTS)

    # Calibrated on passages a person might have indexed (the product uses the first ones
    # pass 2 embeds; fewer here, to keep the test short).
    calibration = DOCUMENTS * 4
    model.start_export_now(calibration)
    assert model.wait_for_export() == openvino_export.INT8
    assert not model.exporting
    assert best_documents(model) == on_torch
    int8_vectors = model.embed_documents(DOCUMENTS)
    assert int8_vectors.shape == (len(DOCUMENTS), 384)
    assert np.allclose(np.linalg.norm(int8_vectors, axis=1), 1, atol=1e-5)
    assert float(np.min(np.sum(torch_vectors * int8_vectors, axis=1))) > 0.98
    # A text's vector is the same whatever it is batched with (padded to other lengths).
    alone = model.embed_documents(DOCUMENTS[:1])[0]
    for words in range(8, 80, 4):
        beside = model.embed_documents([DOCUMENTS[0], " ".join(["lava"] * words)])[0]
        assert float(alone @ beside) > 0.9999, words

    (export,) = (p for p in cache.iterdir() if not p.name.startswith("."))
    manifest = json.loads((export / openvino_export.MANIFEST).read_text("utf-8"))
    assert manifest["variant"] == openvino_export.INT8
    assert manifest["calibration_passages"] == len(calibration)
    stamp = (export / openvino_export.MODEL_XML).stat().st_mtime_ns

    again = load(cache)  # a later start: straight to OpenVINO, nothing exported again
    assert again.backend == openvino_export.INT8 and not again.exporting
    assert best_documents(again) == on_torch
    again.embed_documents(DOCUMENTS * 50)  # more than enough passages to calibrate with
    assert not again.exporting
    assert (export / openvino_export.MODEL_XML).stat().st_mtime_ns == stamp
    assert sorted(p.name for p in cache.iterdir()) == [export.name]


def test_the_engine_keeps_the_export_in_its_home(
    engine_factory: Callable[..., Any], isolated_home: Path
) -> None:
    (isolated_home / "settings.toml").write_text('model = "bundled"\n', encoding="utf-8")
    engine = engine_factory()
    model = engine.embedder()
    assert isinstance(model, AcceleratedTransformer) and model.backend == "torch"
    planned = model.planned_export
    assert planned is not None and planned.parent == isolated_home / "cache"


def test_the_cache_key_follows_the_weights_and_the_libraries(tmp_path: Path) -> None:
    int8 = openvino_export.export_dir(tmp_path, WEIGHTS, openvino_export.INT8)
    assert int8 == openvino_export.export_dir(tmp_path, WEIGHTS, openvino_export.INT8)
    assert int8 != openvino_export.export_dir(tmp_path, "0" * 64, openvino_export.INT8)
    assert int8 != openvino_export.export_dir(tmp_path, WEIGHTS, openvino_export.FP32)
    assert int8.parent == tmp_path


def test_an_export_that_does_not_load_leaves_torch_in_charge(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    target = openvino_export.export_dir(cache, WEIGHTS, openvino_export.INT8)
    target.mkdir(parents=True)
    (target / openvino_export.MODEL_XML).write_text("<net>not a model</net>", encoding="utf-8")
    (target / openvino_export.MANIFEST).write_text("{}", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="desktop_search.core.embed.accelerated"):
        model = load(cache)
    assert model.backend == "torch" and not model.exporting
    assert "OpenVINO could not load" in caplog.text
    assert best_documents(model) == list(QUERIES.values())


def test_a_failed_export_is_not_retried_and_torch_serves(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    target = openvino_export.export_dir(cache, WEIGHTS, openvino_export.INT8)
    cache.mkdir()
    target.with_name(target.name + "." + openvino_export.FAILED).write_text(
        "RuntimeError: the converter ran out of memory\n", encoding="utf-8"
    )
    with caplog.at_level(logging.WARNING, logger="desktop_search.core.embed.accelerated"):
        model = load(cache)
    assert model.backend == "torch" and not model.exporting
    assert "the converter ran out of memory" in caplog.text
    model.embed_documents(DOCUMENTS)
    assert not model.exporting
    assert sorted(p.name for p in cache.iterdir()) == [target.name + "." + openvino_export.FAILED]


def test_an_export_killed_from_outside_is_remembered_and_torch_serves(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The kernel's out-of-memory killer ends an export with SIGKILL: the child writes no reason
    # of its own, so the parent must, or every start would spend minutes exporting again.
    cache = tmp_path / "cache"
    model = load(cache, inference=openvino_export.FP32)
    model.start_export_now([])
    exports = [
        p for p in multiprocessing.active_children() if p.name == "desktop-search-model-export"
    ]
    assert len(exports) == 1
    os.kill(exports[0].pid, signal.SIGKILL)
    with caplog.at_level(logging.WARNING, logger="desktop_search.core.embed.accelerated"):
        assert model.wait_for_export() == "torch"
    assert "exit status -9" in caplog.text and not model.exporting
    reason = openvino_export.failure_of(openvino_export.export_dir(cache, WEIGHTS, "openvino"))
    assert reason is not None and "out of memory" in reason
    again = load(cache, inference=openvino_export.FP32)
    again.embed_documents(DOCUMENTS)
    assert again.backend == "torch" and not again.exporting


def test_torch_only_when_asked_or_without_a_cache(tmp_path: Path) -> None:
    assert not load(tmp_path / "cache", inference="torch").exporting
    assert not load(None, inference=openvino_export.INT8).exporting  # type: ignore[arg-type]
    assert not (tmp_path / "cache").exists()


TELEMETRY_PROBE = textwrap.dedent(
    """
    import json, os, socket, sys
    attempts = []
    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise OSError("network refused by the test")
    socket.socket.connect = lambda self, address: refuse(address)
    socket.socket.connect_ex = lambda self, address: refuse(address)
    socket.getaddrinfo = refuse
    socket.create_connection = refuse
    if sys.argv[1] == "blocked":
        from desktop_search.core.embed.openvino_backend import import_openvino
        ov = import_openvino()
    else:
        import openvino as ov
    import numpy as np
    import nncf
    import torch
    from openvino import opset13 as ops
    # The two places that report usage: the converter, and NNCF's quantisation.
    converted = ov.convert_model(torch.nn.Linear(4, 4), example_input=torch.ones(2, 4))
    x = ops.parameter([-1, 4], np.float32, name="x")
    weights = ops.constant(np.random.default_rng(0).random((4, 4), dtype=np.float32))
    model = ov.Model([ops.matmul(x, weights, False, False)], [x])
    samples = [np.random.default_rng(i).random((2, 4), dtype=np.float32) for i in range(3)]
    nncf.quantize(model, nncf.Dataset(samples), subset_size=3)
    home = os.path.expanduser("~")
    written = sorted(os.listdir(home))
    print(json.dumps({"attempts": attempts, "home": written,
                      "module": repr(sys.modules.get("openvino_telemetry"))}))
    """
)


def run_probe(tmp_path: Path, mode: str) -> dict[str, object]:
    home = tmp_path / mode
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    for name in ("CI", "TF_BUILD", "JENKINS_URL", "NNCF_CI", "NNCF_DEV"):  # their own opt-outs
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", TELEMETRY_PROBE, mode],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_openvino_and_nncf_write_and_send_nothing(tmp_path: Path) -> None:
    # Unblocked, the same work leaves a client id under ~/intel and tries to reach Google
    # Analytics: what the block below has to prevent.
    unblocked = run_probe(tmp_path, "unblocked")
    assert unblocked["home"] == ["intel"] or unblocked["attempts"], unblocked

    blocked = run_probe(tmp_path, "blocked")
    assert blocked == {"attempts": [], "home": [], "module": "None"}
