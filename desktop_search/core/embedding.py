"""Text -> unit vectors. The bundled offline model by default; any sentence-transformers model.

This module owns the torch and sentence_transformers imports. The bundled model is a static
token-embedding model (wordllama's weights ship inside its wheel); it is evaluated here with
numpy, which gives the same vectors as the sentence-transformers StaticEmbedding + Normalize
wrapping of the same files (a test checks) while sparing the window a 5-second torch import.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from desktop_search.core.config import BUNDLED_MODEL
from desktop_search.core.errors import ModelError

log = logging.getLogger(__name__)

BUNDLED_MODEL_ID = "bundled:wordllama-l2-supercat-256"
_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
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


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32, copy=False)


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
        return _normalise(out)

    def embed_query(self, text: str) -> np.ndarray:
        # The tokenizer is case-sensitive: a query typed in capitals or in lower case should
        # find what the tidy spelling finds, so both spellings vote.
        cleaned = clean_query(text)
        variants = list(dict.fromkeys([cleaned, cleaned.lower()]))
        vectors = self.embed_documents(variants)
        return _normalise(vectors.mean(axis=0, keepdims=True))[0]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a hub name or a local folder."""

    def __init__(
        self, name: str, device: str = "auto", progress: ProgressCallback | None = None
    ) -> None:
        self.model_id = f"st:{name}"
        self._model = _load_sentence_transformer(name, _pick_device(device), progress)
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        get_dim = get_dim or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 0)
        max_tokens = int(getattr(self._model, "max_seq_length", 0) or 512)
        # ~4 characters per token in English; leave room for the tokenizer's overhead.
        self.max_chars = max(200, int(max_tokens * 3.5))
        prompts: dict[str, str] = dict(getattr(self._model, "prompts", {}) or {})
        self._query_prompt = "query" if "query" in prompts else None
        self._doc_prompt = next((p for p in ("document", "passage") if p in prompts), None)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=32,
            prompt_name=self._doc_prompt,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vector = self._model.encode(
            [clean_query(text)],
            prompt_name=self._query_prompt,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vector, dtype=np.float32)[0]


def _pick_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    if torch.cuda.is_available():
        return "cuda"
    return "cpu"


def _hub_reachable(host: str = "huggingface.co", timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _load_sentence_transformer(name: str, device: str, progress: ProgressCallback | None) -> Any:
    from sentence_transformers import SentenceTransformer

    if Path(name).expanduser().is_dir():
        try:
            return SentenceTransformer(str(Path(name).expanduser()), device=device)
        except Exception as exc:  # noqa: BLE001 - any load failure is "this folder is no model"
            raise ModelError(
                f"The folder '{name}' doesn't hold a usable sentence-transformers model ({exc})."
            ) from exc
    try:
        return SentenceTransformer(name, device=device, local_files_only=True)
    except Exception:  # noqa: BLE001 - not in the local cache: try to download below
        log.info("Model %s is not in the local cache", name)
    if os.environ.get("HF_HUB_OFFLINE") == "1" or not _hub_reachable():
        raise ModelError(
            f"The model '{name}' is not on this computer and the model hub can't be reached. "
            "Connect to the internet to download it once, choose a local model folder, "
            "or use the built-in model."
        )
    if progress:
        progress(f"Downloading {name}…", None)
    try:
        from huggingface_hub import snapshot_download

        folder = snapshot_download(name, tqdm_class=_progress_tqdm(progress))
        return SentenceTransformer(folder, device=device)
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"The model '{name}' could not be downloaded or loaded: {exc}") from exc


def _progress_tqdm(progress: ProgressCallback | None) -> Any:
    from tqdm.auto import tqdm

    class ReportingTqdm(tqdm):  # type: ignore[misc, type-arg]
        def update(self, n: float | None = 1) -> bool | None:
            shown = super().update(n)
            if progress and self.total:
                progress(f"Downloading {self.desc or 'model'}…", self.n / self.total)
            return shown

    return ReportingTqdm


def load_embedder(
    model: str, device: str = "auto", progress: ProgressCallback | None = None
) -> Embedder:
    """The embedder for a settings `model` value. Raises ModelError with a person's message."""
    if model == BUNDLED_MODEL:
        return StaticEmbedder()
    return SentenceTransformerEmbedder(model, device, progress)


def model_id_for(model: str) -> str:
    """The id an index records for a settings `model` value, without loading the model."""
    return BUNDLED_MODEL_ID if model == BUNDLED_MODEL else f"st:{model}"


def bundled_as_sentence_transformer() -> Any:
    """The bundled model wrapped as sentence-transformers StaticEmbedding + Normalize."""
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

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


def describe(model_id: str) -> str:
    """A short name for a model id, for status lines."""
    if model_id == BUNDLED_MODEL_ID:
        return "built-in (wordllama 256-d, offline)"
    return model_id.removeprefix("st:")
