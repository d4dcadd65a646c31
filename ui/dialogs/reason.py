"""A reason (or note) for a change to a case: pausing the deadline, reopening, telling
the reporter, revoking protection. The dialog makes the change itself, through its
service, and stays open when the service refuses it, with the text typed and the reason
beside it; closing it with text typed asks first. (A change someone else made meanwhile
is offered as a reload, as everywhere.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ia_desk.services import Changes, Done
from ui.ops import Change
from ui.widgets.fields import error_label, may_discard


class ReasonDialog(QDialog):
    def __init__(
        self,
        title: str,
        prompt: str,
        submit: Callable[[str], Done[Any]],
        about: Changes,
        parent: QWidget | None = None,
        text: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit, self.about = submit, about
        self.initial = text  # an edit starts from the text it edits
        self.done_ = False
        layout = QVBoxLayout(self)
        ask = QLabel(prompt)
        ask.setWordWrap(True)
        layout.addWidget(ask)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setPlainText(text)
        layout.addWidget(self.text, 1)
        self.error = error_label(wrap=True)
        layout.addWidget(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.text.textChanged.connect(self.error.clear)
        self.resize(560, 300)

    def save(self) -> None:
        text, submit = self.text.toPlainText(), self.submit

        def done(_value: object) -> None:
            self.done_ = True
            self.accept()

        Change(self, lambda: submit(text)).about(self.about).refusals_in(self.error).success(
            done
        ).run()

    def reject(self) -> None:
        typed = self.text.toPlainText().strip() not in ("", self.initial.strip())
        if (
            not self.done_
            and typed
            and not may_discard(
                self, "Discard what you typed?", "The text you typed is not saved. Discard it?"
            )
        ):
            return
        super().reject()
