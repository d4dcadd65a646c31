"""Bar charts painted by hand (no chart library): a count axis with whole-number ticks
and light gridlines, the value at the end of each bar, and every category's name read
whole.

The chart lays itself out to its size. Columns, with the names under them (wrapped to
two lines), when every name fits so; otherwise bars across, with the names on the left,
when the rows have room for a line of text; otherwise columns with the names that fit
and the rest left out. Wherever a name is elided or left out, the tooltip of its bar
says it whole (the tooltip of every bar says its name, its value and any detail given).

The layout is :func:`chart_layout`, a function of the items, the size and the font
alone, and the count axis is :func:`count_ticks`, so tests read what is drawn without
reading pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QToolTip, QWidget

GRID = QColor("#e2e2e2")
AXIS = QColor("#9a9a9a")
TICK_TEXT = QColor("#555555")
PAD = 6  # room between the parts of the chart and around it
NAME_LINES = 2  # a name under a column wraps to at most this many lines
NAME_SHARE = 0.4  # at most this share of the width for the names beside bars across


def count_ticks(peak: float, most: int = 5) -> list[int]:
    """The count axis: whole numbers from 0 to the first tick at or above ``peak``, in
    steps of 1, 2 or 5 x 10^n, at most ``most`` steps. Counts are whole, so a tick is
    never 0.5; an empty or all-zero chart still has the axis 0-1."""
    top = max(1, math.ceil(peak))
    most = max(1, most)
    scale = 1
    while True:
        for step in (scale, 2 * scale, 5 * scale):
            steps = math.ceil(top / step)
            if steps <= most:
                return [i * step for i in range(steps + 1)]
        scale *= 10


def wrap(text: str, width: float, metrics: QFontMetrics, lines: int) -> list[str]:
    """``text`` broken between words into lines no wider than ``width``, at most
    ``lines`` of them; what does not fit is elided (…) on the last line."""
    words = text.split()
    out: list[str] = []
    while words and len(out) < lines:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if words:
        out[-1] = f"{out[-1]} {' '.join(words)}"
    elided = [
        metrics.elidedText(line, Qt.TextElideMode.ElideRight, max(0, int(width))) for line in out
    ]
    return [line for line in elided if line]


def value_text(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class Bar:
    """One category as laid out: its bar, its value's place, its name's place and the
    lines of the name drawn there (none when left out)."""

    name: str
    value: float
    detail: str
    slot: QRectF  # the band of the chart that belongs to this category (its tooltip)
    bar: QRectF
    value_rect: QRectF
    name_rect: QRectF
    name_lines: tuple[str, ...]

    @property
    def name_drawn_whole(self) -> bool:
        return " ".join(self.name_lines) == " ".join(self.name.split())

    @property
    def tooltip(self) -> str:
        said = f"{self.name}: {value_text(self.value)}"
        return f"{said}\n{self.detail}" if self.detail else said


@dataclass(frozen=True)
class ChartLayout:
    across: bool  # bars across with the names on the left (else columns)
    ticks: list[int]
    tick_at: list[float]  # the x (across) or y (columns) of each tick
    plot: QRectF
    bars: list[Bar]


def _scale(plot_from: float, plot_to: float, ticks: list[int]) -> list[float]:
    top = ticks[-1]
    return [plot_from + (plot_to - plot_from) * t / top for t in ticks]


def _columns(
    items: list[tuple[str, float, str]],
    width: float,
    height: float,
    fm: QFontMetrics,
    top: float,
    every: int = 1,
) -> ChartLayout:
    line = fm.height()
    peak = max(v for _, v, _ in items)
    most = max(1, int((height - top - 3 * line) // (1.6 * line)))
    ticks = count_ticks(peak, min(5, most))
    axis_w = fm.horizontalAdvance(str(ticks[-1])) + PAD
    plot = QRectF(
        PAD + axis_w + PAD,
        top + line + 2,  # room for the value above the tallest bar
        width - (2 * PAD + axis_w) - PAD,
        height - (top + line + 2) - (NAME_LINES * line + PAD + 2),
    )
    slot_w = plot.width() / len(items)
    bar_w = min(slot_w * 0.7, 64.0)
    ys = _scale(plot.bottom(), plot.top(), ticks)
    bars = []
    for i, (name, value, detail) in enumerate(items):
        x = plot.left() + i * slot_w
        y = plot.bottom() - (plot.bottom() - plot.top()) * value / ticks[-1]
        bar = QRectF(x + (slot_w - bar_w) / 2, y, bar_w, plot.bottom() - y)
        value_rect = QRectF(x, y - line - 2, slot_w, line)
        shown = i % every == 0
        room = slot_w * every
        name_rect = QRectF(x + (slot_w - room) / 2, plot.bottom() + 3, room, NAME_LINES * line)
        lines = tuple(wrap(name, room - 4, fm, NAME_LINES)) if shown else ()
        slot = QRectF(x, plot.top() - line - 2, slot_w, height - plot.top() + line)
        bars.append(Bar(name, value, detail, slot, bar, value_rect, name_rect, lines))
    return ChartLayout(False, ticks, ys, plot, bars)


def _across(
    items: list[tuple[str, float, str]],
    width: float,
    height: float,
    fm: QFontMetrics,
    top: float,
) -> ChartLayout:
    line = fm.height()
    peak = max(v for _, v, _ in items)
    names_w = min(max(fm.horizontalAdvance(n) for n, _, _ in items), width * NAME_SHARE)
    values_w = max(fm.horizontalAdvance(value_text(v)) for _, v, _ in items)
    plot = QRectF(
        PAD + names_w + PAD,
        top,
        width - (PAD + names_w + PAD) - (PAD + values_w + PAD),
        height - top - (line + PAD),
    )
    widest_tick = fm.horizontalAdvance(str(count_ticks(peak)[-1])) + 3 * PAD
    ticks = count_ticks(peak, min(5, max(1, int(plot.width() // widest_tick))))
    xs = _scale(plot.left(), plot.right(), ticks)
    row_h = plot.height() / len(items)
    bar_h = min(row_h * 0.7, 28.0)
    lines_fit = max(1, int(row_h // line))
    bars = []
    for i, (name, value, detail) in enumerate(items):
        y = plot.top() + i * row_h
        length = plot.width() * value / ticks[-1]
        bar = QRectF(plot.left(), y + (row_h - bar_h) / 2, length, bar_h)
        value_rect = QRectF(bar.right() + 3, y, values_w + PAD, row_h)
        name_rect = QRectF(PAD, y, names_w, row_h)
        lines = tuple(wrap(name, names_w, fm, lines_fit))
        slot = QRectF(0, y, width, row_h)
        bars.append(Bar(name, value, detail, slot, bar, value_rect, name_rect, lines))
    return ChartLayout(True, ticks, xs, plot, bars)


def chart_layout(
    items: list[tuple[str, float, str]], width: float, height: float, metrics: QFontMetrics
) -> ChartLayout | None:
    """Where everything goes for ``items`` (name, value, detail) at this size; None when
    there is nothing to chart. Columns when every name fits under its column; else bars
    across when each row has room for a line; else columns naming every n-th."""
    if not items:
        return None
    top = metrics.height() + PAD  # the title
    columns = _columns(items, width, height, metrics, top)
    if all(b.name_drawn_whole for b in columns.bars):
        return columns
    if (height - top - metrics.height() - PAD) / len(items) >= metrics.height():
        return _across(items, width, height, metrics, top)
    for every in range(2, len(items) + 1):
        thinned = _columns(items, width, height, metrics, top, every)
        if all(b.name_drawn_whole for b in thinned.bars if b.name_lines):
            return thinned
    return columns


class BarChart(QWidget):
    """Counts by category as bars, with a count axis; "No data" when there are none."""

    def __init__(self, title: str, colour: str = "#1f3864") -> None:
        super().__init__()
        self.title = title
        self.colour = QColor(colour)
        self.items: list[tuple[str, float, str]] = []
        self.setMinimumHeight(190)

    def set_items(self, items: list[tuple[str, float]], details: list[str] | None = None) -> None:
        """The categories and their counts, in the order shown; ``details`` (one per
        item) are said in each bar's tooltip beside its name and count."""
        said = details if details is not None else [""] * len(items)
        self.items = [(name, value, d) for (name, value), d in zip(items, said, strict=True)]
        self.update()

    def layout_now(self) -> ChartLayout | None:
        return chart_layout(self.items, self.width(), self.height(), QFontMetrics(self.font()))

    def tooltip_at(self, pos: QPointF) -> str | None:
        """What the chart says at ``pos``: the name, count and detail of the bar there."""
        laid = self.layout_now()
        for bar in laid.bars if laid else []:
            if bar.slot.contains(pos):
                return bar.tooltip
        return None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            said = self.tooltip_at(QPointF(event.pos()))
            if said:
                QToolTip.showText(event.globalPos(), said, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        fm = QFontMetrics(self.font())
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(QRectF(PAD, 2, w - 2 * PAD, fm.height()), Qt.AlignmentFlag.AlignLeft, self.title)
        p.setFont(self.font())
        laid = self.layout_now()
        if laid is None:
            p.drawText(QRectF(0, 0, w, h), Qt.AlignmentFlag.AlignCenter, "No data")
            p.end()
            return
        self._paint_axis(p, laid, fm)
        text = self.palette().windowText().color()
        for bar in laid.bars:
            p.fillRect(bar.bar, self.colour)
            p.setPen(text)
            along = Qt.AlignmentFlag.AlignLeft if laid.across else Qt.AlignmentFlag.AlignHCenter
            at_end = Qt.AlignmentFlag.AlignVCenter if laid.across else Qt.AlignmentFlag.AlignBottom
            p.drawText(bar.value_rect, along | at_end, value_text(bar.value))
            if bar.name_lines:
                if laid.across:
                    flags = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                else:
                    flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                p.drawText(bar.name_rect, flags, "\n".join(bar.name_lines))
        p.end()

    def _paint_axis(self, p: QPainter, laid: ChartLayout, fm: QFontMetrics) -> None:
        plot = laid.plot
        line = fm.height()
        for tick, at in zip(laid.ticks, laid.tick_at, strict=True):
            p.setPen(QPen(AXIS if tick == 0 else GRID, 1))  # the zero line darker
            if laid.across:
                p.drawLine(QPointF(at, plot.top()), QPointF(at, plot.bottom()))
                box = QRectF(at - 40, plot.bottom() + 2, 80, line)
                flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
            else:
                p.drawLine(QPointF(plot.left(), at), QPointF(plot.right(), at))
                box = QRectF(PAD, at - line / 2, plot.left() - 2 * PAD, line)
                flags = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            p.setPen(TICK_TEXT)
            p.drawText(box, flags, str(tick))
