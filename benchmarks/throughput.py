"""Indexing throughput on the rendered Cranfield PDFs: the whole pipeline next to its stages.

Each stage is measured alone in the same run, on the same files:
  extraction  - the worker-process pool reading every PDF into passages (all cores)
  embedding   - the engine's model (`Engine.embedder()`) embedding every passage
  store       - catalog + FTS5 + Chroma writes of every passage with ready vectors
  pipeline    - `Engine.add_folder` into a fresh index, start to idle
Run: python -m benchmarks.throughput [--limit N]

The pipeline goes through the public Engine API only. Timing a stage alone needs that stage's
own part (the extraction pool, the index), so this one benchmark imports those two as well.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import deque
from pathlib import Path

from benchmarks.pdf_corpus import cranfield_pdf_dir
from benchmarks.tables import print_table
from desktop_search.core.config import Paths, Settings
from desktop_search.core.engine import Engine
from desktop_search.core.extract.pool import ExtractionPool, ExtractionTask
from desktop_search.core.storage.index import DocumentWrite, Index


def measure(files: list[Path]) -> list[tuple[str, float, float, float]]:
    settings = Settings()
    rows = []

    started = time.perf_counter()
    with ExtractionPool(
        settings.extraction_workers,
        chunk_chars=settings.chunk_chars,
        overlap=settings.chunk_overlap,
    ) as pool:
        results = list(pool.run(deque(ExtractionTask(str(p)) for p in files)))
    extraction_s = time.perf_counter() - started
    ok = [r for r in results if r.document is not None]
    pages = sum(r.document.page_count for r in ok if r.document)
    chunks = [c for r in ok for c in r.chunks]
    rows.append(
        ("extraction (pool)", extraction_s, pages / extraction_s, len(chunks) / extraction_s)
    )

    with tempfile.TemporaryDirectory() as home, Engine.open(home) as engine:
        embedder = engine.embedder()  # loaded here, so loading is not timed
        started = time.perf_counter()
        vectors = embedder.embed_documents([c.text for c in chunks])
        embed_s = time.perf_counter() - started
    rows.append(("embedding", embed_s, pages / embed_s, len(chunks) / embed_s))

    with tempfile.TemporaryDirectory() as home:
        index = Index(Paths.resolve(home), settings)
        index.set_meta("model", embedder.model_id)
        started = time.perf_counter()
        offset = 0
        batch: list[DocumentWrite] = []
        batch_rows = 0
        for r in ok:
            doc = r.document
            assert doc is not None
            batch.append(
                DocumentWrite(
                    doc.path,
                    str(files[0].parent),
                    1,
                    0.0,
                    doc.content_hash,
                    doc.title,
                    "pdf",
                    doc.page_count,
                    r.chunks,
                )
            )
            batch_rows += len(r.chunks)
            if batch_rows >= settings.batch_chunks:
                index.write_documents(
                    batch, vectors[offset : offset + batch_rows], embedder.model_id
                )
                offset += batch_rows
                batch, batch_rows = [], 0
        index.write_documents(batch, vectors[offset : offset + batch_rows], embedder.model_id)
        store_s = time.perf_counter() - started
        index.close()
    rows.append(("store writes", store_s, pages / store_s, len(chunks) / store_s))

    with tempfile.TemporaryDirectory() as home:
        engine = Engine.open(home)
        engine.load_model()
        started = time.perf_counter()
        engine.add_folder(files[0].parent)
        engine.wait_until_idle()
        pipeline_s = time.perf_counter() - started
        status = engine.status()
        engine.close()
    rows.append(("whole pipeline", pipeline_s, pages / pipeline_s, status.chunks / pipeline_s))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=0, help="use only the first N PDFs")
    args = parser.parse_args()
    _report(sorted(cranfield_pdf_dir(args.limit or None).glob("*.pdf")))


def _report(files: list[Path]) -> None:
    rows = measure(files)
    slowest = min(r[2] for r in rows[:-1])
    pipeline = rows[-1][2]
    print_table(
        f"Indexing throughput, {len(files)} Cranfield PDFs, {os.cpu_count()} cores",
        ["stage", "seconds", "pages/s", "chunks/s"],
        [(name, f"{s:.2f}", f"{p:.0f}", f"{c:.0f}") for name, s, p, c in rows],
    )
    print(
        f"pipeline / slowest stage = {pipeline / slowest:.2f}x  (target >= 0.8x; "
        f"pipeline {pipeline:.0f} pages/s, target >= 400)"
    )


if __name__ == "__main__":
    main()
