"""What the main window's screens have in common: their data is read when first shown,
and read again when a change concerns it (the changes come on :func:`ui.ops.bus`)."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QWidget

from ia_desk.services import Changes
from ui.ops import listen, stop_listening


class Screen(QWidget):
    """A main-window screen. ``refresh`` reads its data (again); ``concerns`` says
    whether a published change touches what it shows.

    With ``loads_when_shown`` (the default) nothing is read before the screen is first
    shown (a hidden audit page of 1,000 rows froze the start for a second), and no
    change is followed before then. A change that concerns a screen the user is not
    looking at (another screen of the window is in front) is read when it is next shown;
    otherwise at once."""

    loads_when_shown = True
    _shown_once = False
    _stale = False

    def __init__(self) -> None:
        super().__init__()
        listen(self, self.on_changes)

    def refresh(self) -> None:
        raise NotImplementedError

    def concerns(self, changes: Changes) -> bool:
        raise NotImplementedError

    def on_changes(self, changes: Changes) -> None:
        if not self.concerns(changes):
            return
        if self.loads_when_shown and not self._shown_once:
            return  # read in full when first shown
        if self.isVisibleTo(self.window()):
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if self.loads_when_shown:
                self._stale = False
                self.refresh()
        if self._stale:
            self._stale = False
            self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        stop_listening(self)  # a screen of its own (a test's): closing ends its updates
        super().closeEvent(event)
