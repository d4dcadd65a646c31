"""The small forms of the Registers screen: an approval request, a decision on one, its
link to a case, a direction to remove, an official account, a post, a completed
training. Named line edits, combos, boxes, dates and times.

A form given its ``submit`` (the register's service) records the entry itself and stays
open when the service refuses it: what was typed stays, and the reason is shown beside
the field it names, in the form's words, until that field is changed. Closing a form
with typed text asks first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QDateTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ia_desk import labels
from ia_desk.errors import InputError
from ia_desk.services import Done
from ui.evidence_input import IMAGE_FILTER
from ui.ops import Change
from ui.widgets.fields import date_edit, error_label, may_discard, picked_date
from ui.worker import show_error

# A field: its key in values(), its label, and a kind: "text", "date", "datetime" (local
# time, given back with its UTC offset), "optional_date" / "optional_datetime" (None
# until ticked), "file" (a path, typed or chosen; None when empty), "check" (a box:
# True or False), Checks([...]) (boxes, one per choice: the values ticked), or a list
# of choices (plain strings, or (value, words) pairs). An
# optional fourth item lists the field names the core's refusals use for it
# ("submitted_on" for "submitted").
Field = tuple[Any, ...]


class Checks(list[tuple[str, str]]):
    """A field kind: one box per (value, words) choice; the field's value is the list of
    the values ticked."""


class CheckList(QWidget):
    """Boxes in three columns; ``values()`` the ticked ones, in the choices' order."""

    def __init__(self, choices: Checks, changed: Callable[[], None]) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        self.boxes: dict[str, QCheckBox] = {}
        for i, (value, words) in enumerate(choices):
            box = QCheckBox(words)
            box.setObjectName(value)
            box.toggled.connect(lambda _on: changed())
            grid.addWidget(box, i // 3, i % 3)
            self.boxes[value] = box

    def values(self) -> list[str]:
        return [v for v, box in self.boxes.items() if box.isChecked()]

    def set_values(self, values: list[str]) -> None:
        for v, box in self.boxes.items():
            box.setChecked(v in values)


class OptionalWhen(QWidget):
    """A date (or date and time) that is given only once its box is ticked."""

    def __init__(self, with_time: bool, changed: Callable[[], None]) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.given = QCheckBox("Given:")
        self.edit: QDateEdit | QDateTimeEdit = (
            local_datetime_edit() if with_time else date_edit(QDate.currentDate())
        )
        self.edit.setEnabled(False)
        self.given.toggled.connect(self.edit.setEnabled)
        self.given.toggled.connect(lambda _on: changed())
        row.addWidget(self.given)
        row.addWidget(self.edit, 1)

    def value(self) -> Any:
        if not self.given.isChecked():
            return None
        if isinstance(self.edit, QDateTimeEdit) and not isinstance(self.edit, QDateEdit):
            return picked_local_datetime(self.edit)
        return picked_date(self.edit)


class FileChoice(QWidget):
    """A file to attach (a printed layout, 3.21 §III.E.3): its path, typed or chosen."""

    def __init__(self, changed: Callable[[], None]) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.path = QLineEdit()
        self.path.setPlaceholderText("none")
        self.path.textChanged.connect(lambda _t: changed())
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose)
        row.addWidget(self.path, 1)
        row.addWidget(choose)

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Attach the printed layout", "", IMAGE_FILTER)
        if path:
            self.path.setText(path)

    def value(self) -> str | None:
        return self.path.text().strip() or None


def local_datetime_edit() -> QDateTimeEdit:
    """A date and minute in this computer's time zone, showing now."""
    edit = QDateTimeEdit(QDateTime.currentDateTime())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    return edit


def picked_local_datetime(edit: QDateTimeEdit) -> dt.datetime:
    """The date-time a field holds, as local time with its UTC offset."""
    value = edit.dateTime().toPython()
    if not isinstance(value, dt.datetime):
        raise TypeError(f"a date-time field held {type(value).__name__}")
    return value.replace(second=0, microsecond=0).astimezone()


