"""Search results as a two-level Qt model: documents, each with its further matching passages."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from desktop_search.core.extract.formats import page_label
from desktop_search.core.models import DocumentResult, Hit
from desktop_search.core.search.confidence import WEAK

COPIES_LISTED = 5  # copies a tooltip names before "and N more"
_TOP = 0  # internalId of a document row; a passage row stores its document's row + 1

Index = QModelIndex | QPersistentModelIndex


class ResultRole(IntEnum):
    PATH = Qt.ItemDataRole.UserRole + 1
    FILE_NAME = Qt.ItemDataRole.UserRole + 2
    FOLDER = Qt.ItemDataRole.UserRole + 3
    PAGE = Qt.ItemDataRole.UserRole + 4
    SNIPPET = Qt.ItemDataRole.UserRole + 5
    HIGHLIGHTS = Qt.ItemDataRole.UserRole + 6  # tuple of (start, end) into SNIPPET
    SCORE = Qt.ItemDataRole.UserRole + 7
    RELEVANCE = Qt.ItemDataRole.UserRole + 8  # 0..1, absolute (the engine's confidence)
    HIT = Qt.ItemDataRole.UserRole + 9
    DOCUMENT = Qt.ItemDataRole.UserRole + 10
    IS_DOCUMENT = Qt.ItemDataRole.UserRole + 11
    MORE_PASSAGES = Qt.ItemDataRole.UserRole + 12  # passages beyond the best one (documents)
    HIT_NUMBER = Qt.ItemDataRole.UserRole + 13  # 1-based position of the passage in its document
    TITLE = Qt.ItemDataRole.UserRole + 14  # the document's title ('' when it is its file name)
    DETAILS = Qt.ItemDataRole.UserRole + 15  # "modified 3 May 2024 · 1.2 MB · also in 1 folder"
    WEAK = Qt.ItemDataRole.UserRole + 16  # True when the match is weak (shown as such)
    WHY = Qt.ItemDataRole.UserRole + 17  # why this passage: how it was found, what matched
    LOCATION = Qt.ItemDataRole.UserRole + 18  # "p. 12", "slide 3"; '' for a text file
    DETAIL_PARTS = Qt.ItemDataRole.UserRole + 19  # DETAILS as DetailPart, for narrow rows


class DetailPart(NamedTuple):
    """One part of a document row's details line; `keep` orders what a narrow row drops
    first (the lowest), so a part is left out whole rather than cut mid-word."""

    text: str
    keep: int


class ResultsModel(QAbstractItemModel):
    """One row per document (best first); its children are the passages after the best one.

    The document row itself stands for the best passage, so every row carries a page, a snippet
    and highlights and the view can preview or open any row the same way.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._docs: tuple[DocumentResult, ...] = ()
        self.query = ""

    # ---- content ----
    def set_results(self, results: Sequence[DocumentResult], query: str = "") -> None:
        self.beginResetModel()
        self._docs = tuple(r for r in results if r.hits)
        self.query = query
        self.endResetModel()

    def clear(self) -> None:
        self.set_results((), "")

    @property
    def documents(self) -> tuple[DocumentResult, ...]:
        return self._docs

    def document_at(self, index: Index) -> DocumentResult | None:
        if not index.isValid():
            return None
        doc_row = index.row() if index.internalId() == _TOP else index.internalId() - 1
        return self._docs[doc_row] if 0 <= doc_row < len(self._docs) else None

    def hit_at(self, index: Index) -> Hit | None:
        doc = self.document_at(index)
        if doc is None:
            return None
        return doc.hits[0] if index.internalId() == _TOP else doc.hits[index.row() + 1]

    def hit_number(self, index: Index) -> int:
        """1-based position of the row's passage within its document."""
        return 1 if index.internalId() == _TOP else index.row() + 2

    def passage_indexes(self) -> list[QModelIndex]:
        """Every row in reading order: document, its passages, next document..."""
        out: list[QModelIndex] = []
        for row, doc in enumerate(self._docs):
            parent = self.index(row, 0)
            out.append(parent)
            out.extend(self.index(i, 0, parent) for i in range(len(doc.hits) - 1))
        return out

    # ---- Qt model API ----
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, id=_TOP) if row < len(self._docs) else QModelIndex()
        if parent.internalId() != _TOP or parent.row() >= len(self._docs):
            return QModelIndex()
        if row >= len(self._docs[parent.row()].hits) - 1:
            return QModelIndex()
        return self.createIndex(row, 0, id=parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == _TOP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, id=_TOP)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._docs)
        if parent.column() != 0 or parent.internalId() != _TOP:
            return 0
        if parent.row() >= len(self._docs):
            return 0
        return len(self._docs[parent.row()].hits) - 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.internalId() != _TOP:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        doc = self.document_at(index)
        hit = self.hit_at(index)
        if doc is None or hit is None:
            return None
        is_doc = index.internalId() == _TOP
        if role == Qt.ItemDataRole.DisplayRole:
            name = os.path.basename(doc.path)
            where = page_label(doc.path, hit.page)
            if is_doc:
                return f"{name} — {where}" if where else name
            return f"{where}: {hit.snippet}" if where else hit.snippet
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(doc, hit)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            where = page_label(doc.path, hit.page, short=False)
            return ", ".join(filter(None, (os.path.basename(doc.path), where))) + f": {hit.snippet}"
        return self._role_data(doc, hit, index, role, is_doc)

    def _role_data(
        self, doc: DocumentResult, hit: Hit, index: Index, role: int, is_doc: bool
    ) -> Any:
        if role == ResultRole.PATH:
            return doc.path
        if role == ResultRole.FILE_NAME:
            return os.path.basename(doc.path)
        if role == ResultRole.FOLDER:
            return os.path.dirname(doc.path)
        if role == ResultRole.PAGE:
            return hit.page
        if role == ResultRole.LOCATION:
            return page_label(doc.path, hit.page)
        if role == ResultRole.SNIPPET:
            return hit.snippet
        if role == ResultRole.HIGHLIGHTS:
            return hit.highlights
        if role == ResultRole.SCORE:
            return doc.score if is_doc else hit.score
        if role == ResultRole.RELEVANCE:
            return max(0.0, min(1.0, doc.confidence if is_doc else hit.confidence))
        if role == ResultRole.WEAK:
            return (doc.confidence if is_doc else hit.confidence) < WEAK
        if role == ResultRole.TITLE:
            return display_title(doc)
        if role == ResultRole.DETAILS:
            return details(doc)
        if role == ResultRole.DETAIL_PARTS:
            return detail_parts(doc, len(doc.hits) - 1 if is_doc else 0)
        if role == ResultRole.WHY:
            return why(hit)
        if role == ResultRole.HIT:
            return hit
        if role == ResultRole.DOCUMENT:
            return doc
        if role == ResultRole.IS_DOCUMENT:
            return is_doc
        if role == ResultRole.MORE_PASSAGES:
            return len(doc.hits) - 1 if is_doc else 0
        if role == ResultRole.HIT_NUMBER:
            return self.hit_number(index)
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({int(r): QByteArray(r.name.lower().encode()) for r in ResultRole})
        return names


