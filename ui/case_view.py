"""One case in its own window: header with deadline and flags, tabs, workflow actions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ia_desk.accounts.users import investigators
from ia_desk.casefile.actions import case_actions
from ia_desk.casefile.read import show_case, timeline
from ia_desk.cases.allegations import add_allegation, record_finding
from ia_desk.cases.deadlines import record_reporter_update, toll, untoll
from ia_desk.cases.queries import get_case
from ia_desk.cases.redaction import add_redaction, marked
from ia_desk.cases.workflow import ACTIONS, perform
from ia_desk.db.engine import Database
from ia_desk.db.models import DISPOSITIONS
from ia_desk.discipline.ladder import ladder, record
from ia_desk.errors import ConflictError
from ia_desk.policy.catalogue import clause_in_force
from ia_desk.protection.retaliation import CONCLUSIONS, record_review, revoke_protection
from ia_desk.security.actor import Actor
from ia_desk.security.roles import sees_identities
from ia_desk.terms import REDACTION_KINDS
from ui.clauses import ClausePickerDialog
from ui.discipline import DisciplinePanel
from ui.evidence import EvidenceGrid
from ui.worker import run_task, show_error

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


def load_case(db: Database, actor: Actor, number: str) -> dict[str, Any]:
    """Everything the window shows, read in one audited transaction (off the GUI thread)."""
    with db.read(actor) as s:
        data = show_case(s, actor, number)
        if "deadline" not in data:  # status-only view
            return data
        case = get_case(s, number)
        data["actions"] = [(a.name, a.label, a.why_not) for a in case_actions(s, actor, case)]
        data["marked"] = marked(s, actor, number) if sees_identities(actor) else []
        data["timeline"] = timeline(s, actor, number)
        on = dt.date.fromisoformat(data["incident"]["occurred_on"])
        texts = {}
        for a in data["allegations"]:
            texts[a["id"]] = clause_in_force(s, a["clause"], on).text
        data["clause_texts"] = texts
        data["ladder"] = ladder(s, actor, number)
        return data


class FindingDialog(QDialog):
    def __init__(self, allegation: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Finding: allegation {allegation['id']}")
        form = QFormLayout(self)
        form.addRow("Allegation", QLabel(f"{allegation['employee']} — {allegation['clause']}"))
        self.disposition = QComboBox()
        self.disposition.addItem("Choose a disposition…", None)
        for d in DISPOSITIONS:
            self.disposition.addItem(d.replace("_", " ").capitalize(), d)
        if allegation["disposition"]:
            self.disposition.setCurrentIndex(DISPOSITIONS.index(allegation["disposition"]) + 1)
        self.rationale = QPlainTextEdit(allegation.get("rationale") or "")
        self.rationale.setPlaceholderText("Why: what the evidence and interviews show")
        form.addRow("Disposition", self.disposition)
        form.addRow("Rationale", self.rationale)
        self.error = QLabel(styleSheet="color: #b00020")
        form.addRow(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self._check)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def _check(self) -> None:
        if self.disposition.currentData() is None:
            self.error.setText("Choose the disposition.")
        elif not self.rationale.toPlainText().strip():
            self.error.setText("Give the rationale: a finding says why.")
        else:
            self.accept()


class WithholdDialog(QDialog):
    """Mark text of a case to withhold from everyone outside IA."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Withhold text outside IA")
        form = QFormLayout(self)
        note = QLabel(
            "Everywhere this case is read, printed, exported or searched outside IA, the "
            "text is replaced by [withheld]. The confidential reporter's name, badge, phone "
            "and e-mail are withheld without marking."
        )
        note.setWordWrap(True)
        form.addRow(note)
        self.text = QLineEdit()
        self.text.setMaxLength(200)
        self.kind = QComboBox()
        for kind, what in REDACTION_KINDS.items():
            self.kind.addItem(what[0].upper() + what[1:], kind)
        form.addRow("Text", self.text)
        form.addRow("What it is", self.kind)
        self.error = QLabel(styleSheet="color: #b00020")
        form.addRow(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self._check)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def _check(self) -> None:
        if not self.text.text().strip():
            self.error.setText("Type the text to withhold.")
        else:
            self.accept()


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

        alleg = QWidget()
        al = QVBoxLayout(alleg)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.allegations = QTableWidget(0, 5)
        self.allegations.setHorizontalHeaderLabels(
            ["Subject", "Clause", "Title", "Disposition", "Finding date"]
        )
        self.allegations.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.allegations.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.allegations.horizontalHeader().setStretchLastSection(True)
        self.allegations.verticalHeader().setVisible(False)
        self.allegations.currentCellChanged.connect(self._show_clause)
        split.addWidget(self.allegations)
        self.clause_text = QTextBrowser()
        split.addWidget(self.clause_text)
        split.setSizes([650, 400])
        al.addWidget(split)
        row = QHBoxLayout()
        self.add_allegation_btn = QPushButton("Add allegation…")
        self.add_allegation_btn.setObjectName("action-add-allegation")
        self.add_allegation_btn.clicked.connect(self._add_allegation)
        self.finding_btn = QPushButton("Record finding…")
        self.finding_btn.setObjectName("action-record-finding")
        self.finding_btn.clicked.connect(self._record_finding)
        for btn in (self.add_allegation_btn, self.finding_btn):
            btn.setVisible(False)  # until the case says what this user may do
            row.addWidget(btn)
        row.addStretch(1)
        al.addLayout(row)
        self.tabs.addTab(alleg, "Allegations")
        self.offered: dict[str, str | None] = {}

        self.evidence = EvidenceGrid(db, actor, can_add=False)
        self.evidence.added.connect(self._after_change)
        self.tabs.addTab(self.evidence, "Evidence")

        self.discipline = DisciplinePanel(False, self._record_discipline)
        self.tabs.addTab(self.discipline, "Discipline")

        self.timeline = QTableWidget(0, 5)
        self.timeline.setHorizontalHeaderLabels(
            ["When (UTC)", "Who", "Event", "Outcome", "Details"]
        )
        self.timeline.horizontalHeader().setStretchLastSection(True)
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.tabs.addTab(self.timeline, "Timeline")
        shortcut = QShortcut(QKeySequence.StandardKey.Print, self)
        shortcut.activated.connect(self.print_summary)
        self.reload()

    def print_summary(self) -> None:
        if "print" not in self.offered:
            return
        from ui.printing import PrintPreview

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
        while self.banners.count():
            w = self.banners.takeAt(0).widget()
            if w:
                w.deleteLater()
        for flag in data["flags"]:
            text, colour = FLAG_TEXT.get(flag, (flag, "#333"))
            banner = QLabel(text)
            banner.setObjectName(f"banner-{flag}")
            banner.setStyleSheet(
                f"background: {colour}; color: white; padding: 6px; font-weight: bold;"
            )
            self.banners.addWidget(banner)
        while self.actions_bar.count():
            w = self.actions_bar.takeAt(0).widget()
            if w:
                w.deleteLater()
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
        self._fill_overview(data)
        self._fill_allegations(data)
        self._fill_evidence(data)
        self.discipline.show_ladder(data["ladder"])
        self._fill_timeline(data)

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

    def _write(self, fn: Any) -> None:
        def work() -> None:
            with self.db.write(self.actor) as s:
                fn(s)

        run_task(self, work, self._after_change, self._failed)

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

    def _fill_overview(self, d: dict[str, Any]) -> None:
        rep = d["reporter"]
        if rep["mode"] == "anonymous":
            who = "Anonymous: no identity is kept."
        elif "identity" in rep:
            who = f"{rep['mode'].capitalize()}: identity withheld."
        else:
            who = (
                f"{rep['mode'].capitalize()}: {esc(rep.get('name'))}"
                f"{' (badge ' + esc(rep['badge']) + ')' if rep.get('badge') else ''}"
                f"{' · ' + esc(rep['phone']) if rep.get('phone') else ''}"
                f"{' · ' + esc(rep['email']) if rep.get('email') else ''}"
            )
            if rep.get("good_faith"):
                who += " · good-faith reporter (protected, 3.21 §V.C)"
        subjects = "".join(
            f"<li>{esc(s['badge'])} {esc(s['name'])}, {esc(s['rank'] or '')} "
            f"{esc(s['unit'] or '')} ({s['department']})</li>"
            for s in d["subjects"]
        )
        inc = d["incident"]
        retaliation = ""
        if d["retaliation"]["triggers"]:
            items = "".join(f"<li>{esc(t['text'])}</li>" for t in d["retaliation"]["triggers"])
            reviews = "".join(
                f"<li>{r['at'][:10]} {r['by']}: <b>{r['conclusion'].replace('_', ' ')}</b> — "
                f"{esc(r['reasoning'])}</li>"
                for r in d["retaliation"]["reviews"]
            )
            retaliation = f"<h3>Retaliation review</h3><ul>{items}</ul>" + (
                f"<p>Reviews:</p><ul>{reviews}</ul>"
                if reviews
                else "<p><b>No review recorded yet.</b></p>"
            )
        tolled = (
            f"<p><b>Deadline paused since {d['tolled_since']}.</b></p>" if d["tolled_since"] else ""
        )
        approvals = ""
        if d.get("approvals"):
            approvals = (
                "<h3>Approval on file (3.21 §III.E)</h3><ul>"
                + "".join(f"<li>{esc(line)}</li>" for line in d["approvals"])
                + "</ul>"
            )
        withheld = ""
        if d.get("marked"):
            withheld = (
                "<h3>Withheld outside IA</h3><ul>"
                + "".join(
                    f"<li>{esc(m['text'])} <i>({esc(REDACTION_KINDS.get(m['kind'], m['kind']))},"
                    f" marked by {esc(m['by'])})</i></li>"
                    for m in d["marked"]
                )
                + "</ul>"
            )
        self.overview.setHtml(
            tolled
            + retaliation
            + withheld
            + approvals
            + f"<h3>Reporter</h3><p>{who}</p><p>Channel: {esc(d['channel'])}</p>"
            f"<h3>Subjects</h3><ul>{subjects}</ul>"
            f"<h3>Incident</h3><p>{inc['occurred_on']} · {esc(inc['platform'] or '')} · "
            f"{esc(inc['url'] or '')}</p>"
            f"<p>{esc(inc['narrative']).replace(chr(10), '<br>')}</p>"
        )

    def _fill_allegations(self, d: dict[str, Any]) -> None:
        rows = d["allegations"]
        self.allegations.setRowCount(len(rows))
        for r, a in enumerate(rows):
            values = [
                a["employee"],
                a["clause"],
                a["clause_title"],
                (a["disposition"] or "pending").replace("_", " "),
                a["finding_on"] or "",
            ]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, a["id"])
                self.allegations.setItem(r, c, item)
        self.allegations.resizeColumnsToContents()
        if rows:
            self.allegations.setCurrentCell(0, 0)

    def _fill_evidence(self, d: dict[str, Any]) -> None:
        self.evidence.show_items(d["case"], d["evidence"])
        self.tabs.setTabText(2, f"Evidence ({len(d['evidence'])})")

    def _fill_timeline(self, d: dict[str, Any]) -> None:
        rows = d["timeline"]
        self.timeline.setRowCount(len(rows))
        for r, e in enumerate(rows):
            details = json.loads(e["details"]) if e["details"] else {}
            text = ", ".join(f"{k}: {v}" for k, v in details.items())
            for c, v in enumerate(
                [e["at"][:19].replace("T", " "), e["user"], e["event"], e["outcome"], text]
            ):
                self.timeline.setItem(r, c, QTableWidgetItem(str(v)))
        self.timeline.resizeColumnsToContents()

    def _show_clause(self, row: int, *_: Any) -> None:
        if row < 0 or row >= len(self.data.get("allegations", [])):
            self.clause_text.clear()
            return
        a = self.data["allegations"][row]
        text = self.data["clause_texts"].get(a["id"], "")
        finding = ""
        if a["disposition"]:
            finding = (
                f"<h4>Finding: {a['disposition'].replace('_', ' ')} "
                f"({a['finding_on']})</h4><p>{esc(a.get('rationale') or '')}</p>"
            )
        self.clause_text.setHtml(
            f"<h3>{a['clause']}</h3><p><i>{esc(a['clause_title'])}</i> — version "
            f"{a['clause_version']}, in force on the incident date</p><p>{esc(text)}</p>" + finding
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

        def work() -> None:
            with self.db.write(self.actor) as s:
                perform(
                    s,
                    self.actor,
                    self.number,
                    name,
                    assignee=assignee,
                    reason=reason,
                    expected_version=version,
                )

        run_task(self, work, self._after_change, self._failed)

    def _selected_allegation(self) -> dict[str, Any] | None:
        row = self.allegations.currentRow()
        rows = self.data.get("allegations", [])
        return rows[row] if 0 <= row < len(rows) else None

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

        def work() -> None:
            with self.db.write(self.actor) as s:
                add_allegation(s, self.actor, self.number, badge, clause_id)

        run_task(self, work, self._after_change, self._failed)

    def _record_finding(self) -> None:
        a = self._selected_allegation()
        if a is None:
            return
        dlg = FindingDialog(a, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        disposition = dlg.disposition.currentData()
        rationale = dlg.rationale.toPlainText()

        def work() -> None:
            with self.db.write(self.actor) as s:
                record_finding(s, self.actor, a["id"], disposition, rationale)

        run_task(self, work, self._after_change, self._failed)


def esc(text: str | None) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
