"""Text recognition engines on pages whose text is known: pages/s and word accuracy.

Pages of the shared real-world PDFs that have a text layer (Latin script, 800+ characters)
are drawn to pictures at each resolution, as a scanner would have made them, and read back by
each engine; the page's own text layer is the truth.

- word accuracy: the share of the page's words (letters and digits, lower case, counted with
  repeats) that the engine read;
- word precision: the share of the words read that are on the page;
- pages/s: on one process, model loading excluded (the product keeps an engine per worker).

Engines: `tesseract` is the one the product uses (PyMuPDF's built-in Tesseract with the
language data from PyPI or a system Tesseract, see desktop_search/core/extract/ocr.py);
`rapidocr` (PP-OCR models on onnxruntime) is measured when it is installed:
`pip install desktop-search[ocr-compare]`.

    python -m benchmarks.ocr [--pages N] [--dpi 150 200 300] [--engines tesseract rapidocr]
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.eval_sets import shared_dir
from benchmarks.tables import print_table

# Pages in these scripts are left out: the product's default language data is English.
OTHER_SCRIPTS = ("cjk", "arabic", "hebrew", "cyrillic", "greek", "indic")


def known_pages(pdfs: Path, count: int) -> list[tuple[str, int, str]]:
    """(file, page, text) of `count` Latin-script text pages, one per file, in manifest
    order."""
    import pymupdf

    with (pdfs / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out: list[tuple[str, int, str]] = []
    for row in rows:
        other_script = any(t in row["tags"] for t in OTHER_SCRIPTS)
        if row["kind"] != "text" or row["needs_pass"] == "1" or other_script:
            continue
        with pymupdf.open(pdfs / row["file"]) as doc:
            for number in range(min(doc.page_count, 5)):
                text = doc.load_page(number).get_text()
                if len(text) >= 800 and "\ufffd" not in text:
                    out.append((row["file"], number + 1, text))
                    break
        if len(out) == count:
            break
    return out


def words(text: str) -> Counter[str]:
    return Counter(w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1 or w.isdigit())


def score(truth: str, read: str) -> tuple[float, float]:
    """(accuracy, precision) of the words read against the words on the page."""
    want, got = words(truth), words(read)
    common = sum((want & got).values())
    return common / max(1, sum(want.values())), common / max(1, sum(got.values()))


def tesseract_engine() -> Callable[[Any], str]:
    from desktop_search.core.extract.ocr import read_pixmap, request_for

    request = request_for(["eng"])
    return lambda pix: read_pixmap(pix, request)[0]


def rapidocr_engine() -> Callable[[Any], str]:
    import numpy as np
    from rapidocr import RapidOCR

    engine = RapidOCR(params={"Global.log_level": "error"})

    def read(pix: Any) -> str:
        image = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)
        return "\n".join(engine(np.ascontiguousarray(image[:, :, ::-1])).txts or ())

    return read


ENGINES: dict[str, Callable[[], Callable[[Any], str]]] = {
    "tesseract": tesseract_engine,
    "rapidocr": rapidocr_engine,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=Path, default=shared_dir() / "data" / "pdfs")
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--dpi", type=int, nargs="+", default=[150, 200, 300])
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=list(ENGINES))
    args = parser.parse_args(argv)

    import pymupdf

    pages = known_pages(args.pdfs, args.pages)
    print(f"{len(pages)} pages: " + ", ".join(f"{name} p.{n}" for name, n, _ in pages))
    rows = []
    for name in args.engines:
        try:
            read = ENGINES[name]()
        except ImportError as exc:
            rows.append((name, "-", 0, None, None, None, f"not installed ({exc.name})"))
            continue
        for dpi in args.dpi:
            seconds, accuracy, precision = 0.0, [], []
            for file, number, truth in pages:
                with pymupdf.open(args.pdfs / file) as doc:
                    pix = doc.load_page(number - 1).get_pixmap(dpi=dpi, alpha=False)
                started = time.perf_counter()
                text = read(pix)
                seconds += time.perf_counter() - started
                a, p = score(truth, text)
                accuracy.append(a)
                precision.append(p)
            rows.append(
                (
                    name,
                    dpi,
                    len(pages),
                    len(pages) / seconds,
                    sum(accuracy) / len(pages),
                    sum(precision) / len(pages),
                    f"worst page {min(accuracy):.3f}",
                )
            )
    print_table(
        "Text recognition on drawn pages of known text",
        ["engine", "dpi", "pages", "pages/s", "word accuracy", "word precision", "note"],
        rows,
    )


if __name__ == "__main__":
    main()
