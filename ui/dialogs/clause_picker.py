"""Picking the clause breached, as worded on the incident date, with suggestions from the
narrative."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ia_desk.services import Database
from ui.widgets.clause_tree import ClauseTree
from ui.widgets.screen_fit import fit_to_screen
from ui.widgets.suggestion_list import SuggestionList


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
        fit_to_screen(self, 980, 640)
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
        layout.addWidget(self.tree, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.tree.chosen.connect(lambda _cid: self._accept())
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.tree.selected.connect(lambda _cid: self.problem.hide())
        self.clause_id: str | None = None

    def _choose_suggested(self, clause_id: str) -> None:
        self.tree.select(clause_id)
        self._accept()

    def _accept(self) -> None:
        chosen = self.tree.current_id()
        if not chosen:
            return
        if not self.tree.current_citable():
            why = self.tree.clauses[chosen].get("why_not_a_rule") or "it states no rule"
            self.problem.setText(f"{chosen} cannot be cited in an allegation: {why}.")
            self.problem.show()
            return
        self.clause_id = chosen
        self.accept()
