"""Marking text of a case to withhold from everyone outside IA (*Withhold text…*)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from ia_desk.terms import REDACTION_KINDS
from ui.widgets.fields import error_label


class WithholdDialog(QDialog):
    """Mark text of a case to withhold from everyone outside IA."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Withhold text outside IA")
        form = QFormLayout(self)
        note = QLabel(
            "Everywhere this case is read, printed, exported or searched outside IA, the "
            "text is replaced by [withheld]. The confidential reporter's name, badge, phone "
            "and e-mail are withheld without marking."
        )
        note.setWordWrap(True)
        form.addRow(note)
        self.text = QLineEdit()
        self.text.setMaxLength(200)
        self.kind = QComboBox()
        for kind, what in REDACTION_KINDS.items():
            self.kind.addItem(what[0].upper() + what[1:], kind)
        form.addRow("Text", self.text)
        form.addRow("What it is", self.kind)
        self.error = error_label()
        form.addRow(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self._check)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def _check(self) -> None:
        if not self.text.text().strip():
            self.error.setText("Type the text to withhold.")
        else:
            self.accept()
