"""Paints one result row: title (or file name), where in the file ("p. 12", "slide 3"; nothing
for a text file), folder, modified date, size and copies elsewhere, the snippet with matched
terms, and a confidence bar (absolute: a weak match is grey and says so)."""

from __future__ import annotations

import re

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

from desktop_search.gui.results_model import ResultRole, fit_details
from desktop_search.gui.theme import is_dark, mark_colors

PAD = 6
SNIPPET_LINES = 2
BAR_WIDTH = 56
BAR_HEIGHT = 6
WEAK_LABEL = "weak match"
DETAILS_SHARE = 0.6  # of the folder line; the path, cut in its middle, gets the rest
WIDEST_LOCATION = "p. 0000"


class ResultsDelegate(QStyledItemDelegate):
    """Document rows get a title line, a folder line and the snippet; passage rows the snippet."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        base = QFontMetrics(option.font).lineSpacing()
        small = QFontMetrics(small_font(option.font)).lineSpacing()
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
            location = str(index.data(ResultRole.LOCATION) or "")
            weak = bool(index.data(ResultRole.WEAK))
            weak_width = QFontMetrics(small_font(font)).horizontalAdvance(WEAK_LABEL) + PAD
            title_width = rect.width() - BAR_WIDTH - 2 * PAD - (weak_width if weak else 0)
            bold_fm = QFontMetrics(bold)
            tail = f"   {location}" if location else ""
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
            small = small_font(font)
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
            folder, extra = self.folder_line(index, small_fm, rect.width())
            extra_width = small_fm.horizontalAdvance(extra) + PAD if extra else 0
            baseline = y + small_fm.ascent()
            painter.drawText(QPointF(rect.left(), baseline), folder)
            if extra:
                painter.drawText(QPointF(rect.right() - extra_width + PAD, baseline), extra)
            y += small_fm.lineSpacing()
            snippet_rect = QRectF(rect.left(), y, rect.width(), SNIPPET_LINES * line)
        else:
            y = rect.top() + PAD // 2
            location = str(index.data(ResultRole.LOCATION) or "")
            page_width = location_width(QFontMetrics(font), location)
            painter.setFont(font)
            painter.setPen(dim)
            painter.drawText(QPointF(rect.left(), y + QFontMetrics(font).ascent()), location)
            # Under its "p. 12"; where the file names no place (a text file), beside the snippet.
            bar_y = y + line + 2 if location else y + (line - BAR_HEIGHT) / 2
            self._paint_bar(
                painter,
                rect.left(),
                bar_y,
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
    def folder_line(
        index: QModelIndex | QPersistentModelIndex, metrics: QFontMetrics, width: int
    ) -> tuple[str, str]:
        """A document row's second line in `width` px: where the file is (cut in the middle of
        its path) and, on the right, its details (each part whole: the least telling are left
        out when they don't fit, and the tooltip has them all)."""
        room = int(width * DETAILS_SHARE)
        details = fit_details(
            index.data(ResultRole.DETAIL_PARTS) or (),
            lambda text: metrics.horizontalAdvance(text) <= room,
        )
        details_width = metrics.horizontalAdvance(details) + PAD if details else 0
        where = str(index.data(ResultRole.FOLDER))
        if index.data(ResultRole.TITLE):
            where = f"{index.data(ResultRole.FILE_NAME)} · {where}"
        where = metrics.elidedText(where, Qt.TextElideMode.ElideMiddle, width - details_width - PAD)
        return where, details

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
        marks = tuple((int(start), int(end)) for start, end in highlights)
        key = (text, marks, font.key(), round(rect.width()), is_dark(palette))
        laid_out = _SNIPPET_LAYOUTS.get(key)
        if laid_out is None:
            laid_out = _lay_out_snippet(text, marks, font, rect.width(), palette)
            if len(_SNIPPET_LAYOUTS) >= SNIPPET_LAYOUTS_KEPT:
                _SNIPPET_LAYOUTS.pop(next(iter(_SNIPPET_LAYOUTS)))
            _SNIPPET_LAYOUTS[key] = laid_out
        layout, ellipsis_at = laid_out
        painter.setPen(color)
        layout.draw(painter, rect.topLeft())
        if ellipsis_at is not None:
            painter.setPen(color)
            painter.setFont(font)
            painter.drawText(rect.topLeft() + ellipsis_at, "…")


# Laid-out snippets by (text, marks, font, width, dark theme): every repaint of the list (a
# hover, a scroll, each search's results) would otherwise lay out each row's text twice, a
# third of what painting a row costs. A few screens' worth of rows.
SNIPPET_LAYOUTS_KEPT = 256
_SNIPPET_LAYOUTS: dict[tuple[object, ...], tuple[QTextLayout, QPointF | None]] = {}


def _lay_out_snippet(
    text: str,
    highlights: tuple[tuple[int, int], ...],
    font: QFont,
    width: float,
    palette: QPalette,
) -> tuple[QTextLayout, QPointF | None]:
    """The snippet laid out in SNIPPET_LINES lines of `width`, its marks formatted, and where
    its '…' goes (None when it all fits)."""
    # Same-length replacement keeps the highlight offsets valid.
    text = text.replace("\n", " ").replace("\t", " ")
    visible = _visible_chars(text, font, width)
    text, highlights = bring_first_mark_into_view(text, highlights, visible)
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
    ellipsis_width = QFontMetrics(font).horizontalAdvance("…")
    layout.beginLayout()
    y = 0.0
    last = None
    for n in range(SNIPPET_LINES):
        tl = layout.createLine()
        if not tl.isValid():
            break
        line_width = width - (ellipsis_width if n == SNIPPET_LINES - 1 else 0)
        tl.setLineWidth(max(10.0, line_width))
        tl.setPosition(QPointF(0, y))
        y += tl.height()
        last = tl
    layout.endLayout()
    if last is not None and last.textStart() + last.textLength() < len(text):
        return layout, QPointF(last.naturalTextWidth(), last.y() + last.ascent())
    return layout, None


# Words kept before the first marked word when the snippet's start is cut to show it.
LEAD_CHARS = 30


def bring_first_mark_into_view(
    text: str, highlights: tuple[tuple[int, int], ...], visible: int
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The snippet as shown in `visible` characters: when its first marked word would fall
    past them (a snippet is centred on its match for the CLI's whole lines; a row shows two),
    its start is cut at a word boundary a little before that word, with '…' in front."""
    if not highlights or min(s for s, _ in highlights) < 0:
        return text, highlights
    first_start, first_end = min(highlights)
    if first_end <= visible:
        return text, highlights
    cut = text.rfind(" ", 0, max(0, first_start - LEAD_CHARS)) + 1
    if cut <= 0:
        return text, highlights
    shift = cut - 1  # "…" takes the first character
    kept = tuple((s - shift, e - shift) for s, e in highlights if s >= cut)
    return "…" + text[cut:], kept


def _visible_chars(text: str, font: QFont, width: float) -> int:
    """How many characters of `text` the snippet's lines hold at this width."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    end = 0
    for _ in range(SNIPPET_LINES):
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(10.0, width))
        end = line.textStart() + line.textLength()
    layout.endLayout()
    return end


def location_width(metrics: QFontMetrics, location: str) -> int:
    """Room for a passage row's "p. 12" / "slide 3" column: the same for every passage of a
    document, whatever its number, so their snippets line up."""
    widest = re.sub(r"\d+", "0000", location)
    return max(metrics.horizontalAdvance(WIDEST_LOCATION), metrics.horizontalAdvance(widest))


def small_font(font: QFont) -> QFont:
    """The font of a row's quieter second line (folder and details)."""
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(font.pointSizeF() * 0.9)
    return small
