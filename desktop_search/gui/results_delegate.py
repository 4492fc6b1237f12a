"""Paints one result row: title (or file name), page, folder, modified date and size, the snippet
with matched terms, and a confidence bar (absolute: a weak match is grey and says so)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop_search.gui.results_model import ResultRole
from desktop_search.gui.theme import is_dark, mark_colors

PAD = 6
SNIPPET_LINES = 2
BAR_WIDTH = 56
BAR_HEIGHT = 6
WEAK_LABEL = "weak match"


class ResultsDelegate(QStyledItemDelegate):
    """Document rows get a title line, a folder line and the snippet; passage rows the snippet."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        base = QFontMetrics(option.font).lineSpacing()
        small = QFontMetrics(_small(option.font)).lineSpacing()
        if index.data(ResultRole.IS_DOCUMENT):
            height = PAD + base + small + SNIPPET_LINES * base + PAD + 2
        else:
            height = PAD // 2 + SNIPPET_LINES * base + PAD // 2 + 2
        return QSize(200, height)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        painter.save()
        if style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, opt.widget
            )
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        dim = QColor(text_color)
        dim.setAlphaF(0.7)
        rect = opt.rect.adjusted(PAD, 0, -PAD, 0)
        font = QFont(opt.font)
        line = QFontMetrics(font).lineSpacing()

        if index.data(ResultRole.IS_DOCUMENT):
            y = rect.top() + PAD
            bold = QFont(font)
            bold.setBold(True)
            file_name = str(index.data(ResultRole.FILE_NAME))
            title = str(index.data(ResultRole.TITLE) or "")
            name = title or file_name
            page = f"p. {index.data(ResultRole.PAGE)}"
            more = int(index.data(ResultRole.MORE_PASSAGES) or 0)
            weak = bool(index.data(ResultRole.WEAK))
            weak_width = QFontMetrics(_small(font)).horizontalAdvance(WEAK_LABEL) + PAD
            title_width = rect.width() - BAR_WIDTH - 2 * PAD - (weak_width if weak else 0)
            bold_fm = QFontMetrics(bold)
            tail = f"   {page}"
            tail_width = QFontMetrics(font).horizontalAdvance(tail)
            name = bold_fm.elidedText(
                name, Qt.TextElideMode.ElideMiddle, max(40, title_width - tail_width)
            )
            painter.setFont(bold)
            painter.setPen(text_color)
            baseline = y + bold_fm.ascent()
            painter.drawText(QPointF(rect.left(), baseline), name)
            painter.setFont(font)
            painter.setPen(dim)
            painter.drawText(QPointF(rect.left() + bold_fm.horizontalAdvance(name), baseline), tail)
            self._paint_bar(
                painter,
                rect.right() - BAR_WIDTH,
                y + (line - BAR_HEIGHT) / 2,
                float(index.data(ResultRole.RELEVANCE) or 0.0),
                palette,
                selected,
                weak=weak,
            )
            small = _small(font)
            small_fm = QFontMetrics(small)
            if weak:
                painter.setFont(small)
                painter.setPen(dim)
                painter.drawText(
                    QPointF(rect.right() - BAR_WIDTH - weak_width, baseline), WEAK_LABEL
                )
            y += line
            painter.setFont(small)
            painter.setPen(dim)  # the bar left the pen off
            extra = str(index.data(ResultRole.DETAILS) or "")
            if more:
                extra += (" · " if extra else "") + f"+{more} passage{'s' if more != 1 else ''}"
            extra = small_fm.elidedText(extra, Qt.TextElideMode.ElideRight, rect.width() * 3 // 5)
            extra_width = small_fm.horizontalAdvance(extra) + PAD if extra else 0
            where = str(index.data(ResultRole.FOLDER))
            if title:
                where = f"{file_name} · {where}"
            folder = small_fm.elidedText(
                where,
                Qt.TextElideMode.ElideMiddle,
                rect.width() - extra_width - PAD,
            )
            baseline = y + small_fm.ascent()
            painter.drawText(QPointF(rect.left(), baseline), folder)
            if extra:
                painter.drawText(QPointF(rect.right() - extra_width + PAD, baseline), extra)
            y += small_fm.lineSpacing()
            snippet_rect = QRectF(rect.left(), y, rect.width(), SNIPPET_LINES * line)
        else:
            y = rect.top() + PAD // 2
            page = f"p. {index.data(ResultRole.PAGE)}"
            page_width = QFontMetrics(font).horizontalAdvance("p. 0000")
            painter.setFont(font)
            painter.setPen(dim)
            painter.drawText(QPointF(rect.left(), y + QFontMetrics(font).ascent()), page)
            self._paint_bar(
                painter,
                rect.left(),
                y + line + 2,
                float(index.data(ResultRole.RELEVANCE) or 0.0),
                palette,
                selected,
                width=page_width - PAD,
                weak=bool(index.data(ResultRole.WEAK)),
            )
            snippet_rect = QRectF(
                rect.left() + page_width, y, rect.width() - page_width, SNIPPET_LINES * line
            )
        self._paint_snippet(
            painter,
            snippet_rect,
            str(index.data(ResultRole.SNIPPET) or ""),
            index.data(ResultRole.HIGHLIGHTS) or (),
            font,
            text_color,
            palette,
        )
        painter.restore()

    @staticmethod
    def _paint_bar(
        painter: QPainter,
        x: float,
        y: float,
        relevance: float,
        palette: QPalette,
        selected: bool,
        width: float = BAR_WIDTH,
        weak: bool = False,
    ) -> None:
        track = QColor(palette.color(QPalette.ColorRole.Mid))
        track.setAlphaF(0.35)
        fill = QColor(
            palette.color(
                QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
            )
        )
        if weak:  # a weak match must not look like a good one at a glance
            fill = QColor(palette.color(QPalette.ColorRole.Mid))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        painter.drawRoundedRect(QRectF(x, y, width, BAR_HEIGHT), 3, 3)
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(x, y, max(BAR_HEIGHT, width * relevance), BAR_HEIGHT), 3, 3)

    @staticmethod
    def _paint_snippet(
        painter: QPainter,
        rect: QRectF,
        text: str,
        highlights: tuple[tuple[int, int], ...],
        font: QFont,
        color: QColor,
        palette: QPalette,
    ) -> None:
        # Same-length replacement keeps the highlight offsets valid.
        text = text.replace("\n", " ").replace("\t", " ")
        layout = QTextLayout(text, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        mark_bg, mark_fg = mark_colors(is_dark(palette))
        ranges = []
        for start, end in highlights:
            start, end = max(0, int(start)), min(len(text), int(end))
            if end <= start:
                continue
            fmt = QTextCharFormat()
            fmt.setBackground(mark_bg)
            fmt.setForeground(mark_fg)
            fmt.setFontWeight(QFont.Weight.DemiBold)
            r = QTextLayout.FormatRange()
            r.start, r.length, r.format = start, end - start, fmt
            ranges.append(r)
        layout.setFormats(ranges)
        ellipsis = "…"
        ellipsis_width = QFontMetrics(font).horizontalAdvance(ellipsis)
        layout.beginLayout()
        y = 0.0
        last = None
        for n in range(SNIPPET_LINES):
            tl = layout.createLine()
            if not tl.isValid():
                break
            width = rect.width() - (ellipsis_width if n == SNIPPET_LINES - 1 else 0)
            tl.setLineWidth(max(10.0, width))
            tl.setPosition(QPointF(0, y))
            y += tl.height()
            last = tl
        layout.endLayout()
        painter.setPen(color)
        layout.draw(painter, rect.topLeft())
        if last is not None and last.textStart() + last.textLength() < len(text):
            painter.setPen(color)
            painter.setFont(font)
            painter.drawText(
                QPointF(
                    rect.left() + last.naturalTextWidth(), rect.top() + last.y() + last.ascent()
                ),
                ellipsis,
            )


def _small(font: QFont) -> QFont:
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(font.pointSizeF() * 0.9)
    return small
