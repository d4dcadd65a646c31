"""The Discipline tab: each subject's ladder, the recommendation and why, decisions."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ia_desk import labels
from ia_desk.services import Done
from ui.dialogs.decision import DecisionDialog, standing
from ui.widgets.ladder import Ladder
from ui.widgets.layouts import clear_layout

# (badge, step, reason, suspension days, without pay, amend) -> the change made
Record = Callable[[str, str, str | None, int | None, bool | None, bool], Done[Any]]


class DisciplinePanel(QScrollArea):
    """One box per subject. ``on_record(badge, step, reason, days, without_pay, amend)``
    records a decision (``amend``: it replaces the one in force); the decision dialog
    calls it and stays open when it is refused."""

    def __init__(self, can_record: bool, on_record: Record) -> None:
        super().__init__()
        self.can_record = can_record
        self.on_record = on_record
        self.setWidgetResizable(True)
        self.inner = QWidget()
        self.box = QVBoxLayout(self.inner)
        self.setWidget(self.inner)
        self.entries: list[dict[str, Any]] = []

    def show_ladder(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries
        clear_layout(self.box)
        for entry in entries:
            self.box.addWidget(self._subject(entry))
        self.box.addStretch(1)

    def _subject(self, entry: dict[str, Any]) -> QWidget:
        rec = entry["recommendation"]
        group = QGroupBox(
            f"{entry['name']} (badge {entry['employee']}), "
            f"{entry['rank'] or ''} {entry['unit'] or ''}"
        )
        layout = QVBoxLayout(group)
        layout.addWidget(Ladder(entry))
        why = QLabel(rec["explanation"])
        why.setWordWrap(True)
        why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(why)
        if entry["decisions"]:
            lines = [
                f"{d['at'][:10]} {labels.discipline_step(d['step'])}"
                + (f", {d['length']}" if d.get("length") else "")
                + f" by {d['by']}"
                + ("" if d["within_range"] else " (outside the range)")
                + (f": {escape(d['reason'])}" if d["reason"] else "")
                + ("" if d["current"] else " (amended)")
                for d in entry["decisions"]
            ]
            layout.addWidget(QLabel("<b>Decisions:</b> " + "; ".join(lines)))
        if entry["history"]:
            past = ", ".join(
                f"{h['case']} {h['step'].replace('_', ' ')} ({h['at']})" for h in entry["history"]
            )
            layout.addWidget(QLabel(f"<b>Earlier discipline:</b> {past}"))
        if self.can_record and rec["step"]:
            btn = QPushButton("Amend decision…" if standing(entry) else "Record decision…")
            btn.setObjectName(f"record-{entry['employee']}")
            btn.clicked.connect(lambda _=False, e=entry: self._decide(e))
            layout.addWidget(btn, 0, Qt.AlignmentFlag.AlignLeft)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout.addWidget(line)
        return group

    def _decide(self, entry: dict[str, Any]) -> None:
        badge, amend, record = entry["employee"], standing(entry) is not None, self.on_record
        DecisionDialog(
            entry,
            lambda step, reason, days, unpaid: record(badge, step, reason, days, unpaid, amend),
            self,
        ).exec()
