"""Query latency and memory on big indexes (10k and 100k passages; 1M if asked), in-process and
through `search --batch`.

For each size: build (or reuse, cached) a home of synthetic text files made from the eval
collections' sentences, open it with `Engine.open`, load the model, warm up, then time
`engine.search(q, k=20, mode=m)` one query at a time for ~200 queries (Cranfield and CISI queries
plus 1-3 word ones) in each mode, and FTS5's ranking alone (the keyword side: row 'fts5 only');
print p50/p95/max, and the process's resident memory after opening and at its peak. Secondary
figure: queries per second of one `desktop-search search --batch` process (its start-up and
model load measured apart). Homes are built with `--model` (default: the fast model, which has
no second pass).

    python -m benchmarks.latency [--sizes 10000 100000] [--modes ...] [--queries 200] [--no-cli]
                                 [--model bundled-fast|bundled]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.cli_driver import search_batch
from benchmarks.eval_sets import load_corpus, load_queries
from benchmarks.large_homes import build_large_home, large_home_info
from benchmarks.metrics import percentile
from benchmarks.tables import print_table
from desktop_search.core.engine import Engine
from desktop_search.core.errors import DesktopSearchError
from desktop_search.core.search.query import keyword_query, parse_query

MODES = ("hybrid", "semantic", "keyword")
# The extra row: FTS5's ranking alone (the part of a keyword search the keyword index does).
KEYWORD_INDEX = "fts5 only"
K = 20
WARMUP = 10

_STOP_WORDS = (
    "about above after again also among analysis and any are based been being between both but "
    "can could data does each effect effects for from general given has have how into its more "
    "most method methods new not obtained other over paper present problem problems results same "
    "shown some study such than that the their them then there these they this those through "
    "under used using very was were what when where which while will with within would"
)
_STOP = frozenset(_STOP_WORDS.split())


def short_queries(n: int, rng: random.Random) -> list[str]:
    """n queries of 1-3 words drawn from frequent content words of the collections' titles."""
    counts: Counter[str] = Counter()
    for name in ("cranfield", "cisi"):
        for doc in load_corpus(name):
            counts.update(
                w for w in re.findall(r"[a-z]{4,}", doc["title"].lower()) if w not in _STOP
            )
    vocab = [w for w, _ in counts.most_common(400)]
    out = []
    for _ in range(n):
        out.append(" ".join(rng.sample(vocab, rng.randint(1, 3))))
    return out


def query_set(total: int, seed: int = 0) -> list[str]:
    """~40% Cranfield, ~35% CISI (long ones included), ~25% short queries; fixed by seed.

    The collections' queries are kept verbatim (quotes, dashes and line breaks included).
    """
    rng = random.Random(seed)
    cran = list(load_queries("cranfield").values())
    cisi = list(load_queries("cisi").values())
    n_cran, n_cisi = round(total * 0.4), round(total * 0.35)
    n_short = total - n_cran - n_cisi
    picked = rng.sample(cran, min(n_cran, len(cran))) + rng.sample(cisi, min(n_cisi, len(cisi)))
    picked += short_queries(n_short, rng)
    rng.shuffle(picked)
    return picked


KINDS = ("short", "question", "long")


def query_kind(query: str) -> str:
    """short: 1-3 words; long: over 40 words (CISI abstracts); question: the rest."""
    n = len(query.split())
    return "short" if n <= 3 else "long" if n > 40 else "question"


