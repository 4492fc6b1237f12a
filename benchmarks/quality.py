"""Retrieval quality on Cranfield and CISI: each document as its own PDF, indexed through the CLI.

For every collection: render the PDFs (cached), index the folder into a fresh home with
`desktop-search index`, run every query verbatim through `search --batch -k 100 --json` once per
mode, and score mean nDCG@10 (graded, trec_eval definition) and Recall@100 per document, next to
the DESIGN.md reference figures (whole documents, no PDFs involved).

    python -m benchmarks.quality [--collections cranfield cisi] [--modes hybrid semantic keyword]
                                 [--keep-home DIR] [--json FILE] [--documents N] [--queries N]
                                 [--model bundled|bundled-fast] [--meaning-percent P]
                                 [--inference auto|torch|openvino|openvino-int8]
                                 [--chunk-chars N] [--chunk-overlap N]

--model picks the settings' model (default: the app's default). With the default model, the
index first gets every passage searchable (pass 1, fast vectors), then each passage its meaning
vector (pass 2); --meaning-percent P scores the index when pass 2 has done about P% of the
passages (0: pass 1 only), to check that results never get worse while pass 2 runs.

--inference picks the meaning model's backend ($DESKTOP_SEARCH_INFERENCE for every CLI call);
an OpenVINO one is exported first (calibrated on the collection's first passages) and put in the
home's cache, so it embeds every passage (auto: as the product does, torch until its own export
is ready). --chunk-chars / --chunk-overlap set the passage size in the home's settings.

--documents N and --queries N run on the first N documents / queries only (a quick check that the
benchmark works end to end; the figures then mean little).

--keep-home DIR keeps each collection's index in DIR/<collection> and reuses it when it is already
there, so ranking changes can be measured again in seconds without re-indexing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.cli_driver import cli_status, doc_id_of, run_cli, search_batch
from benchmarks.eval_sets import (
    CACHE_DIR,
    COLLECTIONS,
    REFERENCE_NDCG10,
    load_qrels,
    load_queries,
)
from benchmarks.metrics import evaluate
from benchmarks.model_exports import seed_home
from benchmarks.pdf_corpus import render_collection_pdfs
from benchmarks.tables import print_table
from desktop_search.core.config import Settings
from desktop_search.core.embed.accelerated import INFERENCE_CHOICES, INFERENCE_ENV

MODES = ("hybrid", "semantic", "keyword")
K = 100


def index_collection(
    name: str,
    home: Path,
    *,
    reuse: bool,
    documents: int | None = None,
    model: str | None = None,
    meaning_percent: int = 100,
    inference: str = "auto",
    chunking: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Index the collection's PDFs (the first `documents` of them when given) into home, unless
    reuse and it is already there."""
    pdf_dir = render_collection_pdfs(name, limit=documents)
    marker = home.parent / f"{home.name}.quality-indexed.json"  # beside the home, not inside it
    home.parent.mkdir(parents=True, exist_ok=True)
    pdfs = sum(1 for _ in pdf_dir.glob("*.pdf"))
    if reuse and marker.is_file():
        info = json.loads(marker.read_text(encoding="utf-8"))
        same_build = (info.get("inference", "auto"), info.get("chunking")) == (
            inference,
            list(chunking) if chunking else None,
        )
        if info.get("pdfs") == pdfs and same_build:  # not another --documents, backend, size
            info["reused"] = True
            return info
        shutil.rmtree(home, ignore_errors=True)
    settings = [f'model = "{model}"'] if model is not None else []
    if chunking is not None:
        settings += [f"chunk_chars = {chunking[0]}", f"chunk_overlap = {chunking[1]}"]
    if settings:
        home.mkdir(parents=True, exist_ok=True)
        (home / "settings.toml").write_text("\n".join(settings) + "\n", encoding="utf-8")
    if inference != "auto":
        seed_home(home, inference, name)
    start = time.perf_counter()
    if meaning_percent >= 100:
        run_cli(home, "index", pdf_dir)
    else:
        run_cli(home, "index", "--quick", pdf_dir)
        if meaning_percent > 0:
            improve_until(home, meaning_percent)
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
        "pdfs": pdfs,
        "reused": False,
        "meaning": status.get("meaning", [0, 0]),
        "inference": inference,
        "chunking": list(chunking) if chunking else None,
    }
    marker.write_text(json.dumps(info), encoding="utf-8")
    return info


def improve_until(home: Path, percent: int) -> None:
    """Run pass 2 through the public engine API until about `percent`% of the passages have
    their meaning vector, then pause it there (it stops between batches)."""
    from desktop_search.core.engine import Engine

    with Engine.open(home) as engine:
        while True:
            done, total = engine.status().meaning
            if not total or done * 100 >= total * percent:
                break
            if engine.wait_until_improved(0.1):
                break
        engine.pause()