def display_title(doc: DocumentResult) -> str:
    """The document's own title, or '' when it has none but its file name."""
    name = os.path.basename(doc.path)
    title = " ".join(doc.title.split())
    if not title or title == name or title == os.path.splitext(name)[0]:
        return ""
    return title


def details(doc: DocumentResult) -> str:
    """When it was modified, its size, and where else the same file is."""
    return " · ".join(part.text for part in detail_parts(doc))


def detail_parts(doc: DocumentResult, more_passages: int = 0) -> tuple[DetailPart, ...]:
    """The details line in reading order: date, size, the copies elsewhere, the passages beyond
    the best one. A narrow row drops the size first (the tooltip has it), then the count of
    passages (the row's arrow still shows there are more), then the date, and the copies last:
    that one says something the row shows nowhere else (the tooltip says where each copy is)."""
    parts = []
    if doc.modified > 0:
        parts.append(DetailPart("modified " + format_date(doc.modified), keep=2))
    if doc.size > 0:
        parts.append(DetailPart(format_size(doc.size), keep=0))
    if doc.also_in:
        parts.append(DetailPart(copies_text(doc), keep=3))
    if more_passages:
        s = "s" if more_passages != 1 else ""
        parts.append(DetailPart(f"+{more_passages} passage{s}", keep=1))
    return tuple(parts)


def copies_text(doc: DocumentResult) -> str:
    """'also in 2 other folders', or '1 other copy' when a copy is in the same folder."""
    folders = {os.path.dirname(p) for p in doc.also_in}
    if os.path.dirname(doc.path) in folders:
        n = len(doc.also_in)
        return f"{n} other cop{'ies' if n != 1 else 'y'}"
    return f"also in {len(folders)} other folder{'s' if len(folders) != 1 else ''}"


def fit_details(parts: Sequence[DetailPart], fits: Callable[[str], bool]) -> str:
    """The details line with the fewest parts left out that `fits`, each part whole; ''
    when not even the one most kept fits (the tooltip still says everything)."""
    shown = list(parts)
    while shown:
        text = " · ".join(part.text for part in shown)
        if fits(text):
            return text
        shown.remove(min(shown, key=lambda part: part.keep))
    return ""


def format_date(stamp: float, now: float | None = None) -> str:
    """'14:05' today, '3 May' this year, '3 May 2021' before."""
    moment = time.localtime(stamp)
    today = time.localtime(now if now is not None else time.time())
    if moment[:3] == today[:3]:
        return "today " + time.strftime("%H:%M", moment)
    day = str(moment.tm_mday) + time.strftime(" %b", moment)
    return day if moment.tm_year == today.tm_year else f"{day} {moment.tm_year}"


def format_size(size: int) -> str:
    """Bytes as a person reads them: 980 B, 14 KB, 1.2 MB, 3.4 GB."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
        value /= 1000
    return f"{value:.0f} TB"


def why(hit: Hit) -> str:
    """Why this passage: which evidence found it, its sentence nearest the question (found by
    meaning), which words of the query it holds."""
    lines = []
    if hit.found_by == "meaning":
        lines.append("Found by meaning: no word of your search is in this passage.")
    elif hit.found_by == "words and meaning":
        lines.append("Found by its words and by meaning.")
    elif hit.found_by == "name":
        lines.append("Found by its file name or title.")
    elif hit.found_by:
        lines.append("Found by its words.")
    if hit.closest_sentence:
        lines.append(f"Closest to your search: “{_clip(hit.closest_sentence, 160)}”")
    if hit.matched_terms:
        lines.append("Words matched: " + ", ".join(hit.matched_terms[:8]))
    return "\n".join(lines)


def tooltip(doc: DocumentResult, hit: Hit) -> str:
    """Everything a row may leave out for room: the whole path, where the passage is, every
    detail, why it was found, and where each copy is."""
    lines = [doc.path]
    lines += filter(None, (page_label(doc.path, hit.page, short=False), details(doc)))
    reason = why(hit)
    if reason:
        lines += ["", reason]
    if doc.also_in:  # whole paths: a copy may have another name
        lines += ["", "The same file is also at:", *doc.also_in[:COPIES_LISTED]]
        if len(doc.also_in) > COPIES_LISTED:
            lines.append(f"and {len(doc.also_in) - COPIES_LISTED} more")
    return "\n".join(lines)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
