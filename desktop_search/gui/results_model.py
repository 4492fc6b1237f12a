"""Search results as a two-level Qt model: documents, each with its further matching passages."""

from __future__ import annotations

import os
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from desktop_search.core.models import DocumentResult, Hit

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
    RELEVANCE = Qt.ItemDataRole.UserRole + 8  # 0..1, relative to the best result of this query
    HIT = Qt.ItemDataRole.UserRole + 9
    DOCUMENT = Qt.ItemDataRole.UserRole + 10
    IS_DOCUMENT = Qt.ItemDataRole.UserRole + 11
    MORE_PASSAGES = Qt.ItemDataRole.UserRole + 12  # passages beyond the best one (documents)
    HIT_NUMBER = Qt.ItemDataRole.UserRole + 13  # 1-based position of the passage in its document


class ResultsModel(QAbstractItemModel):
    """One row per document (best first); its children are the passages after the best one.

    The document row itself stands for the best passage, so every row carries a page, a snippet
    and highlights and the view can preview or open any row the same way.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._docs: tuple[DocumentResult, ...] = ()
        self._top_score = 1.0
        self.query = ""

    # ---- content ----
    def set_results(self, results: Sequence[DocumentResult], query: str = "") -> None:
        self.beginResetModel()
        self._docs = tuple(r for r in results if r.hits)
        self.query = query
        scores = [d.score for d in self._docs if d.score > 0]
        self._top_score = max(scores) if scores else 1.0
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
            return f"{name} — p. {hit.page}" if is_doc else f"p. {hit.page}: {hit.snippet}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{doc.path}\npage {hit.page}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{os.path.basename(doc.path)}, page {hit.page}: {hit.snippet}"
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
        if role == ResultRole.SNIPPET:
            return hit.snippet
        if role == ResultRole.HIGHLIGHTS:
            return hit.highlights
        if role == ResultRole.SCORE:
            return doc.score if is_doc else hit.score
        if role == ResultRole.RELEVANCE:
            relevance = doc.score / self._top_score
            best = doc.hits[0].score
            if not is_doc and best > 0:
                relevance *= hit.score / best  # a passage relative to its document's best one
            return max(0.0, min(1.0, relevance))
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
