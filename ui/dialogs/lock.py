"""The locked session: the signed-in user's password again, or sign out. The lockout rules
of sign-in apply."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from ia_desk.errors import IADeskError
from ia_desk.services import Actor, Database, accounts
from ui.widgets.fields import error_label


class LockDialog(QDialog):
    """Asks the signed-in user's password again."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.setWindowTitle("IA Desk is locked")
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                f"<b>Locked.</b> {actor.name} ({actor.login}) was signed in. "
                "Enter the password to continue; your open work is kept."
            )
        )
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow("Password", self.password)
        self.error = error_label(wrap=True)
        form.addRow(self.error)
        box = QDialogButtonBox()
        self.unlock_btn = box.addButton("Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_out_btn = box.addButton("Sign out", QDialogButtonBox.ButtonRole.RejectRole)
        box.accepted.connect(self.try_unlock)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def try_unlock(self) -> None:
        try:
            accounts.sign_in(self.db, self.actor.login, self.password.text())
        except IADeskError as exc:
            self.error.setText(exc.message)
            self.password.clear()
            return
        self.accept()
