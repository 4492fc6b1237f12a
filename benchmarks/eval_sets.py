"""Where the benchmarks' data lives, and the eval collections (BEIR layout) read from it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
# Everything slow to make (rendered PDFs, big index homes) is cached here; git-ignored.
CACHE_DIR = REPO_ROOT / ".bench-cache"
SHARED_ENV = "DESKTOP_SEARCH_SHARED"
COLLECTIONS = ("cranfield", "cisi")

# DESIGN.md reference nDCG@10 figures (whole documents, no PDFs): BM25, MiniLM (the default
# model) alone, RRF of the two; the targets of the transformer issue.
REFERENCE_NDCG10: dict[str, dict[str, float]] = {
    "cranfield": {"keyword": 0.351, "semantic": 0.368, "hybrid": 0.405},
    "cisi": {"keyword": 0.377, "semantic": 0.421, "hybrid": 0.447},
}


def shared_dir() -> Path:
    """The shared folder (`../shared` next to the repository), or $DESKTOP_SEARCH_SHARED."""
    env = os.environ.get(SHARED_ENV)
    return Path(env) if env else REPO_ROOT.parent / "shared"


def collection_dir(name: str) -> Path:
    path = shared_dir() / "data" / "eval" / name
    if not (path / "corpus.jsonl").is_file():
        raise FileNotFoundError(f"No eval collection '{name}' at {path} (set ${SHARED_ENV}?)")
    return path


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_corpus(name: str) -> list[dict[str, str]]:
    """Documents in file order: dicts with `_id`, `title`, `text`."""
    return _read_jsonl(collection_dir(name) / "corpus.jsonl")


def load_queries(name: str) -> dict[str, str]:
    """Query id -> query text exactly as the collection gives it, in file order."""
    return {q["_id"]: q["text"] for q in _read_jsonl(collection_dir(name) / "queries.jsonl")}


def load_qrels(name: str) -> dict[str, dict[str, int]]:
    """Query id -> {doc id: graded relevance} from qrels/test.tsv (header line skipped)."""
    qrels: dict[str, dict[str, int]] = {}
    with (collection_dir(name) / "qrels" / "test.tsv").open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            parts = line.rstrip("\n").split("\t")
            if i == 0 and parts[0] == "query-id":
                continue
            if len(parts) < 3:
                continue
            qid, did, score = parts[0], parts[1], int(float(parts[2]))
            qrels.setdefault(qid, {})[did] = score
    return qrels
