"""The clause tree (policy → section → clause, verbatim text), the picker and the
Policies screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ia_desk.casefile.read import cases_citing
from ia_desk.db.engine import Database
from ia_desk.policy.catalogue import clause_dict, list_clauses
from ia_desk.security.actor import Actor
from ia_desk.security.roles import allowed
from ui.worker import run_task

ID_ROLE = Qt.ItemDataRole.UserRole
CLAUSE_ROLE = Qt.ItemDataRole.UserRole + 1


def load_clauses(db: Database, on: dt.date | None) -> list[dict[str, Any]]:
    with db.read() as s:
        return [clause_dict(c) for c in list_clauses(s, None, on)]


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
        run_task(self, lambda: load_clauses(self.db, on), self._fill)

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
            parent = items.get(c["parent"]) if c["parent"] else None
            item = QTreeWidgetItem([c["id"].split("/", 1)[1], c["title"]])
            item.setData(0, ID_ROLE, c["id"])
            item.setToolTip(1, c["text"])
            item.setToolTip(0, c["text"])
            (parent or pol).addChild(item)
            items[c["id"]] = item
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
            for i in range(item.childCount()):
                child_match = visit(item.child(i)) or child_match
            show = not words or own or child_match
            item.setHidden(not show)
            if words and child_match:
                item.setExpanded(True)
            return own or child_match

        for i in range(self.tree.topLevelItemCount()):
            visit(self.tree.topLevelItem(i))

    def _show(self, item: QTreeWidgetItem | None) -> None:
        cid = item.data(0, ID_ROLE) if item else None
        if not cid:
            self.text.clear()
            return
        c = self.clauses[cid]
        self.text.setHtml(
            f"<h3>{cid}</h3><p><i>{c['title']}</i><br>{c['policy']} version {c['version']}"
            f"</p><p>{_escape(c['text']).replace(chr(10), '<br>')}</p>"
        )
        self.selected.emit(cid)

    def _activate(self, item: QTreeWidgetItem) -> None:
        cid = item.data(0, ID_ROLE)
        if cid:
            self.chosen.emit(cid)

    def current_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, ID_ROLE) if item else None

    def select(self, clause_id: str) -> None:
        def find(item: QTreeWidgetItem) -> QTreeWidgetItem | None:
            if item.data(0, ID_ROLE) == clause_id:
                return item
            for i in range(item.childCount()):
                hit = find(item.child(i))
                if hit:
                    return hit
            return None

        for i in range(self.tree.topLevelItemCount()):
            hit = find(self.tree.topLevelItem(i))
            if hit:
                self.tree.setCurrentItem(hit)
                return


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ClausePickerDialog(QDialog):
    """Pick a clause as worded on the incident date."""

    def __init__(
        self,
        db: Database,
        on: dt.date | None,
        parent: QWidget | None = None,
        narrative: str | None = None,
        department: str = "police",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pick the clause breached" + (f" (in force {on})" if on else ""))
        self.resize(980, 640)
        layout = QVBoxLayout(self)
        self.tree = ClauseTree(db, on)
        self.suggestions: SuggestionList | None = None
        if narrative:
            self.suggestions = SuggestionList()
            self.suggestions.label.setText(
                "Suggested from the narrative (double-click to choose; you decide)"
            )
            self.suggestions.add_clause.connect(self._choose_suggested)
            self.suggestions.timer.setInterval(0)
            self.suggestions.update_for(narrative, department)
            layout.addWidget(self.suggestions)
        layout.addWidget(self.tree)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.tree.chosen.connect(lambda _cid: self._accept())
        layout.addWidget(buttons)
        self.clause_id: str | None = None

    def _choose_suggested(self, clause_id: str) -> None:
        self.tree.select(clause_id)
        self._accept()

    def _accept(self) -> None:
        self.clause_id = self.tree.current_id()
        if self.clause_id:
            self.accept()


class PoliciesPage(QWidget):
    """The catalogue read-only, and for each clause the cases that cite it."""

    open_case = Signal(str)

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        layout = QVBoxLayout(self)
        self.tree = ClauseTree(db, dt.date.today())
        layout.addWidget(self.tree, 4)
        self.cases_label = QLabel("Cases citing the selected clause")
        self.cases = QListWidget()
        self.cases.itemActivated.connect(lambda it: self.open_case.emit(it.text()))
        if allowed(actor, "case.read"):
            layout.addWidget(self.cases_label)
            layout.addWidget(self.cases, 1)
            self.tree.selected.connect(self._load_cases)

    def _load_cases(self, clause_id: str) -> None:
        def work() -> list[str]:
            with self.db.read(self.actor) as s:
                return cases_citing(s, self.actor, clause_id)

        def done(numbers: list[str]) -> None:
            self.cases.clear()
            self.cases.addItems(numbers)
            self.cases_label.setText(f"Cases citing {clause_id}: {len(numbers)}")

        run_task(self, work, done)


class SuggestionList(QWidget):
    """Clauses suggested for a narrative, updated as it is typed (debounced, off the GUI
    thread). Each shows why; its full text is on hover; one click on Add takes it."""

    add_clause = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtCore import QTimer

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("Suggested clauses (type the narrative; you decide)")
        layout.addWidget(self.label)
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.list.itemDoubleClicked.connect(lambda it: self.add_clause.emit(it.data(ID_ROLE)))
        layout.addWidget(self.list)
        self.timer = QTimer(self, singleShot=True, interval=350)
        self.timer.timeout.connect(self._run)
        self.text = ""
        self.department = "police"
        self._generation = 0
        self.texts: dict[str, str] = {}

    def update_for(self, text: str, department: str = "police") -> None:
        self.text, self.department = text, department
        self.timer.start()

    def _run(self) -> None:
        from ia_desk.policy.catalogue import shipped_files
        from ia_desk.policy.suggest import suggest

        self._generation += 1
        generation, text, dept = self._generation, self.text, self.department

        def work() -> tuple[list[Any], dict[str, str]]:
            if not self.texts:
                texts = {c["id"]: c["text"] for f in shipped_files() for c in f.data["clauses"]}
            else:
                texts = self.texts
            return suggest(text, dept, top=5) if text.strip() else [], texts

        def done(result: tuple[list[Any], dict[str, str]]) -> None:
            if generation != self._generation:
                return
            suggestions, self.texts = result
            self.list.clear()
            for s in suggestions:
                from PySide6.QtWidgets import QListWidgetItem

                item = QListWidgetItem(f"{s.clause}  {s.title}   — {', '.join(s.why[:4])}")
                item.setData(ID_ROLE, s.clause)
                item.setToolTip(self.texts.get(s.clause, ""))
                self.list.addItem(item)

        run_task(self, work, done)

    def add_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.add_clause.emit(item.data(ID_ROLE))
