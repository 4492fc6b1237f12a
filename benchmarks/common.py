"""Shared helpers for the benchmarks: eval data, PDF rendering, metrics, the CLI, big index homes.

Nothing here imports the engine; the benchmarks drive it through the CLI contract of DESIGN.md
(and `latency.py` additionally in-process). Everything slow is cached under `.bench-cache/` in the
repository root (git-ignored), so a second run starts at once.
"""

from __future__ import annotations

import html
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = REPO_ROOT / ".bench-cache"
SHARED_ENV = "DESKTOP_SEARCH_SHARED"
COLLECTIONS = ("cranfield", "cisi")

# Bump when the rendering changes, so cached PDFs are rebuilt instead of silently reused.
RENDER_VERSION = "1"
_MARKER = ".rendered.json"

# DESIGN.md reference nDCG@10 figures (whole documents, no PDFs): BM25, bundled model, RRF.
REFERENCE_NDCG10: dict[str, dict[str, float]] = {
    "cranfield": {"keyword": 0.351, "semantic": 0.316, "hybrid": 0.363},
    "cisi": {"keyword": 0.377, "semantic": 0.381, "hybrid": 0.409},
}


# ---------------------------------------------------------------------------------------------
# Locating and loading the eval collections
# ---------------------------------------------------------------------------------------------


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
    """Query id -> query text, in file order."""
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


# ---------------------------------------------------------------------------------------------
# Rendering documents to PDFs
# ---------------------------------------------------------------------------------------------

_PAGE_MARGIN = 72  # points: one inch all round


def render_document_pdf(path: Path, title: str, text: str) -> None:
    """Write one PDF: the title as a heading, then the text, running on over more A4 pages.

    Uses a PyMuPDF Story (HTML layout), so long documents continue on new pages. The default font
    is shaped, so "ff", "fi", "fl" come out as ligatures, as in real typeset PDFs: extraction has
    to undo them (a fair part of what the quality benchmark measures).
    """
    import pymupdf

    body = f"<h2>{html.escape(title)}</h2>" if title.strip() else ""
    body += f"<p>{html.escape(text)}</p>" if text.strip() else ""
    story = pymupdf.Story(html=body)
    mediabox = pymupdf.paper_rect("a4")
    where = mediabox + (_PAGE_MARGIN, _PAGE_MARGIN, -_PAGE_MARGIN, -_PAGE_MARGIN)
    tmp = path.with_suffix(".pdf.part")
    writer = pymupdf.DocumentWriter(str(tmp))
    more = 1
    while more:
        device = writer.begin_page(mediabox)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
    writer.close()
    os.replace(tmp, path)


def render_collection_pdfs(
    name: str, *, limit: int | None = None, out_dir: Path | None = None
) -> Path:
    """Render each document of eval collection `name` to `<out_dir>/<doc_id>.pdf`; return out_dir.

    Default out_dir: `.bench-cache/pdfs/<name>/`. A marker file records a finished render (with
    the document count and RENDER_VERSION), so later calls return at once. Empty documents (two in
    Cranfield) become a blank page: the engine must report them, not crash.
    """
    docs = load_corpus(name)
    if limit is not None:
        docs = docs[:limit]
    out = Path(out_dir) if out_dir is not None else CACHE_DIR / "pdfs" / name
    marker = out / _MARKER
    expected = {"version": RENDER_VERSION, "collection": name, "documents": len(docs)}
    if marker.is_file():
        try:
            if json.loads(marker.read_text(encoding="utf-8")) == expected:
                return out
        except (OSError, ValueError):
            pass
    out.mkdir(parents=True, exist_ok=True)
    wanted = {f"{d['_id']}.pdf" for d in docs}
    for stale in out.glob("*.pdf"):  # a smaller/older render must not leave extra documents
        if stale.name not in wanted:
            stale.unlink()
    for doc in docs:
        render_document_pdf(out / f"{doc['_id']}.pdf", doc.get("title", ""), doc.get("text", ""))
    marker.write_text(json.dumps(expected), encoding="utf-8")
    return out


