"""The keyboard shortcuts that are on no menu: each declared here once, with what it
does, installed from here by the window that has it (:func:`install`), and listed from
here on the user guide's Keyboard shortcuts page, so the page cannot drift from the keys.

The main window's shortcuts are those of its menu items; the guide lists them from the
menu actions themselves. The keys of the menu items that another widget names too (the
case list's toolbar tips say "Open a case from a new report (Ctrl+N)") are declared here
as well, in :data:`MAIN_WINDOW_NAMED`, so the menu and the tip take one key and cannot
disagree.

A shortcut is a key of the platform (Print is Ctrl+P, ⌘P on a Mac), so this table lives
beside Qt rather than in the core: the core's guide pages say what the work is, this says
which key does it. tests/test_help.py checks that a case window has exactly these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class Shortcut:
    """A key, the window it works in and what it does there, in the guide's words."""

    keys: QKeySequence.StandardKey | str
    window: str
    does: str

    @property
    def sequence(self) -> QKeySequence:
        return QKeySequence(self.keys)

    @property
    def text(self) -> str:
        """The keys as this platform writes them: "Ctrl+P", "⌘P"."""
        return self.sequence.toString(QKeySequence.SequenceFormat.NativeText)


PRINT_CASE = Shortcut(
    QKeySequence.StandardKey.Print,
    "Case window",
    "Print the case's summary (when the case offers Print summary)",
)
PASTE_EVIDENCE = Shortcut(
    QKeySequence.StandardKey.Paste,
    "Case window",
    "Evidence tab: paste a screenshot as evidence (when the case takes evidence from you)",
)
GUIDE_FROM_CASE = Shortcut(
    QKeySequence.StandardKey.HelpContents,
    "Case window",
    "Open the user guide (as Help > User guide does in the main window)",
)
CASE_WINDOW = (PRINT_CASE, PASTE_EVIDENCE, GUIDE_FROM_CASE)

# The lists open their selected row's case with the key Qt's item views answer (Enter or
# Return; the lists' "Open" tips name it from here).
OPEN_ROW = Shortcut(
    "Enter",
    "Lists (Cases, My tasks)",
    "Open the selected row's case (a double-click does too)",
)
LISTS = (OPEN_ROW,)

NEW_REPORT = Shortcut(
    QKeySequence.StandardKey.New,
    "Main window",
    "File > New report…: open a case from a new report",
)
PRINT_SELECTED = Shortcut(
    QKeySequence.StandardKey.Print,
    "Main window",
    "File > Print summary of the selected case…",
)
MAIN_WINDOW_NAMED = (NEW_REPORT, PRINT_SELECTED)
"""Menu keys the main window sets from here (the guide lists them from its menus)."""


def with_keys(tip: str, shortcut: Shortcut) -> str:
    """``tip`` followed by the shortcut's keys as this platform writes them:
    "Open a case from a new report (Ctrl+N)"."""
    return f"{tip} ({shortcut.text})"


def install(shortcut: Shortcut, parent: QWidget, slot: Callable[[], object]) -> QShortcut:
    """``shortcut`` working in ``parent`` and its children, calling ``slot``."""
    made = QShortcut(shortcut.sequence, parent)
    made.activated.connect(slot)
    return made
