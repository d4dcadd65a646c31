"""The small forms of the Registers screen: an approval request, a decision on one, a
completed training. Named line edits, combos and dates."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from ui.widgets.fields import date_edit, picked_date


class FormDialog(QDialog):
    """A small form: named line edits, combos and dates; values() returns them."""

    def __init__(
        self, title: str, fields: list[tuple[str, str, Any]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.widgets: dict[str, Any] = {}
        for key, label, kind in fields:
            if isinstance(kind, list):
                w: Any = QComboBox()
                w.addItems(kind)
            elif kind == "date":
                w = date_edit(QDate.currentDate())
            else:
                w = QLineEdit()
            self.widgets[key] = w
            form.addRow(label, w)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.widgets.items():
            if isinstance(w, QComboBox):
                out[key] = w.currentText()
            elif isinstance(w, QDateEdit):
                out[key] = picked_date(w)
            else:
                out[key] = w.text()
        return out
