"""Recording a discipline decision, or amending the one in force.

The dialog records the decision itself, through the same service as the command line,
and stays open when it is refused, with what was typed and the reason beside the field
it concerns. Which steps need a reason is the core's rule (any step but the recommended
one; an amendment always): the dialog only says so in its placeholder and shows the
refusal. A suspension asks for its length in days and whether it is with or without pay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ia_desk import labels
from ia_desk.services import Done
from ia_desk.terms import MAX_SUSPENSION_DAYS
from ui.ops import Change
from ui.widgets.fields import error_label, may_discard

# (step, reason, suspension days, without pay) -> the change made
Save = Callable[[str, str | None, int | None, bool | None], Done[Any]]


def standing(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The decision in force for the subject (None: not decided yet)."""
    return next((d for d in entry["decisions"] if d["current"]), None)


class DecisionDialog(QDialog):
    """The step, a suspension's length and pay, and the reason."""

    def __init__(self, entry: dict[str, Any], save: Save, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._save = save
        self.recorded = False
        rec = entry["recommendation"]
        self.recommended = rec["step"]
        self.amend = standing(entry) is not None
        self.setWindowTitle(
            f"{'Amend the discipline decision' if self.amend else 'Discipline decision'}: "
            f"{entry['name']}"
        )
        form = QFormLayout(self)
        info = QLabel(rec["explanation"])
        info.setWordWrap(True)
        form.addRow(info)
        if self.amend:
            d = standing(entry)
            assert d is not None
            on_record = labels.discipline_step(d["step"]) + (
                f", {d['length']}" if d.get("length") else ""
            )
            form.addRow(
                QLabel(
                    f"<b>On record:</b> {on_record} ({d['at'][:10]}, {d['by']}). "
                    "The amendment replaces it; both stay in the trail."
                )
            )
        self.step = QComboBox()
        for rung in entry["rungs"]:
            self.step.addItem(rung["label"], rung["step"])
        if rec["step"]:
            self.step.setCurrentIndex([r["step"] for r in entry["rungs"]].index(rec["step"]))
        self.days = QSpinBox()
        self.days.setRange(1, MAX_SUSPENSION_DAYS)
        self.days.setSuffix(" days")
        self.days.setValue(1)
        self.pay = QComboBox()
        self.pay.addItem("Choose…", None)
        self.pay.addItem("Without pay", True)
        self.pay.addItem("With pay", False)
        self.days_error = error_label(wrap=True)
        self.pay_error = error_label(wrap=True)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)  # Tab moves on; it types no tab
        self.reason_error = error_label(wrap=True)
        form.addRow("Step", self.step)
        form.addRow("Suspension", self.days)
        form.addRow("", self.days_error)
        form.addRow("Pay", self.pay)
        form.addRow("", self.pay_error)
        form.addRow("Reason", self.reason)
        form.addRow("", self.reason_error)
        self.form = form
        self.error = error_label(wrap=True)
        form.addRow(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        form.addRow(box)
        self.step.currentIndexChanged.connect(lambda _i: self._step_changed())
        self.reason.textChanged.connect(self.reason_error.clear)
        self.days.valueChanged.connect(lambda _v: self.days_error.clear())
        self.pay.currentIndexChanged.connect(lambda _i: self.pay_error.clear())
        self._step_changed()
        self.resize(640, 460)

    def _step_changed(self) -> None:
        suspension = self.step.currentData() == "suspension"
        for widget in (self.days, self.pay):
            self.form.setRowVisible(widget, suspension)
        self.days_error.setVisible(suspension)
        self.pay_error.setVisible(suspension)
        if self.amend:
            hint = "Required: why the decision changes"
        elif self.step.currentData() == self.recommended:
            hint = "Optional for the recommended step"
        else:
            hint = "Required: the mitigating or aggravating factors for this step"
        self.reason.setPlaceholderText(hint)
        self.reason_error.clear()

    def values(self) -> tuple[str, str | None, int | None, bool | None]:
        step = self.step.currentData()
        reason = self.reason.toPlainText().strip() or None
        if step != "suspension":
            return step, reason, None, None
        return step, reason, self.days.value(), self.pay.currentData()

    def save(self) -> None:
        """Record through the service; a refusal is shown beside its field and the
        dialog stays open with what was typed."""
        for label in (self.error, self.reason_error, self.days_error, self.pay_error):
            label.clear()
        step, reason, days, without_pay = self.values()

        def recorded(_value: object) -> None:
            self.recorded = True
            self.accept()

        beside = {
            "reason": self.reason_error,
            "suspension_days": self.days_error,
            "without_pay": self.pay_error,
        }
        save = self._save
        Change(self, lambda: save(step, reason, days, without_pay)).success(recorded).refusals_in(
            self.error, beside
        ).run()

    def reject(self) -> None:
        if (
            not self.recorded
            and self.reason.toPlainText().strip()
            and not may_discard(
                self, "Discard this decision?", "The reason you typed is not recorded. Discard it?"
            )
        ):
            return
        super().reject()
