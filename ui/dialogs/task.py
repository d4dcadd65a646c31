"""A new task on a case: what is to be done, for which IA user, by when. The dialog sets
the task itself, through its service, and stays open when the service refuses it, with
what was typed kept and the reason beside the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ia_desk.services import Changes, Done
from ui.ops import Change
from ui.widgets.fields import date_edit, error_label, picked_date


class TaskDialog(QDialog):
    """``submit(title, assignee login, due date)`` sets the task (off the GUI thread)."""

    def __init__(
        self,
        people: list[tuple[str, str]],
        me: str,
        submit: Callable[[str, str, dt.date], Done[Any]],
        about: Changes,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add task")
        self.submit, self.about = submit, about
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. Request the account's records from the platform")
        form.addRow("Task", self.title)
        self.assignee = QComboBox()
        for login, name in people:
            self.assignee.addItem(f"{name} ({login})", login)
        mine = self.assignee.findData(me)
        self.assignee.setCurrentIndex(max(mine, 0))
        form.addRow("Assigned to", self.assignee)
        self.due = date_edit(QDate.currentDate().addDays(7))
        self.due.setMinimumDate(QDate.currentDate())
        form.addRow("Due", self.due)
        layout.addLayout(form)
        self.error = error_label(wrap=True)
        layout.addWidget(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.title.textChanged.connect(self.error.clear)
        self.resize(520, 200)

    def save(self) -> None:
        title, who, due = self.title.text(), self.assignee.currentData(), picked_date(self.due)
        if who is None:
            self.error.setText("Assigned to: there is no IA user to give the task to.")
            return
        submit = self.submit
        Change(self, lambda: submit(title, who, due)).about(self.about).refusals_in(
            self.error
        ).success(lambda _value: self.accept()).run()
