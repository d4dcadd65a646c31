"""A new password (or passphrase) typed twice: the "password / again" rows of a form, and
the check that the two are the same."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLineEdit


class PasswordPair:
    """Two hidden fields added to ``form`` as two rows, labelled ``label`` and
    ``again_label``. They go into the caller's form, not into a widget of their own, so
    their labels line up with the form's other rows.

    ``what`` names the secret in the message when the two differ ("passwords",
    "new passwords", "passphrases"). The strength rules are the core's (or, for the
    passphrase, the caller's): this only checks that the user typed the same twice.
    """

    def __init__(self, form: QFormLayout, label: str, again_label: str, what: str) -> None:
        self.first = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.again = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.what = what
        form.addRow(label, self.first)
        form.addRow(again_label, self.again)

    def text(self) -> str:
        """The new secret, as typed the first time."""
        return self.first.text()

    def mismatch(self) -> str | None:
        """What to tell the user when the two differ (None: they are the same)."""
        if self.first.text() != self.again.text():
            return f"The two {self.what} differ."
        return None
