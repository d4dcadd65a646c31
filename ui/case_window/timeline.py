"""The Timeline tab: every audited event of the case, oldest first."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem


class TimelineTable(QTableWidget):
    """When, who, what, its outcome and its details."""

    def __init__(self) -> None:
        super().__init__(0, 5)
        self.setHorizontalHeaderLabels(["When (UTC)", "Who", "Event", "Outcome", "Details"])
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

    def show_events(self, rows: list[dict[str, Any]]) -> None:
        self.setRowCount(len(rows))
        for r, e in enumerate(rows):
            details = json.loads(e["details"]) if e["details"] else {}
            text = ", ".join(f"{k}: {v}" for k, v in details.items())
            for c, v in enumerate(
                [e["at"][:19].replace("T", " "), e["user"], e["event"], e["outcome"], text]
            ):
                self.setItem(r, c, QTableWidgetItem(str(v)))
        self.resizeColumnsToContents()