def score_collection(
    name: str, home: Path, modes: tuple[str, ...], *, limit: int | None = None
) -> list[dict[str, Any]]:
    """Run the queries (the first `limit` when given) verbatim in each mode and score them.

    A query the engine refuses or answers with nothing is reported on stderr: with queries as a
    person types them, that is the product's problem to fix, not the benchmark's to hide.
    """
    queries = load_queries(name)
    qids = list(queries)[:limit]
    qrels = {q: rels for q, rels in load_qrels(name).items() if q in set(qids)}
    rows = []
    with tempfile.TemporaryDirectory(prefix="ds-quality-batch-") as tmp:
        for mode in modes:
            records, seconds = search_batch(
                home,
                [queries[q] for q in qids],
                k=K,
                mode=mode,
                batch_file=Path(tmp) / f"{name}-{mode}.txt",
            )
            results = [record["results"] for record in records]
            run = {q: [doc_id_of(r) for r in res] for q, res in zip(qids, results, strict=True)}
            scores = evaluate(run, qrels, ndcg_k=10, recall_k=K)
            empty = sum(1 for res in results if not res)
            refused = [(q, r["error"]) for q, r in zip(qids, records, strict=True) if "error" in r]
            for qid, error in refused:
                print(f"[{name}] {mode}: query {qid} refused: {error}", file=sys.stderr)
            for qid, res in zip(qids, results, strict=True):
                if not res and not any(q == qid for q, _ in refused):
                    print(f"[{name}] {mode}: query {qid} found nothing", file=sys.stderr)
            rows.append(
                {
                    "collection": name,
                    "mode": mode,
                    "ndcg10": scores["ndcg"],
                    "ndcg10_exp": scores["ndcg_exp"],
                    "recall100": scores["recall"],
                    "reference_ndcg10": REFERENCE_NDCG10.get(name, {}).get(mode),
                    "queries": scores["queries"],
                    "empty_results": empty,
                    "refused": len(refused),
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
    parser.add_argument(
        "--documents", type=int, metavar="N", help="index only the first N documents (quick check)"
    )
    parser.add_argument(
        "--queries", type=int, metavar="N", help="run only the first N queries (quick check)"
    )
    parser.add_argument(
        "--model", choices=("bundled", "bundled-fast"), help="the model the index is built with"
    )
    parser.add_argument(
        "--meaning-percent",
        type=int,
        default=100,
        metavar="P",
        help="score when pass 2 has given about P%% of the passages their meaning vector",
    )
    parser.add_argument(
        "--inference",
        default="auto",
        choices=INFERENCE_CHOICES,
        help="the meaning model's backend (default: the product's choice)",
    )
    parser.add_argument("--chunk-chars", type=int, metavar="N", help="passage length setting")
    parser.add_argument("--chunk-overlap", type=int, metavar="N", help="passage overlap setting")
    args = parser.parse_args(argv)
    if args.inference != "auto":
        os.environ[INFERENCE_ENV] = args.inference  # read by every CLI call below
    chunking = None
    if args.chunk_chars or args.chunk_overlap is not None:
        defaults = Settings()
        chunking = (
            args.chunk_chars or defaults.chunk_chars,
            defaults.chunk_overlap if args.chunk_overlap is None else args.chunk_overlap,
        )

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
            info = index_collection(
                name,
                home,
                reuse=args.keep_home is not None,
                documents=args.documents,
                model=args.model,
                meaning_percent=args.meaning_percent,
                inference=args.inference,
                chunking=chunking,
            )
            index_rows.append({"collection": name, **info})
            for example in info.get("failed_examples", []):
                print(f"[{name}] failed: {example}", file=sys.stderr)
            print(f"[{name}] searching ...", file=sys.stderr, flush=True)
            score_rows.extend(score_collection(name, home, tuple(args.modes), limit=args.queries))
        finally:
            if temp is not None:
                shutil.rmtree(temp, ignore_errors=True)

    print_table(
        "Indexing (PDF per document, through `desktop-search index`)",
        [
            "collection",
            "backend",
            "passage",
            "pdfs",
            "documents",
            "chunks",
            "meaning",
            "failed",
            "seconds",
            "docs/s",
        ],
        [
            [
                r["collection"],
                r.get("inference", "auto"),
                "{}/{}".format(*r["chunking"]) if r.get("chunking") else "default",
                r["pdfs"],
                r["documents"],
                r["chunks"],
                "{}/{}".format(*r.get("meaning", (0, 0))),
                r["failed"],
                f"{r['index_seconds']:.1f}" + (" (reused)" if r["reused"] else ""),
                f"{r['documents'] / r['index_seconds']:.1f}" if r["index_seconds"] else "",
            ]
            for r in index_rows
        ],
    )
    print_table(
        f"Quality (mean over judged queries; nDCG@10 graded, linear and exponential gain; "
        f"Recall@{K})",
        [
            "collection",
            "mode",
            "nDCG@10",
            "nDCG@10 exp",
            "reference",
            "delta",
            f"Recall@{K}",
            "queries",
            "empty",
            "refused",
            "batch s",
        ],
        [
            [
                r["collection"],
                r["mode"],
                r["ndcg10"],
                r["ndcg10_exp"],
                r["reference_ndcg10"],
                f"{r['ndcg10_exp'] - r['reference_ndcg10']:+.3f}" if r["reference_ndcg10"] else "",
                r["recall100"],
                r["queries"],
                r["empty_results"],
                r["refused"],
                f"{r['batch_seconds']:.1f}",
            ]
            for r in score_rows
        ],
    )
    print(
        "\nreference = DESIGN.md figures on whole documents (keyword = BM25, semantic = MiniLM "
        "alone, hybrid = RRF of the two: the targets), exponential gain like the delta beside them."
    )
    if args.json:
        args.json.write_text(
            json.dumps({"indexing": index_rows, "quality": score_rows}, indent=2), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
