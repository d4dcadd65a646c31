"""The clause tree: policy, section, clause, each with its verbatim text, filtered as you
type; as worded on a date."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLineEdit,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ia_desk.services import Database, policy
from ui.ops import Query

ID_ROLE = Qt.ItemDataRole.UserRole  # a clause item's id (also in the suggestion list)


class ClauseTree(QWidget):
    """A filterable tree of every clause in force on a date, with its text beside it."""

    chosen = Signal(str)  # double-click or Enter on a clause
    selected = Signal(str)

    def __init__(self, db: Database, on: dt.date | None = None, rules_first: bool = False) -> None:
        super().__init__()
        self.db = db
        self.clauses: dict[str, dict[str, Any]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.filter = QLineEdit(
            placeholderText="Type to filter by id or text (e.g. juvenile, III.D, patrol car)"
        )
        self.filter.setClearButtonEnabled(True)
        layout.addWidget(self.filter)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Clause", "Title"])
        self.tree.setColumnWidth(0, 230)
        split.addWidget(self.tree)
        self.text = QTextBrowser()
        split.addWidget(self.text)
        split.setSizes([520, 380])
        layout.addWidget(split)
        self.filter.textChanged.connect(self._apply_filter)
        self.tree.currentItemChanged.connect(self._show)
        self.tree.itemActivated.connect(self._activate)
        self.set_date(on)

    def set_date(self, on: dt.date | None) -> None:
        self.on = on
        Query(self, lambda: policy.clauses(self.db, None, on)).success(self._fill).run()

    def _fill(self, clauses: list[dict[str, Any]]) -> None:
        self.tree.clear()
        self.clauses = {c["id"]: c for c in clauses}
        items: dict[str, QTreeWidgetItem] = {}
        policy_items: dict[str, QTreeWidgetItem] = {}
        for c in clauses:
            pol = policy_items.get(c["policy"])
            if pol is None:
                pol = QTreeWidgetItem([c["policy"], f"version {c['version']}"])
                pol.setFlags(pol.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                self.tree.addTopLevelItem(pol)
                policy_items[c["policy"]] = pol
            title = c["title"] + (" (advisory)" if c.get("citable") == "advisory" else "")
            item = QTreeWidgetItem([c["id"].split("/", 1)[1], title])
            item.setData(0, ID_ROLE, c["id"])
            tip = c["text"] or c["title"]
            if c.get("why_not_a_rule"):
                tip += "\n\n" + _citability_line(c)
            item.setToolTip(1, tip)
            item.setToolTip(0, tip)
            if c.get("citable") == "not_citable":
                item.setForeground(0, self.palette().placeholderText())
                item.setForeground(1, self.palette().placeholderText())
            items[c["id"]] = item
        # A heading may come after its first clause in the catalogue's order.
        for c in clauses:
            parent = items.get(c["parent"]) if c["parent"] else None
            (parent or policy_items[c["policy"]]).addChild(items[c["id"]])
        for pol in policy_items.values():
            pol.setExpanded(True)
        self._apply_filter(self.filter.text())

    def _apply_filter(self, text: str) -> None:
        words = text.lower().split()

        def visit(item: QTreeWidgetItem) -> bool:
            cid = item.data(0, ID_ROLE)
            hay = ""
            if cid:
                c = self.clauses[cid]
                hay = f"{cid} {c['title']} {c['text']}".lower()
            own = bool(cid) and all(w in hay for w in words)
            child_match = False
            for child in children(item):
                child_match = visit(child) or child_match
            show = not words or own or child_match
            item.setHidden(not show)
            if words and child_match:
                item.setExpanded(True)
            return own or child_match

        for top in top_level_items(self.tree):
            visit(top)

    def _show(self, item: QTreeWidgetItem | None) -> None:
        cid = item.data(0, ID_ROLE) if item else None
        if not cid:
            self.text.clear()
            return
        c = self.clauses[cid]
        note = ""
        if c.get("why_not_a_rule"):
            note = f"<p><b>{html.escape(_citability_line(c), quote=False)}</b></p>"
        self.text.setHtml(
            f"<h3>{cid}</h3><p><i>{c['title']}</i><br>{c['policy']} version {c['version']}"
            f"</p>{note}<p>{html.escape(c['text'], quote=False).replace(chr(10), '<br>')}</p>"
        )
        self.selected.emit(cid)

    def _activate(self, item: QTreeWidgetItem) -> None:
        cid = item.data(0, ID_ROLE)
        if cid and self.clauses[cid].get("citable") != "not_citable":
            self.chosen.emit(cid)

    def current_citable(self) -> bool:
        """Whether the selected clause may be cited in an allegation."""
        cid = self.current_id()
        return cid is not None and self.clauses.get(cid, {}).get("citable") != "not_citable"

    def current_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, ID_ROLE) if item else None

    def select(self, clause_id: str) -> None:
        def find(item: QTreeWidgetItem) -> QTreeWidgetItem | None:
            if item.data(0, ID_ROLE) == clause_id:
                return item
            for child in children(item):
                hit = find(child)
                if hit:
                    return hit
            return None

        for top in top_level_items(self.tree):
            hit = find(top)
            if hit:
                self.tree.setCurrentItem(hit)
                return


def _citability_line(c: dict[str, Any]) -> str:
    """Why a clause is not a plain rule, as a sentence."""
    lead = "Advisory" if c.get("citable") == "advisory" else "Not citable in an allegation"
    return f"{lead}: {c['why_not_a_rule']}."


def children(item: QTreeWidgetItem) -> Iterator[QTreeWidgetItem]:
    """An item's children, in order."""
    for i in range(item.childCount()):
        child = item.child(i)
        if child is not None:
            yield child


def top_level_items(tree: QTreeWidget) -> Iterator[QTreeWidgetItem]:
    """A tree's top-level items (the policies), in order."""
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        if top is not None:
            yield top
