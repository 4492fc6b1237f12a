"""The bundled fast model: wordllama's static token vectors, evaluated with numpy.

wordllama's weights ship inside its wheel. Evaluating them here with numpy gives the same
vectors as the sentence-transformers StaticEmbedding + Normalize wrapping of the same files (a
test checks) while sparing the window a 5-second torch import.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from desktop_search.core.embed.base import clean_query, normalise
from desktop_search.core.errors import ModelError

BUNDLED_MODEL_ID = "bundled:wordllama-l2-supercat-256"
_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"


def bundled_model_files() -> tuple[Path, Path]:
    """(weights, tokenizer) of the bundled model, from the installed wordllama package."""
    try:
        import wordllama
    except ImportError as exc:
        raise ModelError(
            "The built-in model is missing: the 'wordllama' package is not installed."
        ) from exc
    root = Path(wordllama.__file__).resolve().parent
    weights, tokenizer = root / _WEIGHTS, root / _TOKENIZER
    if not weights.is_file() or not tokenizer.is_file():
        raise ModelError(f"The built-in model's files are missing from {root}.")
    return weights, tokenizer


class StaticEmbedder:
    """The bundled model: mean of static token vectors, then unit length (no torch needed)."""

    model_id = BUNDLED_MODEL_ID
    max_chars = 4000  # a static model has no context window; keep passages readable

    def __init__(self) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        weights_file, tokenizer_file = bundled_model_files()
        self._tokenizer = Tokenizer.from_str(tokenizer_file.read_text(encoding="utf-8"))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        table = next(iter(load_file(str(weights_file)).values()))
        self._table = table.astype(np.float32)
        self.dim = int(self._table.shape[1])

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        from scipy.sparse import csr_matrix

        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        lengths = np.array([len(e.ids) for e in encodings], dtype=np.int64)
        ids = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encodings])
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        # Mean pooling as one sparse (texts x vocabulary) product: no huge gathered array.
        weights = np.repeat(1.0 / np.maximum(lengths, 1), lengths).astype(np.float32)
        pooling = csr_matrix((weights, ids, indptr), shape=(len(texts), self._table.shape[0]))
        out = np.asarray(pooling @ self._table, dtype=np.float32)
        return normalise(out)

    def embed_query(self, text: str) -> np.ndarray:
        # The tokenizer is case-sensitive: a query typed in capitals or in lower case should
        # find what the tidy spelling finds, so both spellings vote.
        cleaned = clean_query(text)
        variants = list(dict.fromkeys([cleaned, cleaned.lower()]))
        vectors = self.embed_documents(variants)
        return normalise(vectors.mean(axis=0, keepdims=True))[0]


def bundled_as_sentence_transformer() -> Any:
    """The bundled model wrapped as sentence-transformers StaticEmbedding + Normalize."""
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

    from desktop_search.core.embed.sentence_transformer import st_modules

    models = st_modules()

    weights_file, tokenizer_file = bundled_model_files()
    from safetensors.torch import load_file

    tokenizer = Tokenizer.from_str(tokenizer_file.read_text(encoding="utf-8"))
    table = next(iter(load_file(str(weights_file)).values())).float()
    static = models.StaticEmbedding(tokenizer, embedding_weights=table)
    return SentenceTransformer(modules=[static, models.Normalize()], device="cpu")


def st_modules() -> Any:
    """sentence-transformers' module classes (StaticEmbedding, Transformer, Pooling, ...)."""
    try:  # sentence-transformers >= 6 moved them; the old path warns
        from sentence_transformers.sentence_transformer import modules

        return modules
    except ImportError:  # pragma: no cover - older releases
        from sentence_transformers import models  # type: ignore[attr-defined]

        return models
