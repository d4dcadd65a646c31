"""The Timeline tab: every audited event of the case, oldest first, in words: when (local
time with its zone), who, what happened, its outcome, and the details as a sentence."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from ia_desk import labels


class TimelineTable(QTableWidget):
    """When, who, what, its outcome and its details."""

    def __init__(self) -> None:
        super().__init__(0, 5)
        self.setHorizontalHeaderLabels(["When", "Who", "What happened", "Outcome", "Details"])
        self.horizontalHeader().setStretchLastSection(True)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

    def show_events(self, rows: list[dict[str, Any]]) -> None:
        self.setRowCount(len(rows))
        for r, e in enumerate(rows):
            for c, v in enumerate(
                [
                    labels.local_minute(e["at"]),
                    e["user"],
                    labels.event(e["event"]),
                    labels.outcome(e["outcome"]),
                    labels.details(e["details"]),
                ]
            ):
                item = QTableWidgetItem(str(v))
                if c == 2:
                    item.setToolTip(e["event"])  # the identifier, for the command line
                self.setItem(r, c, item)
        for c in range(4):
            self.resizeColumnToContents(c)
        self.resizeRowsToContents()
