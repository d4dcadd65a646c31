"""Record an interview, or amend one (issue 22): who, when, where, by whom, the
representative present (Weingarten), the advisement read (the text in force is shown as
it will be recorded) and whether it was signed, whether the statement is compelled, the
statement as an evidence item of the case, and IA's summary; an amendment says why.

The dialog records through its service and stays open when the service refuses, with
what was typed kept and the reason shown. It holds no rule: choosing the Garrity
advisement ticks *compelled* as a convenience, and the service decides."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ia_desk.services import Actor, Changes, Database, interviews
from ia_desk.terms import (
    ACKNOWLEDGEMENTS,
    ADVISEMENT_KINDS,
    INTERVIEWEE_KINDS,
    REPRESENTATIONS,
    REPRESENTATIVE_CAPACITIES,
)
from ui.ops import Change, Query
from ui.widgets.fields import error_label

NONE = "(none)"


def _datetime_edit(value: QDateTime) -> QDateTimeEdit:
    edit = QDateTimeEdit(value)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    return edit


def _aware(edit: QDateTimeEdit) -> str:
    """The time a field holds, in this computer's time zone, as ISO with its offset."""
    local = edit.dateTime().toPython()
    assert isinstance(local, dt.datetime)
    return local.replace(second=0, microsecond=0).astimezone().isoformat()


def _from_iso(text: str) -> QDateTime:
    moment = dt.datetime.fromisoformat(text).astimezone()  # shown in this computer's zone
    return QDateTime(
        QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute)
    )


