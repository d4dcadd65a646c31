"""Choosing one's own password: after an administrator set it (required before anything
else) or whenever the user wishes (File > Change my password)."""

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
from ia_desk.errors import IADeskError
from ia_desk.services import Actor, Database, accounts
from ia_desk.services.accounts import MIN_LENGTH
from ui.widgets.fields import error_label
from ui.widgets.password_pair import PasswordPair


class ChangePasswordDialog(QDialog):
    """Old password, new one twice. On success ``actor`` is the session's new actor."""

    def __init__(
        self, db: Database, actor: Actor, required: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.setWindowTitle(f"{APP_NAME}: choose your password")
        form = QFormLayout(self)
        intro = QLabel(
            f"An administrator set the password of <b>{actor.login}</b>. Choose your own "
            "before you go on; nobody else will know it."
            if required
            else f"Change the password of <b>{actor.login}</b>."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.old = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow("Current password", self.old)
        self.passwords = PasswordPair(
            form, f"New password ({MIN_LENGTH}+ characters)", "New password again", "new passwords"
        )
        self.new, self.again = self.passwords.first, self.passwords.again
        self.error = error_label(wrap=True)
        form.addRow(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.button(QDialogButtonBox.StandardButton.Ok).setText("Change password")
        box.accepted.connect(self.change)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def change(self) -> None:
        """Check and store the new password; the dialog stays open on any error."""
        if problem := self.passwords.mismatch():
            self.error.setText(problem)
            return
        try:
            self.actor = accounts.change_password(
                self.db, self.actor.login, self.old.text(), self.new.text()
            )
        except IADeskError as exc:
            self.error.setText(exc.message)
            return
        self.accept()


def hand_over(old: Actor, new: Actor) -> None:
    """Every open screen, dialog and model of this session acts as ``new`` from now on
    (a password change ends every session pinned to the old password, this one's old
    actor included)."""
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication

    for top in QApplication.topLevelWidgets():
        for obj in [top, *top.findChildren(QObject)]:
            if getattr(obj, "actor", None) == old:
                # any screen, dialog or model of the session: each keeps its actor
                obj.actor = new  # type: ignore[attr-defined]
