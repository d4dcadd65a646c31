"""The Registers screen: approval requests (with their decisions, links to cases and
removal directions), the official accounts and their posting log, training. Read
again whenever the registers change (here, or a referral for training decided in a case
window)."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ia_desk import labels
from ia_desk.errors import InputError
from ia_desk.services import Actor, Changes, Database, Done, registers
from ia_desk.services.accounts import allowed
from ui.dialogs.register_entry import Checks, FormDialog
from ui.ops import Change, Query
from ui.screens.screen import Screen
from ui.widgets.tables import fill, make_table

T = TypeVar("T")


def _when(value: str | None) -> str:
    """A stored UTC moment as local time to the minute (empty for none)."""
    return labels.local_minute(value.removesuffix("Z")) if value else ""


ITEM_CHOICES = Checks((i, labels.approval_items([i])) for i in registers.ITEMS)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# No standing is chosen for the user: who decided, and as what, is a fact to enter.
STANDING_CHOICES: list[tuple[str | None, str]] = [(None, "Choose…")] + [
    (a, _capital(labels.approver(a))) for a in registers.STANDINGS
]


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
                "Under",
                "Items",
                "Decision",
                "By",
                "As",
                "On",
                "Removal",
                "Submitted",
                "Purpose",
                "Conditions",
            ]
        )
        self.approvals.itemSelectionChanged.connect(self._show_request)
        al.addWidget(self.approvals, 1)
        self.request_detail = QLabel()
        self.request_detail.setObjectName("request_detail")
        self.request_detail.setWordWrap(True)
        al.addWidget(self.request_detail)
        self._buttons(
            al,
            [
                ("Record request…", self.add_request),
                ("Record decision…", self.decide),
                ("Link to a case…", self.link),
                ("Direct removal…", self.direct_removal),
                ("Removal done…", self.removal_done),
            ],
        )
        tabs.addTab(approvals, "Approval requests (§III.E, §III.R)")

        posts = QWidget()
        pl = QVBoxLayout(posts)
        pl.addWidget(QLabel("Official accounts (§I.D: the page shows the phone and the address)"))
        self.accounts = make_table(["Id", "Platform", "Handle", "Phone", "Address", "Authorised"])
        self.accounts.setMaximumHeight(130)
        pl.addWidget(self.accounts)
        self.flagged = QCheckBox("Flagged posts only")
        self.flagged.toggled.connect(self.refresh)
        pl.addWidget(self.flagged)
        self.posts = make_table(
            ["Posted", "Approved", "Flags", "Account", "By", "Approved by", "Logged", "Text"]
        )
        pl.addWidget(self.posts, 1)
        self._buttons(
            pl, [("Add official account…", self.add_account), ("Log a post…", self.log_post)]
        )
        tabs.addTab(posts, "Official posting log (§I.D, §II.C, §VI.B)")
        self.tabs = tabs

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
        self.account_rows: list[dict[str, Any]] = []

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

        def work() -> tuple[Any, Any, Any, Any]:
            return (
                registers.approvals(self.db, self.actor),
                registers.accounts(self.db, self.actor),
                registers.posting_log(self.db, self.actor, flagged),
                registers.training_overview(self.db, self.actor),
            )

        Query(self, work).success(self._fill).run()

    def _fill(self, result: tuple[Any, Any, Any, Any]) -> None:
        approvals, accounts, posts, training = result
        self.approval_rows = approvals
        self.account_rows = accounts
        fill(
            self.approvals,
            [
                [
                    a["id"],
                    a["employee"],
                    a["name"],
                    labels.approval_clause_short(a["clause"]),
                    labels.approval_items(a["items"]),
                    labels.approval_decision(a["decision"])
                    + (
                        " (does not count)"
                        if a["decision"] == "approved" and not a["counts"]
                        else ""
                    ),
                    a["decided_by"],
                    _capital(labels.approver(a["decided_as"])) if a["decision"] else "",
                    a["decided_on"],
                    _capital(a["removal"] or ""),
                    a["submitted_on"],
                    a["purpose"],
                    a["conditions"],
                ]
                for a in approvals
            ],
        )
        self._show_request()
        yes = {True: "Shown", False: "MISSING"}
        fill(
            self.accounts,
            [
                [
                    a["id"],
                    a["platform"],
                    a["handle"],
                    yes[a["shows_phone"]],
                    yes[a["shows_address"]],
                    ", ".join(a["authorised"]),
                ]
                for a in accounts
            ],
        )
        fill(
            self.posts,
            [
                [
                    _when(p["posted_at"]),
                    _when(p["approved_at"]),
                    labels.post_flags(p["flags"]),
                    p["account"],
                    p["posted_by"],
                    p["approved_by"],
                    _when(p["recorded_at"]),
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

    def _selected(self) -> dict[str, Any] | None:
        row = self.approvals.currentRow()
        if not 0 <= row < len(self.approval_rows):
            return None
        return self.approval_rows[row]

    def _show_request(self) -> None:
        """The selected request's memorandum: description (§III.E.1), site, layout."""
        a = self._selected()
        if a is None:
            self.request_detail.setText("Select a request to read its memorandum.")
            return
        parts = [
            f"Request {a['id']}: {labels.approval_clause(a['clause'])}",
            f"Proposed usage (§III.E.1): {a['description'] or 'not recorded'}",
            f"Purpose (§III.E.2): {a['purpose']}",
            f"Site: {a['site_url'] or 'not recorded'}",
            f"Layout: {a['layout'] or 'none attached'}",
        ]
        if a["removal_reason"]:
            parts.append(f"Removal directed because: {a['removal_reason']}")
        self.request_detail.setText(" ".join(p.rstrip(".") + "." for p in parts))

    def _change(self, change: Callable[[], Done[T]]) -> None:
        """One change through a register's service; the screen reads the registers
        again when the change is announced."""
        Change(self, change).run()

    def add_request(self) -> None:
        def submit(v: dict[str, Any]) -> Done[Any]:
            # (Off the GUI thread: the form's change runs this in the worker.)
            clause = v["clause"]
            layout = Path(v["layout"]) if v["layout"] else None
            try:
                data = layout.read_bytes() if layout else None
            except OSError as exc:
                raise InputError(
                    f"layout: cannot read {layout}: {exc.strerror}.", field="layout"
                ) from None
            return registers.add_approval(
                self.db,
                self.actor,
                v["badge"],
                v["items"],
                v["purpose"],
                v["submitted"],
                registers.CLAUSES[clause],
                data,
                layout.name if layout else None,
                clause=clause,
                description=v["description"] or None,
                site_url=v["url"] or None,
            )

        FormDialog(
            "Approval request",
            [
                ("badge", "Employee badge", "text"),
                (
                    "clause",
                    "Under",
                    [(c, labels.approval_clause(c)) for c in registers.CLAUSES],
                    ("policy",),
                ),
                ("items", "What it would depict", ITEM_CHOICES),
                ("description", "Proposed usage (§III.E.1)", "text"),
                ("purpose", "Purpose of the site or posting (§III.E.2)", "text"),
                ("url", "The site's address", "text", ("site_url",)),
                ("layout", "Printed layout (§III.E.3)", "file"),
                ("submitted", "Submitted on", "date", ("submitted_on",)),
            ],
            self,
            submit,
        ).exec()

    def decide(self) -> None:
        a = self._selected()
        if a is None:
            return
        request_id = int(a["id"])

        def submit(v: dict[str, Any]) -> Done[Any]:
            return registers.decide_approval(
                self.db,
                self.actor,
                request_id,
                v["decision"],
                v["by"],
                v["on"],
                v["conditions"] or None,
                v["as"],
            )

        FormDialog(
            f"Decision on request {request_id}",
            [
                (
                    "decision",
                    "Decision",
                    [(d, labels.approval_decision(d)) for d in registers.DECISIONS],
                ),
                ("by", "Decided by (name)", "text", ("decided_by",)),
                ("as", "Deciding as", STANDING_CHOICES, ("decided_as",)),
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

    def link(self) -> None:
        a = self._selected()
        if a is None:
            return
        request_id = int(a["id"])

        def submit(v: dict[str, Any]) -> Done[Any]:
            return registers.link_approval(
                self.db, self.actor, v["case"].strip(), request_id, v["depicts"]
            )

        FormDialog(
            f"Link request {request_id} to a case",
            [
                ("case", "Case number", "text", ("number",)),
                ("depicts", "What the case's post depicts", ITEM_CHOICES),
            ],
            self,
            submit,
        ).exec()

    def direct_removal(self) -> None:
        a = self._selected()
        if a is None:
            return
        request_id = int(a["id"])

        def submit(v: dict[str, Any]) -> Done[Any]:
            return registers.direct_removal(
                self.db,
                self.actor,
                request_id,
                v["by"],
                v["as"],
                v["on"],
                v["due"],
                v["reason"] or None,
            )

        FormDialog(
            f"Direct removal of what request {request_id} approved",
            [
                ("by", "Directed by (name)", "text", ("directed_by",)),
                ("as", "Directing as", STANDING_CHOICES, ("directed_as",)),
                ("on", "Directed on", "date", ("directed_on",)),
                ("due", "To be removed by", "optional_date", ("due_on",)),
                ("reason", "Why", "text"),
            ],
            self,
            submit,
        ).exec()

    def removal_done(self) -> None:
        a = self._selected()
        if a is None:
            return
        request_id = int(a["id"])

        def submit(v: dict[str, Any]) -> Done[Any]:
            return registers.removal_done(self.db, self.actor, request_id, v["on"])

        FormDialog(
            f"Removal done for request {request_id}",
            [("on", "Removed on", "date", ("done_on",))],
            self,
            submit,
        ).exec()

    def add_account(self) -> None:
        def submit(v: dict[str, Any]) -> Done[Any]:
            badges = [b.strip() for b in v["authorised"].split(",") if b.strip()]
            return registers.add_account(
                self.db, self.actor, v["platform"], v["handle"], v["phone"], v["address"], badges
            )

        FormDialog(
            "Official account",
            [
                ("platform", "Platform", "text"),
                ("handle", "Handle", "text"),
                ("phone", "Page shows the Department's phone number (§I.D)", "check"),
                ("address", "Page shows the Department's address (§I.D)", "check"),
                ("authorised", "Badges authorised to post (comma-separated)", "text", ("badge",)),
            ],
            self,
            submit,
        ).exec()

    def log_post(self) -> None:
        choices = [(a["id"], f"{a['platform']} {a['handle']}") for a in self.account_rows]
        if not choices:
            self.tabs.setCurrentIndex(1)
            QMessageBox.information(
                self, "Log a post", "Add the official account first (Add official account…)."
            )
            return

        def submit(v: dict[str, Any]) -> Done[Any]:
            return registers.log_post(
                self.db,
                self.actor,
                int(v["account"]),
                v["text"],
                v["by"],
                v["posted"],
                v["approver"] or None,
                None,
                v["approved"],
            )

        FormDialog(
            "Post on an official account",
            [
                ("account", "Account", choices),
                ("text", "What was posted", "text"),
                ("by", "Posted by (badge)", "text", ("posted_by",)),
                ("posted", "Went up at (local time)", "datetime", ("posted_at",)),
                ("approver", "Approved by (name)", "text", ("approved_by",)),
                ("approved", "Approved at (local time)", "optional_datetime", ("approved_at",)),
            ],
            self,
            submit,
        ).exec()

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
