"""The user guide (Help > User guide, F1): the pages of the signed-in role's guide, and a
page of the keyboard shortcuts of the window it was opened from.

Not modal: the guide stays open beside the work. The pages are the core's
(``services.help.guide``, chosen by the actor's role); this dialog only lays them out.
The shortcuts page is built here: the main window's from its own menu actions, so it
lists exactly the shortcuts that window has, and the other windows' from the table they
install theirs from (``ui.shortcuts``), all in the platform's own words (Ctrl+N, ⌘N).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QMenu,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ia_desk.services import Actor
from ia_desk.services import help as help_service
from ui.shortcuts import CASE_WINDOW, LISTS, Shortcut
from ui.widgets.screen_fit import fit_to_screen

if TYPE_CHECKING:
    from collections.abc import Iterable

SHORTCUTS_TITLE = "Keyboard shortcuts"


def plain(text: str) -> str:
    """A menu text without its mnemonic marks: "&New report…" -> "New report…"."""
    return re.sub(r"&(.)", r"\1", text)


def shortcuts(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(where, shortcut) for each action that has a shortcut: "File > New report…" and
    its keys in the platform's native text, in the order the actions were made."""
    out: list[tuple[str, str]] = []
    for action in actions:
        keys = action.shortcut()
        if keys.isEmpty():
            continue
        menus = [m for m in action.associatedObjects() if isinstance(m, QMenu)]
        where = plain(action.text())
        if menus:
            where = f"{plain(menus[0].title())} > {where}"
        out.append((where, keys.toString(QKeySequence.SequenceFormat.NativeText)))
    return out


def _keys_table(head: str, rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td width='75%'>{html.escape(what)}</td><td><b>{html.escape(keys)}</b></td></tr>"
        for what, keys in rows
    )
    return (
        "<table width='100%' cellspacing='0' cellpadding='4' border='1' "
        "style='border-collapse: collapse'>"
        f"<tr><th align='left'>{head}</th><th align='left'>Keys</th></tr>{cells}</table>"
    )


def shortcuts_html(
    menu_rows: list[tuple[str, str]], others: Iterable[Shortcut] = (*CASE_WINDOW, *LISTS)
) -> str:
    """The Keyboard shortcuts page: the main window's menu shortcuts (``menu_rows``, from
    :func:`shortcuts`), then each other window's shortcuts from its table."""
    out = [
        f"<h2>{SHORTCUTS_TITLE}</h2><h3>Main window</h3><p>The shortcuts of its menus.</p>",
        _keys_table("Menu item", menu_rows),
    ]
    windows: dict[str, list[tuple[str, str]]] = {}
    for shortcut in others:
        windows.setdefault(shortcut.window, []).append((shortcut.does, shortcut.text))
    for window, rows in windows.items():
        out += [f"<h3>{html.escape(window)}</h3>", _keys_table("What it does", rows)]
    return "".join(out)


class HelpDialog(QDialog):
    """The guide: a page list on the left, the page on the right."""

    def __init__(
        self, actor: Actor, actions: Iterable[QAction], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("User guide")
        self.setModal(False)
        self.page_html: dict[str, str] = {
            page.title: page.html for page in help_service.guide(actor)
        }
        self.page_html[SHORTCUTS_TITLE] = shortcuts_html(shortcuts(actions))

        self.pages = QListWidget()
        self.pages.setStyleSheet("QListWidget::item { padding: 6px 6px; }")
        self.pages.addItems(list(self.page_html))
        self.pages.setFixedWidth(self.pages.sizeHintForColumn(0) + 28)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.document().setDefaultStyleSheet(
            "h2 { margin-top: 0; } td, th { padding: 4px; } th { background: #e8e8e8; }"
        )
        row = QHBoxLayout()
        row.addWidget(self.pages)
        row.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        column = QVBoxLayout(self)
        column.addLayout(row, 1)
        column.addWidget(buttons)

        self.pages.currentRowChanged.connect(self.show_page)
        self.pages.setCurrentRow(0)
        fit_to_screen(self, 1040, 660)

    def show_page(self, row: int) -> None:
        item = self.pages.item(row)
        if item is not None:
            self.text.setHtml(self.page_html[item.text()])

    @property
    def titles(self) -> list[str]:
        return list(self.page_html)
