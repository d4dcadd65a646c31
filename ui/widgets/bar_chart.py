"""A bar chart painted directly (no chart library needed)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget


class BarChart(QWidget):
    """Labelled bars, painted directly (no chart library needed)."""

    def __init__(self, title: str, colour: str = "#1f3864") -> None:
        super().__init__()
        self.title = title
        self.colour = QColor(colour)
        self.items: list[tuple[str, float]] = []
        self.setMinimumHeight(190)

    def set_items(self, items: list[tuple[str, float]]) -> None:
        self.items = items
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        p.drawText(QRectF(4, 2, w - 8, 18), Qt.AlignmentFlag.AlignLeft, self.title)
        if not self.items:
            p.drawText(QRectF(0, 0, w, h), Qt.AlignmentFlag.AlignCenter, "No data")
            return
        top, bottom = 24, h - 46
        peak = max(v for _, v in self.items) or 1
        slot = (w - 16) / len(self.items)
        for i, (label, value) in enumerate(self.items):
            bar_h = (bottom - top) * value / peak
            x = 8 + i * slot
            p.fillRect(QRectF(x + slot * 0.15, bottom - bar_h, slot * 0.7, bar_h), self.colour)
            p.drawText(
                QRectF(x, bottom - bar_h - 16, slot, 14), Qt.AlignmentFlag.AlignCenter, f"{value:g}"
            )
            p.save()
            p.translate(x + slot / 2, bottom + 4)
            p.rotate(35)
            p.drawText(QRectF(0, 0, 90, 14), Qt.AlignmentFlag.AlignLeft, label[:16])
            p.restore()
        p.end()
