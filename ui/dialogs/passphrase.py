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
from ia_desk.security import keys


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
        self.first = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow("Passphrase", self.first)
        self.second: QLineEdit | None = None
        if confirm:
            self.second = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
            form.addRow("Again", self.second)
        self.error = QLabel(styleSheet="color: #b00020")
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _check(self) -> None:
        if self.second is not None:
            if self.first.text() != self.second.text():
                self.error.setText("The two passphrases differ.")
                return
            if len(self.first.text()) < keys.MIN_PASSPHRASE:
                self.error.setText(f"At least {keys.MIN_PASSPHRASE} characters.")
                return
        self.accept()

    def value(self) -> str:
        return self.first.text()


def prompt_passphrase(_message: str, confirm: bool) -> str:
    dlg = PassphraseDialog(confirm)
    return dlg.value() if dlg.exec() == QDialog.DialogCode.Accepted else ""
