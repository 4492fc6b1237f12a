"""Embedding: the bundled model offline, the transformer path, and clear model errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from desktop_search.core.embed.base import clean_query
from desktop_search.core.embed.factory import load_embedder
from desktop_search.core.embed.sentence_transformer import SentenceTransformerEmbedder
from desktop_search.core.embed.static import (
    BUNDLED_MODEL_ID,
    StaticEmbedder,
    bundled_as_sentence_transformer,
)
from desktop_search.core.errors import ModelError

TEXTS = [
    "Volcanic eruptions release ash into the stratosphere.",
    "Bake the sourdough bread in a hot oven.",
    "",
    "Quarterly revenue grew by twelve percent.",
]


def test_bundled_model_matches_its_sentence_transformers_wrapping() -> None:
    ours = StaticEmbedder().embed_documents(TEXTS)
    reference = bundled_as_sentence_transformer().encode(TEXTS, show_progress_bar=False)
    assert ours.shape == (4, 256)
    assert np.allclose(ours, reference, atol=1e-5)


def test_fast_model_understands_meaning() -> None:
    model = load_embedder("bundled-fast")
    assert model.model_id == BUNDLED_MODEL_ID
    docs = model.embed_documents(TEXTS)
    query = model.embed_query("volcano eruption lava")
    assert abs(np.linalg.norm(query) - 1) < 1e-5
    scores = docs @ query
    assert int(np.argmax(scores)) == 0


def test_query_case_does_not_change_the_answer() -> None:
    model = StaticEmbedder()
    docs = model.embed_documents(TEXTS)
    for query in ("sourdough bread oven", "SOURDOUGH BREAD OVEN", "Sourdough, bread?! (oven)"):
        assert int(np.argmax(docs @ model.embed_query(query))) == 1


def test_clean_query_drops_syntax_and_punctuation() -> None:
    assert clean_query('"heat-transfer" -laminar?? (flows)') == "heat-transfer laminar flows"


def test_transformer_model_from_a_local_folder(tiny_transformer: Path) -> None:
    model = load_embedder(str(tiny_transformer), device="cpu")
    assert isinstance(model, SentenceTransformerEmbedder)
    assert model.model_id == f"st:{tiny_transformer}"
    vectors = model.embed_documents(TEXTS[:2])
    assert vectors.shape == (2, 32)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert model.max_chars >= 200  # sized from the model's max_seq_length


def test_unknown_model_fails_offline_with_a_message() -> None:
    # HF_HUB_OFFLINE is set for every test: a hang here would be pytest-timeout's failure.
    with pytest.raises(ModelError, match="not on this computer"):
        load_embedder("someone/model-that-is-not-here")


def test_folder_that_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="usable sentence-transformers model"):
        load_embedder(str(tmp_path))
