"""The Discipline tab: each subject's ladder, the recommendation and why, decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

RUNG_COLOURS = {
    "counseling": "#4f7942",
    "training": "#6b8e23",
    "written_reprimand": "#b8860b",
    "suspension": "#cc5500",
    "termination": "#a40000",
}


def standing(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The decision in force for the subject (None: not decided yet)."""
    return next((d for d in entry["decisions"] if d["current"]), None)


class DecisionDialog(QDialog):
    """The step and its reason; an amendment of the decision in force needs a reason."""

    def __init__(self, entry: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rec = entry["recommendation"]
        self.amend = standing(entry) is not None
        self.setWindowTitle(
            f"{'Amend the discipline decision' if self.amend else 'Discipline decision'}: "
            f"{entry['name']}"
        )
        form = QFormLayout(self)
        info = QLabel(rec["explanation"])
        info.setWordWrap(True)
        form.addRow(info)
        if self.amend:
            d = standing(entry)
            assert d is not None
            form.addRow(
                QLabel(
                    f"<b>On record:</b> {d['step'].replace('_', ' ')} ({d['at'][:10]}, "
                    f"{d['by']}). The amendment replaces it; both stay in the trail."
                )
            )
        self.step = QComboBox()
        for rung in entry["rungs"]:
            self.step.addItem(rung["label"], rung["step"])
        if rec["step"]:
            self.step.setCurrentIndex([r["step"] for r in entry["rungs"]].index(rec["step"]))
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(
            "Required: why the decision changes"
            if self.amend
            else "Required when the step is outside the range"
        )
        form.addRow("Step", self.step)
        form.addRow("Reason", self.reason)
        self.error = QLabel(styleSheet="color: #b00020")
        form.addRow(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self._check)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def _check(self) -> None:
        if self.amend and not self.reason.toPlainText().strip():
            self.error.setText("An amendment says why the decision changes.")
        else:
            self.accept()


class DisciplinePanel(QScrollArea):
    """One box per subject. ``on_record(badge, step, reason, amend)`` records a decision
    (``amend``: it replaces the one in force)."""

    def __init__(self, can_record: bool, on_record: Callable[[str, str, str, bool], None]) -> None:
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
        while self.box.count():
            item = self.box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
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
        rungs = QHBoxLayout()
        steps = [r["step"] for r in entry["rungs"]]
        lo = hi = -1
        if rec["range"]:
            lo, hi = steps.index(rec["range"][0]), steps.index(rec["range"][1])
        decided = {d["step"] for d in entry["decisions"] if d["current"]}
        for i, rung in enumerate(entry["rungs"]):
            cell = QLabel(rung["label"])
            cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell.setMinimumHeight(44)
            cell.setObjectName(f"rung-{rung['step']}")
            inside = lo <= i <= hi
            colour = RUNG_COLOURS[rung["step"]] if inside else "#c8c8c8"
            border = "4px solid #111" if rung["step"] == rec["step"] else "1px solid #888"
            mark = " ✔" if rung["step"] in decided else ""
            cell.setText(
                rung["label"] + ("\n(recommended)" if rung["step"] == rec["step"] else "") + mark
            )
            cell.setStyleSheet(
                f"background: {colour}; color: white; border: {border}; "
                "padding: 4px; font-weight: bold;"
            )
            rungs.addWidget(cell, 1)
        layout.addLayout(rungs)
        why = QLabel(rec["explanation"])
        why.setWordWrap(True)
        why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(why)
        if entry["decisions"]:
            lines = [
                f"{d['at'][:10]} {d['step'].replace('_', ' ')} by {d['by']}"
                + ("" if d["within_range"] else f" (outside range: {d['reason']})")
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
        dlg = DecisionDialog(entry, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.on_record(
                entry["employee"], dlg.step.currentData(), dlg.reason.toPlainText(), dlg.amend
            )
