"""The database passphrase, where this computer has no secure keyring: chosen (twice) when
the database is created, asked when it is opened."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from ia_desk import APP_NAME
from ia_desk.services.database import MIN_PASSPHRASE
from ui.widgets.fields import error_label
from ui.widgets.password_pair import PasswordPair


class PassphraseDialog(QDialog):
    """Asks for the database passphrase (this computer has no secure keyring)."""

    def __init__(self, confirm: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}: database passphrase")
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                "This computer has no secure keyring, so the database is protected by a passphrase."
                if confirm
                else "Enter the passphrase of the IA Desk database."
            )
        )
        self.pair: PasswordPair | None = None
        if confirm:
            self.pair = PasswordPair(form, "Passphrase", "Again", "passphrases")
            self.first = self.pair.first
        else:
            self.first = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
            form.addRow("Passphrase", self.first)
        self.error = error_label()
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _check(self) -> None:
        if self.pair is not None:
            if problem := self.pair.mismatch():
                self.error.setText(problem)
                return
            if len(self.first.text()) < MIN_PASSPHRASE:
                self.error.setText(f"At least {MIN_PASSPHRASE} characters.")
                return
        self.accept()

    def value(self) -> str:
        return self.first.text()


def prompt_passphrase(_message: str, confirm: bool) -> str:
    dlg = PassphraseDialog(confirm)
    return dlg.value() if dlg.exec() == QDialog.DialogCode.Accepted else ""