class InterviewDialog(QDialog):
    """A new interview on ``number`` (``case``: the case file the window read), or with
    ``amending`` (an interview as IA reads it) the next version of that one."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        number: str,
        case: dict[str, Any],
        parent: QWidget | None = None,
        amending: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.actor, self.number, self.amending = db, actor, number, amending
        self.setWindowTitle(
            f"Amend interview {amending['id']}: {number}"
            if amending
            else f"Record interview: {number}"
        )
        self.setObjectName("dialog-interview")
        layout = QVBoxLayout(self)
        columns = QHBoxLayout()
        layout.addLayout(columns, 1)

        who = QGroupBox("Who, when and where")
        form = QFormLayout(who)
        self.kind = QComboBox()
        for key, words in INTERVIEWEE_KINDS.items():
            self.kind.addItem(words, key)
        form.addRow("Interviewee", self.kind)
        self.subject = QComboBox()
        for s in case.get("subjects", []):
            self.subject.addItem(f"{s['name']} (badge {s['badge']})", s["badge"])
        self.subject_label = QLabel("Subject")
        form.addRow(self.subject_label, self.subject)
        self.badge = QLineEdit()
        self.badge.setPlaceholderText("the witness's badge, as on the roster")
        self.badge_label = QLabel("Badge")
        form.addRow(self.badge_label, self.badge)
        self.name = QLineEdit()
        self.name.setPlaceholderText("the civilian witness's full name")
        self.name_label = QLabel("Name")
        form.addRow(self.name_label, self.name)
        now = QDateTime.currentDateTime()
        self.started = _datetime_edit(now.addSecs(-3600))
        form.addRow("Started", self.started)
        self.ended = _datetime_edit(now)
        form.addRow("Ended", self.ended)
        self.place = QLineEdit()
        self.place.setPlaceholderText("e.g. IA office, interview room 2")
        form.addRow("Place", self.place)
        self.interviewer = QComboBox()
        self.second = QComboBox()
        form.addRow("Interviewer", self.interviewer)
        form.addRow("Second interviewer", self.second)
        self.rep_requested = QCheckBox("The interviewee asked for a representative")
        form.addRow("Weingarten", self.rep_requested)
        self.representation = QComboBox()
        for key, words in REPRESENTATIONS.items():
            self.representation.addItem(words, key)
        form.addRow("Representative", self.representation)
        self.rep_name = QLineEdit()
        form.addRow("Representative's name", self.rep_name)
        self.rep_capacity = QComboBox()
        for key, words in REPRESENTATIVE_CAPACITIES.items():
            self.rep_capacity.addItem(words, key)
        form.addRow("Capacity", self.rep_capacity)
        columns.addWidget(who, 1)

        said = QGroupBox("Advisement and statement")
        form2 = QFormLayout(said)
        self.advisement = QComboBox()
        for key, words in ADVISEMENT_KINDS.items():
            self.advisement.addItem(words, key)
        form2.addRow("Advisement", self.advisement)
        self.advisement_text = QTextBrowser()
        self.advisement_text.setObjectName("interview-advisement-text")
        self.advisement_text.setMaximumHeight(150)
        form2.addRow("Text in force", self.advisement_text)
        self.advised_at = _datetime_edit(now.addSecs(-3600))
        form2.addRow("Advised at", self.advised_at)
        self.acknowledgement = QComboBox()
        for key, words in ACKNOWLEDGEMENTS.items():
            self.acknowledgement.addItem(words, key)
        form2.addRow("Acknowledgement", self.acknowledgement)
        self.compelled = QCheckBox("Compelled (Garrity): administrative use only")
        form2.addRow("Statement", self.compelled)
        self.statement = QComboBox()
        self.statement.addItem(NONE, None)
        for e in case.get("evidence", []):
            self.statement.addItem(f"{e['id']}: {e['file_name']}", e["id"])
        form2.addRow("Statement as evidence", self.statement)
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText("IA's summary of what the interviewee said (IA only)")
        form2.addRow("Summary", self.summary)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("why the record is amended (kept with it)")
        self.reason_label = QLabel("Reason for the amendment")
        form2.addRow(self.reason_label, self.reason)
        columns.addWidget(said, 1)

        self.problem = error_label(wrap=True)
        self.problem.setObjectName("interview-problem")
        layout.addWidget(self.problem)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.submit)
        box.rejected.connect(self.reject)
        layout.addWidget(box)

        self.texts = interviews.advisement_texts()
        self.kind.currentIndexChanged.connect(self._shape)
        self.representation.currentIndexChanged.connect(self._shape)
        self.advisement.currentIndexChanged.connect(self._advisement_changed)
        self.started.dateTimeChanged.connect(self._started_changed)
        for edit in (self.name, self.badge, self.place, self.rep_name, self.reason):
            edit.textChanged.connect(self.problem.clear)
        self.reason.setVisible(amending is not None)
        self.reason_label.setVisible(amending is not None)
        if amending is not None:
            self._fill(amending)
        else:
            self.representation.setCurrentIndex(self.representation.findData("present"))
            self._advisement_changed()
        self._shape()
        self.resize(1180, 640)
        Query(self, lambda: interviews.interviewers(db, actor)).success(self._people).run()

    # -- the form's shape
    def _shape(self) -> None:
        kind = self.kind.currentData()
        for widget, label, shown in (
            (self.subject, self.subject_label, kind == "subject"),
            (self.badge, self.badge_label, kind == "witness_employee"),
            (self.name, self.name_label, kind == "civilian_witness"),
        ):
            widget.setVisible(shown)
            label.setVisible(shown)
        present = self.representation.currentData() == "present"
        self.rep_name.setEnabled(present)
        self.rep_capacity.setEnabled(present)
        self.problem.clear()

    def _advisement_changed(self) -> None:
        kind = self.advisement.currentData()
        self.compelled.setChecked(kind == "garrity")
        self._show_text()

    def _started_changed(self) -> None:
        self.advised_at.setDateTime(self.started.dateTime())
        self._show_text()

    def _show_text(self) -> None:
        """The version in force on the interview's date, as the service will record it."""
        on = self.started.date().toString("yyyy-MM-dd")
        found = [a for a in self.texts.get(self.advisement.currentData(), []) if a["version"] <= on]
        if not found:
            self.advisement_text.setPlainText(f"No text of this advisement was in force on {on}.")
            return
        a = found[-1]
        # Reflowed to the box (the text is kept, and recorded, with its own line breaks).
        flowing = "\n\n".join(" ".join(p.split()) for p in a["text"].split("\n\n"))
        self.advisement_text.setPlainText(f"Version {a['version']}\n\n{flowing}")

    def _people(self, people: list[tuple[str, str]]) -> None:
        wanted = self.amending["interviewer_logins"] if self.amending else [self.actor.login]
        self.second.addItem(NONE, None)
        for login, name in people:
            self.interviewer.addItem(f"{name} ({login})", login)
            self.second.addItem(f"{name} ({login})", login)
        self.interviewer.setCurrentIndex(max(self.interviewer.findData(wanted[0]), 0))
        if len(wanted) > 1:
            self.second.setCurrentIndex(max(self.second.findData(wanted[1]), 0))

    def _fill(self, i: dict[str, Any]) -> None:
        self.kind.setCurrentIndex(self.kind.findData(i["interviewee_kind"]))
        if i["interviewee_kind"] == "subject":
            self.subject.setCurrentIndex(max(self.subject.findData(i["badge"]), 0))
        elif i["interviewee_kind"] == "witness_employee":
            self.badge.setText(i["badge"] or "")
        else:
            self.name.setText(i["civilian_name"] or "")
        self.started.setDateTime(_from_iso(i["started"]))
        self.ended.setDateTime(_from_iso(i["ended"]))
        self.place.setText(i["place"])
        self.rep_requested.setChecked(i["rep_requested"])
        self.representation.setCurrentIndex(self.representation.findData(i["representation"]))
        self.rep_name.setText(i["rep_name"] or "")
        if i["rep_capacity"]:
            self.rep_capacity.setCurrentIndex(self.rep_capacity.findData(i["rep_capacity"]))
        self.advisement.setCurrentIndex(self.advisement.findData(i["advisement"]["kind"]))
        self._advisement_changed()
        self.advised_at.setDateTime(_from_iso(i["advised_at"]))
        self.compelled.setChecked(i["compelled"])
        self.acknowledgement.setCurrentIndex(self.acknowledgement.findData(i["acknowledgement"]))
        if i["statement"]:
            self.statement.setCurrentIndex(max(self.statement.findData(i["statement"]["id"]), 0))
        self.summary.setPlainText(i["summary"])

    # -- saving
    def given(self) -> dict[str, Any]:
        """What the form holds, as the fields the service takes."""
        kind = self.kind.currentData()
        present = self.representation.currentData() == "present"
        interviewers = [x for x in (self.interviewer.currentData(), self.second.currentData()) if x]
        return {
            "interviewee": kind,
            "badge": (
                self.subject.currentData()
                if kind == "subject"
                else self.badge.text()
                if kind == "witness_employee"
                else None
            ),
            "name": self.name.text() if kind == "civilian_witness" else None,
            "started": _aware(self.started),
            "ended": _aware(self.ended),
            "place": self.place.text(),
            "interviewers": interviewers,
            "rep_requested": self.rep_requested.isChecked(),
            "representation": self.representation.currentData(),
            "rep_name": self.rep_name.text() if present else None,
            "rep_capacity": self.rep_capacity.currentData() if present else None,
            "advisement": self.advisement.currentData(),
            "advised_at": _aware(self.advised_at),
            "acknowledgement": self.acknowledgement.currentData(),
            "compelled": self.compelled.isChecked(),
            "statement": self.statement.currentData(),
            "summary": self.summary.toPlainText(),
        }

    def submit(self) -> None:
        given = self.given()
        db, actor, number = self.db, self.actor, self.number
        if self.amending is None:
            change = lambda: interviews.record(db, actor, number, given)  # noqa: E731
        else:
            interview, reason = self.amending["id"], self.reason.text()
            # The form names every field: what it emptied is emptied in the new version.
            change = lambda: interviews.amend(db, actor, number, interview, reason, given)  # noqa: E731
        Change(self, change).about(Changes.case(number)).refusals_in(self.problem).success(
            lambda _value: self.accept()
        ).run()
