"""Editing the discipline matrix (IA administrators). Saving stores a new version with a
reason; the core validates it and audits the change."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ia_desk.db.engine import Database
from ia_desk.discipline.matrix import SEVERITY, current, update_matrix
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor
from ui.widgets.fields import error_label


class MatrixEditor(QDialog):
    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        with db.read() as s:
            self.matrix = current(s)
        self.setWindowTitle(f"Discipline matrix (version {self.matrix['version']})")
        self.resize(1000, 720)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.lookback = QSpinBox(minimum=1, maximum=240, suffix=" months")
        self.lookback.setValue(int(self.matrix["lookback_months"]))
        form.addRow("Look-back window for prior sustained cases", self.lookback)
        layout.addLayout(form)
        steps = list(self.matrix["steps"])
        self.classes = QTableWidget(len(self.matrix["classes"]), 4)
        self.classes.setHorizontalHeaderLabels(["Class", "Presumptive step", "Lowest", "Highest"])
        self.class_combos: dict[str, list[QComboBox]] = {}
        for r, (name, spec) in enumerate(sorted(self.matrix["classes"].items())):
            self.classes.setItem(r, 0, QTableWidgetItem(f"{name} {spec['label']}"))
            combos = []
            for c, value in enumerate((spec["presumptive"], *spec["range"]), start=1):
                box = QComboBox()
                box.addItems(steps)
                box.setCurrentText(value)
                self.classes.setCellWidget(r, c, box)
                combos.append(box)
            self.class_combos[name] = combos
        self.classes.setMaximumHeight(170)
        layout.addWidget(self.classes)
        self.clauses = QTableWidget(len(self.matrix["clauses"]), 4)
        self.clauses.setHorizontalHeaderLabels(["Clause", "Class", "Immediate action", "Why"])
        self.clause_widgets: dict[str, tuple[QComboBox, QCheckBox]] = {}
        for r, (cid, spec) in enumerate(sorted(self.matrix["clauses"].items())):
            self.clauses.setItem(r, 0, QTableWidgetItem(cid))
            box = QComboBox()
            box.addItems(SEVERITY)
            box.setCurrentText(spec["class"])
            check = QCheckBox()
            check.setChecked(bool(spec.get("immediate_action")))
            self.clauses.setCellWidget(r, 1, box)
            self.clauses.setCellWidget(r, 2, check)
            self.clauses.setItem(r, 3, QTableWidgetItem(spec.get("why", "")))
            self.clause_widgets[cid] = (box, check)
        self.clauses.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.clauses)
        self.reason = QLineEdit(placeholderText="Why the matrix changes (kept in the audit trail)")
        layout.addWidget(self.reason)
        self.error = error_label(wrap=True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons, 0, Qt.AlignmentFlag.AlignRight)
        self.saved_version: int | None = None

    def content(self) -> dict[str, Any]:
        out = copy.deepcopy({k: v for k, v in self.matrix.items() if k != "version"})
        out["lookback_months"] = self.lookback.value()
        for name, (pres, lo, hi) in self.class_combos.items():
            out["classes"][name]["presumptive"] = pres.currentText()
            out["classes"][name]["range"] = [lo.currentText(), hi.currentText()]
        for cid, (box, check) in self.clause_widgets.items():
            out["clauses"][cid]["class"] = box.currentText()
            out["clauses"][cid]["immediate_action"] = check.isChecked()
        return out

    def save(self) -> None:
        try:
            with self.db.write(self.actor) as s:
                self.saved_version = update_matrix(
                    s, self.actor, self.content(), self.reason.text()
                )
        except InputError as exc:
            self.error.setText(exc.message)
            return
        self.accept()
