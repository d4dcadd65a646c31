"""The Brady/Giglio review (ia_desk.discipline.brady): every flag a sustained finding
under a credibility clause raised, for IA and command staff; the IA commander decides a
flag under review (disclose / not disclosable, with the reason) and logs each
disclosure to a prosecutor. What a reader may do with a flag is the service's answer
(``decidable``, ``disclosable``); this dialog decides nothing itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ia_desk.services import Actor, Changes, Database, Done, brady
from ui.dialogs.reason import ReasonDialog
from ui.ops import Change, Query
from ui.widgets.fields import date_edit, error_label, picked_date
from ui.widgets.tables import fill, make_table

ABOUT = Changes(roster=True)


def flag_words(f: dict[str, Any]) -> str:
    """One flag in a line, as the employee's history shows it (HTML-escaped)."""
    told = len(f["disclosures"])
    return escape(
        f"{f['clause']} on {f['case']} ({', '.join(f['grounds'])}): {f['status_words']}"
        + (f", disclosed {told} time(s)" if told else "")
    )


class DisclosureDialog(QDialog):
    """``submit(day, office, disclosed by, what)`` logs the disclosure (off the GUI
    thread); the dialog stays open with the reason beside it when it is refused."""

    def __init__(
        self,
        flag: dict[str, Any],
        submit: Callable[[dt.date, str, str, str], Done[Any]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log a disclosure to a prosecutor")
        self.submit = submit
        layout = QVBoxLayout(self)
        about = QLabel(
            f"Badge {flag['employee']} {flag['name']}: {flag['clause']} on {flag['case']}."
        )
        about.setWordWrap(True)
        layout.addWidget(about)
        form = QFormLayout()
        self.on = date_edit(QDate.currentDate())
        self.on.setMaximumDate(QDate.currentDate())
        form.addRow("Disclosed on", self.on)
        self.office = QLineEdit()
        self.office.setObjectName("brady-office")
        self.office.setPlaceholderText("e.g. District Attorney, Warren County")
        form.addRow("Prosecutor's office", self.office)
        self.by = QLineEdit()
        self.by.setObjectName("brady-by")
        form.addRow("Disclosed by", self.by)
        self.what = QPlainTextEdit()
        self.what.setObjectName("brady-what")
        self.what.setTabChangesFocus(True)
        form.addRow("What was disclosed", self.what)
        layout.addLayout(form)
        self.error = error_label(wrap=True)
        layout.addWidget(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.resize(560, 340)

    def save(self) -> None:
        on, office = picked_date(self.on), self.office.text()
        by, what, submit = self.by.text(), self.what.toPlainText(), self.submit
        Change(self, lambda: submit(on, office, by, what)).about(ABOUT).refusals_in(
            self.error
        ).success(lambda _value: self.accept()).run()


class BradyReviewDialog(QDialog):
    """The flags, newest first, and what the reader may do with the one selected."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Brady/Giglio review")
        self.db, self.actor = db, actor
        self.flags: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        self.table = make_table(
            ["Flag", "Badge", "Name", "Case", "Clause", "Bears on", "Status", "Disclosed"]
        )
        self.table.setObjectName("brady-flags-table")
        self.table.currentCellChanged.connect(lambda *_: self._selected())
        layout.addWidget(self.table, 1)
        self.detail = QTextBrowser()
        self.detail.setObjectName("brady-detail")
        self.detail.setMaximumHeight(150)
        layout.addWidget(self.detail)
        row = QHBoxLayout()
        self.disclose = QPushButton("Decide: disclose…")
        self.disclose.setObjectName("brady-decide-disclose")
        self.disclose.clicked.connect(lambda: self._decide("disclose"))
        self.not_disclosable = QPushButton("Decide: not disclosable…")
        self.not_disclosable.setObjectName("brady-decide-not-disclosable")
        self.not_disclosable.clicked.connect(lambda: self._decide("not_disclosable"))
        self.log = QPushButton("Log disclosure…")
        self.log.setObjectName("brady-log-disclosure")
        self.log.clicked.connect(self._log)
        for b in (self.disclose, self.not_disclosable, self.log):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.resize(900, 480)
        self._selected()

    def refresh(self) -> None:
        db, actor = self.db, self.actor
        Query(self, lambda: brady.flags(db, actor)).success(self._fill).run()

    def _fill(self, flags: list[dict[str, Any]]) -> None:
        keep = self.current()
        self.flags = flags
        fill(
            self.table,
            [
                [
                    f["id"],
                    f["employee"],
                    f["name"],
                    f["case"],
                    f["clause"],
                    ", ".join(f["grounds"]),
                    f["status_words"],
                    len(f["disclosures"]),
                ]
                for f in flags
            ],
        )
        ids = [f["id"] for f in flags]
        if flags:
            self.table.setCurrentCell(ids.index(keep["id"]) if keep and keep["id"] in ids else 0, 0)
        self._selected()

    def current(self) -> dict[str, Any] | None:
        row = self.table.currentRow()
        return self.flags[row] if 0 <= row < len(self.flags) else None

    def _selected(self) -> None:
        f = self.current()
        self.disclose.setVisible(bool(f and f["decidable"]))
        self.not_disclosable.setVisible(bool(f and f["decidable"]))
        self.log.setVisible(bool(f and f["disclosable"]))
        if f is None:
            self.detail.setHtml("No Brady/Giglio flags." if not self.flags else "")
            return
        lines = [
            f"<b>{escape(f['clause'])}</b> on {escape(f['case'])}: {escape(f['why'])}",
            f"Status: {escape(f['status_words'])}"
            + (f" ({escape(f['reason'] or '')})" if f["reason"] else ""),
        ]
        lines += [
            escape(f"Disclosed {d['disclosed_on']} to {d['office']} by {d['disclosed_by']}")
            for d in f["disclosures"]
        ]
        if f["notice"]:
            lines.append(f"<b>{escape(f['notice'])}</b>")
        self.detail.setHtml("<br>".join(lines))

    def _decide(self, decision: str) -> None:
        f = self.current()
        if f is None:
            return
        db, actor, flag_id = self.db, self.actor, f["id"]
        words = "disclosable" if decision == "disclose" else "not disclosable"
        dialog = ReasonDialog(
            "Brady/Giglio decision",
            f"Badge {f['employee']} {f['name']}: {f['clause']} on {f['case']}.\n\n"
            f"Why is it {words}?",
            lambda reason: brady.decide(db, actor, flag_id, decision, reason),
            ABOUT,
            self,
        )
        if dialog.exec():
            self.refresh()

    def _log(self) -> None:
        f = self.current()
        if f is None:
            return
        db, actor, flag_id = self.db, self.actor, f["id"]
        dialog = DisclosureDialog(
            f,
            lambda on, office, by, what: brady.disclose(db, actor, flag_id, on, office, by, what),
            self,
        )
        if dialog.exec():
            self.refresh()
