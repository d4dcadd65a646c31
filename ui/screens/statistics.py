"""The Statistics screen: figures for a period and unit, bar charts, CSV and PDF export
(IA administrators and command staff: ``stats.view``). The figures are computed again
when the case list changes, as the screen is next looked at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from ia_desk import labels
from ia_desk.services import Actor, Changes, Database
from ui.ops import Query
from ui.screens.screen import Screen
from ui.widgets.bar_chart import BarChart
from ui.widgets.fields import date_edit, picked_date


def month(key: str) -> str:
    """A month of the figures ("2026-03") as a chart names it: "Mar 2026" (wraps under
    a narrow column as "Mar" over "2026")."""
    year, number = key.split("-")
    return f"{dt.date(int(year), int(number), 1):%b %Y}"


class StatisticsPage(Screen):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.figures: dict[str, Any] | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.start = date_edit(QDate(QDate.currentDate().year(), 1, 1))
        self.end = date_edit(QDate.currentDate())
        self.unit = QLineEdit(placeholderText="Unit (all)")
        refresh = QPushButton("Show")
        refresh.clicked.connect(self.refresh)
        csv_btn = QPushButton("Export CSV…")
        csv_btn.clicked.connect(self.export_csv)
        pdf_btn = QPushButton("Annual review PDF…")
        pdf_btn.clicked.connect(self.export_pdf)
        for w in (QLabel("From"), self.start, QLabel("to"), self.end, self.unit, refresh):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(csv_btn)
        bar.addWidget(pdf_btn)
        layout.addLayout(bar)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)
        grid = QGridLayout()
        self.received = BarChart("Cases received per month")
        self.closed = BarChart("Cases closed per month", "#c55a11")
        self.status = BarChart("Open cases by status", "#44546a")
        self.clauses = BarChart("Allegations by clause (top 10)", "#1f3864")
        self.dispositions = BarChart("Allegations by disposition", "#548235")
        self.steps = BarChart("Discipline by step", "#7030a0")
        for i, chart in enumerate(
            (self.received, self.closed, self.status, self.clauses, self.dispositions, self.steps)
        ):
            grid.addWidget(chart, i // 2, i % 2)
        layout.addLayout(grid, 1)

    def period(self) -> tuple[dt.date, dt.date, str | None]:
        return (
            picked_date(self.start),
            picked_date(self.end),
            self.unit.text().strip() or None,
        )

    def concerns(self, changes: Changes) -> bool:
        return changes.case_list

    def refresh(self) -> None:
        start, end, unit = self.period()

        def work() -> dict[str, Any]:
            from ia_desk.services import reports  # ReportLab loads off the start

            return reports.statistics(self.db, self.actor, start, end, unit)

        Query(self, work).success(self._fill).run()

    def _fill(self, f: dict[str, Any]) -> None:
        self.figures = f
        median = f["median_days_to_close"]
        self.summary.setText(
            f"<b>{f['cases']}</b> case(s) received · <b>{sum(f['open_by_status'].values())}"
            f"</b> open · <b>{f['overdue']}</b> overdue · median days to close: <b>"
            f"{'—' if median is None else f'{median:g}'}</b>"
        )
        self.received.set_items([(month(k), v) for k, v in f["received_per_month"].items()])
        self.closed.set_items([(month(k), v) for k, v in f["closed_per_month"].items()])
        self.status.set_items([(labels.status(k).text, v) for k, v in f["open_by_status"].items()])
        top = f["allegations_by_clause"][:10]  # the whole id: two policies share numbers
        self.clauses.set_items([(r["clause"], r["count"]) for r in top], [r["title"] for r in top])
        self.dispositions.set_items(
            [(labels.disposition(k), v) for k, v in f["allegations_by_disposition"].items()]
        )
        self.steps.set_items(
            [(labels.discipline_step(k), v) for k, v in f["discipline_by_step"].items()]
        )

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export statistics", "statistics.csv", "CSV (*.csv)"
        )
        if path and self.figures:
            from ia_desk.services.reports import statistics_csv

            Path(path).write_text(statistics_csv(self.figures), encoding="utf-8")

    def export_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Annual review PDF", "annual-review.pdf", "PDF (*.pdf)"
        )
        if path:
            self.write_pdf(Path(path))

    def write_pdf(self, path: Path) -> None:
        start, end, unit = self.period()

        def work() -> None:
            from ia_desk.services import reports

            printed, _figures = reports.annual_review_pdf(self.db, self.actor, start, end, unit)
            reports.save_pdf(printed, path)

        Query(self, work).with_progress("Building the annual review…").run()