class FormDialog(QDialog):
    """A small form: named line edits, combos and dates; values() returns them."""

    def __init__(
        self,
        title: str,
        fields: list[Field],
        parent: QWidget | None = None,
        submit: Callable[[dict[str, Any]], Done[Any]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit = submit
        self.saved = False
        form = QFormLayout(self)
        self.widgets: dict[str, Any] = {}
        self.errors: dict[str, QLabel] = {}
        self.core_names: dict[str, str] = {}
        for key, label, kind, *core in fields:
            clear = lambda key=key: self._clear(key)  # noqa: E731
            if isinstance(kind, Checks):
                w: Any = CheckList(kind, clear)
            elif isinstance(kind, list):
                w = QComboBox()
                for choice in kind:
                    value, words = choice if isinstance(choice, tuple) else (choice, choice)
                    w.addItem(words, value)
            elif kind == "date":
                w = date_edit(QDate.currentDate())
            elif kind == "datetime":
                w = local_datetime_edit()
            elif kind in ("optional_date", "optional_datetime"):
                w = OptionalWhen(kind == "optional_datetime", clear)
            elif kind == "file":
                w = FileChoice(clear)
            elif kind == "check":
                w = QCheckBox()
                w.toggled.connect(lambda _on, key=key: self._clear(key))
            else:
                w = QLineEdit()
                w.textChanged.connect(lambda _t, key=key: self._clear(key))
            self.widgets[key] = w
            holder = QWidget()
            lay = QVBoxLayout(holder)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.setSpacing(1)
            lay.addWidget(w)
            err = error_label(wrap=True)
            err.hide()
            lay.addWidget(err)
            self.errors[key] = err
            form.addRow(label, holder)
            for name in (key, *(core[0] if core else ())):
                self.core_names[name] = key
        self.error = error_label(wrap=True)
        form.addRow(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        form.addRow(box)
        self.setMinimumWidth(520)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.widgets.items():
            if w.parentWidget().isHidden():  # a row the form does not ask for now
                out[key] = None
            elif isinstance(w, QComboBox):
                out[key] = w.currentData()
            elif isinstance(w, CheckList):
                out[key] = w.values()
            elif isinstance(w, OptionalWhen | FileChoice):
                out[key] = w.value()
            elif isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QDateEdit):
                out[key] = picked_date(w)
            elif isinstance(w, QDateTimeEdit):
                out[key] = picked_local_datetime(w)
            else:
                out[key] = w.text()
        return out

    def save(self) -> None:
        """Record the entry through ``submit`` (off the GUI thread) and close; a refusal
        keeps the form open with the reason beside its field. Without ``submit`` the
        form only closes, accepted, and the caller records it."""
        if self.submit is None:
            self.accept()
            return
        values, submit = self.values(), self.submit
        self.error.clear()

        def refused(exc: BaseException) -> None:
            if not isinstance(exc, InputError):
                show_error(self, exc)
                return
            key = self.core_names.get((exc.field or "").split("[")[0])
            if key is not None:
                self.errors[key].setText(labels.message(exc.message, exc.field, beside=True))
                self.errors[key].show()
            else:
                self.error.setText(labels.message(exc.message, exc.field))

        def done(_value: object) -> None:
            self.saved = True
            self.accept()

        Change(self, lambda: submit(values)).success(done).failure(refused).run()

    def _clear(self, key: str) -> None:
        self.errors[key].hide()
        self.errors[key].clear()

    def has_typed_work(self) -> bool:
        return not self.saved and any(
            isinstance(w, QLineEdit) and w.text().strip() for w in self.widgets.values()
        )

    def reject(self) -> None:
        if self.has_typed_work() and not may_discard(
            self,
            f"Discard this {self.windowTitle().lower()}?",
            "What you typed is not saved. Discard it?",
        ):
            return
        super().reject()