def cranfield_pdf_dir() -> Path:
    return render_collection_pdfs("cranfield")


# ---------------------------------------------------------------------------------------------
# Metrics (pure)
# ---------------------------------------------------------------------------------------------


def _dedupe(ranked: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for doc_id in ranked:
        if doc_id not in seen:
            seen.add(doc_id)
            out.append(doc_id)
    return out


def ndcg_at_k(ranked_doc_ids: Sequence[str], qrels_for_query: dict[str, int], k: int = 10) -> float:
    """nDCG@k with the linear-gain definition of trec_eval / pytrec_eval `ndcg_cut` (used by BEIR).

    DCG = sum over ranks i=0..k-1 of rel_i / log2(i + 2), with gain = the judged grade itself (not
    2^rel - 1); IDCG is the DCG of the judged grades sorted best first, cut at k. Grades <= 0 count
    as non-relevant. Repeated doc ids count once (first place). 0.0 when nothing is relevant.
    """
    gains = [g for g in qrels_for_query.values() if g > 0]
    if not gains:
        return 0.0
    ranked = _dedupe(ranked_doc_ids)[:k]
    dcg = sum(max(qrels_for_query.get(d, 0), 0) / math.log2(i + 2) for i, d in enumerate(ranked))
    ideal = sorted(gains, reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg


def recall_at_k(
    ranked_doc_ids: Sequence[str], qrels_for_query: dict[str, int], k: int = 100
) -> float:
    """Share of the relevant documents (grade > 0) found in the top k. 0.0 when none is relevant."""
    relevant = {d for d, g in qrels_for_query.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(_dedupe(ranked_doc_ids)[:k])) / len(relevant)


def evaluate(
    run: dict[str, Sequence[str]],
    qrels: dict[str, dict[str, int]],
    *,
    ndcg_k: int = 10,
    recall_k: int = 100,
) -> dict[str, float]:
    """Mean nDCG@ndcg_k and Recall@recall_k over the queries that have a relevant judgement.

    A judged query missing from `run` counts as an empty ranking (score 0), as in BEIR.
    Queries without judgements are skipped.
    """
    judged = [q for q, rels in qrels.items() if any(g > 0 for g in rels.values())]
    if not judged:
        return {"ndcg": 0.0, "recall": 0.0, "queries": 0}
    ndcg = [ndcg_at_k(run.get(q, []), qrels[q], ndcg_k) for q in judged]
    rec = [recall_at_k(run.get(q, []), qrels[q], recall_k) for q in judged]
    return {
        "ndcg": sum(ndcg) / len(judged),
        "recall": sum(rec) / len(judged),
        "queries": len(judged),
    }


# ---------------------------------------------------------------------------------------------
# Driving the CLI
# ---------------------------------------------------------------------------------------------


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("ANONYMIZED_TELEMETRY", "False")
    env.pop("DESKTOP_SEARCH_HOME", None)  # --home is always given explicitly
    return env


def run_cli(
    home: str | Path, *args: str | Path, check: bool = True, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m desktop_search --home HOME ARGS...` from the repository root.

    stdout/stderr are captured as text. With check=True a non-zero exit raises CliError carrying
    the command line and stderr's tail (what goes into bench-needs.md when the CLI misbehaves).
    """
    cmd = [sys.executable, "-m", "desktop_search", "--home", str(home), *map(str, args)]
    proc = subprocess.run(
        cmd, cwd=REPO_ROOT, env=cli_env(), capture_output=True, text=True, timeout=timeout
    )
    if check and proc.returncode != 0:
        raise CliError(cmd, proc)
    return proc


class CliError(RuntimeError):
    def __init__(self, cmd: Sequence[str], proc: subprocess.CompletedProcess[str]) -> None:
        self.cmd = list(cmd)
        self.proc = proc
        tail = (proc.stderr or "").strip().splitlines()[-15:]
        super().__init__(
            f"exit {proc.returncode}: {' '.join(self.cmd)}\n" + "\n".join("  " + t for t in tail)
        )


def cli_status(home: str | Path) -> dict[str, Any]:
    return json.loads(run_cli(home, "status", "--json").stdout)


_SYNTAX_QUOTE = re.compile(r'"')
_SYNTAX_EXCLUDE = re.compile(r"(^|\s)-+(?=\S)")


def batch_line(query: str, *, neutralize_syntax: bool = True) -> str:
    """One query as one line of a --batch file: all whitespace (newlines too) becomes single spaces.

    With neutralize_syntax the engine's query syntax is defused so test queries mean their words
    only: double quotes (phrase search) are dropped and a leading '-' (exclusion) is stripped from
    a word. Cranfield writes dashes as the token "-dash", which would otherwise exclude documents.
    """
    if neutralize_syntax:
        query = _SYNTAX_EXCLUDE.sub(r"\1", _SYNTAX_QUOTE.sub(" ", query))
    return " ".join(query.split())


def batch_results(obj: Any) -> list[dict[str, Any]]:
    """The result list of one line of `search --batch --json` output.

    Accepts a bare list of results or an object holding it under "results" (or "documents"/"hits").
    """
    if isinstance(obj, list):
        return obj
    if isinstance(obj, dict):
        for key in ("results", "documents", "hits"):
            if isinstance(obj.get(key), list):
                return obj[key]
    raise ValueError(f"Unexpected batch output line: {str(obj)[:200]}")


def doc_id_of(result: dict[str, Any]) -> str:
    return Path(result["path"]).stem


def search_batch(
    home: str | Path, queries: Sequence[str], *, k: int, mode: str, batch_file: Path
) -> tuple[list[list[dict[str, Any]]], float]:
    """Run all queries through one `search --batch` call; return per-query results and seconds."""
    batch_file.write_text("".join(q + "\n" for q in queries), encoding="utf-8")
    start = time.perf_counter()
    proc = run_cli(home, "search", "--batch", batch_file, "-k", str(k), "--mode", mode, "--json")
    elapsed = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if len(lines) != len(queries):
        raise RuntimeError(
            f"search --batch gave {len(lines)} output lines for {len(queries)} queries "
            f"(mode {mode}); stderr tail: {proc.stderr.strip()[-500:]}"
        )
    return [batch_results(json.loads(ln)) for ln in lines], elapsed


# ---------------------------------------------------------------------------------------------
# Large synthetic index homes (latency)
# ---------------------------------------------------------------------------------------------

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


def build_large_home(n_chunks: int, *, log: bool = True) -> Path:
    """An index home with about n_chunks passages, cached under `.bench-cache/homes/<n>/home`.

    Built through the CLI in two steps: a small calibration folder first (to learn how many
    passages the engine cuts from one synthetic file), then the bulk folder sized from that.
    """
    base = CACHE_DIR / "homes" / str(n_chunks)
    home, marker = base / "home", base / "built.json"
    if marker.is_file():
        return home
    if base.exists():
        shutil.rmtree(base)  # an interrupted build: start over rather than trust it
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
            }
        ),
        encoding="utf-8",
    )
    return home


def large_home_info(n_chunks: int) -> dict[str, Any]:
    marker = CACHE_DIR / "homes" / str(n_chunks) / "built.json"
    return json.loads(marker.read_text(encoding="utf-8")) if marker.is_file() else {}


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def format_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Plain-text table: text columns left-aligned, numbers right-aligned, floats to 3 places."""

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.3f}"
        return "" if v is None else str(v)

    body = [[cell(v) for v in row] for row in rows]
    raw_rows = [list(r) for r in body]
    widths = [len(h) for h in headers]
    for row in body:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]
    numeric = [
        all(_is_number(r[i]) for r in raw_rows if i < len(r) and r[i] != "") and bool(raw_rows)
        for i in range(len(headers))
    ]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, c in enumerate(cells):
            out.append(c.rjust(widths[i]) if numeric[i] else c.ljust(widths[i]))
        return "  ".join(out).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(headers)), sep, *(line(r) for r in body)])


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%x"))
    except ValueError:
        return False
    return True


def print_table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    print(f"\n{title}")
    print(format_table(headers, rows), flush=True)
