"""Text clean-up shared by every reader: decoding, normalisation, titles."""

from __future__ import annotations

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
    # NFKC folds compatibility forms (full-width letters, ligatures, superscripts) into the
    # characters people type; the keyword index and the model both see the same text.
    return unicodedata.normalize("NFKC", text)


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
