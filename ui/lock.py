"""Locking the session after a period without input, and unlocking it with the password.

Windows are hidden while locked (their unsaved contents stay as they were) and shown
again after the same user signs in again; the lockout rules of sign-in apply.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from ia_desk.accounts.users import authenticate
from ia_desk.db.engine import Database
from ia_desk.errors import IADeskError
from ia_desk.security.actor import Actor

INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """Emits ``idle`` once when no input arrived for ``minutes``."""

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.limit = minutes * 60
        self.last_input = time.monotonic()
        self.paused = False
        self.timer = QTimer(self, interval=5000)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in INPUT_EVENTS:
            self.last_input = time.monotonic()
        return False

    def check(self) -> None:
        if not self.paused and time.monotonic() - self.last_input >= self.limit:
            self.paused = True
            self.idle.emit()

    def resume(self) -> None:
        self.last_input = time.monotonic()
        self.paused = False


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
        self.error = QLabel(styleSheet="color: #b00020")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        box = QDialogButtonBox()
        self.unlock_btn = box.addButton("Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_out_btn = box.addButton("Sign out", QDialogButtonBox.ButtonRole.RejectRole)
        box.accepted.connect(self.try_unlock)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def try_unlock(self) -> None:
        try:
            authenticate(self.db, self.actor.login, self.password.text())
        except IADeskError as exc:
            self.error.setText(exc.message)
            self.password.clear()
            return
        self.accept()
