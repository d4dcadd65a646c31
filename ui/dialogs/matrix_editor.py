"""Editing the discipline matrix (IA administrators). The matrix in force is read as the
dialog opens (off the GUI thread: the tables fill once it is in); saving stores a new
version with a reason; the core validates it and audits the change."""

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

from ia_desk import labels
from ia_desk.services import Actor, Database, discipline
from ia_desk.services.discipline import SEVERITY
from ui.ops import Change, Query
from ui.widgets.fields import error_label
from ui.widgets.screen_fit import fit_to_screen


class MatrixEditor(QDialog):
    """The matrix in force as tables of choices; ``saved_version`` once a new one is in."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.matrix: dict[str, Any] = {}
        self.setWindowTitle("Discipline matrix")
        fit_to_screen(self, 1000, 720)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.lookback = QSpinBox(minimum=1, maximum=240, suffix=" months")
        form.addRow("Look-back window for prior sustained cases", self.lookback)
        layout.addLayout(form)
        self.classes = QTableWidget(0, 4)
        self.classes.setHorizontalHeaderLabels(["Class", "Presumptive step", "Lowest", "Highest"])
        self.class_combos: dict[str, list[QComboBox]] = {}
        self.classes.setMaximumHeight(170)
        layout.addWidget(self.classes)
        self.clauses = QTableWidget(0, 4)
        self.clauses.setHorizontalHeaderLabels(["Clause", "Class", "Immediate action", "Why"])
        self.clause_widgets: dict[str, tuple[QComboBox, QCheckBox]] = {}
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
        self.save_btn = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_btn.setEnabled(False)  # until the matrix in force is in
        layout.addWidget(buttons, 0, Qt.AlignmentFlag.AlignRight)
        self.saved_version: int | None = None
        Query(self, lambda: discipline.matrix(db, actor)).success(self._show).run()

    def _show(self, matrix: dict[str, Any]) -> None:
        self.matrix = matrix
        self.setWindowTitle(f"Discipline matrix (version {matrix['version']})")
        self.lookback.setValue(int(matrix["lookback_months"]))
        steps = list(matrix["steps"])
        self.classes.setRowCount(len(matrix["classes"]))
        for r, (name, spec) in enumerate(sorted(matrix["classes"].items())):
            self.classes.setItem(r, 0, QTableWidgetItem(f"{name} {spec['label']}"))
            combos = []
            for c, value in enumerate((spec["presumptive"], *spec["range"]), start=1):
                box = QComboBox()
                for step in steps:
                    box.addItem(labels.discipline_step(step), step)
                box.setCurrentIndex(box.findData(value))
                self.classes.setCellWidget(r, c, box)
                combos.append(box)
            self.class_combos[name] = combos
        self.clauses.setRowCount(len(matrix["clauses"]))
        for r, (cid, spec) in enumerate(sorted(matrix["clauses"].items())):
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
        self.classes.resizeColumnsToContents()  # the steps' words whole, not cut
        for col in range(3):
            self.clauses.resizeColumnToContents(col)
        self.save_btn.setEnabled(True)

    def content(self) -> dict[str, Any]:
        out = copy.deepcopy({k: v for k, v in self.matrix.items() if k != "version"})
        out["lookback_months"] = self.lookback.value()
        for name, (pres, lo, hi) in self.class_combos.items():
            out["classes"][name]["presumptive"] = pres.currentData()
            out["classes"][name]["range"] = [lo.currentData(), hi.currentData()]
        for cid, (box, check) in self.clause_widgets.items():
            out["clauses"][cid]["class"] = box.currentText()
            out["clauses"][cid]["immediate_action"] = check.isChecked()
        return out

    def save(self) -> None:
        """Store the edited matrix as a new version (off the GUI thread); a refusal is
        said in the dialog, which stays open."""
        if not self.matrix:
            return  # the matrix in force is not in yet
        content, reason = self.content(), self.reason.text()

        def saved(version: int) -> None:
            self.saved_version = version
            self.accept()

        Change(self, lambda: discipline.set_matrix(self.db, self.actor, content, reason)).success(
            saved
        ).refusals_in(self.error, {}).run()
