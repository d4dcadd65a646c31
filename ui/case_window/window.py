"""One case in its own window: header with deadline and flags, the case's actions, and
its tabs (overview, allegations, evidence, discipline, timeline)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ia_desk.accounts.users import investigators
from ia_desk.cases.allegations import add_allegation, record_finding
from ia_desk.cases.deadlines import record_reporter_update, toll, untoll
from ia_desk.cases.redaction import add_redaction
from ia_desk.cases.workflow import ACTIONS, perform
from ia_desk.db.engine import Database
from ia_desk.discipline.ladder import record
from ia_desk.errors import ConflictError
from ia_desk.protection.retaliation import CONCLUSIONS, record_review, revoke_protection
from ia_desk.security.actor import Actor
from ui.case_window.allegations import AllegationsTab
from ui.case_window.discipline import DisciplinePanel
from ui.case_window.loading import load_case
from ui.case_window.overview import overview_html
from ui.case_window.timeline import TimelineTable
from ui.dialogs.clause_picker import ClausePickerDialog
from ui.dialogs.finding import FindingDialog
from ui.dialogs.withhold import WithholdDialog
from ui.widgets.evidence_grid import EvidenceGrid
from ui.widgets.layouts import clear_layout
from ui.worker import run_task, run_write, show_error

FLAG_TEXT = {
    "overdue": ("OVERDUE: the investigation deadline has passed.", "#a40000"),
    "immediate_action": (
        "IMMEDIATE ACTION BY THE CHIEF (3.21 §V.B): a clause breached "
        "endangers safety or compromises an investigation.",
        "#7a0000",
    ),
    "tolled": ("DEADLINE PAUSED (tolled).", "#44546a"),
    "reporter_update_due": (
        "Reporter update due: the report has been open 30 days without an update to the reporter.",
        "#5b5b00",
    ),
    "retaliation_review": (
        "RETALIATION REVIEW: a good-faith reporter is involved; the case "
        "cannot close until an IA administrator records the review.",
        "#6a3d00",
    ),
}


def deadline_text(deadline: str, status: str) -> str:
    days = (dt.date.fromisoformat(deadline) - dt.date.today()).days
    if status == "closed":
        return f"deadline {deadline}"
    if days < 0:
        return f"deadline {deadline}: overdue by {-days} day(s)"
    return f"deadline {deadline}: {days} day(s) left"


class CaseWindow(QWidget):
    """A case. Every change goes through a core service in a background task."""

    changed = Signal(str)

    def __init__(self, db: Database, actor: Actor, number: str) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.number = number
        self.data: dict[str, Any] = {}
        self.setWindowTitle(f"{number}: IA Desk")
        self.resize(1100, 760)
        layout = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.header)
        self.banners = QVBoxLayout()
        layout.addLayout(self.banners)
        self.actions_bar = QHBoxLayout()
        layout.addLayout(self.actions_bar)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)

        self.overview = QTextBrowser()
        self.tabs.addTab(self.overview, "Overview")

        self.allegations_tab = AllegationsTab()
        self.allegations = self.allegations_tab.table
        self.clause_text = self.allegations_tab.clause_text
        self.add_allegation_btn = self.allegations_tab.add_button
        self.add_allegation_btn.clicked.connect(self._add_allegation)
        self.finding_btn = self.allegations_tab.finding_button
        self.finding_btn.clicked.connect(self._record_finding)
        self.tabs.addTab(self.allegations_tab, "Allegations")
        self.offered: dict[str, str | None] = {}

        self.evidence = EvidenceGrid(db, actor, can_add=False)
        self.evidence.added.connect(self._after_change)
        self.tabs.addTab(self.evidence, "Evidence")

        self.discipline = DisciplinePanel(False, self._record_discipline)
        self.tabs.addTab(self.discipline, "Discipline")

        self.timeline = TimelineTable()
        self.tabs.addTab(self.timeline, "Timeline")
        shortcut = QShortcut(QKeySequence.StandardKey.Print, self)
        shortcut.activated.connect(self.print_summary)
        self.reload()

    def print_summary(self) -> None:
        if "print" not in self.offered:
            return
        from ui.dialogs.print_preview import PrintPreview

        PrintPreview(self.db, self.actor, [self.number], self).exec()

    # -- loading
    def reload(self) -> None:
        run_task(
            self,
            lambda: load_case(self.db, self.actor, self.number),
            self._show,
            label=f"Opening {self.number}…",
        )

    def _show(self, data: dict[str, Any]) -> None:
        self.data = data
        status = data["status"]
        if "deadline" not in data:
            self.header.setText(
                f"<h2>{data['case']}</h2>Status: <b>{status}</b> · received "
                f"{data['received_at'][:16].replace('T', ' ')}"
            )
            for i in range(1, self.tabs.count()):
                self.tabs.setTabEnabled(i, False)
            self.overview.setPlainText("You submitted this report. Its status is shown above.")
            return
        self.header.setText(
            f"<h2>{data['case']}</h2>Status: <b>{status}</b> · received "
            f"{data['received_at'][:16].replace('T', ' ')} · "
            f"{deadline_text(data['deadline'], status)} · assigned to "
            f"{data['assigned_to'] or 'nobody yet'}"
        )
        clear_layout(self.banners)
        for flag in data["flags"]:
            text, colour = FLAG_TEXT.get(flag, (flag, "#333"))
            banner = QLabel(text)
            banner.setObjectName(f"banner-{flag}")
            banner.setStyleSheet(
                f"background: {colour}; color: white; padding: 6px; font-weight: bold;"
            )
            self.banners.addWidget(banner)
        clear_layout(self.actions_bar)
        slots = self._action_slots()
        self.offered = {name: why for name, _label, why in data.get("actions", [])}
        for name, label, why_not in data.get("actions", []):
            if name not in slots:
                continue  # offered inside its tab
            btn = QPushButton(label)
            btn.setObjectName(f"action-{name.replace('_', '-')}")
            btn.setEnabled(why_not is None)
            btn.setToolTip(f"Not now: {why_not}." if why_not else "")
            btn.clicked.connect(lambda _=False, slot=slots[name]: slot())
            self.actions_bar.addWidget(btn)
        self.actions_bar.addStretch(1)
        for name, btn in (
            ("add_allegation", self.add_allegation_btn),
            ("record_finding", self.finding_btn),
        ):
            btn.setVisible(name in self.offered)
            btn.setEnabled(name in self.offered and self.offered[name] is None)
            btn.setToolTip(f"Not now: {self.offered[name]}." if self.offered.get(name) else "")
        self.evidence.allow_adding(
            "add_evidence" in self.offered and self.offered["add_evidence"] is None,
            self.offered.get("add_evidence"),
        )
        self.discipline.can_record = (
            "record_discipline" in self.offered and self.offered["record_discipline"] is None
        )
        self.overview.setHtml(overview_html(data))
        self.allegations_tab.show_allegations(data)
        self.evidence.show_items(data["case"], data["evidence"])
        self.tabs.setTabText(2, f"Evidence ({len(data['evidence'])})")
        self.discipline.show_ladder(data["ladder"])
        self.timeline.show_events(data["timeline"])

    def _action_slots(self) -> dict[str, Any]:
        """The case's actions the bar offers, by the core's names (the others are in
        their tabs: allegations, findings, evidence, discipline)."""
        slots: dict[str, Any] = {n: (lambda n=n: self._act(n)) for n in ACTIONS}
        slots.update(
            toll=self._toll,
            untoll=self._untoll,
            reporter_update=self._reporter_update,
            redact=self._withhold,
            retaliation_review=self._review,
            revoke_protection=self._revoke,
            print=self.print_summary,
        )
        return slots

    def _withhold(self) -> None:
        dlg = WithholdDialog(self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            text, kind = dlg.text.text(), dlg.kind.currentData()
            self._write(lambda s: add_redaction(s, self.actor, self.number, text, kind))

    def _write(self, change: Callable[[Session], object]) -> None:
        """Make one change through a core service; the case reloads after it."""
        run_write(self, self.db, self.actor, change, self._after_change, self._failed)

    def _ask_text(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getMultiLineText(self, title, label)
        return text if ok else None

    def _toll(self) -> None:
        reason = self._ask_text(
            "Pause deadline", "Reason (e.g. a criminal investigation takes precedence)"
        )
        if reason is not None:
            self._write(lambda s: toll(s, self.actor, self.number, reason))

    def _untoll(self) -> None:
        self._write(lambda s: untoll(s, self.actor, self.number))

    def _reporter_update(self) -> None:
        note = self._ask_text("Reporter updated", "What was the reporter told, and how?")
        if note is not None:
            self._write(lambda s: record_reporter_update(s, self.actor, self.number, note))

    def _review(self) -> None:
        triggers = "\n".join(t["text"] for t in self.data["retaliation"]["triggers"])
        conclusion, ok = QInputDialog.getItem(
            self,
            "Retaliation review",
            f"{triggers}\n\nConclusion",
            [c.replace("_", " ") for c in CONCLUSIONS],
            0,
            False,
        )
        if not ok:
            return
        reasoning = self._ask_text("Retaliation review", "Reasoning")
        if reasoning is not None:
            value = conclusion.replace(" ", "_")
            self._write(lambda s: record_review(s, self.actor, self.number, value, reasoning))

    def _revoke(self) -> None:
        reason = self._ask_text("Revoke reporter protection", "Why was the report knowingly false?")
        if reason is not None:
            self._write(lambda s: revoke_protection(s, self.actor, self.number, reason))

    def _record_discipline(self, badge: str, step: str, reason: str, amend: bool) -> None:
        self._write(
            lambda s: record(s, self.actor, self.number, badge, step, reason or None, amend=amend)
        )

    # -- changes
    def _after_change(self, _result: Any = None) -> None:
        self.changed.emit(self.number)
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ConflictError):
            if QMessageBox.question(
                self, "Changed by someone else", exc.message + "\n\nReload the case now?"
            ) == (QMessageBox.StandardButton.Yes):
                self.reload()
            return
        show_error(self, exc)

    def _act(self, name: str) -> None:
        assignee = reason = None
        if name == "assign":

            def users() -> list[tuple[str, str]]:
                with self.db.read(self.actor) as s:
                    return investigators(s, self.actor)

            people = users()
            labels = [f"{n} ({login})" for login, n in people]
            choice, ok = QInputDialog.getItem(
                self, "Assign investigator", "Investigator", labels, 0, False
            )
            if not ok:
                return
            assignee = people[labels.index(choice)][0]
        if ACTIONS[name].needs_reason:
            reason, ok = QInputDialog.getMultiLineText(
                self, ACTIONS[name].label.rstrip("…"), "Reason (kept in the audit trail)"
            )
            if not ok:
                return
        version = self.data.get("version")

        self._write(
            lambda s: perform(
                s,
                self.actor,
                self.number,
                name,
                assignee=assignee,
                reason=reason,
                expected_version=version,
            )
        )

    def _add_allegation(self) -> None:
        subjects = self.data.get("subjects", [])
        if not subjects:
            return
        labels = [f"{s['badge']} {s['name']}" for s in subjects]
        choice, ok = QInputDialog.getItem(self, "Add allegation", "Subject", labels, 0, False)
        if not ok:
            return
        badge = subjects[labels.index(choice)]["badge"]
        on = dt.date.fromisoformat(self.data["incident"]["occurred_on"])
        dept = subjects[labels.index(choice)]["department"]
        dlg = ClausePickerDialog(self.db, on, self, self.data["incident"]["narrative"], dept)
        if dlg.exec() != QDialog.DialogCode.Accepted or not dlg.clause_id:
            return
        clause_id = dlg.clause_id

        self._write(lambda s: add_allegation(s, self.actor, self.number, badge, clause_id))

    def _record_finding(self) -> None:
        a = self.allegations_tab.selected()
        if a is None:
            return
        dlg = FindingDialog(a, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        disposition = dlg.disposition.currentData()
        rationale = dlg.rationale.toPlainText()

        self._write(lambda s: record_finding(s, self.actor, a["id"], disposition, rationale))
