"""Signing in under the system notice; sign-in gives one answer to every failure."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ia_desk import APP_NAME
from ia_desk.errors import IADeskError
from ia_desk.services import Actor, Database, accounts
from ui.dialogs.connection import change_database
from ui.widgets.fields import error_label

SYSTEM_NOTICE = (
    "RESTRICTED LAW ENFORCEMENT DATA. This system holds Internal Affairs records of the "
    "Vicksburg Police Department and the City of Vicksburg. Use is limited to authorized "
    "personnel for official purposes; every access is recorded and audited."
)


class SignInDialog(QDialog):
    """Login and password under the system notice; ``actor`` is who signed in. A
    password an administrator set must be replaced here before the session starts."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle(f"{APP_NAME}: sign in")
        layout = QVBoxLayout(self)
        notice = QLabel(SYSTEM_NOTICE)
        notice.setWordWrap(True)
        notice.setStyleSheet("border: 1px solid #8a1c1c; padding: 8px; background: #fff4f4;")
        layout.addWidget(notice)
        form = QFormLayout()
        self.login = QLineEdit()
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow("Login", self.login)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        self.error = error_label(wrap=True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        change = buttons.addButton("Database…", QDialogButtonBox.ButtonRole.ResetRole)
        change.setToolTip(f"Now: {db.target.describe()}")
        change.clicked.connect(lambda: change_database(self))
        buttons.accepted.connect(self._sign_in)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _sign_in(self) -> None:
        try:
            actor = accounts.sign_in(self.db, self.login.text(), self.password.text())
        except IADeskError as exc:
            self.error.setText(exc.message)
            self.password.clear()
            return
        if actor.must_change_password:
            from ui.dialogs.change_password import ChangePasswordDialog

            change = ChangePasswordDialog(self.db, actor, required=True, parent=self)
            change.old.setText(self.password.text())
            if change.exec() != QDialog.DialogCode.Accepted:
                self.error.setText("Choose your own password to go on.")
                self.password.clear()
                return
            actor = change.actor
        self.actor = actor
        self.accept()
