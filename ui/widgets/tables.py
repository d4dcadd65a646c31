"""Read-only tables of rows, as the screens show them."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem


def make_table(headers: list[str]) -> QTableWidget:
    """A read-only table selecting whole rows, its last column stretched."""
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.horizontalHeader().setStretchLastSection(True)
    # Fitting columns to their contents looks at the first 100 rows, not at thousands.
    t.horizontalHeader().setResizeContentsPrecision(100)
    t.verticalHeader().setVisible(False)
    return t


def fill(table: QTableWidget, rows: list[list[Any]]) -> None:
    """Replace the table's rows (None shows as empty) and fit the columns."""
    table.setUpdatesEnabled(False)
    try:
        table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, v in enumerate(values):
                table.setItem(r, c, QTableWidgetItem("" if v is None else str(v)))
        table.resizeColumnsToContents()  # measured on the first rows only (make_table)
    finally:
        table.setUpdatesEnabled(True)
