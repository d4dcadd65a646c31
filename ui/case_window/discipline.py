"""The Discipline tab: each subject's ladder, the recommendation and why, decisions."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ia_desk import labels
from ia_desk.services import Done
from ia_desk.terms import APPEAL_KINDS, APPEAL_OUTCOMES, DISCIPLINE_STEPS
from ui.dialogs.decision import DecisionDialog, standing
from ui.dialogs.register_entry import FormDialog
from ui.widgets.ladder import Ladder
from ui.widgets.layouts import clear_layout

# (badge, step, reason, suspension days, without pay, amend) -> the change made
Record = Callable[[str, str, str | None, int | None, bool | None, bool], Done[Any]]
# (what: notice, response, appeal, appeal_outcome; badge; the form's values) -> the change
Procedure = Callable[[str, str, dict[str, Any]], Done[Any]]

STEP_CHOICES = [(s, labels.discipline_step(s)) for s in DISCIPLINE_STEPS]


class DisciplinePanel(QScrollArea):
    """One box per subject. ``on_record(badge, step, reason, days, without_pay, amend)``
    records a decision (``amend``: it replaces the one in force); the decision dialog
    calls it and stays open when it is refused."""

    def __init__(
        self, can_record: bool, on_record: Record, on_procedure: Procedure | None = None
    ) -> None:
        super().__init__()
        self.can_record = can_record
        self.on_record = on_record
        self.on_procedure = on_procedure
        self.setWidgetResizable(True)
        self.inner = QWidget()
        self.box = QVBoxLayout(self.inner)
        self.setWidget(self.inner)
        self.entries: list[dict[str, Any]] = []

    def show_ladder(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries
        clear_layout(self.box)
        for entry in entries:
            self.box.addWidget(self._subject(entry))
        self.box.addStretch(1)

    def _subject(self, entry: dict[str, Any]) -> QWidget:
        rec = entry["recommendation"]
        group = QGroupBox(
            f"{entry['name']} (badge {entry['employee']}), "
            f"{entry['rank'] or ''} {entry['unit'] or ''}"
        )
        layout = QVBoxLayout(group)
        layout.addWidget(Ladder(entry))
        why = QLabel(rec["explanation"])
        why.setWordWrap(True)
        why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(why)
        if entry["decisions"]:
            lines = [
                f"{d['at'][:10]} {labels.discipline_step(d['step'])}"
                + (f", {d['length']}" if d.get("length") else "")
                + f" by {d['by']}"
                + ("" if d["within_range"] else " (outside the range)")
                + (f": {escape(d['reason'])}" if d["reason"] else "")
                + ("" if d["current"] else " (amended)")
                for d in entry["decisions"]
            ]
            layout.addWidget(QLabel("<b>Decisions:</b> " + "; ".join(lines)))
        hearing = entry.get("hearing")
        if hearing:
            said = (
                "waived the response"
                if hearing["waived"]
                else (
                    f"responded {hearing['response_on']} "
                    f"(heard by {escape(hearing['heard_by'] or '')})"
                    if hearing["response_on"]
                    else "has not responded yet"
                )
            )
            layout.addWidget(
                wrapped(
                    f"<b>Notice of the charges</b> (Loudermill) {hearing['notice_on']}: "
                    f"{escape(hearing['charges'] or '')}. The employee {said}."
                )
            )
        for a in entry.get("appeals", []):
            result = (
                f"{labels.appeal_outcome(a['outcome'])} on {a['decided_on']}"
                + (f": {escape(a['note'])}" if a["note"] else "")
                if a["outcome"]
                else "pending"
            )
            layout.addWidget(
                wrapped(
                    f"<b>Appeal</b> ({escape(a['kind_words'])}, filed {a['filed_on']}): {result}"
                )
            )
        if entry["history"]:
            past = ", ".join(
                f"{h['case']} {h['step'].replace('_', ' ')} ({h['at']})" for h in entry["history"]
            )
            layout.addWidget(QLabel(f"<b>Earlier discipline:</b> {past}"))
        if self.can_record and rec["step"]:
            row = QHBoxLayout()
            decision = standing(entry)
            if not (decision and decision.get("overturned")):
                btn = QPushButton("Amend decision…" if decision else "Record decision…")
                btn.setObjectName(f"record-{entry['employee']}")
                btn.clicked.connect(lambda _=False, e=entry: self._decide(e))
                row.addWidget(btn)
            for what, words in self._procedures(entry):
                btn = QPushButton(words)
                btn.setObjectName(f"{what}-{entry['employee']}")
                btn.clicked.connect(lambda _=False, e=entry, w=what: self._procedure(e, w))
                row.addWidget(btn)
            row.addStretch(1)
            layout.addLayout(row)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout.addWidget(line)
        return group

    def _procedures(self, entry: dict[str, Any]) -> list[tuple[str, str]]:
        """What can be recorded next around the decision: the notice and the response
        before it (Loudermill), an appeal and its outcome after it."""
        if self.on_procedure is None:
            return []
        out = []
        hearing = entry.get("hearing")
        if hearing is None:
            out.append(("notice", "Notice of charges…"))
        elif hearing["response_on"] is None:
            out.append(("response", "Employee's response…"))
        decision = standing(entry)
        pending = [a for a in entry.get("appeals", []) if a["outcome"] is None]
        if pending:
            out.append(("appeal_outcome", "Appeal outcome…"))
        elif decision is not None and not decision.get("overturned"):
            out.append(("appeal", "File appeal…"))
        return out

    def _procedure(self, entry: dict[str, Any], what: str) -> None:
        badge, act = entry["employee"], self.on_procedure
        assert act is not None
        title, fields = PROCEDURE_FORMS[what]
        dialog = FormDialog(
            f"{title}: {entry['name']}",
            fields,
            self,
            lambda values: act(what, badge, values),
        )
        if what == "appeal_outcome":
            follow_the_outcome(dialog)
        dialog.exec()

    def _decide(self, entry: dict[str, Any]) -> None:
        badge, amend, record = entry["employee"], standing(entry) is not None, self.on_record
        DecisionDialog(
            entry,
            lambda step, reason, days, unpaid: record(badge, step, reason, days, unpaid, amend),
            self,
        ).exec()


def follow_the_outcome(dialog: FormDialog) -> None:
    """The appeal-outcome form asks for a new step only when the appeal modified the
    decision, and for a suspension's days and pay only when that step is a suspension;
    a field not shown is not sent (the core still checks what is)."""
    form = dialog.layout()
    assert isinstance(form, QFormLayout)
    outcome, step = dialog.widgets["outcome"], dialog.widgets["step"]

    def show() -> None:
        modified = outcome.currentData() == "modified"
        suspended = modified and step.currentData() == "suspension"
        for key, shown in (
            ("step", modified),
            ("suspension_days", suspended),
            ("without_pay", suspended),
        ):
            form.setRowVisible(dialog.widgets[key].parentWidget(), shown)
        dialog.adjustSize()

    outcome.currentIndexChanged.connect(show)
    step.currentIndexChanged.connect(show)
    show()


def wrapped(html: str) -> QLabel:
    label = QLabel(html)
    label.setWordWrap(True)
    return label


# The forms around a decision: their titles and fields (key, label, kind, core names).
PROCEDURE_FORMS: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
    "notice": (
        "Notice of the charges and the evidence",
        [
            ("notice_on", "Given on", "date"),
            ("charges", "Charges and evidence", "text"),
        ],
    ),
    "response": (
        "The employee's response",
        [
            ("response_on", "On", "date"),
            (
                "waived",
                "The employee",
                [(False, "responded"), (True, "waived the chance to respond")],
            ),
            ("response", "What the employee said", "text"),
            ("heard_by", "Heard by", "text"),
        ],
    ),
    "appeal": (
        "File an appeal",
        [
            ("kind", "Appeal", [(k, w[:1].upper() + w[1:]) for k, w in APPEAL_KINDS.items()]),
            ("filed_on", "Filed on", "date"),
        ],
    ),
    "appeal_outcome": (
        "Appeal outcome",
        [
            ("outcome", "Outcome", [(k, w.capitalize()) for k, w in APPEAL_OUTCOMES.items()]),
            ("decided_on", "Decided on", "date"),
            ("note", "What was decided and why", "text"),
            ("step", "New step (if modified)", [(None, "—"), *STEP_CHOICES]),
            ("suspension_days", "Suspension days (if suspended)", "text"),
            (
                "without_pay",
                "Pay (if suspended)",
                [(None, "—"), (True, "Without pay"), (False, "With pay")],
            ),
        ],
    ),
}
