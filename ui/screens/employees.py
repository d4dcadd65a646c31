"""The Employees screen: the roster, and an employee's history of allegations and
discipline over time. It reads the roster again when the roster changes (an intake
names an employee for the first time)."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QSplitter, QVBoxLayout, QWidget

from ia_desk import labels
from ia_desk.casefile.model import EmployeeHistory, EmployeeRow
from ia_desk.services import Actor, Changes, Database, brady, discipline
from ia_desk.services import cases as case_service
from ui.dialogs.brady import BradyReviewDialog, flag_words
from ui.dialogs.reason import ReasonDialog
from ui.ops import Query
from ui.screens.screen import Screen
from ui.widgets.tables import fill, make_table


class EmployeesPage(Screen):
    """The roster, and an employee's history of allegations over time."""

    open_case = Signal(str)

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        layout = QVBoxLayout(self)
        self.search = QLineEdit(placeholderText="Search by name or badge")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        layout.addWidget(self.search)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = make_table(["Badge", "Name", "Department", "Rank", "Unit", "Cases"])
        self.table.currentCellChanged.connect(lambda r, *_: self._history(r))
        split.addWidget(self.table)
        box = QWidget()
        bl = QVBoxLayout(box)
        self.title = QLabel("Select an employee to see their history.")
        bl.addWidget(self.title)
        self.history = make_table(
            ["Case", "Received", "Clause", "Title", "Disposition", "Finding date"]
        )
        self.history.cellActivated.connect(lambda r, _c: self._open_history_case(r))
        bl.addWidget(self.history)
        bl.addWidget(QLabel("Discipline over time"))
        self.discipline = make_table(["Case", "Decided", "Step", "Recommended", "In range"])
        bl.addWidget(self.discipline)
        self.warnings = QLabel()
        self.warnings.setObjectName("early-warnings")
        self.warnings.setWordWrap(True)
        bl.addWidget(self.warnings)
        self.acknowledge = QPushButton("Acknowledge early warning…")
        self.acknowledge.setObjectName("acknowledge-warning")
        self.acknowledge.clicked.connect(self._acknowledge)
        self.acknowledge.hide()
        bl.addWidget(self.acknowledge, 0, Qt.AlignmentFlag.AlignLeft)
        # Brady/Giglio flags of the employee (IA and command staff), and the review of
        # every flag, where the IA commander decides and logs disclosures.
        self.brady = QLabel()
        self.brady.setObjectName("brady-flags")
        self.brady.setWordWrap(True)
        bl.addWidget(self.brady)
        self.brady_review = QPushButton("Brady/Giglio review…")
        self.brady_review.setObjectName("brady-review")
        self.brady_review.clicked.connect(self._brady_review)
        self.brady_review.setVisible(brady.may_review(actor))
        bl.addWidget(self.brady_review, 0, Qt.AlignmentFlag.AlignLeft)
        self.open_alerts: list[dict[str, Any]] = []
        split.addWidget(box)
        layout.addWidget(split)
        self.rows: list[EmployeeRow] = []

    def _open_history_case(self, row: int) -> None:
        item = self.history.item(row, 0)
        if item is not None:
            self.open_case.emit(item.text())

    def concerns(self, changes: Changes) -> bool:
        return changes.roster

    def refresh(self) -> None:
        text = self.search.text()
        Query(self, lambda: case_service.employees(self.db, self.actor, text)).success(
            self._fill
        ).run()

    def _fill(self, rows: list[EmployeeRow]) -> None:
        self.rows = rows
        fill(
            self.table,
            [
                [r["badge"], r["name"], r["department"], r["rank"], r["unit"], r["cases"]]
                for r in rows
            ],
        )

    def _history(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        badge = self.rows[row]["badge"]

        def done(h: EmployeeHistory) -> None:
            self.title.setText(
                f"{h['name']} (badge {h['badge']}), {h['rank'] or ''} "
                f"{h['unit'] or ''}: {len(h['allegations'])} allegation(s)"
            )
            fill(
                self.history,
                [
                    [
                        a["case"],
                        a["received_at"],
                        a["clause"],
                        a["title"],
                        labels.disposition(a["disposition"]),
                        a["finding_on"],
                    ]
                    for a in h["allegations"]
                ],
            )
            fill(
                self.discipline,
                [
                    [
                        d["case"],
                        d["at"],
                        labels.discipline_step(d["step"]),
                        labels.discipline_step(d["recommended"]),
                        "yes" if d["within_range"] else "NO",
                    ]
                    for d in h["discipline"]
                ],
            )
            self.warnings.setText(
                "<b>Early warning:</b> "
                + "; ".join(
                    escape(a["text"])
                    + (
                        f" (acknowledged {a['acknowledged_at'][:10]}: {escape(a['note'] or '')})"
                        if a["acknowledged_at"]
                        else " <b>(open)</b>"
                    )
                    for a in h["warnings"]
                )
                if h["warnings"]
                else ""
            )
            self.open_alerts = [a for a in h["warnings"] if a["acknowledgeable"]]
            self.brady.setText(
                "<b>Brady/Giglio:</b> " + "; ".join(flag_words(f) for f in h["brady"])
                if h["brady"]
                else ""
            )
            self.acknowledge.setVisible(bool(self.open_alerts))

        Query(self, lambda: case_service.employee(self.db, self.actor, badge)).success(done).run()

    def _brady_review(self) -> None:
        dialog = BradyReviewDialog(self.db, self.actor, self)
        dialog.refresh()
        dialog.exec()

    def _acknowledge(self) -> None:
        """The IA commander acknowledges the oldest open alert with a note."""
        if not self.open_alerts:
            return
        alert = self.open_alerts[-1]
        db, actor = self.db, self.actor
        dialog = ReasonDialog(
            "Acknowledge early warning",
            f"{alert['text']}\n\nWhat was done about it?",
            lambda note: discipline.acknowledge_warning(db, actor, alert["id"], note),
            Changes(roster=True),
            self,
        )
        dialog.exec()
        if dialog.done_:
            self._history(self.table.currentRow())
