"""Small parts of forms used everywhere: the red line that says what is wrong, and date
fields with the date they hold."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QLabel

ERROR_STYLE = "color: #b00020"


def error_label(wrap: bool = False) -> QLabel:
    """An empty label in the error colour; the form sets its text when input is refused."""
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    if wrap:
        label.setWordWrap(True)
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
