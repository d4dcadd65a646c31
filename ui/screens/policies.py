"""The Policies screen: the catalogue read-only, and the cases citing each clause."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget

from ia_desk.casefile.read import cases_citing
from ia_desk.db.engine import Database
from ia_desk.security.actor import Actor
from ia_desk.security.roles import allowed
from ui.widgets.clause_tree import ClauseTree
from ui.worker import run_task


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
