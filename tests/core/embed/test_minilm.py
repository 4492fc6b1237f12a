"""The bundled transformer: loaded offline from its package, every file checked by sha256."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from desktop_search.core.embed.factory import load_embedder, model_id_for
from desktop_search.core.embed.minilm import (
    BUNDLED_TRANSFORMER_ID,
    EXPECTED_SHA256,
    bundled_transformer_folder,
    verify_model_files,
)
from desktop_search.core.errors import ModelError


def test_the_installed_files_are_the_official_ones() -> None:
    folder = bundled_transformer_folder()
    verify_model_files(folder)  # raises on any difference
    assert {p.name for p in folder.iterdir()} >= set(EXPECTED_SHA256)


def test_a_changed_file_is_refused_with_its_name(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(bundled_transformer_folder(), copy)
    with open(copy / "vocab.txt", "a", encoding="utf-8") as fh:
        fh.write("sneaky\n")
    with pytest.raises(ModelError, match="'vocab.txt' .* is not the official one"):
        verify_model_files(copy)
    (copy / "config.json").unlink()
    with pytest.raises(ModelError, match="'config.json' is missing"):
        verify_model_files(copy, {"config.json": EXPECTED_SHA256["config.json"]})


def test_the_default_model_embeds_by_meaning_offline() -> None:
    model = load_embedder("bundled")
    assert model.model_id == BUNDLED_TRANSFORMER_ID == model_id_for("bundled")
    assert model.dim == 384
    docs = model.embed_documents(
        [
            "Volcanic eruptions release ash into the stratosphere.",
            "Bake the sourdough bread in a hot oven.",
        ]
    )
    assert docs.shape == (2, 384)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1, atol=1e-5)
    query = model.embed_query("what comes out of a volcano?")
    assert float(docs[0] @ query) > float(docs[1] @ query) + 0.2
