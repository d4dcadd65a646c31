"""Small parts of forms used everywhere: the red line that says what is wrong, date
fields with the date they hold, and the question before typed work is thrown away."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QLabel, QMessageBox, QWidget

ERROR_STYLE = "color: #b00020"


def error_label(wrap: bool = False) -> QLabel:
    """An empty label in the error colour; the form sets its text when input is refused."""
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    if wrap:
        label.setWordWrap(True)
    return label


def notice_label(name: str) -> QLabel:
    """A hidden notice at the top of a view that says, in the view, why what it shows
    cannot be shown now (IA's key not held, a paper changed outside IA Desk), instead
    of a message box at each reading."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet("QLabel { background: #fff4ce; border: 1px solid #c9a100; padding: 6px; }")
    label.hide()
    return label


def date_edit(on: QDate | None = None) -> QDateEdit:
    """A date field (yyyy-MM-dd, with a calendar), showing ``on`` if given."""
    edit = QDateEdit() if on is None else QDateEdit(on)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def picked_date(edit: QDateEdit) -> dt.date:
    """The date a date field holds, as a ``datetime.date``."""
    value = edit.date().toPython()
    if not isinstance(value, dt.date):  # PySide6 declares toPython() as returning object
        raise TypeError(f"a date field held {type(value).__name__}, not a date")
    return value


def may_discard(parent: QWidget, title: str, text: str) -> bool:
    """Ask before what was typed is thrown away (a form closed unsaved): True when the
    user chose Discard. "Keep editing" is the default, so Enter never loses work."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        text,
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.button(QMessageBox.StandardButton.Cancel).setText("Keep editing")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Discard
