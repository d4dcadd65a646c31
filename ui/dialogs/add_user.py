"""Adding a user account (IA administrators): login, name, role and a first password.

No role is pre-chosen: a default of IA administrator (the most powerful role, the first
in the list) was too easy to keep by mistake."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from ia_desk.services.accounts import MIN_LENGTH, ROLE_LABELS, ROLES
from ui.widgets.fields import error_label
from ui.widgets.password_pair import PasswordPair


class AddUserDialog(QDialog):
    """Login, name, role and the first password (typed twice); the core checks them all."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add user")
        form = QFormLayout(self)
        self.login = QLineEdit()
        self.name = QLineEdit()
        self.role = QComboBox()
        self.role.addItem("Choose the role…", None)
        for r in ROLES:
            self.role.addItem(ROLE_LABELS[r], r)
        form.addRow("Login", self.login)
        form.addRow("Full name", self.name)
        form.addRow("Role", self.role)
        self.passwords = PasswordPair(
            form, f"Password ({MIN_LENGTH}+ characters)", "Password again", "passwords"
        )
        self.password, self.password2 = self.passwords.first, self.passwords.again
        self.error = error_label(wrap=True)
        form.addRow(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self._check)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def _check(self) -> None:
        if self.role.currentData() is None:
            self.error.setText("Choose the role.")
            return
        if problem := self.passwords.mismatch():
            self.error.setText(problem)
            return
        self.accept()
