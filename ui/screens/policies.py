"""The Policies screen: the catalogue read-only, and the cases citing each clause (read
again when the case list changes: an allegation added or another workstation's case)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout

from ia_desk.services import Actor, Changes, Database
from ia_desk.services import cases as case_service
from ia_desk.services.accounts import allowed
from ui.ops import Query
from ui.screens.screen import Screen
from ui.widgets.clause_tree import ClauseTree


class PoliciesPage(Screen):
    """The catalogue read-only, and for each clause the cases that cite it."""

    open_case = Signal(str)
    loads_when_shown = False  # the catalogue loads as the screen is built

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.clause_id: str | None = None
        layout = QVBoxLayout(self)
        self.tree = ClauseTree(db, dt.date.today())
        layout.addWidget(self.tree, 4)
        self.cases_label = QLabel("Cases citing the selected clause")
        self.cases = QListWidget()
        self.cases.itemActivated.connect(lambda it: self.open_case.emit(it.text()))
        self.shows_cases = allowed(actor, "case.read")
        if self.shows_cases:
            layout.addWidget(self.cases_label)
            layout.addWidget(self.cases, 1)
            self.tree.selected.connect(self._load_cases)

    def concerns(self, changes: Changes) -> bool:
        return changes.case_list and self.shows_cases and self.clause_id is not None

    def refresh(self) -> None:
        if self.clause_id is not None:
            self._load_cases(self.clause_id)

    def _load_cases(self, clause_id: str) -> None:
        self.clause_id = clause_id

        def done(numbers: list[str]) -> None:
            self.cases.clear()
            self.cases.addItems(numbers)
            self.cases_label.setText(f"Cases citing {clause_id}: {len(numbers)}")

        Query(self, lambda: case_service.citing(self.db, self.actor, clause_id)).success(done).run()
