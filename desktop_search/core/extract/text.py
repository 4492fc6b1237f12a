"""Text clean-up shared by every reader: decoding, normalisation, titles."""

from __future__ import annotations

import re
import unicodedata


def decode_text(raw: bytes) -> str | None:
    """Decode bytes whose encoding is unknown; None for binary data."""
    if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        return str(best) if best is not None else None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is None:
            return None
        text = str(best)
    if "\x00" in text:
        return None
    return text


def normalise_text(text: str) -> str:
    """Text as people type it, and as the keyword index and the model both see it.

    NFKC folds compatibility forms (full-width letters, ligatures, superscripts) into the
    characters people type. Text set vertically (Japanese and Chinese columns) comes out of a
    PDF one character per line; such runs are joined back into words, so "幽霊" finds the
    page. Lines of other text are never joined.
    """
    text = unicodedata.normalize("NFKC", text)
    if "\n" in text and CJK_CHAR.search(text):
        text = _join_vertical_runs(text)
    return text


# Chinese, Japanese and Korean letters: Han (with its extensions and compatibility forms),
# kana, hangul, and the iteration and prolonged-sound marks used inside words. The keyword
# index's CJK grams use the same set.
CJK_CHARACTERS = (
    "\u1100-\u11ff"  # hangul jamo
    "\u3005-\u3007"  # 々 〆 〇
    "\u3041-\u309f"  # hiragana
    "\u30a0-\u30ff"  # katakana (ー included)
    "\u3130-\u318f"  # hangul compatibility jamo
    "\u31f0-\u31ff"  # katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
CJK_CHAR = re.compile(f"[{CJK_CHARACTERS}]")
# A vertical run is joined only when it holds at least this many CJK characters.
_VERTICAL_MIN_CJK = 2


def _join_vertical_runs(text: str) -> str:
    """Join runs of lines that each hold one CJK character or punctuation mark (blank lines
    between them allowed) into lines of text; a blank line inside a run (a column that
    starts indented) starts a new paragraph."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not _is_vertical_cell(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        end = j = i
        letters = 0
        while j < len(lines) and (_is_vertical_cell(lines[j]) or not lines[j].strip()):
            if _is_vertical_cell(lines[j]):
                end = j + 1
                letters += CJK_CHAR.match(lines[j].strip()) is not None
            j += 1
        run = lines[i:end]
        out += [_joined(run)] if letters >= _VERTICAL_MIN_CJK and len(run) > 1 else run
        i = end
    return "\n".join(out)


def _is_vertical_cell(line: str) -> bool:
    """One CJK character or punctuation mark alone on its line (a few digits set across a
    vertical line count too)."""
    cell = line.strip()
    if len(cell) == 1:
        return CJK_CHAR.match(cell) is not None or unicodedata.category(cell)[0] == "P"
    return 1 < len(cell) <= 3 and cell.isdigit() and cell.isascii()


def _joined(lines: list[str]) -> str:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("".join(current))
            current = []
    if current:
        paragraphs.append("".join(current))
    return "\n".join(paragraphs)


def first_line(text: str, limit: int = 120) -> str:
    """The first line that reads as a title ('' when none does)."""
    for line in text.splitlines():
        line = clean_title(line.lstrip("# "))
        if line:
            return line[:limit]
    return ""


def clean_title(text: str) -> str:
    """A title fit to show: control characters dropped; '' when too little of it is words."""
    text = "".join(ch for ch in text if ch.isprintable() and ch != "\ufeff").strip()
    if sum(ch.isalnum() for ch in text) < 2:
        return ""
    return " ".join(text.split())
