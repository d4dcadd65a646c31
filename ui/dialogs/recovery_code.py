"""The recovery code, shown once: at setup, when the first sign-in after the upgrade
moved the database to own passwords, or when an administrator makes a new one. It
cannot be shown again, so the dialog stays until the administrator says it is written
down."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ia_desk import APP_NAME

EXPLANATION = (
    "<b>Write this recovery code down now and keep it in the department's safe.</b><br>"
    "It is shown this once and never again. It opens the database if every "
    "administrator's password is lost ('ia-desk recover'), so whoever holds it holds "
    "every record: keep it where only the department's rules let anyone reach it."
)

REPLACES = (
    "<b>Write this new recovery code down now, put it in the department's safe and "
    "destroy the old one.</b><br>It is shown this once and never again. From now on it, "
    "not the old code, gives an IA administrator a new password if every administrator's "
    "password is lost ('ia-desk recover'). It replaces a code that was lost; it does not "
    "undo one someone else has seen: the old code still opens the backups made before "
    "today, so keep those as safely as the code."
)

CHANGED_KEY = (
    "<b>IA's key is changed. Write this new recovery code down now, put it in the "
    "department's safe and destroy the old one.</b><br>It is shown this once and never "
    "again. The old code does not open IA's new key; this one does, and gives an IA "
    "administrator a new password if every administrator's password is lost "
    "('ia-desk recover')."
)


class RecoveryCodeDialog(QDialog):
    """Shows a recovery code until the administrator confirms it is written down."""

    def __init__(
        self, code: str, parent: QWidget | None = None, explanation: str = EXPLANATION
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}: recovery code")
        layout = QVBoxLayout(self)
        intro = QLabel(explanation)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.code = QLabel(code)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(font.pointSize() + 2)
        self.code.setFont(font)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setStyleSheet("border: 1px solid #555; padding: 8px;")
        layout.addWidget(self.code)
        self.written = QCheckBox("I have written the recovery code down")
        layout.addWidget(self.written)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.written.toggled.connect(self.ok.setEnabled)
        self.buttons.accepted.connect(self.accept)
        layout.addWidget(self.buttons)

    def reject(self) -> None:  # Escape or the window's close button: not before it is written
        if self.written.isChecked():
            super().reject()


def show_recovery_code(
    code: str | None, parent: QWidget | None = None, explanation: str = EXPLANATION
) -> None:
    """Show a recovery code (if one was just made) and wait until it is written down."""
    if code:
        RecoveryCodeDialog(code, parent, explanation).exec()
