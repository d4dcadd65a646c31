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
    password an administrator set must be replaced here before the session starts.

    Before the database is open (its key opens with the user's own password and this
    computer has no copy), ``db`` is None and the dialog only takes the login and
    password (``credentials``), which then open the database and sign the user in: one
    prompt. ``preset`` signs in with credentials given already, showing the dialog only
    if that fails."""

    def __init__(
        self,
        db: Database | None,
        parent: QWidget | None = None,
        *,
        where: str = "",
        preset: tuple[str, str] | None = None,
        error: str = "",
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.credentials: tuple[str, str] | None = None
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
        if error:  # why the credentials given before did not open the database
            self.error.setText(error)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        change = buttons.addButton("Database…", QDialogButtonBox.ButtonRole.ResetRole)
        change.setToolTip(f"Now: {db.target.describe() if db is not None else where}")
        change.clicked.connect(lambda: change_database(self))
        buttons.accepted.connect(self._sign_in)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if preset is not None:
            from PySide6.QtCore import QTimer

            self.login.setText(preset[0])
            self.password.setText(preset[1])
            QTimer.singleShot(0, self._sign_in)  # once exec() runs: no second prompt

    def _sign_in(self) -> None:
        if self.db is None:  # before the database opens: its key needs these
            self.credentials = (self.login.text(), self.password.text())
            self.accept()
            return
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


class SignInCancelled(Exception):
    """The person closed the sign-in window that comes before the database opens."""


def ask_credentials(where: str, error: str = "") -> tuple[str, str]:
    """The login and password that open a database (the window before it opens), under
    ``error``: why the ones given before did not."""
    dlg = SignInDialog(None, where=where, error=error)
    if dlg.exec() != QDialog.DialogCode.Accepted or dlg.credentials is None:
        raise SignInCancelled
    return dlg.credentials
