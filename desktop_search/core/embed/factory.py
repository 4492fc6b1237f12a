"""Picks the embedder for a settings `model` value: the one place that knows every backend.

Every passage first gets a fast vector from the built-in static model (pass 1, instant); the
model the settings name gives every passage its meaning vector in the background (pass 2),
unless it is the fast model itself.
"""

from __future__ import annotations

from pathlib import Path

from desktop_search.core.config import BUNDLED_MODEL, FAST_MODEL
from desktop_search.core.embed.base import Embedder, ProgressCallback
from desktop_search.core.embed.minilm import BUNDLED_TRANSFORMER_ID
from desktop_search.core.embed.static import BUNDLED_MODEL_ID as FAST_MODEL_ID


def load_embedder(
    model: str,
    device: str = "auto",
    progress: ProgressCallback | None = None,
    cache_dir: Path | None = None,
) -> Embedder:
    """The embedder for a settings `model` value. Raises ModelError with a person's message.

    `cache_dir` (the home's) keeps what the bundled transformer exports for a faster backend;
    without one it runs on torch.
    """
    if model == FAST_MODEL:
        return load_fast_embedder()
    if model == BUNDLED_MODEL:
        from desktop_search.core.embed.minilm import load_bundled_transformer

        embedder: Embedder = load_bundled_transformer(device, cache_dir)
        return embedder
    from desktop_search.core.embed.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model, device, progress)


def load_fast_embedder() -> Embedder:
    """The built-in static model that gives every passage its first-pass vector."""
    from desktop_search.core.embed.static import StaticEmbedder

    return StaticEmbedder()


def is_fast(model: str) -> bool:
    """Whether a settings `model` value is the fast model (so there is no second pass)."""
    return model == FAST_MODEL


def model_id_for(model: str) -> str:
    """The id an index records for a settings `model` value, without loading the model."""
    if model == FAST_MODEL:
        return FAST_MODEL_ID
    if model == BUNDLED_MODEL:
        return BUNDLED_TRANSFORMER_ID
    return f"st:{model}"


def describe(model_id: str) -> str:
    """A short name for a model id, for status lines."""
    if model_id == FAST_MODEL_ID:
        return "built-in fast (wordllama 256-d word vectors, offline)"
    if model_id == BUNDLED_TRANSFORMER_ID:
        return "built-in (all-MiniLM-L6-v2, offline)"
    return model_id.removeprefix("st:")
