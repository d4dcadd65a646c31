"""One case in its own window: header with deadline and flags, tabs, workflow actions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
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

from ia_desk.cases.allegations import add_allegation, record_finding
from ia_desk.cases.queries import get_case, show_case, timeline
from ia_desk.cases.workflow import ACTIONS, available_actions, perform
from ia_desk.db.engine import Database
from ia_desk.db.models import DISPOSITIONS
from ia_desk.errors import ConflictError
from ia_desk.policy.catalogue import clause_in_force
from ia_desk.security.actor import Actor
from ia_desk.security.roles import allowed
from ia_desk.security.users import investigators
from ui.clauses import ClausePickerDialog
from ui.evidence import EvidenceGrid
from ui.worker import run_task, show_error

FLAG_TEXT = {
    "overdue": ("OVERDUE: the investigation deadline has passed.", "#a40000"),
    "immediate_action": (
        "IMMEDIATE ACTION BY THE CHIEF (3.21 §V.B): a clause breached "
        "endangers safety or compromises an investigation.",
        "#7a0000",
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
    with db.read() as s:
        data = show_case(s, actor, number)
        if "deadline" not in data:  # status-only view
            return data
        case = get_case(s, number)
        data["actions"] = [(a.name, a.label) for a in available_actions(case, actor)]
        data["timeline"] = timeline(s, actor, number)
        on = dt.date.fromisoformat(data["incident"]["occurred_on"])
        texts = {}
        for a in data["allegations"]:
            texts[a["id"]] = clause_in_force(s, a["clause"], on).text
        data["clause_texts"] = texts
        return data


class FindingDialog(QDialog):
    def __init__(self, allegation: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Finding: allegation {allegation['id']}")
        form = QFormLayout(self)
        form.addRow("Allegation", QLabel(f"{allegation['employee']} — {allegation['clause']}"))
        self.disposition = QComboBox()
        for d in DISPOSITIONS:
            self.disposition.addItem(d.replace("_", " ").capitalize(), d)
        if allegation["disposition"]:
            self.disposition.setCurrentIndex(DISPOSITIONS.index(allegation["disposition"]))
        self.rationale = QPlainTextEdit(allegation.get("rationale") or "")
        form.addRow("Disposition", self.disposition)
        form.addRow("Rationale", self.rationale)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)


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
        if allowed(actor, "allegation.add"):
            row = QHBoxLayout()
            self.add_allegation_btn = QPushButton("Add allegation…")
            self.add_allegation_btn.clicked.connect(self._add_allegation)
            self.finding_btn = QPushButton("Record finding…")
            self.finding_btn.clicked.connect(self._record_finding)
            row.addWidget(self.add_allegation_btn)
            row.addWidget(self.finding_btn)
            row.addStretch(1)
            al.addLayout(row)
        self.tabs.addTab(alleg, "Allegations")

        self.evidence = EvidenceGrid(db, actor, can_add=allowed(actor, "evidence.add"))
        self.evidence.added.connect(self._after_change)
        self.tabs.addTab(self.evidence, "Evidence")

        self.timeline = QTableWidget(0, 5)
        self.timeline.setHorizontalHeaderLabels(
            ["When (UTC)", "Who", "Event", "Outcome", "Details"]
        )
        self.timeline.horizontalHeader().setStretchLastSection(True)
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.tabs.addTab(self.timeline, "Timeline")
        self.reload()

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
        for name, label in data.get("actions", []):
            btn = QPushButton(label)
            btn.setObjectName(f"action-{name}")
            btn.clicked.connect(lambda _=False, n=name: self._act(n))
            self.actions_bar.addWidget(btn)
        self.actions_bar.addStretch(1)
        self._fill_overview(data)
        self._fill_allegations(data)
        self._fill_evidence(data)
        self._fill_timeline(data)

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
        self.overview.setHtml(
            f"<h3>Reporter</h3><p>{who}</p><p>Channel: {esc(d['channel'])}</p>"
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
                with self.db.read() as s:
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
        dlg = ClausePickerDialog(self.db, on, self)
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
