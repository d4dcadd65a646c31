"""The "Interviews" tab (IA roles and command staff; issue 22): the case's interviews, each
with the compelled (Garrity) mark where it applies, and the selected one in full as its
reader may see it. IA reads everything, with the exact advisement text given and the
earlier versions of an amended interview; command staff read that it took place, when,
of which subject (a witness is not named), the advisement and the mark, never IA's
summary. *Record interview…* and *Amend…* are IA's, disabled with the reason otherwise.

The interviews come with the case's own read (the window's), so the tab shows what the
rest of the window shows and reloads with it."""

from __future__ import annotations

from html import escape as esc
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ia_desk import labels
from ia_desk.services import Actor, Database
from ia_desk.terms import COMPELLED_MARK

COMPELLED = QColor("#a40000")
HEADERS = ["When", "Interviewee", "Advisement", "Statement", "Version"]


def _when(i: dict[str, Any]) -> str:
    return f"{i['started'][:16].replace('T', ' ')}–{i['ended'][11:16]}"


def interview_html(i: dict[str, Any]) -> str:
    """One interview in full, as its reader may see it (the view decides what is there)."""
    adv = i["advisement"]
    out = [f"<h3>Interview {i['id']}: {esc(i['kind_words'])}, {esc(i['interviewee'])}</h3>"]
    if i["compelled"]:
        out.append(
            f"<p style='background:#a40000;color:white;padding:4px'><b>"
            f"{esc(COMPELLED_MARK.upper())}</b>: never for a criminal file.</p>"
        )
    out.append(f"<p><b>When:</b> {esc(_when(i))} (local time of the interview)")
    out.append(f"<br/><b>Advisement:</b> {esc(adv['words'])}, version {esc(adv['version'])}</p>")
    if "summary" not in i:  # command staff's view
        out.append(
            "<p>"
            + ("The statement is attached as evidence. " if i["statement_attached"] else "")
            + (f"Amended {i['amended']} time(s). " if i["amended"] else "")
            + "IA's summary of the interview, its place and who sat in stay with IA.</p>"
        )
        return "".join(out)
    rep = esc(i["representation_words"])
    if i["representation"] == "present":
        rep += f": {esc(i['rep_name'])} ({esc(i['rep_capacity_words'])})"
    asked = "asked for one" if i["rep_requested"] else "did not ask for one"
    out.append(
        f"<p><b>Place:</b> {esc(i['place'])}<br/><b>Interviewers:</b> "
        f"{esc(', '.join(i['interviewers']))}<br/><b>Representative (Weingarten):</b> {rep}; "
        f"the interviewee {asked}.<br/><b>Advised at</b> "
        f"{esc(i['advised_at'][11:16])}: {esc(i['acknowledgement_words'])}."
    )
    if i["statement"]:
        s = i["statement"]
        out.append(
            f"<br/><b>Statement:</b> evidence item {s['id']}, {esc(s['file_name'])} "
            f"(SHA-256 {esc(s['sha256'][:16])}…)"
        )
    out.append("</p><p><b>Summary</b><br/>" + esc(i["summary"]).replace("\n", "<br/>") + "</p>")
    if i["amend_reason"]:
        out.append(
            f"<p><b>Amended</b> {esc(labels.local_minute(i['recorded_at']))} by "
            f"{esc(i['recorded_by'])}: {esc(i['amend_reason'])}</p>"
        )
    for old in i["history"]:
        out.append(
            f"<p style='color:#6b6b6b'><i>Earlier version (interview {old['id']}, recorded "
            f"{esc(labels.local_minute(old['recorded_at']))} by {esc(old['recorded_by'])}):"
            f"</i> {esc(_when(old))}, {esc(old['place'])}; "
            f"{esc(old['summary']).replace(chr(10), '<br/>')}</p>"
        )
    text = adv["text"] or f"[{adv['text_problem']}]"
    out.append(
        f"<p><b>The advisement as given</b> (SHA-256 {esc(adv['sha256'])}):</p>"
        f"<pre style='white-space:pre-wrap'>{esc(text)}</pre>"
    )
    return "".join(out)


