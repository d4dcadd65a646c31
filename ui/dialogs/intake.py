"""The intake form: a new report becomes a case through the same service as the CLI.

The form builds the same JSON document ``ia-desk report add`` takes, so validation is the
core's (``services.intake.check_form``): every problem is shown at once, in the form's
words, beside the field it names, and each goes away as soon as its field is changed. The
report and its screenshots are stored together or not at all
(``services.intake.submit_report``); the case list shows the new case by itself.

Typed work is not lost by a stray key: Escape, Cancel and closing the window ask before
discarding what was typed; Enter in a line does not save the report (only the Save
button does); Tab in the narrative moves on to the next field. The form scrolls, so it
fits a 1280 x 720 screen with Save always in view.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QStringListModel, Qt, QTimer, QTimeZone
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ia_desk import labels
from ia_desk.casefile.model import EmployeeRow
from ia_desk.errors import InputError
from ia_desk.services import Actor, Database, intake
from ia_desk.services.accounts import allowed
from ia_desk.services.cases import employees
from ia_desk.services.intake import Submitted
from ia_desk.terms import CHANNELS
from ui.dialogs.clause_picker import ClausePickerDialog
from ui.ops import Change, Query
from ui.widgets.fields import date_edit, error_label, may_discard, picked_date
from ui.widgets.pending_evidence import PendingEvidence
from ui.widgets.screen_fit import fit_to_screen
from ui.widgets.suggestion_list import SuggestionList
from ui.worker import show_error

PLATFORMS = [
    "Facebook",
    "Instagram",
    "X (Twitter)",
    "TikTok",
    "Snapchat",
    "YouTube",
    "LinkedIn",
    "Reddit",
    "Nextdoor",
    "WhatsApp",
    "Other",
]


class IntakeDialog(QDialog):
    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.result_: Submitted | None = None
        self.roster: dict[str, EmployeeRow] = {}
        self.setWindowTitle("New report")
        self.errors: dict[str, QLabel] = {}
        frame = QVBoxLayout(self)
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.form_body = body = QWidget()
        outer = QVBoxLayout(body)
        self.form_scroll.setWidget(body)
        frame.addWidget(self.form_scroll, 1)

        # -- reporter
        rep = QGroupBox("Reporter")
        rl = QVBoxLayout(rep)
        modes = QHBoxLayout()
        self.mode_group = QButtonGroup(self)
        self.mode_buttons: dict[str, QRadioButton] = {}
        for mode, label in (
            ("named", "Named"),
            ("confidential", "Confidential (identity for IA only)"),
            ("anonymous", "Anonymous (no identity kept)"),
        ):
            b = QRadioButton(label)
            self.mode_group.addButton(b)
            self.mode_buttons[mode] = b
            modes.addWidget(b)
        self.mode_buttons["confidential"].setChecked(True)
        rl.addLayout(modes)
        self.identity = QWidget()
        il = QFormLayout(self.identity)
        il.setContentsMargins(0, 0, 0, 0)
        self.rep_name = QLineEdit()
        self.rep_badge = QLineEdit(placeholderText="if the reporter is an employee")
        self.rep_phone = QLineEdit()
        self.rep_email = QLineEdit()
        self.good_faith = QCheckBox(
            "Employee reporting in good faith (protected, policy 3.21 §V.C)"
        )
        self.good_faith.setChecked(True)
        il.addRow("Name", self._with_error(self.rep_name, "reporter.name"))
        il.addRow("Badge", self._with_error(self.rep_badge, "reporter.badge"))
        il.addRow("Phone", self._with_error(self.rep_phone, "reporter.phone"))
        il.addRow("E-mail", self._with_error(self.rep_email, "reporter.email"))
        il.addRow("", self._with_error(self.good_faith, "reporter.good_faith"))
        rl.addWidget(self.identity)
        self.anon = QWidget()
        al = QFormLayout(self.anon)
        al.setContentsMargins(0, 0, 0, 0)
        self.tracking = QLineEdit(placeholderText="optional: the code of an earlier report")
        al.addRow(
            "Earlier tracking code", self._with_error(self.tracking, "reporter.tracking_code")
        )
        rl.addWidget(self.anon)
        self.mode_group.buttonToggled.connect(self._mode_changed)
        outer.addWidget(rep)

        # -- receipt
        rec = QGroupBox("Receipt")
        fl = QFormLayout(rec)
        self.received = QDateTimeEdit(
            QDateTime.currentDateTime(), calendarPopup=True, displayFormat="yyyy-MM-dd HH:mm"
        )
        self.channel = QComboBox()
        for c in CHANNELS:
            self.channel.addItem(labels.channel(c), c)
        fl.addRow("Received", self._with_error(self.received, "received_at"))
        fl.addRow("Channel", self._with_error(self.channel, "channel"))
        outer.addWidget(rec)

        # -- subjects
        sub = QGroupBox("Employees complained about")
        sl = QVBoxLayout(sub)
        row = QHBoxLayout()
        self.subject_input = QLineEdit(
            placeholderText="Badge or name; pick from the roster or type a new badge"
        )
        self.completer = QCompleter([], self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.subject_input.setCompleter(self.completer)
        add = QPushButton("Add employee")
        add.clicked.connect(self._add_subject)
        self.subject_input.returnPressed.connect(self._add_typed_subject)
        # A pick from the roster adds that employee and empties the box (the completer
        # writes the picked text back after the pick: cleared on the next turn).
        self.completer.activated.connect(self._add_picked_subject)
        row.addWidget(self.subject_input, 1)
        row.addWidget(add)
        sl.addLayout(row)
        self.subjects = QTableWidget(0, 5)
        self.subjects.setHorizontalHeaderLabels(["Badge", "Name", "Department", "Rank", "Unit"])
        self.subjects.horizontalHeader().setStretchLastSection(True)
        self.subjects.setMaximumHeight(120)
        sl.addWidget(self._with_error(self.subjects, "subjects"))
        remove = QPushButton("Remove selected")
        remove.clicked.connect(lambda: self.subjects.removeRow(self.subjects.currentRow()))
        sl.addWidget(remove, 0, Qt.AlignmentFlag.AlignRight)
        outer.addWidget(sub)

        # -- incident
        inc = QGroupBox("Incident")
        ifl = QFormLayout(inc)
        self.occurred = date_edit(QDate.currentDate())
        self.platform = QComboBox(editable=True)
        self.platform.addItems(PLATFORMS)
        self.platform.setCurrentIndex(-1)  # no silent default: the user picks
        if (platform_line := self.platform.lineEdit()) is not None:
            platform_line.setPlaceholderText("Pick or type the platform")
        self.url = QLineEdit(placeholderText="https://…")
        self.narrative = QPlainTextEdit()
        self.narrative.setPlaceholderText("What was posted, where, and what the reporter saw.")
        self.narrative.setTabChangesFocus(True)
        ifl.addRow("Occurred on", self._with_error(self.occurred, "incident.occurred_on"))
        ifl.addRow("Platform", self._with_error(self.platform, "incident.platform"))
        ifl.addRow("Post URL", self._with_error(self.url, "incident.url"))
        ifl.addRow("Narrative", self._with_error(self.narrative, "incident.narrative"))
        outer.addWidget(inc)

        # -- clauses
        cl = QGroupBox("Clauses breached")
        cll = QHBoxLayout(cl)
        self.clauses = QListWidget()
        self.clauses.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.clauses.setMaximumHeight(90)
        cll.addWidget(self._with_error(self.clauses, "clauses"), 1)
        buttons_col = QVBoxLayout()
        pick = QPushButton("Add clause…")
        pick.clicked.connect(self._pick_clause)
        drop = QPushButton("Remove")
        drop.clicked.connect(lambda: self.clauses.takeItem(self.clauses.currentRow()))
        buttons_col.addWidget(pick)
        buttons_col.addWidget(drop)
        cll.addLayout(buttons_col)
        outer.addWidget(cl)
        self.suggestions = SuggestionList()
        take = QPushButton("Add suggested clause")
        take.clicked.connect(self.suggestions.add_selected)
        self.suggestions.add_clause.connect(self.add_clause_id)
        buttons_col.addWidget(take)
        cll.insertWidget(1, self.suggestions, 2)
        self.narrative.textChanged.connect(self._suggest)

        ev = QGroupBox("Screenshots (stored with the case, hashed with SHA-256)")
        evl = QVBoxLayout(ev)
        self.pending = PendingEvidence()
        evl.addWidget(self._with_error(self.pending, "file"))
        outer.addWidget(ev)

        self.general_error = error_label(wrap=True)
        frame.addWidget(self.general_error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = box.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save and open case")
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        frame.addWidget(box)
        # Enter in a line edit must not press a button (see keyPressEvent).
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        self._mode_changed()
        self._clear_errors_when_fixed()
        self._load_roster()
        self._fit_screen()
        self.untouched = self._typed()

    # -- fitting the screen, keeping typed work
    def _fit_screen(self) -> None:
        """As large as the form wants, but never larger than the screen it opens on (the
        form scrolls inside)."""
        want = self.sizeHint().expandedTo(self.form_body.sizeHint())
        fit_to_screen(self, max(want.width() + 40, 900), want.height() + 60)

    def _typed(self) -> tuple[Any, ...]:
        """What the user has entered, to know whether closing would lose anything."""
        doc = self.document()
        doc.pop("received_at", None)
        return (repr(doc), len(self.pending.items), self.received.dateTime().toString())

    def has_typed_work(self) -> bool:
        return self.result_ is None and self._typed() != self.untouched

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Enter in a field does not save the report (the button box makes Save its
        default button when shown); on a focused button it still presses it."""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not isinstance(self.focusWidget(), QPushButton):
            event.accept()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        """Escape, Cancel and closing the window: ask first when anything was entered."""
        if self.has_typed_work() and not self.confirm_discard():
            return
        super().reject()

    def confirm_discard(self) -> bool:
        return may_discard(
            self, "Discard this report?", "The report you have typed is not saved. Discard it?"
        )

    def _clear_errors_when_fixed(self) -> None:
        """A field's error goes away as soon as the field is changed."""
        for key, signal in (
            ("reporter.name", self.rep_name.textChanged),
            ("reporter.badge", self.rep_badge.textChanged),
            ("reporter.phone", self.rep_phone.textChanged),
            ("reporter.email", self.rep_email.textChanged),
            ("reporter.good_faith", self.good_faith.toggled),
            ("reporter.tracking_code", self.tracking.textChanged),
            ("received_at", self.received.dateTimeChanged),
            ("channel", self.channel.currentIndexChanged),
            ("subjects", self.subjects.itemChanged),
            ("subjects", self.subjects.model().rowsInserted),
            ("subjects", self.subjects.model().rowsRemoved),
            ("incident.occurred_on", self.occurred.dateChanged),
            ("incident.platform", self.platform.currentTextChanged),
            ("incident.url", self.url.textChanged),
            ("incident.narrative", self.narrative.textChanged),
            ("clauses", self.clauses.model().rowsInserted),
            ("clauses", self.clauses.model().rowsRemoved),
            ("file", self.pending.list.model().rowsRemoved),
        ):
            signal.connect(lambda *_a, key=key: self._clear_error(key))

    def _clear_error(self, key: str) -> None:
        label = self.errors.get(key)
        if label is not None and label.isVisibleTo(self):
            label.hide()
            label.clear()
        if not any(lbl.isVisibleTo(self) for lbl in self.errors.values()):
            self.general_error.clear()

    # -- helpers
    def _with_error(self, widget: QWidget, field: str) -> QWidget:
        holder = QWidget()
        lay = QVBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addWidget(widget)
        label = error_label(wrap=True)
        label.hide()
        lay.addWidget(label)
        self.errors[field] = label
        return holder

    def mode(self) -> str:
        return next(m for m, b in self.mode_buttons.items() if b.isChecked())

    def _mode_changed(self, *_args: Any) -> None:
        anonymous = self.mode() == "anonymous"
        if anonymous:  # the identity is removed, not merely hidden
            for w in (self.rep_name, self.rep_badge, self.rep_phone, self.rep_email):
                w.clear()
        self.identity.setVisible(not anonymous)
        self.anon.setVisible(anonymous)

    def _load_roster(self) -> None:
        if not allowed(self.actor, "case.read"):
            return  # supervisors type badges; the roster is IA's

        def done(rows: list[EmployeeRow]) -> None:
            self.roster = {r["badge"]: r for r in rows}
            self.completer.setModel(
                QStringListModel([f"{r['badge']} — {r['name']}" for r in rows], self.completer)
            )

        Query(self, lambda: employees(self.db, self.actor, limit=100_000)).success(done).run()

    def _add_typed_subject(self) -> None:
        popup = self.completer.popup()
        if popup is not None and popup.isVisible():
            return  # Enter picks from the roster: the pick adds the employee
        self._add_subject()

    def _add_picked_subject(self, text: str) -> None:
        self._add_subject(text)
        QTimer.singleShot(0, self.subject_input.clear)

    def _add_subject(self, text: str | None = None) -> None:
        text = (self.subject_input.text() if text is None else text).strip()
        self.subject_input.clear()
        if not text:
            return
        badge = text.split(" — ")[0].strip()
        for r in range(self.subjects.rowCount()):
            if (item := self.subjects.item(r, 0)) is not None and item.text().strip() == badge:
                self.subjects.selectRow(r)  # already listed: shown, not added again
                return
        known = self.roster.get(badge)
        row = self.subjects.rowCount()
        self.subjects.insertRow(row)
        values = [
            badge,
            known["name"] if known else "",
            known["department"] if known else "police",
            (known["rank"] or "") if known else "",
            (known["unit"] or "") if known else "",
        ]
        for col, value in enumerate(values):
            item = QTableWidgetItem(value)
            if known:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.subjects.setItem(row, col, item)
        self.subject_input.clear()
        if not known:
            self.subjects.setCurrentCell(row, 1)
            if (name := self.subjects.item(row, 1)) is not None:
                self.subjects.editItem(name)

    def _suggest(self) -> None:
        dept = "police"
        if self.subjects.rowCount() and (first := self.subjects.item(0, 2)) is not None:
            dept = first.text().strip() or "police"
        self.suggestions.update_for(
            self.narrative.toPlainText(), dept if dept in ("police", "city") else "police"
        )

    def add_clause_id(self, clause_id: str) -> None:
        existing = [self.clauses.item(i).text().split("  ")[0] for i in range(self.clauses.count())]
        if clause_id not in existing:
            self.clauses.addItem(f"{clause_id}  {self._title(clause_id)}")

    def _title(self, clause_id: str) -> str:
        from ia_desk.services.policy import default_suggester

        for d in default_suggester().docs:
            if d.clause == clause_id:
                return d.title
        return ""

    def _pick_clause(self) -> None:
        on = picked_date(self.occurred)
        dlg = ClausePickerDialog(self.db, on, self)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.clause_id:
            existing = [
                self.clauses.item(i).text().split("  ")[0] for i in range(self.clauses.count())
            ]
            if dlg.clause_id not in existing:
                title = dlg.tree.clauses[dlg.clause_id]["title"]
                self.clauses.addItem(f"{dlg.clause_id}  {title}")

    def document(self) -> dict[str, Any]:
        """The report as the JSON document the core takes."""
        mode = self.mode()
        reporter: dict[str, Any] = {"mode": mode}
        if mode == "anonymous":
            if self.tracking.text().strip():
                reporter["tracking_code"] = self.tracking.text().strip()
        else:
            reporter.update(
                {
                    "name": self.rep_name.text(),
                    "badge": self.rep_badge.text() or None,
                    "phone": self.rep_phone.text() or None,
                    "email": self.rep_email.text() or None,
                    "good_faith": self.good_faith.isChecked(),
                }
            )
        subjects = []
        for r in range(self.subjects.rowCount()):
            cell = [
                (item.text().strip() if (item := self.subjects.item(r, c)) is not None else "")
                for c in range(5)
            ]
            subjects.append(
                {
                    k: v
                    for k, v in zip(
                        ("badge", "name", "department", "rank", "unit"), cell, strict=True
                    )
                    if v
                }
            )
        local = self.received.dateTime()
        offset = QTimeZone.systemTimeZone().offsetFromUtc(local)
        naive = local.toPython()
        if not isinstance(naive, dt.datetime):  # PySide6 declares toPython() as returning object
            raise TypeError(f"the receipt field held {type(naive).__name__}, not a date and time")
        received = naive.replace(tzinfo=dt.timezone(dt.timedelta(seconds=offset)))
        return {
            "received_at": received.isoformat(),
            "channel": self.channel.currentData(),
            "reporter": reporter,
            "subjects": subjects,
            "incident": {
                "occurred_on": picked_date(self.occurred).isoformat(),
                "platform": self.platform.currentText().strip() or None,
                "url": self.url.text().strip() or None,
                "narrative": self.narrative.toPlainText(),
            },
            "clauses": [
                self.clauses.item(i).text().split("  ")[0] for i in range(self.clauses.count())
            ],
        }

    def show_error(self, exc: InputError) -> None:
        self.show_errors([exc])

    def show_errors(self, problems: list[InputError]) -> None:
        """Every problem beside its field, in the form's words (one not tied to a field
        of the form above the buttons); the first field with a problem is scrolled to."""
        for label in self.errors.values():
            label.hide()
            label.clear()
        self.general_error.clear()
        general: list[str] = []
        first: QLabel | None = None
        for exc in problems:
            field = exc.field or ""
            key = field.split("[")[0] if field.startswith(("subjects[", "clauses[")) else field
            beside = self.errors.get(key)
            if beside is not None and beside.parentWidget() is not None:
                text = labels.message(exc.message, key, beside=key == field)
                beside.setText("\n".join(filter(None, [beside.text(), text])))
                beside.show()
                first = first or beside
            else:
                general.append(labels.message(exc.message, field or None))
        if general:
            self.general_error.setText("\n".join(general))
        if first is not None:
            self.form_scroll.ensureWidgetVisible(first.parentWidget() or first)

    def save(self) -> None:
        report, problems = intake.check_form(self.document())
        if report is None:
            self.show_errors(problems)
            return
        items = list(self.pending.items)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, InputError):
                self.show_error(exc)
            else:
                show_error(self, exc)

        # The case and its screenshots are stored together, or not at all.
        Change(self, lambda: intake.submit_report(self.db, self.actor, report, items)).success(
            self._saved
        ).failure(failed).with_progress("Opening the case…").run()

    def _saved(self, result: Submitted) -> None:
        self.result_ = result
        if self.mode() == "anonymous":
            text = (
                f"Case {result.number} opened.\n\nTracking code for the reporter:\n\n"
                f"    {result.tracking_code}\n\nIt is shown only now: hand it to the "
                "reporter. IA Desk keeps no copy it could show again."
            )
        else:
            text = (
                f"Case {result.number} opened.\n\nTracking code for the reporter: "
                f"{result.tracking_code}"
            )
        if result.linked_cases:
            text += "\n\nLinked to earlier reports: " + ", ".join(result.linked_cases)
        if result.warnings:
            text += "\n\n" + "\n\n".join(w.message for w in result.warnings)
        box = QMessageBox(
            QMessageBox.Icon.Information, "Report saved", text, QMessageBox.StandardButton.Ok, self
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()
        self.accept()