def time_in_process(home: Path, queries: list[str], modes: tuple[str, ...]) -> dict[str, Any]:
    start = time.perf_counter()
    engine = Engine.open(home, read_only=True)
    open_s = time.perf_counter() - start
    start = time.perf_counter()
    engine.load_model()
    load_s = time.perf_counter() - start
    out: dict[str, Any] = {"open_s": open_s, "load_model_s": load_s, "modes": {}}
    out["rss_open_mb"] = resident_mb()
    try:
        for mode in modes:
            start = time.perf_counter()
            with contextlib.suppress(DesktopSearchError):  # refusals are reported below
                engine.search(queries[0], k=K, mode=mode)
            first_ms = (time.perf_counter() - start) * 1000
            for q in queries[1 : 1 + WARMUP]:
                with contextlib.suppress(DesktopSearchError):
                    engine.search(q, k=K, mode=mode)
            times, empty = [], 0
            for q in queries:
                start = time.perf_counter()
                try:
                    results = engine.search(q, k=K, mode=mode)
                except DesktopSearchError as exc:  # the product's problem: shown, not hidden
                    print(f"[latency] {mode}: refused {q[:60]!r}: {exc}", file=sys.stderr)
                    results = []
                times.append((time.perf_counter() - start) * 1000)
                empty += not results
            out["modes"][mode] = {"first_ms": first_ms, "times_ms": times, "empty": empty}
        out["modes"][KEYWORD_INDEX] = time_keyword_index(engine, queries)
    finally:
        engine.close()
    out["rss_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def time_keyword_index(engine: Engine, queries: list[str]) -> dict[str, Any]:
    """The keyword side alone: FTS5's ranking of the passages a keyword search starts from
    (as many as the searcher asks for at k=20), without results, snippets or fusion."""

    def run(q: str) -> int:
        try:
            wanted = keyword_query(parse_query(q))
        except DesktopSearchError:
            return 0
        return len(engine.index.keyword_search(wanted, max(3 * K, 100))) if wanted else 0

    start = time.perf_counter()
    run(queries[0])
    first_ms = (time.perf_counter() - start) * 1000
    for q in queries[1 : 1 + WARMUP]:
        run(q)
    times, empty = [], 0
    for q in queries:
        start = time.perf_counter()
        empty += not run(q)
        times.append((time.perf_counter() - start) * 1000)
    return {"first_ms": first_ms, "times_ms": times, "empty": empty}


def resident_mb() -> float:
    """This process's resident memory now, in MiB (its peak where /proc is not there)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_cli_batch(home: Path, queries: list[str], mode: str) -> dict[str, float]:
    """One `search --batch` process: seconds for 1 query (start-up) and for all of them."""
    with tempfile.TemporaryDirectory(prefix="ds-latency-") as tmp:
        _, one_s = search_batch(home, queries[:1], k=K, mode=mode, batch_file=Path(tmp) / "1.txt")
        _, all_s = search_batch(home, queries, k=K, mode=mode, batch_file=Path(tmp) / "n.txt")
    # On a tiny run the 1-query batch can take longer than the whole one: no figure then.
    qps = (len(queries) - 1) / (all_s - one_s) if all_s > one_s else float("nan")
    return {"startup_s": one_s, "total_s": all_s, "qps": qps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--no-cli", action="store_true", help="skip the `search --batch` figure")
    parser.add_argument(
        "--model",
        default="bundled-fast",
        choices=("bundled-fast", "bundled"),
        help="the model the homes are built with (bundled: first pass only, its fast vectors)",
    )
    args = parser.parse_args(argv)

    queries = query_set(args.queries)
    kinds = [query_kind(q) for q in queries]
    rows, kind_rows, setup_rows, cli_rows = [], [], [], []
    for size in args.sizes:
        print(f"[latency] home with ~{size} passages ...", file=sys.stderr, flush=True)
        home = build_large_home(size, model=args.model)
        info = large_home_info(size)
        measured = time_in_process(home, queries, tuple(args.modes))
        setup_rows.append(
            [
                size,
                info.get("chunks"),
                info.get("documents"),
                f"{info['index_seconds']:.0f}" if info.get("index_seconds") else "",
                f"{measured['open_s']:.2f}",
                f"{measured['load_model_s']:.2f}",
                f"{measured['rss_open_mb']:.0f}",
                f"{measured['rss_peak_mb']:.0f}",
            ]
        )
        for mode, m in measured["modes"].items():
            t = m["times_ms"]
            rows.append(
                [
                    size,
                    mode,
                    len(t),
                    f"{percentile(t, 50):.1f}",
                    f"{percentile(t, 95):.1f}",
                    f"{max(t):.1f}",
                    f"{sum(t) / len(t):.1f}",
                    f"{m['first_ms']:.1f}",
                    m["empty"],
                ]
            )
            row: list[object] = [size, mode]
            for kind in KINDS:
                sub = [x for x, k in zip(t, kinds, strict=True) if k == kind]
                row += [f"{percentile(sub, 50):.1f}", f"{percentile(sub, 95):.1f}"]
            kind_rows.append(row)
        if not args.no_cli:
            c = time_cli_batch(home, queries, "hybrid")
            cli_rows.append(
                [
                    size,
                    "hybrid",
                    len(queries),
                    f"{c['startup_s']:.1f}",
                    f"{c['total_s']:.1f}",
                    f"{c['qps']:.1f}",
                ]
            )

    print_table(
        f"Index homes (model {args.model}; resident memory of this process in MiB)",
        ["size", "chunks", "files", "index s", "open s", "load model s", "RSS open", "RSS peak"],
        setup_rows,
    )
    print_table(
        f"In-process Engine.search latency, k={K}, ms (after {WARMUP} warm-up queries)",
        ["size", "mode", "queries", "p50", "p95", "max", "mean", "first", "empty"],
        rows,
    )
    counts = ", ".join(f"{kind} {kinds.count(kind)}" for kind in KINDS)
    print_table(
        f"The same, p50 / p95 ms by query kind ({counts}; short = 1-3 words, long = 40+ words)",
        ["size", "mode", *(f"{kind} {p}" for kind in KINDS for p in ("p50", "p95"))],
        kind_rows,
    )
    if cli_rows:
        print_table(
            "`search --batch` throughput (one process; start-up = a 1-query batch)",
            ["size", "mode", "queries", "start-up s", "total s", "queries/s"],
            cli_rows,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
