"""What the main window's screens have in common: their data is read when first shown."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget


class LoadsWhenShown(QWidget):
    """A main-window screen whose data is read the first time it is shown, not all at
    start-up (a hidden audit page of 1,000 rows froze the start for a second).
    ``refresh`` reads it (again); each screen says how."""

    _shown_once = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.refresh()

    def refresh(self) -> None:
        raise NotImplementedError
