"""What the keyword index is given beyond FTS5's own word splitting: CJK grams and file names.

FTS5's unicode61 tokenizer splits words at spaces and punctuation. Chinese and Japanese put no
spaces between words, so a whole run of characters becomes one token and a word inside it
("確定申告" in a Japanese sentence) could never match. Each passage therefore also gets a
`grams` column: every run of CJK characters as overlapping character pairs (a word of two or
more characters is then a phrase of pairs), plus each CJK character on its own (for one-
character words). The same functions turn query words into phrases, so both sides agree.

The functions are registered on every catalog connection (`register_functions`), because the
catalog's triggers call them when passages and files are written.
"""

from __future__ import annotations

import os
import re
import sqlite3
import unicodedata

from desktop_search.core.extract.text import CJK_CHAR, CJK_CHARACTERS

_CJK_RUN = re.compile(f"[{CJK_CHARACTERS}]+")
# A word as unicode61 sees it: letters and digits (the underscore separates words there).
_TOKEN = re.compile(r"[^\W_]+")
# Opens every grams value: a token in every passage, so one FTS5 phrase matches any passage
# (keyword_plan.py uses it to score common words only on passages a rarer word selected). No
# text holds it, so no column filter (costly in FTS5) is needed to find it.
EVERY_PASSAGE_TOKEN = "ds0every0passage0"
# Between runs, so that the pairs of two runs never read as one longer word.
RUN_BREAK_TOKEN = "ds0break0"


def has_cjk(text: str) -> bool:
    """Whether `text` holds a Chinese, Japanese or Korean character."""
    return CJK_CHAR.search(text) is not None


def word_grams(word: str) -> list[str]:
    """The grams a word is indexed under, in order: each CJK run as character pairs (a run of
    one character as itself), other letters and digits as they are."""
    out: list[str] = []
    pos = 0
    for run in _CJK_RUN.finditer(word):
        out += _TOKEN.findall(word[pos : run.start()])
        chars = run.group()
        out += [chars] if len(chars) == 1 else [chars[i : i + 2] for i in range(len(chars) - 1)]
        pos = run.end()
    out += _TOKEN.findall(word[pos:])
    return out


def text_grams(text: str) -> str:
    """The `grams` column of a passage: the marker token, then the grams of each word that
    holds CJK characters (words apart), then every CJK character alone."""
    if not has_cjk(text):
        return EVERY_PASSAGE_TOKEN
    text = unicodedata.normalize("NFKC", text)
    parts = [EVERY_PASSAGE_TOKEN]
    for token in _TOKEN.findall(text):
        if has_cjk(token):
            parts += word_grams(token)
            parts.append(RUN_BREAK_TOKEN)
    parts += CJK_CHAR.findall(text)
    return " ".join(parts)


def grams_phrase(word: str) -> str:
    """A CJK query word as the FTS5 phrase that finds it inside longer runs of text."""
    grams = word_grams(word)
    if len(grams) == 1 and len(grams[0]) == 1 and has_cjk(grams[0]):
        return grams[0]  # one character: matched among the single characters
    return " ".join(grams)


def file_name(path: str | None) -> str:
    """The name of a file without its extension ('jo' for '/a/jo.pdf')."""
    base = os.path.basename(path or "")
    stem, _ = os.path.splitext(base)
    return stem or base


def file_extension(path: str | None) -> str:
    """A file's extension without the dot ('pdf' for '/a/jo.pdf')."""
    return os.path.splitext(os.path.basename(path or ""))[1].lstrip(".")


def name_grams(path: str | None, title: str | None) -> str:
    """The CJK grams of a file's name and title (empty when they have no CJK)."""
    text = f"{file_name(path)} {title or ''}"
    return text_grams(text) if has_cjk(text) else ""


def register_functions(conn: sqlite3.Connection) -> None:
    """Make the functions the catalog's triggers call known to this connection.

    They never raise (an exception inside a trigger would fail the write): NULL reads as ''.
    """
    conn.create_function("ds_text_grams", 1, lambda t: text_grams(_text(t)), deterministic=True)
    conn.create_function("ds_file_name", 1, lambda p: file_name(_text(p)), deterministic=True)
    conn.create_function(
        "ds_file_extension", 1, lambda p: file_extension(_text(p)), deterministic=True
    )
    conn.create_function(
        "ds_name_grams", 2, lambda p, t: name_grams(_text(p), _text(t)), deterministic=True
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def fold_accents(text: str) -> str:
    """Latin letters without their accents ('béchamel' -> 'bechamel'), as FTS5's
    remove_diacritics folds them; other scripts untouched (a kana's voicing mark is part of
    the letter, not an accent)."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ord(ch) < 0x80:
            out.append(ch)
            continue
        parts = unicodedata.normalize("NFD", ch)
        accented = len(parts) > 1 and all(unicodedata.combining(c) for c in parts[1:])
        out.append(parts[0] if accented and ord(parts[0]) < 0x250 else ch)
    return "".join(out)
