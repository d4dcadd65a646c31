"""The small forms of the Registers screen: an approval request, a decision on one, a
completed training. Named line edits, combos and dates.

A form given its ``submit`` (the register's service) records the entry itself and stays
open when the service refuses it: what was typed stays, and the reason is shown beside
the field it names, in the form's words, until that field is changed. Closing a form
with typed text asks first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ia_desk import labels
from ia_desk.errors import InputError
from ia_desk.services import Done
from ui.ops import Change
from ui.widgets.fields import date_edit, error_label, may_discard, picked_date
from ui.worker import show_error

# A field: its key in values(), its label, and a kind: "text", "date", or a list of
# choices (plain strings, or (value, words) pairs). An optional fourth item lists the
# field names the core's refusals use for it ("submitted_on" for "submitted").
Field = tuple[Any, ...]


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
            if isinstance(kind, list):
                w: Any = QComboBox()
                for choice in kind:
                    value, words = choice if isinstance(choice, tuple) else (choice, choice)
                    w.addItem(words, value)
            elif kind == "date":
                w = date_edit(QDate.currentDate())
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
            elif isinstance(w, QDateEdit):
                out[key] = picked_date(w)
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
