"""Retrieval quality on Cranfield and CISI: each document as its own PDF, indexed through the CLI.

For every collection: render the PDFs (cached), index the folder into a fresh home with
`desktop-search index`, run every query through `search --batch -k 100 --json` once per mode,
and score mean nDCG@10 (graded, trec_eval definition) and Recall@100 per document, next to the
DESIGN.md reference figures (whole documents, no PDFs involved).

    python -m benchmarks.quality [--collections cranfield cisi] [--modes hybrid semantic keyword]
                                 [--keep-home DIR] [--json FILE]

--keep-home DIR keeps each collection's index in DIR/<collection> and reuses it when it is already
there, so ranking changes can be measured again in seconds without re-indexing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks.common` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    CACHE_DIR,
    COLLECTIONS,
    REFERENCE_NDCG10,
    batch_line,
    cli_status,
    doc_id_of,
    evaluate,
    load_qrels,
    load_queries,
    print_table,
    render_collection_pdfs,
    run_cli,
    search_batch,
)

MODES = ("hybrid", "semantic", "keyword")
K = 100


def index_collection(name: str, home: Path, *, reuse: bool) -> dict[str, Any]:
    """Index the collection's PDFs into home (unless reuse and it is already there)."""
    pdf_dir = render_collection_pdfs(name)
    marker = home.parent / f"{home.name}.quality-indexed.json"  # beside the home, not inside it
    home.parent.mkdir(parents=True, exist_ok=True)
    if reuse and marker.is_file():
        info = json.loads(marker.read_text(encoding="utf-8"))
        info["reused"] = True
        return info
    start = time.perf_counter()
    run_cli(home, "index", pdf_dir)
    seconds = time.perf_counter() - start
    status = cli_status(home)
    info = {
        "documents": status.get("documents"),
        "chunks": status.get("chunks"),
        "failed": len(status.get("failed", [])),
        "failed_examples": [
            f"{Path(f['path']).name}: {f['reason']}" for f in status.get("failed", [])[:5]
        ],
        "index_seconds": round(seconds, 1),
        "pdfs": sum(1 for _ in pdf_dir.glob("*.pdf")),
        "reused": False,
    }
    marker.write_text(json.dumps(info), encoding="utf-8")
    return info


def score_collection(name: str, home: Path, modes: tuple[str, ...]) -> list[dict[str, Any]]:
    queries = load_queries(name)
    qrels = load_qrels(name)
    qids = list(queries)
    lines = [batch_line(queries[q]) for q in qids]
    changed = sum(
        1 for q, ln in zip(qids, lines, strict=True) if ln != " ".join(queries[q].split())
    )
    if changed:
        print(
            f"[{name}] {changed} queries had phrase/exclusion syntax defused (see batch_line)",
            file=sys.stderr,
        )
    rows = []
    with tempfile.TemporaryDirectory(prefix="ds-quality-batch-") as tmp:
        for mode in modes:
            results, seconds = search_batch(
                home, lines, k=K, mode=mode, batch_file=Path(tmp) / f"{name}-{mode}.txt"
            )
            run = {q: [doc_id_of(r) for r in res] for q, res in zip(qids, results, strict=True)}
            scores = evaluate(run, qrels, ndcg_k=10, recall_k=K)
            empty = sum(1 for res in results if not res)
            rows.append(
                {
                    "collection": name,
                    "mode": mode,
                    "ndcg10": scores["ndcg"],
                    "recall100": scores["recall"],
                    "reference_ndcg10": REFERENCE_NDCG10.get(name, {}).get(mode),
                    "queries": scores["queries"],
                    "empty_results": empty,
                    "batch_seconds": round(seconds, 2),
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", nargs="+", default=list(COLLECTIONS))
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    parser.add_argument(
        "--keep-home",
        type=Path,
        metavar="DIR",
        help="keep (and reuse) each collection's index in DIR/<collection>",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)

    index_rows: list[dict[str, Any]] = []
    score_rows: list[dict[str, Any]] = []
    for name in args.collections:
        if args.keep_home:
            home, temp = args.keep_home.resolve() / name, None
        else:
            (CACHE_DIR / "tmp").mkdir(parents=True, exist_ok=True)
            temp = Path(tempfile.mkdtemp(prefix=f"quality-{name}-", dir=CACHE_DIR / "tmp"))
            home = temp / "home"
        try:
            print(f"[{name}] indexing PDFs into {home} ...", file=sys.stderr, flush=True)
            info = index_collection(name, home, reuse=args.keep_home is not None)
            index_rows.append({"collection": name, **info})
            for example in info.get("failed_examples", []):
                print(f"[{name}] failed: {example}", file=sys.stderr)
            print(f"[{name}] searching ...", file=sys.stderr, flush=True)
            score_rows.extend(score_collection(name, home, tuple(args.modes)))
        finally:
            if temp is not None:
                shutil.rmtree(temp, ignore_errors=True)

    print_table(
        "Indexing (PDF per document, through `desktop-search index`)",
        ["collection", "pdfs", "documents", "chunks", "failed", "seconds", "docs/s"],
        [
            [
                r["collection"],
                r["pdfs"],
                r["documents"],
                r["chunks"],
                r["failed"],
                f"{r['index_seconds']:.1f}" + (" (reused)" if r["reused"] else ""),
                f"{r['documents'] / r['index_seconds']:.1f}" if r["index_seconds"] else "",
            ]
            for r in index_rows
        ],
    )
    print_table(
        f"Quality (mean over judged queries; nDCG@10 graded, linear gain; Recall@{K})",
        [
            "collection",
            "mode",
            "nDCG@10",
            "reference",
            "delta",
            f"Recall@{K}",
            "queries",
            "empty",
            "batch s",
        ],
        [
            [
                r["collection"],
                r["mode"],
                r["ndcg10"],
                r["reference_ndcg10"],
                f"{r['ndcg10'] - r['reference_ndcg10']:+.3f}" if r["reference_ndcg10"] else "",
                r["recall100"],
                r["queries"],
                r["empty_results"],
                f"{r['batch_seconds']:.1f}",
            ]
            for r in score_rows
        ],
    )
    print(
        "\nreference = DESIGN.md figures on whole documents (keyword = BM25, semantic = bundled "
        "model, hybrid = RRF)."
    )
    if args.json:
        args.json.write_text(
            json.dumps({"indexing": index_rows, "quality": score_rows}, indent=2), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
