"""The Audit trail screen (IA administrators): filters, newest first, CSV export, and the
verification of the trail (its chain, each author's signature, the records bound to
their events and, on PostgreSQL, the server's record of changes). It shows the trail as
of its last *Show*: every action anywhere adds to the trail, so it does not follow the
bus."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from ia_desk import labels
from ia_desk.services import Actor, Changes, Database, audit
from ui.ops import Query
from ui.screens.screen import Screen
from ui.widgets.tables import fill, make_table


class AuditPage(Screen):
    """The audit trail for IA administrators: filters, newest first, CSV export, verify."""

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.user = QLineEdit(placeholderText="User login")
        self.case = QLineEdit(placeholderText="Case number")
        self.event_type = QLineEdit(placeholderText="Event code (e.g. case.view)")
        for w in (self.user, self.case, self.event_type):
            w.returnPressed.connect(self.refresh)
            bar.addWidget(w)
        for text, slot in (
            ("Show", self.refresh),
            ("Export CSV…", self.export),
            ("Verify chain", self.verify),
        ):
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        layout.addLayout(bar)
        self.result = QLabel()
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        self.table = make_table(
            [
                "Seq",
                "When",
                "User",
                "Workstation",
                "Event",
                "Object",
                "Case",
                "Outcome",
                "Details",
            ]
        )
        layout.addWidget(self.table)

    def filters(self) -> dict[str, Any]:
        return {
            "user": self.user.text() or None,
            "case": self.case.text() or None,
            "event": self.event_type.text() or None,
        }

    def concerns(self, changes: Changes) -> bool:
        return False  # read when asked (Show): see the module's docstring

    def refresh(self) -> None:
        filters = self.filters()

        def work() -> list[dict[str, Any]]:
            return audit.events(self.db, self.actor, limit=1000, **filters)

        Query(self, work).success(
            lambda rows: fill(
                self.table,
                [
                    [
                        r["seq"],
                        labels.local_minute(r["at"]),
                        r["user"],
                        r["workstation"],
                        labels.event(r["event"]),
                        r["object_words"],
                        r["case"],
                        labels.outcome(r["outcome"]),
                        labels.details(r["details"]),
                    ]
                    for r in rows
                ],
            )
        ).run()

    def export(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self, "Export audit trail", "audit.csv", "CSV (*.csv)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        filters = self.filters()
        Query(self, lambda: audit.export(self.db, self.actor, path, **filters)).success(
            lambda n: self.result.setText(f"Exported {n} event(s).")
        ).run()

    def verify(self) -> None:
        def work() -> audit.VerifyResult:
            return audit.verify_trail(self.db, self.actor)

        def done(r: audit.VerifyResult) -> None:
            self.result.setText(verify_text(r))

        Query(self, work).success(done).with_progress("Verifying the audit trail…").run()


PROBLEMS_SHOWN = 10  # problems the screen lists; the command line lists them all


def verify_text(r: audit.VerifyResult) -> str:
    """What verifying found, for the screen: intact with its counts, or every problem up
    to :data:`PROBLEMS_SHOWN` (each names its event and whose signature)."""
    summary = r.summary()
    if r.ok:
        return html.escape(summary[0].upper() + summary[1:]) + f"; head {r.checkpoint}"
    count = f"{r.problem_count:,} problem" + ("s" if r.problem_count != 1 else "")
    lines = [f"<b style='color:#b00020'>Audit trail BROKEN: {count}</b>"]
    lines += [f"• {html.escape(text)}" for _seq, text in r.problems[:PROBLEMS_SHOWN]]
    more = r.problem_count - min(len(r.problems), PROBLEMS_SHOWN)
    if more > 0:
        lines.append(f"… and {more:,} more: 'ia-desk audit verify' lists them all.")
    return "<br>".join(lines)
