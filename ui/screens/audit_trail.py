"""The Audit trail screen (IA administrators): filters, newest first, CSV export, and the
verification of the hash chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from ia_desk.db.engine import Database
from ia_desk.security.actor import Actor
from ui.screens.loads_when_shown import LoadsWhenShown
from ui.widgets.tables import fill, make_table
from ui.worker import run_task


class AuditPage(LoadsWhenShown):
    """The audit trail for IA administrators: filters, newest first, CSV export, verify."""

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.user = QLineEdit(placeholderText="User login")
        self.case = QLineEdit(placeholderText="Case number")
        self.event_type = QLineEdit(placeholderText="Event (e.g. case.view)")
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
        layout.addWidget(self.result)
        self.table = make_table(
            [
                "Seq",
                "When (UTC)",
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

    def refresh(self) -> None:
        from ia_desk.audit.trail import list_events

        filters = self.filters()

        def work() -> list[dict[str, Any]]:
            with self.db.write(self.actor, audit_only=True) as s:
                return list_events(s, self.actor, limit=1000, **filters)

        run_task(
            self,
            work,
            lambda rows: fill(
                self.table,
                [
                    [
                        r["seq"],
                        r["at"][:19].replace("T", " "),
                        r["user"],
                        r["workstation"],
                        r["event"],
                        r["object"],
                        r["case"],
                        r["outcome"],
                        r["details"],
                    ]
                    for r in rows
                ],
            ),
        )

    def export(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self, "Export audit trail", "audit.csv", "CSV (*.csv)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        from ia_desk.audit.trail import export_events

        filters = self.filters()

        def work() -> int:
            with self.db.write(self.actor, audit_only=True) as s:
                return export_events(s, self.actor, path, **filters)

        run_task(self, work, lambda n: self.result.setText(f"Exported {n} event(s)."))

    def verify(self) -> None:
        from ia_desk.audit.trail import verify

        def work() -> Any:
            with self.db.read(self.actor) as s:
                return verify(s)

        def done(r: Any) -> None:
            self.result.setText(
                f"Audit trail intact: {r.checked} events, head {r.checkpoint}"
                if r.ok
                else f"<b style='color:#b00020'>Audit trail BROKEN at {r.first_bad_seq}: "
                f"{r.problem}</b>"
            )

        run_task(self, work, done, label="Verifying the audit trail…")
