"""A BERT sentence encoder compiled by OpenVINO: tokenised with `tokenizers`, mean-pooled and
normalised in numpy, so inference needs neither torch nor sentence-transformers.

This module owns the openvino import, and with it the one rule that must hold before it:
OpenVINO's Python tools report usage to Google Analytics unless told not to (see
`block_telemetry`); a desktop search tool sends nothing.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from desktop_search.core.embed.base import clean_query, normalise

log = logging.getLogger(__name__)

TELEMETRY_MODULE = "openvino_telemetry"
# Texts per inference call, and the multiple of tokens every call's length is padded to.
# OpenVINO prepares its kernels for each input shape (texts x tokens) the first time it sees
# it, which costs about as much as the call itself: padded to the longest text, nearly every
# batch of pass 2 was a new shape. Int8 (in f32, below) on the Cranfield passages, 2 cores,
# passages/s at first sight / seen before: 32 unpadded 151 / 165, 16 unpadded 153 / 184, 16 to
# a multiple of 16 tokens 187 / 192, of 32: 184 / 185; 32 to a multiple of 16: 171 / 175. Padding
# tokens are masked out of the attention and the pooling: the vectors are the same.
DOCUMENT_BATCH = 16
PAD_TO_MULTIPLE_OF = 16
# On a CPU with bf16 units (AMX, AVX512-BF16) OpenVINO runs the int8 model's unquantised
# operations in bf16 unless told otherwise, and some shapes then give other vectors: a text
# padded to 32 tokens came out at cosine 0.96 to the same text at 22, 48 or 64 tokens. In f32
# every length gives the same vector, on every CPU.
COMPILE_CONFIG = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "f32"}
CHARS_PER_TOKEN = 3.5  # as SentenceTransformerEmbedder: ~4 characters per token, less overhead


def block_telemetry() -> None:
    """Make `openvino_telemetry` unimportable in this process, before openvino or nncf load.

    openvino's converter and nncf both import it inside `try/except ImportError` and fall back
    to a do-nothing stub when it is missing. Installed and importable, it writes a client id
    under ~/intel and sends events to Google Analytics unless ~/intel/openvino_telemetry holds
    "0" (its only opt-out: there is no environment variable, and writing that file would change
    the person's home). A None entry in sys.modules makes every import of it raise ImportError.
    """
    loaded = sys.modules.get(TELEMETRY_MODULE)
    if loaded is not None:
        # Someone imported it first (nothing in this app does): switch its sender off.
        log.warning("%s was imported before desktop-search could block it", TELEMETRY_MODULE)
        telemetry = getattr(loaded, "Telemetry", None)
        instance = getattr(telemetry, "_SingletonMetaClass__single_instance", None)
        if instance is not None:
            instance.consent = False
        return
    sys.modules[TELEMETRY_MODULE] = None  # type: ignore[assignment]


def import_openvino() -> ModuleType:
    """openvino, imported with its telemetry blocked."""
    block_telemetry()
    import openvino

    return openvino


def max_tokens_of(model_folder: Path) -> int:
    """The longest input the sentence-transformers model reads (its sentence_bert_config)."""
    try:
        config = json.loads((model_folder / "sentence_bert_config.json").read_text("utf-8"))
        return int(config.get("max_seq_length") or 512)
    except (OSError, ValueError):
        return 512


def dim_of(model_folder: Path) -> int:
    """The width of the model's token vectors, hence of its mean-pooled passage vectors."""
    config = json.loads((model_folder / "config.json").read_text("utf-8"))
    return int(config["hidden_size"])


def load_tokenizer(model_folder: Path, max_tokens: int) -> Any:
    """The model's fast tokenizer, cut at `max_tokens` and padded to the batch's longest text
    (rounded up to PAD_TO_MULTIPLE_OF tokens, see above), as sentence-transformers calls it."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
    tokenizer.enable_truncation(max_tokens)
    padding = tokenizer.padding or {}
    tokenizer.enable_padding(
        pad_id=int(padding.get("pad_id", 0)),
        pad_token=str(padding.get("pad_token", "[PAD]")),
        pad_to_multiple_of=PAD_TO_MULTIPLE_OF,
    )
    return tokenizer


def tokenise(tokenizer: Any, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """A BERT model's three inputs for `texts`, as int64 arrays (texts x tokens, padded as the
    tokenizer pads: to the longest, rounded up to PAD_TO_MULTIPLE_OF)."""
    encodings = tokenizer.encode_batch(list(texts))
    return {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }


def mean_pool(token_vectors: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' mean pooling: the average of the real (unpadded) tokens."""
    mask = attention_mask[..., None].astype(np.float32)
    summed = (token_vectors * mask).sum(axis=1)
    return summed / np.maximum(mask.sum(axis=1), 1e-9)


class OpenVINOEmbedder:
    """An exported sentence encoder (OpenVINO IR) as an Embedder.

    Documents and queries use two compiled copies of the model: a query never waits behind a
    batch of pass 2 (one stream runs one request at a time), and a query's one short text runs
    best on one thread anyway.
    """

    def __init__(self, model_xml: Path, model_folder: Path, *, model_id: str, label: str) -> None:
        ov = import_openvino()
        core = ov.Core()
        model = core.read_model(str(model_xml))
        self._documents = core.compile_model(model, "CPU", COMPILE_CONFIG)
        self._queries = core.compile_model(
            model, "CPU", {**COMPILE_CONFIG, "INFERENCE_NUM_THREADS": 1}
        )
        self._documents_lock = threading.Lock()
        self._queries_lock = threading.Lock()
        max_tokens = max_tokens_of(model_folder)
        self._tokenizer = load_tokenizer(model_folder, max_tokens)
        self.model_id = model_id
        self.dim = dim_of(model_folder)
        self.max_chars = max(200, int(max_tokens * CHARS_PER_TOKEN))
        self.label = label  # which backend, for logs and benchmarks

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Longest first in batches of similar length, as sentence-transformers does: little
        # padding, so little wasted work.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), DOCUMENT_BATCH):
            rows = order[start : start + DOCUMENT_BATCH]
            with self._documents_lock:
                out[rows] = self._encode(self._documents, [texts[i] for i in rows])
        return out

    def embed_query(self, text: str) -> np.ndarray:
        with self._queries_lock:
            return self._encode(self._queries, [clean_query(text)])[0]

    def _encode(self, compiled: Any, texts: Sequence[str]) -> np.ndarray:
        inputs = tokenise(self._tokenizer, texts)
        token_vectors = compiled(inputs)[0]
        return normalise(mean_pool(token_vectors, inputs["attention_mask"]))
