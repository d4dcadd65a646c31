"""Windows and dialogs sized to the screen they open on: as large as they would like, never
larger than the screen. Every one is usable at :data:`SMALLEST_SCREEN` (1280 x 720, a
common laptop), their long forms scrolling and their panes split (tests/test_plain_words
opens each at that size)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

SMALLEST_SCREEN = QSize(1280, 720)
TITLE_BAR = 40  # room the window manager's frame takes above a window


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to ``width`` x ``height``, or to what the screen it is on has
    room for, whichever is smaller."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width, height = min(width, room.width()), min(height, room.height() - TITLE_BAR)
    widget.resize(width, height)
