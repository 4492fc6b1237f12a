"""The bundled transformer on the fastest backend this computer has, without waiting for it.

On a CUDA GPU that is torch. On a CPU it is OpenVINO int8, about 3x torch with nDCG@10 within
1% (benchmarks/README.md): the model is exported from the bundled files on this computer, in
the background, calibrated on the person's own passages, and kept in the home's cache folder.
Until that export exists, torch embeds; the first batch after it is ready switches over, and
every later start loads the export at once (without importing torch at all). A backend that
fails to load or to run is logged and replaced by torch: search never breaks over a speed-up.

`DESKTOP_SEARCH_INFERENCE` picks the backend for benchmarks and troubleshooting: auto (the
default), torch, openvino (fp32) or openvino-int8.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from desktop_search.core.embed import openvino_export
from desktop_search.core.embed.base import Embedder
from desktop_search.core.errors import ModelError

log = logging.getLogger(__name__)

INFERENCE_ENV = "DESKTOP_SEARCH_INFERENCE"
INFERENCE_CHOICES = ("auto", "torch", openvino_export.FP32, openvino_export.INT8)
TORCH = "torch"


class AcceleratedTransformer:
    """An Embedder for a sentence-transformers BERT model folder whose files were checked.

    Thread-safe: pass 2 embeds documents on one thread while queries come from others.
    """

    def __init__(
        self,
        folder: Path,
        *,
        model_id: str,
        weights_sha256: str,
        device: str = "auto",
        cache_dir: Path | None = None,
        inference: str | None = None,
    ) -> None:
        """Load the fastest backend available now; plan the export of a faster one.

        Args:
            folder: The model folder (already checked against its hashes).
            model_id: The id the index records (the same whichever backend embeds).
            weights_sha256: The checked sha256 of the weights: the key of the cached export.
            device: 'auto', 'cpu' or 'cuda' (the settings' value).
            cache_dir: Where exports are kept; None: torch only (nowhere to keep one).
            inference: One of INFERENCE_CHOICES; None reads $DESKTOP_SEARCH_INFERENCE.
        """
        self.model_id = model_id
        self._folder = folder
        self._device = device
        self._lock = threading.Lock()
        self._torch: Embedder | None = None
        self._process: Any = None  # the export's child process, while it runs
        self._calibration: list[str] = []
        self._target: Path | None = None  # the export to make, None when there is none
        self._variant = self._choose_variant(device, cache_dir, inference)
        active: Embedder | None = None
        if self._variant is not None and cache_dir is not None:
            target = openvino_export.export_dir(cache_dir, weights_sha256, self._variant)
            active = self._load_export(target)
            if active is None and self._variant is not None:
                self._target = target
        self._active: Embedder = active or self._load_torch()
        self.dim = int(self._active.dim)
        self.max_chars = int(self._active.max_chars)

    # ---- the Embedder interface ----
    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self._adopt_finished_export()
        active = self._active
        try:
            vectors = active.embed_documents(texts)
        except Exception as exc:  # noqa: BLE001 - a failing accelerator falls back to torch
            vectors = self._fall_back(active, exc).embed_documents(texts)
        self._collect_calibration(texts)
        return vectors

    def embed_query(self, text: str) -> np.ndarray:
        active = self._active  # a query never waits for an export to be loaded
        try:
            return active.embed_query(text)
        except Exception as exc:  # noqa: BLE001 - as above
            return self._fall_back(active, exc).embed_query(text)

    # ---- for the engine, tests and benchmarks ----
    @property
    def backend(self) -> str:
        """Which backend embeds now: 'torch', 'openvino' or 'openvino-int8'."""
        return str(getattr(self._active, "label", TORCH))

    @property
    def exporting(self) -> bool:
        """Whether an export is planned or running (it ends in `backend` changing)."""
        return self._target is not None

    @property
    def planned_export(self) -> Path | None:
        """The folder the planned or running export will fill (None when there is none)."""
        return self._target

    def wait_for_export(self) -> str:
        """Block until a running export ends, adopt it, and return the backend now in use."""
        process = self._process
        if process is not None:
            process.join()
        self._adopt_finished_export()
        return self.backend

    def start_export_now(self, calibration: Sequence[str]) -> None:
        """Start the planned export with these passages (benchmarks: no need to embed first)."""
        with self._lock:
            self._calibration = list(calibration)[: openvino_export.CALIBRATION_PASSAGES]
            self._start_export_locked(force=True)

    def close(self) -> None:
        """Stop an export still running (it is redone from scratch next time)."""
        process, self._process = self._process, None
        if process is not None and process.is_alive():
            process.terminate()
            process.join()

    # ---- backends ----
    def _choose_variant(
        self, device: str, cache_dir: Path | None, inference: str | None
    ) -> str | None:
        choice = (inference or os.environ.get(INFERENCE_ENV) or "auto").strip().lower()
        if choice not in INFERENCE_CHOICES:
            log.warning("Ignoring %s=%r (use one of %s)", INFERENCE_ENV, choice, INFERENCE_CHOICES)
            choice = "auto"
        if choice == TORCH:
            return None
        if device not in ("auto", "cpu") or (device == "auto" and cuda_available()):
            log.info("Meaning model on torch (device %s)", device)  # a GPU: torch is fastest
            return None
        if cache_dir is None:
            return None
        if importlib.util.find_spec("openvino") is None:
            log.info("OpenVINO is not installed: the meaning model runs on torch")
            return None
        return openvino_export.INT8 if choice == "auto" else choice

    def _load_export(self, target: Path) -> Embedder | None:
        """The finished export in `target`, loaded; None when there is none or it failed."""
        xml = openvino_export.finished_export(target)
        if xml is None:
            failure = openvino_export.failure_of(target)
            if failure is not None:
                log.warning(
                    "The meaning model runs on torch: exporting it to OpenVINO failed before "
                    "(%s). Delete %s to try again.",
                    failure.splitlines()[0],
                    target.parent,
                )
                self._variant = None
            return None
        try:
            from desktop_search.core.embed.openvino_backend import OpenVINOEmbedder

            embedder = OpenVINOEmbedder(
                xml, self._folder, model_id=self.model_id, label=str(self._variant)
            )
            embedder.embed_query("warm up")  # a broken runtime shows here, not in a search
        except Exception as exc:  # noqa: BLE001 - any failure: torch does the work
            log.warning("The meaning model runs on torch: OpenVINO could not load %s: %s", xml, exc)
            self._variant = None
            return None
        log.info("Meaning model on %s (%s)", self._variant, xml.parent)
        return embedder

    def _load_torch(self) -> Embedder:
        with self._lock:
            if self._torch is None:
                from desktop_search.core.embed.sentence_transformer import (
                    SentenceTransformerEmbedder,
                    pick_device,
                )

                try:
                    from sentence_transformers import SentenceTransformer
                    from transformers.utils import logging as transformers_logging

                    transformers_logging.disable_progress_bar()  # no "Loading weights" bar
                    model = SentenceTransformer(
                        str(self._folder), device=pick_device(self._device), local_files_only=True
                    )
                except Exception as exc:  # noqa: BLE001 - any load failure: the model is broken
                    raise ModelError(
                        f"The built-in model in {self._folder} could not be loaded: {exc}"
                    ) from exc
                self._torch = SentenceTransformerEmbedder(
                    str(self._folder), model=model, model_id=self.model_id
                )
            return self._torch

    def _fall_back(self, failed: Embedder, exc: Exception) -> Embedder:
        if failed is self._torch:
            raise exc
        log.warning("The meaning model falls back to torch: %s failed: %s", self.backend, exc)
        torch = self._load_torch()
        self._active = torch
        self._variant = self._target = None
        return torch

    # ---- the export ----
    def _collect_calibration(self, texts: Sequence[str]) -> None:
        """Keep the person's passages that calibrate int8, and start the export once enough
        are kept (fp32 needs none: it starts on the first batch)."""
        if self._target is None or self._process is not None:
            return
        with self._lock:
            wanted = openvino_export.CALIBRATION_PASSAGES - len(self._calibration)
            if self._variant == openvino_export.INT8 and wanted > 0:
                self._calibration.extend(t for t in texts[:wanted] if t.strip())
            self._start_export_locked(force=False)

    def _start_export_locked(self, *, force: bool) -> None:
        if self._target is None or self._process is not None:
            return
        if (
            self._variant == openvino_export.INT8
            and not force
            and len(self._calibration) < openvino_export.CALIBRATION_PASSAGES
        ):
            return
        log.info("Exporting the meaning model to %s in the background", self._variant)
        self._process = openvino_export.start_export(
            self._folder, self._target, str(self._variant), self._calibration
        )
        self._calibration = []

    def _adopt_finished_export(self) -> None:
        process = self._process
        if process is None or process.is_alive():
            return
        with self._lock:
            if self._process is not process or self._target is None:
                return
            self._process = None
            target, self._target = self._target, None
        process.join()
        loaded = self._load_export(target)
        if loaded is None:
            if openvino_export.failure_of(target) is None and process.exitcode != 0:
                # Killed from outside (most often the kernel's out-of-memory killer, exit
                # status -9): it left no reason of its own. Kept, so the next start does not
                # spend minutes on an export that will be killed again.
                reason = f"the export process ended with exit status {process.exitcode}"
                if process.exitcode == -signal.SIGKILL:
                    reason += " (killed; most often the system ran out of memory)"
                openvino_export.record_failure(target, reason)
                log.warning(
                    "The meaning model stays on torch: %s. Delete %s to try again.",
                    reason,
                    target.parent,
                )
                self._variant = None
            return
        self._active = loaded
        self._torch = None  # its memory goes back; reloaded only if OpenVINO ever fails


def cuda_available() -> bool:
    """Whether torch can use a CUDA GPU; a CPU build of torch answers without importing it."""
    try:
        if "+cpu" in metadata.version("torch"):
            return False
    except metadata.PackageNotFoundError:
        return False
    import torch

    return bool(torch.cuda.is_available())
