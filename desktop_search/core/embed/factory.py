"""Picks the embedder for a settings `model` value: the one place that knows every backend."""

from __future__ import annotations

from desktop_search.core.config import BUNDLED_MODEL
from desktop_search.core.embed.base import Embedder, ProgressCallback
from desktop_search.core.embed.static import BUNDLED_MODEL_ID


def load_embedder(
    model: str, device: str = "auto", progress: ProgressCallback | None = None
) -> Embedder:
    """The embedder for a settings `model` value. Raises ModelError with a person's message."""
    if model == BUNDLED_MODEL:
        from desktop_search.core.embed.static import StaticEmbedder

        return StaticEmbedder()
    from desktop_search.core.embed.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model, device, progress)


def model_id_for(model: str) -> str:
    """The id an index records for a settings `model` value, without loading the model."""
    return BUNDLED_MODEL_ID if model == BUNDLED_MODEL else f"st:{model}"


def describe(model_id: str) -> str:
    """A short name for a model id, for status lines."""
    if model_id == BUNDLED_MODEL_ID:
        return "built-in (wordllama 256-d, offline)"
    return model_id.removeprefix("st:")
