"""The Allegations tab: each subject and clause with its finding, beside the clause's text
as in force on the incident date; adding an allegation and recording a finding."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ia_desk import labels
from ui.case_window.overview import esc


class AllegationsTab(QWidget):
    """The table of allegations and the text of the selected one's clause. The buttons are
    hidden until the case says what this user may do (the window connects them)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.clause_texts: dict[int, str] = {}
        al = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            ["Subject", "Clause", "Title", "Finding", "Finding date"]
        )
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for col in range(5):  # the title takes what is left: the finding is never cut
            header.setSectionResizeMode(
                col,
                QHeaderView.ResizeMode.Stretch
                if col == 2
                else QHeaderView.ResizeMode.ResizeToContents,
            )
        self.table.verticalHeader().setVisible(False)
        self.table.currentCellChanged.connect(self.show_clause)
        split.addWidget(self.table)
        self.clause_text = QTextBrowser()
        split.addWidget(self.clause_text)
        split.setSizes([650, 400])
        al.addWidget(split)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add allegation…")
        self.add_button.setObjectName("action-add-allegation")
        self.finding_button = QPushButton("Record finding…")
        self.finding_button.setObjectName("action-record-finding")
        for btn in (self.add_button, self.finding_button):
            btn.setVisible(False)  # until the case says what this user may do
            row.addWidget(btn)
        row.addStretch(1)
        al.addLayout(row)

    def show_allegations(self, d: dict[str, Any]) -> None:
        """Fill the table from what ``load_case`` read; the first row is selected and its
        clause shown."""
        rows = d["allegations"]
        self.rows, self.clause_texts = rows, d["clause_texts"]
        self.table.setRowCount(len(rows))
        names = {s["badge"]: s.get("name") for s in d.get("subjects", [])}
        for r, a in enumerate(rows):
            values = [
                f"{a['employee']} {names.get(a['employee']) or ''}".strip(),
                a["clause"],
                a["clause_title"],
                labels.disposition(a["disposition"]),
                a["finding_on"] or "",
            ]
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, a["id"])
                self.table.setItem(r, c, item)
        if rows:
            self.table.setCurrentCell(0, 0)
        # Also when the first row was selected already (a reload): its finding may be new.
        self.show_clause(self.table.currentRow())

    def selected(self) -> dict[str, Any] | None:
        """The selected allegation (None: no row selected)."""
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def show_clause(self, row: int, *_: Any) -> None:
        if row < 0 or row >= len(self.rows):
            self.clause_text.clear()
            return
        a = self.rows[row]
        text = self.clause_texts.get(a["id"], "")
        finding = ""
        if a["disposition"]:
            finding = (
                f"<h4>Finding: {labels.disposition(a['disposition'])} "
                f"({a['finding_on']})</h4><p>{esc(a.get('rationale') or '')}</p>"
            )
        self.clause_text.setHtml(
            f"<h3>{a['clause']}</h3><p><i>{esc(a['clause_title'])}</i> — "
            f"{esc(a['clause_version_note'])}</p><p>{esc(text)}</p>" + finding
        )
