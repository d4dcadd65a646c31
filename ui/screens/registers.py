"""The Registers screen: approval requests, the official posting log, training. Read
again whenever the registers change (here, or a referral for training decided in a case
window)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ia_desk import labels
from ia_desk.services import Actor, Changes, Database, Done, registers
from ia_desk.services.accounts import allowed
from ui.dialogs.register_entry import FormDialog
from ui.ops import Change, Query
from ui.screens.screen import Screen
from ui.widgets.tables import fill, make_table

T = TypeVar("T")


class RegistersPage(Screen):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.can_edit = allowed(actor, "registers.manage")
        layout = QVBoxLayout(self)
        tabs = QTabWidget()
        layout.addWidget(tabs)

        approvals = QWidget()
        al = QVBoxLayout(approvals)
        self.approvals = make_table(
            [
                "Id",
                "Badge",
                "Name",
                "Items",
                "Purpose",
                "Submitted",
                "Decision",
                "By",
                "On",
                "Conditions",
            ]
        )
        al.addWidget(self.approvals)
        self._buttons(
            al, [("Record request…", self.add_request), ("Record decision…", self.decide)]
        )
        tabs.addTab(approvals, "Approval requests (§III.E)")

        posts = QWidget()
        pl = QVBoxLayout(posts)
        self.flagged = QCheckBox("Flagged posts only")
        self.flagged.toggled.connect(self.refresh)
        pl.addWidget(self.flagged)
        self.posts = make_table(["Posted (UTC)", "Account", "By", "Approved by", "Flags", "Text"])
        pl.addWidget(self.posts)
        tabs.addTab(posts, "Official posting log (§II.C, §VI.B)")

        training = QWidget()
        tl = QVBoxLayout(training)
        # The yearly review of each policy (3.21 §VI.A), red when due soon or overdue.
        self.reviews = QLabel()
        self.reviews.setObjectName("annualReviews")
        self.reviews.setWordWrap(True)
        self.reviews.setTextFormat(Qt.TextFormat.RichText)
        tl.addWidget(self.reviews)
        tl.addWidget(QLabel("Training upon hiring owed (3.21 §VI.A: mandatory upon hiring)"))
        self.hiring = make_table(["Badge", "Name", "Unit", "Hired", "Where it stands"])
        tl.addWidget(self.hiring)
        self.no_hire_date = QLabel()
        self.no_hire_date.setWordWrap(True)
        tl.addWidget(self.no_hire_date)
        tl.addWidget(QLabel("Training owed after a 'referral for training' decision"))
        self.owed = make_table(["Badge", "Name", "Case", "Since"])
        tl.addWidget(self.owed)
        self._buttons(
            tl,
            [
                ("Record completed training…", self.add_training),
                ("Record hire date…", self.add_hire_date),
            ],
        )
        tabs.addTab(training, "Training (§VI.A)")
        self.hiring_rows: list[dict[str, Any]] = []
        self.owed_rows: list[dict[str, Any]] = []
        self.approval_rows: list[dict[str, Any]] = []

    def _buttons(self, layout: QVBoxLayout, buttons: list[tuple[str, Any]]) -> None:
        if not self.can_edit:
            return
        row = QHBoxLayout()
        for text, slot in buttons:
            b = QPushButton(text)
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)

    def concerns(self, changes: Changes) -> bool:
        return changes.registers

    def refresh(self) -> None:
        flagged = self.flagged.isChecked()

        def work() -> tuple[Any, Any, Any]:
            return (
                registers.approvals(self.db, self.actor),
                registers.posting_log(self.db, self.actor, flagged),
                registers.training_overview(self.db, self.actor),
            )

        Query(self, work).success(self._fill).run()

    def _fill(self, result: tuple[Any, Any, Any]) -> None:
        approvals, posts, training = result
        self.approval_rows = approvals
        fill(
            self.approvals,
            [
                [
                    a["id"],
                    a["employee"],
                    a["name"],
                    labels.approval_items(a["items"]),
                    a["purpose"],
                    a["submitted_on"],
                    labels.approval_decision(a["decision"]),
                    a["decided_by"],
                    a["decided_on"],
                    a["conditions"],
                ]
                for a in approvals
            ],
        )
        fill(
            self.posts,
            [
                [
                    p["posted_at"][:16].replace("T", " "),
                    p["account"],
                    p["posted_by"],
                    p["approved_by"],
                    labels.post_flags(p["flags"]),
                    p["text"],
                ]
                for p in posts
            ],
        )
        self._fill_training(training)

    def _fill_training(self, training: dict[str, Any]) -> None:
        self.hiring_rows, self.owed_rows = training["hiring"], training["owed"]
        fill(
            self.hiring,
            [
                [h["badge"], h["name"], h["unit"], h["hired_on"] or "", labels.hiring_training(h)]
                for h in self.hiring_rows
            ],
        )
        fill(self.owed, [[o["badge"], o["name"], o["case"], o["since"]] for o in self.owed_rows])
        missing = training["no_hire_date"]
        self.no_hire_date.setText(
            f"The hire date of {missing} employee(s) is not on file, so whether they were "
            "trained upon hiring cannot be checked: select one and record it."
            if missing
            else ""
        )
        self.no_hire_date.setVisible(bool(missing))
        # One line per policy; those that need IA now (due soon, overdue, no date to
        # count from) in red.
        lines = []
        for rv in training["reviews"]:
            text = html.escape(
                f"Yearly review of {labels.policy_name(rv['policy'])}: "
                f"{labels.annual_review_status(rv)}"
            )
            if rv["status"] != "reviewed":
                text = f'<b style="color:#b00020">{text}</b>'
            lines.append(text)
        self.reviews.setText("<br>".join(lines))

    def _change(self, change: Callable[[], Done[T]]) -> None:
        """One change through a register's service; the screen reads the registers
        again when the change is announced."""
        Change(self, change).run()

    def add_request(self) -> None:
        def submit(v: dict[str, Any]) -> Done[Any]:
            items = [i.strip() for i in v["items"].split(",") if i.strip()]
            return registers.add_approval(
                self.db, self.actor, v["badge"], items, v["purpose"], v["submitted"], v["policy"]
            )

        FormDialog(
            "Approval request",
            [
                ("badge", "Employee badge", "text"),
                ("items", "What (comma-separated: " + ", ".join(registers.ITEMS) + ")", "text"),
                ("purpose", "Purpose of the site or posting", "text"),
                ("policy", "Policy", ["vpd-3.21", "city-sn"]),
                ("submitted", "Submitted on", "date", ("submitted_on",)),
            ],
            self,
            submit,
        ).exec()

    def decide(self) -> None:
        row = self.approvals.currentRow()
        if not 0 <= row < len(self.approval_rows):
            return
        request_id = int(self.approval_rows[row]["id"])

        def submit(v: dict[str, Any]) -> Done[Any]:
            return registers.decide_approval(
                self.db,
                self.actor,
                request_id,
                v["decision"],
                v["by"],
                v["on"],
                v["conditions"] or None,
            )

        FormDialog(
            f"Decision on request {request_id}",
            [
                (
                    "decision",
                    "Decision",
                    [(d, labels.approval_decision(d)) for d in registers.DECISIONS],
                ),
                ("by", "Decided by", "text", ("decided_by",)),
                ("on", "On", "date", ("decided_on",)),
                ("conditions", "Conditions", "text"),
            ],
            self,
            submit,
        ).exec()

    def _selected_badge(self) -> str:
        """The badge of the employee selected in either training table, if any."""
        for table, rows in ((self.owed, self.owed_rows), (self.hiring, self.hiring_rows)):
            row = table.currentRow()
            if table.hasFocus() and 0 <= row < len(rows):
                return str(rows[row]["badge"])
        for table, rows in ((self.owed, self.owed_rows), (self.hiring, self.hiring_rows)):
            row = table.currentRow()
            if 0 <= row < len(rows):
                return str(rows[row]["badge"])
        return ""

    def add_training(self) -> None:
        def submit(v: dict[str, Any]) -> Done[Any]:
            answers = [n.strip() for n in (v["answers"] or "").split(",") if n.strip()]
            return registers.record_training(
                self.db, self.actor, v["badge"], v["on"], v["course"], v["trainer"], answers
            )

        dialog = FormDialog(
            "Completed training",
            [
                ("badge", "Employee badge", "text"),
                ("on", "Completed on", "date", ("completed_on",)),
                ("course", "Course", "text"),
                ("trainer", "Trainer", "text"),
                ("answers", "Answers the referral for training in case(s)", "text"),
            ],
            self,
            submit,
        )
        badge = self._selected_badge()
        if badge:
            dialog.widgets["badge"].setText(badge)
            owed = [o["case"] for o in self.owed_rows if o["badge"] == badge]
            dialog.widgets["answers"].setText(", ".join(owed))
        dialog.widgets["answers"].setToolTip(
            "A training closes the training owed after a referral only when it answers "
            "that referral: leave empty for the training upon hiring or a refresher."
        )
        dialog.exec()

    def add_hire_date(self) -> None:
        def submit(v: dict[str, Any]) -> Done[Any]:
            return registers.record_hire_date(self.db, self.actor, v["badge"], v["on"])

        dialog = FormDialog(
            "Hire date",
            [
                ("badge", "Employee badge", "text"),
                ("on", "Hired on", "date", ("hired_on",)),
            ],
            self,
            submit,
        )
        dialog.widgets["badge"].setText(self._selected_badge())
        dialog.exec()
