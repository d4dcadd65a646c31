"""The scope and First Amendment screen of an allegation under a clause that punishes
speech for discrediting the employer, asked before it is sustained. The rules are the
core's (ia_desk.cases.speech); this form only gathers the facts and keeps them on an
error."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ia_desk.terms import SPEECH_OUTCOMES as OUTCOMES
from ia_desk.terms import SPEECH_SCOPE_FACTS as SCOPE_FACTS
from ui.widgets.fields import error_label


class SpeechScreenDialog(QDialog):
    """Scope (3.21 purpose and scope 9) and the public-concern balance."""

    def __init__(self, allegation: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Scope and First Amendment screen: allegation {allegation['id']}")
        self.resize(640, 600)
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        form = QFormLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll)
        intro = QLabel(
            f"{allegation['clause']} punishes speech that discredits the employer. Courts have "
            "struck such rules when applied to speech on a matter of public concern "
            "(Liverman v. City of Petersburg, 4th Cir. 2016). Record the scope facts and the "
            "balance before the allegation is sustained; the IA summary prints them."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.error = error_label(wrap=True)
        form.addRow(QLabel("<b>Is the account within the policy?</b> (3.21 purpose and scope 9)"))
        self.scope: dict[str, QCheckBox] = {}
        for key, words in SCOPE_FACTS.items():
            box = QCheckBox(words[0].upper() + words[1:])
            box.setObjectName(f"scope-{key}")
            self.scope[key] = box
            form.addRow(box)
        self.effect = QPlainTextEdit()
        self.effect.setTabChangesFocus(True)
        self.effect.setMaximumHeight(64)
        self.effect.setPlaceholderText(
            "How the conduct affects workplace harmony, discipline or public trust (empty: no "
            "effect)"
        )
        form.addRow("Effect", self.effect)
        form.addRow(QLabel("<b>Did the speech touch a matter of public concern?</b>"))
        self.concern_yes = QRadioButton("Yes (misconduct, public safety, how the Department works)")
        self.concern_no = QRadioButton("No (a personal grievance, private matter)")
        group = QButtonGroup(self)
        group.addButton(self.concern_yes)
        group.addButton(self.concern_no)
        form.addRow(self.concern_yes)
        form.addRow(self.concern_no)
        self.concern_note = QPlainTextEdit()
        self.concern_note.setTabChangesFocus(True)
        self.concern_note.setMaximumHeight(64)
        self.concern_note.setPlaceholderText("What the matter of public concern is")
        form.addRow("Concern", self.concern_note)
        self.outcome = QComboBox()
        self.outcome.addItem("Choose the outcome of the balance…", None)
        for key, words in OUTCOMES.items():
            self.outcome.addItem(words[0].upper() + words[1:], key)
        form.addRow("Balance", self.outcome)
        self.balance = QPlainTextEdit()
        self.balance.setTabChangesFocus(True)
        self.balance.setMaximumHeight(96)
        self.balance.setPlaceholderText("IA's reasoning: the two interests, weighed")
        form.addRow("Reasoning", self.balance)
        outer.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

    def facts(self) -> dict[str, Any]:
        concern = (
            True if self.concern_yes.isChecked() else False if self.concern_no.isChecked() else None
        )
        return {
            **{k: box.isChecked() for k, box in self.scope.items()},
            "workplace_effect": self.effect.toPlainText() or None,
            "public_concern": concern,
            "concern_note": self.concern_note.toPlainText() or None,
            "balance": self.balance.toPlainText(),
            "outcome": self.outcome.currentData(),
        }

    def _check(self) -> None:
        f = self.facts()
        problems = []
        if f["public_concern"] is None:
            problems.append("Say whether the speech touched a matter of public concern.")
        elif f["public_concern"]:
            if not (f["concern_note"] or "").strip():
                problems.append("Say what the matter of public concern is.")
            if f["outcome"] is None:
                problems.append("Choose the outcome of the balance.")
        if not f["balance"].strip():
            problems.append("Write IA's reasoning.")
        if problems:
            self.error.setText(" ".join(problems))
        else:
            self.accept()
