"""One case in its own window: header with deadline and flags, the case's actions, and
its tabs (overview, allegations, evidence, discipline, timeline; for IA roles IA's notes
and tasks).

Every action is a service run in a :class:`ui.ops.Change`; the window reloads when the
bus says its case changed (here, in another window, or at another workstation), and so
does every other screen showing it. A change someone else made meanwhile is refused by
the service with who made it, and the window offers to reload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ia_desk import labels
from ia_desk.services import (
    Actor,
    Changes,
    Database,
    Done,
    allegations,
    cases,
    discipline,
    interviews,
    protection,
)
from ia_desk.services.accounts import allowed
from ia_desk.services.cases import ACTIONS
from ui.case_window.allegations import AllegationsTab
from ui.case_window.discipline import DisciplinePanel
from ui.case_window.interviews import InterviewsTab
from ui.case_window.loading import load_case
from ui.case_window.notes import NotesTab
from ui.case_window.overview import overview_html
from ui.case_window.timeline import TimelineTable
from ui.dialogs.clause_picker import ClausePickerDialog
from ui.dialogs.finding import FindingDialog
from ui.dialogs.immediate import ImmediateStepDialog, RaiseImmediateDialog
from ui.dialogs.reason import ReasonDialog
from ui.dialogs.retaliation_review import RetaliationReviewDialog
from ui.dialogs.speech_screen import SpeechScreenDialog
from ui.dialogs.withhold import WithholdDialog
from ui.ops import Change, Query, listen, stop_listening
from ui.shortcuts import GUIDE_FROM_CASE, PRINT_CASE, install
from ui.widgets.evidence_grid import EvidenceGrid
from ui.widgets.layouts import FlowLayout, clear_layout
from ui.widgets.screen_fit import fit_to_screen

T = TypeVar("T")

ACTION_KEYS = {"print": PRINT_CASE}  # a case action with a key: its button says the key

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
    "retaliation_reviewed": (
        "Retaliation review recorded: the case is no longer held (see the Overview).",
        "#44546a",
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
        fit_to_screen(self, 1100, 760)
        layout = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.header)
        # The actions above the banners: a banner that comes or goes with a change of
        # the case does not move the buttons under the user's pointer.
        self.actions_bar = FlowLayout()  # wraps: never wider than the screen
        layout.addLayout(self.actions_bar)
        self.banners = QVBoxLayout()
        layout.addLayout(self.banners)
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

        self.discipline = DisciplinePanel(False, self._record_discipline, self._around_decision)
        self.tabs.addTab(self.discipline, "Discipline")

        self.timeline = TimelineTable()
        self.tabs.addTab(self.timeline, "Timeline")
        self.notes: NotesTab | None = None
        if allowed(actor, "note.read"):  # IA's working papers: IA roles only
            self.notes = NotesTab(db, actor, number)
            self.tabs.addTab(self.notes, "Notes && tasks")
        self.interviews: InterviewsTab | None = None
        if allowed(actor, "interview.read"):  # subjects' and witnesses' interviews (issue 22)
            self.interviews = InterviewsTab(db, actor, number)
            self.tabs.addTab(self.interviews, "Interviews")
        install(PRINT_CASE, self, self.print_summary)
        install(GUIDE_FROM_CASE, self, self.show_guide)
        listen(self, self.on_changes)
        self.reload()

    def on_changes(self, changes: Changes) -> None:
        """Read the case again when a change names it (from any window or workstation)."""
        if self.number in changes.cases:
            self.reload()
            if self.notes is not None:
                self.notes.case_changed()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        stop_listening(self)
        super().closeEvent(event)

    def show_guide(self) -> None:
        """F1: the user guide, the main window's one (its menus list the main window's
        keys), brought to the front over this case."""
        for widget in QApplication.topLevelWidgets():
            guide = getattr(widget, "show_guide", None)
            if widget is not self and callable(guide) and not isinstance(widget, CaseWindow):
                guide()
                return

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
        shown_status = labels.status(status)
        if "deadline" not in data:
            self.header.setText(
                f"<h2>{data['case']}</h2>Status: <b>{shown_status.text}</b> · received "
                f"{data['received_at'][:16].replace('T', ' ')}"
            )
            self.header.setToolTip(shown_status.meaning)
            self._show_status_only(data)
            return
        self.header.setToolTip(shown_status.meaning)
        self.header.setText(
            f"<h2>{data['case']}</h2>Status: <b>{shown_status.text}</b> · received "
            f"{data['received_at'][:16].replace('T', ' ')} · "
            f"{deadline_text(data['deadline'], status)} · assigned to "
            f"{data['assigned_to'] or 'nobody yet'}"
        )
        clear_layout(self.banners)
        for flag in labels.shown_flags(data["flags"]):
            text, colour = FLAG_TEXT.get(flag, (labels.flag(flag).text, "#333"))
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
            keys = ACTION_KEYS.get(name)
            btn = QPushButton(f"{label} ({keys.text})" if keys else label)
            btn.setObjectName(f"action-{name.replace('_', '-')}")
            btn.setEnabled(why_not is None)
            btn.setToolTip(f"Not now: {why_not}." if why_not else "")
            btn.clicked.connect(lambda _=False, slot=slots[name]: slot())
            self.actions_bar.addWidget(btn)
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
        if self.interviews is not None:
            self.interviews.show_interviews(
                data, self.offered.get("record_interview", "only IA records interviews")
            )
            at = self.tabs.indexOf(self.interviews)
            self.tabs.setTabText(at, f"Interviews ({len(data.get('interviews', []))})")

    def _show_status_only(self, data: dict[str, Any]) -> None:
        """A supervisor's own report: its status, and the Evidence tab while the report
        is still being received (they may add screenshots to it then; the list of what
        the case holds is IA's)."""
        offered = {name: why for name, _label, why in data.get("actions", [])}
        can_add = "add_evidence" in offered and offered["add_evidence"] is None
        for i in range(1, self.tabs.count()):
            self.tabs.setTabEnabled(i, i == 2 and "add_evidence" in offered)
        self.evidence.allow_adding(can_add, offered.get("add_evidence"))
        if "add_evidence" in offered:
            self.evidence.show_items(data["case"], [])
        self.overview.setPlainText(
            "You submitted this report. Its status is shown above."
            + (" You can add screenshots to it on the Evidence tab." if can_add else "")
        )

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
            sign_off=self._sign_off,
            return_findings=self._return_findings,
            print=self.print_summary,
            referral_packet=self._referral_packet,
        )
        return slots

    def _referral_packet(self) -> None:
        """The packet of a case referred to CID, into a folder the user picks (issue 22):
        the service leaves every compelled (Garrity) statement out."""
        folder = QFileDialog.getExistingDirectory(
            self, f"CID referral packet of {self.number}: choose the folder to write it to"
        )
        if not folder:
            return

        def written(manifest: dict[str, Any]) -> None:
            left = manifest["excluded"]["compelled_statements"]
            QMessageBox.information(
                self,
                "CID referral packet",
                f"Written to {folder}: {len(manifest['evidence'])} evidence item(s) with "
                "their SHA-256."
                + (
                    f" {left} compelled (Garrity) statement(s) left out: administrative use only."
                    if left
                    else ""
                ),
            )

        Change(
            self,
            lambda: interviews.referral_packet(self.db, self.actor, self.number, Path(folder)),
        ).success(written).run()

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
        self._ask_and_change(
            "Chief notified",
            "How, when and by whom was the Chief told (e.g. by phone, at 10:05)?",
            lambda how: cases.chief_notified(self.db, self.actor, self.number, how),
        )

    def _immediate_step(self) -> None:
        dlg = ImmediateStepDialog(self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            kind, note = dlg.action.currentData(), dlg.note.toPlainText() or None
            self._change(lambda: cases.immediate_step(self.db, self.actor, self.number, kind, note))

    def _sign_off(self) -> None:
        awaiting = self.data.get("review", {}).get("awaiting") or "the review chain"
        version = self.data.get("version")
        self._ask_and_change(
            "Sign off findings",
            f"You sign off the findings of {self.number} as {awaiting}. Comments for the "
            "record (optional):",
            lambda comments: cases.sign_off(
                self.db, self.actor, self.number, comments or None, expected_version=version
            ),
        )

    def _return_findings(self) -> None:
        version = self.data.get("version")
        self._ask_and_change(
            "Return findings",
            f"The findings of {self.number} go back to the investigator, and the case is under "
            "investigation again. What is to be done (required):",
            lambda comments: cases.return_findings(
                self.db, self.actor, self.number, comments, expected_version=version
            ),
        )

    def _withhold(self) -> None:
        dlg = WithholdDialog(self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            text, kind = dlg.text.text(), dlg.kind.currentData()
            self._change(lambda: cases.mark_withheld(self.db, self.actor, self.number, text, kind))

    def _change(self, change: Callable[[], Done[T]]) -> None:
        """Make one change through a core service. The window (and every other screen
        showing the case) reloads when it is announced; a conflict offers the reload."""
        Change(self, change).about(Changes.case(self.number)).run()

    def _ask_and_change(self, title: str, prompt: str, change: Callable[[str], Done[T]]) -> None:
        """Ask for a reason or note; the dialog makes the change and stays open if it is
        refused (what was typed is kept)."""
        ReasonDialog(title, prompt, change, Changes.case(self.number), self).exec()

    def _toll(self) -> None:
        self._ask_and_change(
            "Pause deadline",
            "Reason (e.g. a criminal investigation takes precedence)",
            lambda reason: cases.pause_deadline(self.db, self.actor, self.number, reason),
        )

    def _untoll(self) -> None:
        self._change(lambda: cases.resume_deadline(self.db, self.actor, self.number))

    def _reporter_update(self) -> None:
        self._ask_and_change(
            "Reporter updated",
            "What was the reporter told, and how?",
            lambda note: cases.reporter_updated(self.db, self.actor, self.number, note),
        )

    def _review(self) -> None:
        """The review dialog records the review itself and stays open on a refusal."""
        triggers = [t["text"] for t in self.data["retaliation"]["triggers"]]
        RetaliationReviewDialog(self.db, self.actor, self.number, triggers, self).exec()

    def _revoke(self) -> None:
        self._ask_and_change(
            "Revoke reporter protection",
            "Why was the report knowingly false?",
            lambda reason: protection.revoke_protection(self.db, self.actor, self.number, reason),
        )

    def _record_discipline(
        self,
        badge: str,
        step: str,
        reason: str | None,
        days: int | None,
        without_pay: bool | None,
        amend: bool,
    ) -> Done[Any]:
        """Run by the decision dialog off the GUI thread (it shows a refusal itself)."""
        return discipline.decide(
            self.db,
            self.actor,
            self.number,
            badge,
            step,
            reason,
            amend=amend,
            suspension_days=days,
            without_pay=without_pay,
        )

    def _around_decision(self, what: str, badge: str, values: dict[str, Any]) -> Done[Any]:
        """Run by the forms around a decision off the GUI thread (the pre-disciplinary
        notice and response, an appeal and its outcome); the form shows a refusal."""
        db, actor, number = self.db, self.actor, self.number
        if what == "notice":
            return discipline.notice(
                db, actor, number, badge, values["notice_on"], values["charges"]
            )
        if what == "response":
            return discipline.respond(
                db,
                actor,
                number,
                badge,
                values["response_on"],
                values["response"],
                values["heard_by"],
                waived=bool(values["waived"]),
            )
        if what == "appeal":
            return discipline.appeal(db, actor, number, badge, values["kind"], values["filed_on"])
        return discipline.appeal_outcome(
            db,
            actor,
            number,
            badge,
            values["outcome"],
            values["decided_on"],
            values["note"],
            step=values["step"],
            suspension_days=values.get("suspension_days"),  # as typed: the core reads it
            without_pay=values["without_pay"],
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
        version = self.data.get("version")

        def act(reason: str | None) -> Done[Any]:
            return cases.take_action(
                self.db,
                self.actor,
                self.number,
                name,
                assignee=assignee,
                reason=reason,
                expected_version=version,
            )

        if ACTIONS[name].needs_reason:
            self._ask_and_change(
                ACTIONS[name].label.rstrip("…"), "Reason (kept in the audit trail)", act
            )
            return
        self._change(lambda: act(None))

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
