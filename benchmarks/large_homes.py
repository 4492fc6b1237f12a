"""Big index homes for the latency benchmarks, built once through the CLI and cached."""

from __future__ import annotations

import json
import random
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.cli_driver import cli_status, run_cli
from benchmarks.eval_sets import CACHE_DIR, COLLECTIONS, load_corpus

# The engine cuts ~900-char passages with 150 overlap: 10 passages ~ 900 + 9 * 750 characters.
_FILE_CHARS = 900 + 9 * 750
_SENTENCE_SPLIT = re.compile(r"(?<=[.?!])\s+")


def _sentence_pool() -> list[list[str]]:
    docs = [d for name in COLLECTIONS for d in load_corpus(name)]
    pool = []
    for d in docs:
        sentences = [s for s in _SENTENCE_SPLIT.split(f"{d['title']} {d['text']}".strip()) if s]
        if sentences:
            pool.append(sentences)
    return pool


def write_synthetic_files(folder: Path, n_files: int, *, seed: int, prefix: str = "doc") -> None:
    """Write n_files .txt files of ~_FILE_CHARS characters each, made of short runs of sentences.

    Each paragraph is 2-6 consecutive sentences from a random eval document, so passages read like
    the collections (same vocabulary, realistic lengths) while hardly any two passages are equal,
    which would flatter both the vector index and BM25.
    """
    rng = random.Random(seed)
    pool = _sentence_pool()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n_files):
        parts: list[str] = []
        size = 0
        while size < _FILE_CHARS:
            sentences = rng.choice(pool)
            start = rng.randrange(len(sentences))
            para = " ".join(sentences[start : start + rng.randint(2, 6)])
            parts.append(para)
            size += len(para) + 2
        (folder / f"{prefix}{i:06d}.txt").write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def build_large_home(n_chunks: int, *, log: bool = True, model: str = "bundled-fast") -> Path:
    """An index home with about n_chunks passages, cached under `.bench-cache/homes/<n>/home`.

    Built through the CLI in two steps: a small calibration folder first (to learn how many
    passages the engine cuts from one synthetic file), then the bulk folder sized from that.
    `model` is the home's model setting; the default, the fast model, has no second pass (the
    transformer's would take hours at these sizes on a laptop's cores). A cached home built
    with another model is built again.
    """
    base = CACHE_DIR / "homes" / str(n_chunks)
    home, marker = base / "home", base / "built.json"
    if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")).get("model") == model:
        return home
    if base.exists():
        shutil.rmtree(base)  # an interrupted build, or another model: start over
    home.mkdir(parents=True)
    (home / "settings.toml").write_text(f'model = "{model}"\n', encoding="utf-8")
    say = (lambda msg: print(msg, file=sys.stderr, flush=True)) if log else (lambda msg: None)
    calib_dir, bulk_dir = base / "files" / "calibration", base / "files" / "bulk"
    n_calib = max(5, min(100, n_chunks // 10 // 20))
    write_synthetic_files(calib_dir, n_calib, seed=n_chunks, prefix="calib")
    start = time.perf_counter()
    run_cli(home, "index", calib_dir)
    per_file = cli_status(home)["chunks"] / n_calib
    if per_file <= 0:
        raise RuntimeError(f"Indexing {calib_dir} produced no passages (see `status` of {home})")
    n_bulk = max(0, round((n_chunks - per_file * n_calib) / per_file))
    say(f"[build_large_home {n_chunks}] {per_file:.1f} passages per file; writing {n_bulk} files")
    write_synthetic_files(bulk_dir, n_bulk, seed=n_chunks + 1)
    run_cli(home, "index", bulk_dir)
    seconds = time.perf_counter() - start
    status = cli_status(home)
    chunks = int(status["chunks"])
    say(
        f"[build_large_home {n_chunks}] {chunks} passages, {status.get('documents')} files, "
        f"{seconds:.0f} s"
    )
    if not 0.8 * n_chunks <= chunks <= 1.2 * n_chunks:
        raise RuntimeError(f"Home {home} holds {chunks} passages, wanted about {n_chunks}")
    marker.write_text(
        json.dumps(
            {
                "chunks": chunks,
                "documents": status.get("documents"),
                "index_seconds": round(seconds, 1),
                "model": model,
            }
        ),
        encoding="utf-8",
    )
    return home


def large_home_info(n_chunks: int) -> dict[str, Any]:
    marker = CACHE_DIR / "homes" / str(n_chunks) / "built.json"
    return json.loads(marker.read_text(encoding="utf-8")) if marker.is_file() else {}
