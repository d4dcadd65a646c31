"""Recording the finding on an allegation: a disposition (none is pre-chosen) and the
rationale, which a finding must give."""

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

from ia_desk import labels
from ia_desk.terms import DISPOSITIONS
from ui.widgets.fields import error_label


class FindingDialog(QDialog):
    def __init__(self, allegation: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Finding: allegation {allegation['id']}")
        form = QFormLayout(self)
        form.addRow("Allegation", QLabel(f"{allegation['employee']} — {allegation['clause']}"))
        self.disposition = QComboBox()
        self.disposition.addItem("Choose a disposition…", None)
        for d in DISPOSITIONS:
            self.disposition.addItem(labels.disposition(d), d)
        if allegation["disposition"]:
            self.disposition.setCurrentIndex(DISPOSITIONS.index(allegation["disposition"]) + 1)
        self.rationale = QPlainTextEdit(allegation.get("rationale") or "")
        self.rationale.setTabChangesFocus(True)  # Tab moves on; it types no tab
        self.rationale.setPlaceholderText("Why: what the evidence and interviews show")
        form.addRow("Disposition", self.disposition)
        form.addRow("Rationale", self.rationale)
        self.error = error_label()
        form.addRow(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self._check)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def _check(self) -> None:
        if self.disposition.currentData() is None:
            self.error.setText("Choose the disposition.")
        elif not self.rationale.toPlainText().strip():
            self.error.setText("Give the rationale: a finding says why.")
        else:
            self.accept()
