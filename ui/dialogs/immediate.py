"""The Chief's immediate action (3.21 §V.B): raising it on the facts, and recording
what was done. Each dialog stays open, with what was typed, until its form is whole."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from ia_desk.terms import IMMEDIATE_GROUNDS, IMMEDIATE_STEPS
from ui.widgets.fields import error_label

NEEDS_NOTE = ("other", "no_action_needed")


def _buttons(dialog: QDialog, check: Callable[[], None]) -> QDialogButtonBox:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    box.accepted.connect(check)
    box.rejected.connect(dialog.reject)
    return box


class RaiseImmediateDialog(QDialog):
    """IA raises the Chief's immediate action on the facts of the case."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Raise immediate action by the Chief")
        form = QFormLayout(self)
        note = QLabel(
            "3.21 §V.B: the Chief takes immediate action on a disclosure or a violation that "
            "endangers the safety of others or compromises a criminal investigation. Say "
            "which, and the facts."
        )
        note.setWordWrap(True)
        form.addRow(note)
        self.error = error_label()
        self.grounds: dict[str, QCheckBox] = {}
        for key, words in IMMEDIATE_GROUNDS.items():
            box = QCheckBox(words[0].upper() + words[1:])
            box.setObjectName(f"grounds-{key}")
            box.toggled.connect(lambda _on: self.error.clear())
            self.grounds[key] = box
            form.addRow(box)
        self.facts = QPlainTextEdit()
        self.facts.setTabChangesFocus(True)
        self.facts.setPlaceholderText("What makes it urgent (e.g. the post names a witness).")
        self.facts.textChanged.connect(lambda: self.error.clear())
        form.addRow("Facts", self.facts)
        form.addRow(self.error)
        form.addRow(_buttons(self, self._check))

    def chosen(self) -> list[str]:
        return [k for k, box in self.grounds.items() if box.isChecked()]

    def _check(self) -> None:
        problems = []
        if not self.chosen():
            problems.append("Tick why the Chief must act at once.")
        if not self.facts.toPlainText().strip():
            problems.append("Write the facts.")
        if problems:
            self.error.setText(" ".join(problems))
        else:
            self.accept()


class ImmediateStepDialog(QDialog):
    """What the Chief did on an immediate-action case."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record the action taken")
        form = QFormLayout(self)
        self.error = error_label()
        self.action = QComboBox()
        self.action.addItem("Choose what was done…", None)
        for key, label in IMMEDIATE_STEPS.items():
            self.action.addItem(label, key)
        self.action.currentIndexChanged.connect(lambda _i: self.error.clear())
        form.addRow("Action", self.action)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setPlaceholderText("Details (needed for another action or no action).")
        self.note.textChanged.connect(lambda: self.error.clear())
        form.addRow("Details", self.note)
        form.addRow(self.error)
        form.addRow(_buttons(self, self._check))

    def _check(self) -> None:
        kind = self.action.currentData()
        if kind is None:
            self.error.setText("Choose what was done.")
        elif kind in NEEDS_NOTE and not self.note.toPlainText().strip():
            self.error.setText("Say what was done, or why nothing is needed.")
        else:
            self.accept()
