"""The embedder interface every model backend offers, and the helpers they share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

_QUERY_NOISE = re.compile(r"[^\w\s'’-]+|(?<!\w)[-'’]|[-'’](?!\w)")

ProgressCallback = Callable[[str, float | None], None]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    model_id: str  # recorded in the index: an index is only searched with its own model
    dim: int
    max_chars: int  # longest passage the model reads in full

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def clean_query(text: str) -> str:
    """Drop the punctuation and query syntax a model would read as content."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(_QUERY_NOISE.sub(" ", text).split())


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32, copy=False)
