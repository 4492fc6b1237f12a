"""'Did you mean': the closest word the keyword index holds, for a query word it lacks.

The index's own vocabulary is FTS5's (`chunks_vocab`), which holds stems ("cholesterol",
"studi"); a query word is stemmed by the same tokenizer (a small in-memory FTS5 table per
connection), compared with the stems that share its first letters, and the winner is shown as
a word found in a passage ("studies", not "studi").

Only words sharing the first four (then three, then two) letters are compared: FTS5 counts a
word's passages by reading them, so a wider range would cost a scan of much of the index.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata

from desktop_search.core.storage.keyword_schema import TOKENIZE
from desktop_search.core.storage.keyword_text import fold_accents, has_cjk

# A word held by at least this many passages is known: no suggestion is made for it.
KNOWN_PASSAGES = 3
# A rare word (held by a few passages) is corrected only to a word this many times as common.
MORE_COMMON = 10
_WORD = re.compile(r"[^\W_]+")
_INSTANCES_TRIED = 8


def suggest(db: sqlite3.Connection, word: str) -> str | None:
    """The closest word of the index for `word` when the index lacks it or holds it in only a
    few passages, and another, close word is more common; None otherwise.

    Args:
        db: A connection to the catalog (format 2).
        word: One query word as typed.
    """
    folded = fold(word)
    if len(folded) < 3 or not folded.isalpha() or has_cjk(folded):
        return None
    token = stems(db, [folded])[0]
    if not token:
        return None
    held = _passages(db, token)
    if held >= KNOWN_PASSAGES:
        return None
    limit = _max_distance(len(token))
    # Narrow ranges first: a misspelling is rarely in the first letters, and each range
    # costs the reading of every passage its words are in.
    for prefix in dict.fromkeys(token[:n] for n in (4, 3, 2) if n < len(token)):
        best: tuple[int, int, str] | None = None  # (distance, -passages, term)
        for term, passages in _terms_starting(db, prefix):
            if term == token or not term.isalpha() or abs(len(term) - len(token)) > limit:
                continue
            if held and passages < MORE_COMMON * held:
                continue
            distance = edit_distance(token, term, limit)
            if distance <= limit and (best is None or (distance, -passages) < best[:2]):
                best = (distance, -passages, term)
        if best is not None:
            return _written_form(db, best[2], folded)
    return None


def fold(word: str) -> str:
    """Lower case, compatibility forms and accents folded ('Béchamel' -> 'bechamel')."""
    return fold_accents(unicodedata.normalize("NFKC", word).lower())


def stems(db: sqlite3.Connection, words: list[str]) -> list[str]:
    """Each word as the keyword index's tokenizer stores it ('' for a word it drops)."""
    _make_tokenizer(db)
    db.execute("INSERT INTO temp.ds_tokens(rowid, text) VALUES (1, ?)", (" ".join(words),))
    try:
        by_offset = dict(db.execute("SELECT offset, term FROM temp.ds_token_terms").fetchall())
    finally:
        db.execute("INSERT INTO temp.ds_tokens(ds_tokens) VALUES ('delete-all')")
    return [by_offset.get(i, "") for i in range(len(words))]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours counts one), or limit + 1 once
    it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, before[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def _max_distance(length: int) -> int:
    return 1 if length <= 4 else 2 if length <= 9 else 3


def _make_tokenizer(db: sqlite3.Connection) -> None:
    """An in-memory FTS5 table with the index's tokenizer, and its list of tokens."""
    exists = db.execute("SELECT 1 FROM sqlite_temp_master WHERE name = 'ds_token_terms'").fetchone()
    if not exists:
        db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.ds_tokens "
            f"USING fts5(text, content='', tokenize='{TOKENIZE}')"
        )
        db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.ds_token_terms "
            "USING fts5vocab(temp, ds_tokens, instance)"
        )


def _passages(db: sqlite3.Connection, term: str) -> int:
    row = db.execute("SELECT doc FROM chunks_vocab WHERE term = ?", (term,)).fetchone()
    return int(row[0]) if row else 0


def _terms_starting(db: sqlite3.Connection, prefix: str) -> list[tuple[str, int]]:
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    sql = "SELECT term, doc FROM chunks_vocab WHERE term >= ? AND term < ?"
    return [(r[0], int(r[1])) for r in db.execute(sql, (prefix, upper))]


def _written_form(db: sqlite3.Connection, term: str, typed: str) -> str:
    """How `term` is written in the passages that hold it (lower case, accents kept): the
    commonest form among its first occurrences (the stem itself when none can be read back)."""
    found: list[str] = []
    rows = db.execute(
        "SELECT doc, offset FROM chunks_vocab_instance WHERE term = ? AND col = 'text' LIMIT ?",
        (term, _INSTANCES_TRIED),
    ).fetchall()
    for doc, offset in rows:
        text = db.execute("SELECT text FROM chunks WHERE id = ?", (doc,)).fetchone()
        if text is None:
            continue
        words = _WORD.findall(unicodedata.normalize("NFKC", text[0]))
        if offset < len(words):
            found.append(words[offset].lower())
    if not found:
        return term
    written = [w for w, s in zip(found, stems(db, found), strict=True) if s == term]
    if not written:
        return term
    # The form written most often; of equally common ones, the closest to what was typed.
    return min(
        written,
        key=lambda w: (-written.count(w), edit_distance(fold(w), typed, len(w) + len(typed)), w),
    )
