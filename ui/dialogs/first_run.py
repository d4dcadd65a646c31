"""The first start: where the new database goes, its first IA administrator, and
demonstration cases if wanted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ia_desk import APP_NAME
from ia_desk.services.accounts import MIN_LENGTH
from ia_desk.services.database import secure_keyring_available
from ui.dialogs.connection import change_database
from ui.widgets.fields import error_label
from ui.widgets.password_pair import PasswordPair


class FirstRunDialog(QDialog):
    """Creates the encrypted database and its first IA administrator."""

    def __init__(
        self,
        where: str,
        server: bool = False,
        parent: QWidget | None = None,
        finishing: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}: first start")
        layout = QVBoxLayout(self)
        if finishing:
            text = (
                f"<b>Welcome to {APP_NAME}.</b><br>The server database<br><code>{where}</code>"
                "<br>holds IA Desk's tables but no user yet: an earlier first start stopped "
                "before its administrator was created. Create the first IA administrator now."
            )
        elif server:
            text = (
                f"<b>Welcome to {APP_NAME}.</b><br>IA Desk's tables will be created in the "
                f"server database<br><code>{where}</code><br>You will choose the database's "
                "audit passphrase: every other workstation gives it once, when it first "
                "connects."
            )
        else:
            text = (
                f"<b>Welcome to {APP_NAME}.</b><br>A new encrypted database will be created "
                f"at:<br><code>{where}</code><br>"
                + "Its key is random and opens only with a user's own password. "
                + (
                    "This computer's keyring keeps a copy for the next start here."
                    if secure_keyring_available()
                    else "This computer has no secure keyring: each start asks for your password."
                )
                + " You will be shown a recovery code once, for the department's safe."
            )
        self.intro = intro = QLabel(text)
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(intro)
        form = QFormLayout()
        self.login = QLineEdit(placeholderText="e.g. jdoe")
        self.name = QLineEdit(placeholderText="Full name")
        form.addRow("Administrator login", self.login)
        form.addRow("Full name", self.name)
        self.passwords = PasswordPair(
            form, f"Password ({MIN_LENGTH}+ characters)", "Password again", "passwords"
        )
        self.password, self.password2 = self.passwords.first, self.passwords.again
        layout.addLayout(form)
        self.demo = QCheckBox("Add demonstration cases (invented people)")
        self.demo.setChecked(True)
        layout.addWidget(self.demo)
        self.error = error_label(wrap=True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create database")
        change = buttons.addButton("Use a server instead…", QDialogButtonBox.ButtonRole.ResetRole)
        change.clicked.connect(lambda: change_database(self))
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if problem := self.passwords.mismatch():
            self.error.setText(problem)
            return
        self.accept()
