"""Recording a discipline decision, or amending the one in force (which needs a reason)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from ui.widgets.fields import error_label


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
        self.reason.setTabChangesFocus(True)  # Tab moves on; it types no tab
        self.reason.setPlaceholderText(
            "Required: why the decision changes"
            if self.amend
            else "Required when the step is outside the range"
        )
        form.addRow("Step", self.step)
        form.addRow("Reason", self.reason)
        self.error = error_label()
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
