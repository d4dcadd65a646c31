"""One case in its own window: header with deadline and flags, the case's actions, and
its tabs (overview, allegations, evidence, discipline, timeline).

Every action is a service run in a :class:`ui.ops.Change`; the window reloads when the
bus says its case changed (here, in another window, or at another workstation), and so
does every other screen showing it. A change someone else made meanwhile is refused by
the service with who made it, and the window offers to reload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ia_desk.services import (
    Actor,
    Changes,
    Database,
    Done,
    allegations,
    cases,
    discipline,
    protection,
)
from ia_desk.services.cases import ACTIONS
from ia_desk.services.protection import CONCLUSIONS
from ui.case_window.allegations import AllegationsTab
from ui.case_window.discipline import DisciplinePanel
from ui.case_window.loading import load_case
from ui.case_window.overview import overview_html
from ui.case_window.timeline import TimelineTable
from ui.dialogs.clause_picker import ClausePickerDialog
from ui.dialogs.finding import FindingDialog
from ui.dialogs.immediate import ImmediateStepDialog, RaiseImmediateDialog
from ui.dialogs.speech_screen import SpeechScreenDialog
from ui.dialogs.withhold import WithholdDialog
from ui.ops import Change, Query, listen, stop_listening
from ui.widgets.evidence_grid import EvidenceGrid
from ui.widgets.layouts import clear_layout

T = TypeVar("T")

FLAG_TEXT = {
    "overdue": ("OVERDUE: the investigation deadline has passed.", "#a40000"),
    "immediate_action": (
        "IMMEDIATE ACTION BY THE CHIEF (3.21 §V.B): this case endangers the safety of "
        "others or compromises an investigation (see the Overview).",
        "#7a0000",
    ),
    "immediate_action_overdue": (
        "IMMEDIATE ACTION OVERDUE: nothing is recorded as done within the hours the "
        "department allows.",
        "#a40000",
    ),
    "tolled": ("DEADLINE PAUSED (tolled).", "#44546a"),
    "reporter_update_due": (
        # {days}: the department's reporter_update_days setting, as the flag was computed
        "Reporter update due: the report has been open {days} days without an update to the "
        "reporter.",
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
    """A case. Every change goes through a core service in a background task; the window
    reloads whenever the bus names its case."""

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
        self.tabs.addTab(self.evidence, "Evidence")

        self.discipline = DisciplinePanel(False, self._record_discipline)
        self.tabs.addTab(self.discipline, "Discipline")

        self.timeline = TimelineTable()
        self.tabs.addTab(self.timeline, "Timeline")
        shortcut = QShortcut(QKeySequence.StandardKey.Print, self)
        shortcut.activated.connect(self.print_summary)
        listen(self, self.on_changes)
        self.reload()

    def on_changes(self, changes: Changes) -> None:
        """Read the case again when a change names it (from any window or workstation)."""
        if self.number in changes.cases:
            self.reload()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        stop_listening(self)
        super().closeEvent(event)

    def print_summary(self) -> None:
        if "print" not in self.offered:
            return
        from ui.dialogs.print_preview import PrintPreview

        PrintPreview(self.db, self.actor, [self.number], self).exec()

    # -- loading
    def reload(self) -> None:
        Query(self, lambda: load_case(self.db, self.actor, self.number)).success(
            self._show
        ).with_progress(f"Opening {self.number}…").run()

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
            banner = QLabel(text.format(days=data["reporter_update_days"]))
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
            raise_immediate=self._raise_immediate,
            chief_notified=self._chief_notified,
            immediate_step=self._immediate_step,
            print=self.print_summary,
        )
        return slots

    def _raise_immediate(self) -> None:
        dlg = RaiseImmediateDialog(self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            grounds, facts = dlg.chosen(), dlg.facts.toPlainText()
            self._change(
                lambda: cases.raise_immediate_action(
                    self.db, self.actor, self.number, grounds, facts
                )
            )

    def _chief_notified(self) -> None:
        how, ok = QInputDialog.getText(
            self, "Chief notified", "How and by whom was the Chief told (e.g. by phone)?"
        )
        if ok and how.strip():
            self._change(lambda: cases.chief_notified(self.db, self.actor, self.number, how))

    def _immediate_step(self) -> None:
        dlg = ImmediateStepDialog(self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            kind, note = dlg.action.currentData(), dlg.note.toPlainText() or None
            self._change(lambda: cases.immediate_step(self.db, self.actor, self.number, kind, note))

    def _withhold(self) -> None:
        dlg = WithholdDialog(self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            text, kind = dlg.text.text(), dlg.kind.currentData()
            self._change(lambda: cases.mark_withheld(self.db, self.actor, self.number, text, kind))

    def _change(self, change: Callable[[], Done[T]]) -> None:
        """Make one change through a core service. The window (and every other screen
        showing the case) reloads when it is announced; a conflict offers the reload."""
        Change(self, change).about(Changes.case(self.number)).run()

    def _ask_text(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getMultiLineText(self, title, label)
        return text if ok else None

    def _toll(self) -> None:
        reason = self._ask_text(
            "Pause deadline", "Reason (e.g. a criminal investigation takes precedence)"
        )
        if reason is not None:
            self._change(lambda: cases.pause_deadline(self.db, self.actor, self.number, reason))

    def _untoll(self) -> None:
        self._change(lambda: cases.resume_deadline(self.db, self.actor, self.number))

    def _reporter_update(self) -> None:
        note = self._ask_text("Reporter updated", "What was the reporter told, and how?")
        if note is not None:
            self._change(lambda: cases.reporter_updated(self.db, self.actor, self.number, note))

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
            self._change(
                lambda: protection.record_review(self.db, self.actor, self.number, value, reasoning)
            )

    def _revoke(self) -> None:
        reason = self._ask_text("Revoke reporter protection", "Why was the report knowingly false?")
        if reason is not None:
            self._change(
                lambda: protection.revoke_protection(self.db, self.actor, self.number, reason)
            )

    def _record_discipline(self, badge: str, step: str, reason: str, amend: bool) -> None:
        self._change(
            lambda: discipline.decide(
                self.db, self.actor, self.number, badge, step, reason or None, amend=amend
            )
        )

    def _act(self, name: str) -> None:
        if name == "assign":  # whom to: the IA users, read off the GUI thread first
            Query(self, lambda: cases.investigators(self.db, self.actor)).success(
                lambda people: self._assign_to(people)
            ).run()
            return
        self._take(name)

    def _assign_to(self, people: list[tuple[str, str]]) -> None:
        labels = [f"{n} ({login})" for login, n in people]
        choice, ok = QInputDialog.getItem(
            self, "Assign investigator", "Investigator", labels, 0, False
        )
        if ok:
            self._take("assign", people[labels.index(choice)][0])

    def _take(self, name: str, assignee: str | None = None) -> None:
        """A workflow action, with its reason when it needs one, against the version of
        the case this window shows (a change made elsewhere meanwhile is a conflict)."""
        reason = None
        if ACTIONS[name].needs_reason:
            reason, ok = QInputDialog.getMultiLineText(
                self, ACTIONS[name].label.rstrip("…"), "Reason (kept in the audit trail)"
            )
            if not ok:
                return
        version = self.data.get("version")
        self._change(
            lambda: cases.take_action(
                self.db,
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
        self._change(
            lambda: allegations.add_allegation(self.db, self.actor, self.number, badge, clause_id)
        )

    def _record_finding(self) -> None:
        a = self.allegations_tab.selected()
        if a is None:
            return
        dlg = FindingDialog(a, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        disposition = dlg.disposition.currentData()
        rationale = dlg.rationale.toPlainText()
        allegation = a["id"]
        facts = None
        if disposition == "sustained" and a.get("needs_speech_screen") and not a["speech_screen"]:
            screen = SpeechScreenDialog(a, self)
            if screen.exec() != QDialog.DialogCode.Accepted:
                return
            facts = screen.facts()

        def change() -> Done[Any]:
            if facts is not None:
                allegations.screen_speech(self.db, self.actor, allegation, facts)
            return allegations.record_finding(
                self.db, self.actor, allegation, disposition, rationale
            )

        self._change(change)
