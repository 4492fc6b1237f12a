"""The kill-point benchmark's corpus: PDFs with one unique marker word each, and files that fail."""

from __future__ import annotations

import os
import random
from pathlib import Path

_FILLER = """
    river mountain lantern harbour orchard meadow copper silver window garden morning evening
    journey letter market bridge castle forest valley island thunder candle pencil blanket
    kitchen village station engine ladder mirror pocket ribbon saddle tunnel violin whistle
    anchor basket cellar dragon feather glacier helmet jacket kettle marble needle oyster
    parcel quarry rocket shovel teapot umbrella velvet wagon yarn zipper compass lighthouse
    measure balance report figure example method result number system change
""".split()  # noqa: SIM905 - a word list reads better as prose
_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"


def marker_word(number: int) -> str:
    """A made-up word, unique per number, that no stemmer changes (ends in 'x')."""
    syllables = []
    n = number
    for _ in range(3):
        n, c = divmod(n, len(_CONSONANTS))
        n, v = divmod(n, len(_VOWELS))
        syllables.append(_CONSONANTS[c] + _VOWELS[v])
    return "qz" + "".join(syllables) + "x"


def make_marker_corpus(
    folder: Path, n_files: int = 150, *, pages: int = 4, seed: int = 7
) -> dict[str, str]:
    """n_files real PDFs of `pages` pages of filler text; each holds one unique marker word.

    Returns {absolute path: marker}.
    """
    import pymupdf

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    markers: dict[str, str] = {}
    for i in range(n_files):
        marker = marker_word(i)
        path = folder / f"doc-{i:04d}.pdf"
        doc = pymupdf.open()
        marker_page = i % pages
        for p in range(pages):
            words = [rng.choice(_FILLER) for _ in range(190)]
            if p == marker_page:
                words.insert(rng.randrange(len(words)), marker)
            page = doc.new_page()
            page.insert_textbox(pymupdf.Rect(50, 50, 550, 800), " ".join(words), fontsize=10)
        doc.set_metadata({"title": f"Document {i}"})
        doc.save(path)
        doc.close()
        markers[str(path.resolve())] = marker
    return markers


def make_bad_files(folder: Path) -> list[str]:
    """Files that must end as failed: empty, not a PDF, password-protected (2 of each)."""
    import pymupdf

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(2):
        empty = folder / f"bad-empty-{i}.pdf"
        empty.write_bytes(b"")
        junk = folder / f"bad-junk-{i}.pdf"
        junk.write_bytes(b"this is not a pdf " * (i + 1))
        locked = folder / f"bad-locked-{i}.pdf"
        doc = pymupdf.open()
        doc.new_page().insert_text((72, 72), "secret text")
        doc.save(locked, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="pw")
        doc.close()
        paths += [str(p.resolve()) for p in (empty, junk, locked)]
    return paths


def rewrite_pdf(path: str, marker: str, seed: int) -> None:
    """New content (and bytes), same marker: the file must be indexed again."""
    import pymupdf

    rng = random.Random(seed)
    doc = pymupdf.open()
    for p in range(3):
        words = [rng.choice(_FILLER) for _ in range(150)]
        if p == 1:
            words.insert(rng.randrange(len(words)), marker)
        doc.new_page().insert_textbox(pymupdf.Rect(50, 50, 550, 800), " ".join(words), fontsize=10)
    tmp = path + ".new"
    doc.save(tmp)
    doc.close()
    os.replace(tmp, path)
