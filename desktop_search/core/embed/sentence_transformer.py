"""Any sentence-transformers model, a hub name or a local folder, on torch.

This module owns the torch and sentence_transformers imports.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from desktop_search.core.embed.base import ProgressCallback, clean_query
from desktop_search.core.errors import ModelError

log = logging.getLogger(__name__)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a hub name or a local folder."""

    def __init__(
        self,
        name: str,
        device: str = "auto",
        progress: ProgressCallback | None = None,
        *,
        model: Any = None,
        model_id: str | None = None,
    ) -> None:
        """Load `name` (a hub name or a folder), or wrap an already loaded `model`."""
        self.model_id = model_id or f"st:{name}"
        self._model = model or _load_sentence_transformer(name, pick_device(device), progress)
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


def pick_device(device: str) -> str:
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


def st_modules() -> Any:
    """sentence-transformers' module classes (StaticEmbedding, Transformer, Pooling, ...)."""
    try:  # sentence-transformers >= 6 moved them; the old path warns
        from sentence_transformers.sentence_transformer import modules

        return modules
    except ImportError:  # pragma: no cover - older releases
        from sentence_transformers import models  # type: ignore[attr-defined]

        return models
