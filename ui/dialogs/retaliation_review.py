"""Recording the retaliation review of 3.21 §V.C (IA administrators): what triggered it,
the conclusion (none is pre-chosen) and the reasoning.

The dialog records the review itself, through the same service as the command line, and
stays open when the review is refused, with what was typed and the reason beside the
field it concerns; it closes only once the review is recorded. Closing it with typed
reasoning asks first."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from ia_desk import labels
from ia_desk.services import Actor, Database, protection
from ia_desk.services.protection import CONCLUSIONS
from ui.ops import Change
from ui.widgets.fields import error_label, may_discard


class RetaliationReviewDialog(QDialog):
    def __init__(
        self,
        db: Database,
        actor: Actor,
        number: str,
        triggers: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.actor, self.number = db, actor, number
        self.recorded = False
        self.setWindowTitle(f"Retaliation review: {number}")
        form = QFormLayout(self)
        why = QLabel("\n".join(triggers) or "A good-faith reporter is a subject of this case.")
        why.setWordWrap(True)
        form.addRow("Why a review", why)
        self.conclusion = QComboBox()
        self.conclusion.addItem("Choose the conclusion…", None)
        for c in CONCLUSIONS:
            self.conclusion.addItem(labels.retaliation_conclusion(c), c)
        self.conclusion_error = error_label(wrap=True)
        self.reasoning = QPlainTextEdit()
        self.reasoning.setTabChangesFocus(True)
        self.reasoning.setPlaceholderText("What was looked at, and why it shows what it shows")
        self.reasoning_error = error_label(wrap=True)
        form.addRow("Conclusion", self.conclusion)
        form.addRow("", self.conclusion_error)
        form.addRow("Reasoning", self.reasoning)
        form.addRow("", self.reasoning_error)
        self.error = error_label(wrap=True)
        form.addRow(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = box.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Record review")
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        form.addRow(box)
        self.conclusion.currentIndexChanged.connect(lambda _i: self.conclusion_error.clear())
        self.reasoning.textChanged.connect(self.reasoning_error.clear)
        self.resize(620, 420)

    def save(self) -> None:
        """Check what the form can say at once, then record through the service; a
        refusal is shown beside its field and the dialog stays open."""
        conclusion, reasoning = self.conclusion.currentData(), self.reasoning.toPlainText()
        self.error.clear()
        self.conclusion_error.setText("" if conclusion else "Choose the conclusion.")
        self.reasoning_error.setText(
            "" if reasoning.strip() else "Give the reasoning: a review says why."
        )
        if not conclusion or not reasoning.strip():
            return

        def recorded(_value: object) -> None:
            self.recorded = True
            self.accept()

        number = self.number
        Change(
            self,
            lambda: protection.record_review(self.db, self.actor, number, conclusion, reasoning),
        ).success(recorded).refusals_in(
            self.error, {"reasoning": self.reasoning_error, "conclusion": self.conclusion_error}
        ).run()

    def reject(self) -> None:
        if (
            not self.recorded
            and self.reasoning.toPlainText().strip()
            and not may_discard(
                self, "Discard this review?", "The reasoning you typed is not recorded. Discard it?"
            )
        ):
            return
        super().reject()