class InterviewsTab(QWidget):
    """The list and the selected interview; the window passes its case read and the
    reason, if any, why the reader may not record one now."""

    def __init__(self, db: Database, actor: Actor, number: str) -> None:
        super().__init__()
        self.db, self.actor, self.number = db, actor, number
        self.rows: list[dict[str, Any]] = []
        self.data: dict[str, Any] = {}
        self.refused: str | None = "the case is not read yet"
        layout = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._show_selected)
        split.addWidget(self.table)
        self.detail = QTextBrowser()
        self.detail.setPlaceholderText("Select an interview to read it.")
        split.addWidget(self.detail)
        split.setSizes([220, 360])
        layout.addWidget(split, 1)
        row = QHBoxLayout()
        self.record_btn = QPushButton("Record interview…")
        self.record_btn.setObjectName("interviews-record")
        self.record_btn.clicked.connect(self._record)
        self.amend_btn = QPushButton("Amend…")
        self.amend_btn.setObjectName("interviews-amend")
        self.amend_btn.clicked.connect(self._amend)
        self.why = QLabel()
        self.why.setWordWrap(True)
        row.addWidget(self.record_btn)
        row.addWidget(self.amend_btn)
        row.addWidget(self.why, 1)
        layout.addLayout(row)
        self._enable()

    def show_interviews(self, data: dict[str, Any], refused: str | None) -> None:
        """The case as the window read it, and why recording is not offered (or None)."""
        self.data = data
        self.rows = list(data.get("interviews", []))
        self.refused = refused
        chosen = self.selected()
        self.table.setRowCount(len(self.rows))
        for r, i in enumerate(self.rows):
            adv = i["advisement"]
            statement = (
                f"item {i['statement']['id']}"
                if i.get("statement")
                else ("attached" if i.get("statement_attached") else "")
            )
            texts = [
                _when(i),
                f"{i['kind_words']}: {i['interviewee']}",
                f"{adv['kind'].capitalize()} {adv['version']}",
                (COMPELLED_MARK + (f" · {statement}" if statement else ""))
                if i["compelled"]
                else statement,
                f"{i['version']}" + (" (amended)" if i["version"] > 1 else ""),
            ]
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if i["compelled"] and c == 3:
                    item.setForeground(QBrush(COMPELLED))
                self.table.setItem(r, c, item)
        for c in range(self.table.columnCount() - 1):
            self.table.resizeColumnToContents(c)
        if chosen is not None:
            for r, i in enumerate(self.rows):
                if i["id"] == chosen["id"] or i.get("amends") == chosen["id"]:
                    self.table.selectRow(r)
        self._show_selected()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def _show_selected(self) -> None:
        i = self.selected()
        if i is None:
            self.detail.clear()
        else:
            self.detail.setHtml(interview_html(i))
        self._enable()

    def _enable(self) -> None:
        refused = self.refused
        self.record_btn.setEnabled(refused is None)
        self.record_btn.setToolTip(f"Not now: {refused}." if refused else "")
        chosen = self.selected()
        amend_why = refused or (None if chosen else "select the interview to amend")
        self.amend_btn.setEnabled(amend_why is None)
        self.amend_btn.setToolTip(f"Not now: {amend_why}." if amend_why else "")
        self.why.setText(f"<i>Not now: {esc(refused)}.</i>" if refused else "")

    def _record(self) -> None:
        from ui.dialogs.interview import InterviewDialog

        InterviewDialog(self.db, self.actor, self.number, self.data, self).exec()

    def _amend(self) -> None:
        from ui.dialogs.interview import InterviewDialog

        chosen = self.selected()
        if chosen is not None:
            InterviewDialog(self.db, self.actor, self.number, self.data, self, chosen).exec()
