"""Where this workstation's database is: the embedded file, or a PostgreSQL server."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ia_desk.errors import IADeskError
from ia_desk.services.database import (
    DEFAULT_PORT,
    ServerConnection,
    connect_checked,
    disconnect,
    is_loopback,
    saved_connection,
)
from ui.widgets.fields import error_label

RECONNECT = 2  # a dialog's result: the user chose another database

TLS_CHOICES = [
    ("require", "Required (encrypted)"),
    ("verify-full", "Required, and check the server's certificate and name"),
    ("verify-ca", "Required, and check the server's certificate"),
    ("disable", "Off (only if an IA administrator allowed it)"),
]


class ConnectionDialog(QDialog):
    """Host, port, database, user, password and TLS mode of the department's server.

    The password goes to the OS keyring, the rest to this computer's settings; the
    connection is tried before anything is kept.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Database connection")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "For several workstations, IA Desk keeps its records on the department's "
            "PostgreSQL server. Your IT staff give you these details. The password is kept "
            "in this computer's keyring, never in a file."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.host = QLineEdit(placeholderText="e.g. ia-db.city.local")
        self.port = QSpinBox(minimum=1, maximum=65535, value=DEFAULT_PORT)
        self.database = QLineEdit("ia_desk")
        self.user = QLineEdit("ia_desk_app")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.tls = QComboBox()
        for value, label in TLS_CHOICES:
            self.tls.addItem(label, value)
        form.addRow("Server", self.host)
        form.addRow("Port", self.port)
        form.addRow("Database", self.database)
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        form.addRow("Encryption (TLS)", self.tls)
        layout.addLayout(form)
        self.warning = QLabel()
        self.warning.setStyleSheet("color: #8a4b00")
        self.warning.setWordWrap(True)
        layout.addWidget(self.warning)
        self.error = error_label(wrap=True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        self.embedded = QPushButton("Use this computer's database")
        self.embedded.setToolTip("Forget the server; open the encrypted file on this computer")
        buttons.addButton(self.embedded, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self._connect)
        buttons.rejected.connect(self.reject)
        self.embedded.clicked.connect(self._use_embedded)
        layout.addWidget(buttons)
        self.host.textChanged.connect(self._check_tls)
        self.tls.currentIndexChanged.connect(self._check_tls)
        current = saved_connection_or_none()
        if current is not None:
            self.host.setText(current.host)
            self.port.setValue(current.port)
            self.database.setText(current.database)
            self.user.setText(current.user)
            self.tls.setCurrentIndex(max(0, self.tls.findData(current.sslmode)))
        self.embedded.setEnabled(current is not None)
        self._check_tls()

    def connection(self) -> ServerConnection:
        return ServerConnection(
            self.host.text(),
            self.database.text(),
            self.user.text(),
            self.port.value(),
            str(self.tls.currentData()),
        )

    def _check_tls(self) -> None:
        plaintext = self.tls.currentData() == "disable" and not is_loopback(self.host.text())
        self.warning.setText(
            "Without TLS, case records cross the network readable by anyone on it. IA Desk "
            "refuses such a connection unless an IA administrator has allowed it."
            if plaintext
            else ""
        )

    def _connect(self) -> None:
        self.error.clear()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            # The server is reached and signed in to before anything is kept.
            connect_checked(self.connection(), self.password.text() or None)
        except IADeskError as exc:
            self.error.setText(exc.message)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.accept()

    def _use_embedded(self) -> None:
        disconnect()
        self.accept()


def saved_connection_or_none() -> ServerConnection | None:
    try:
        return saved_connection()
    except IADeskError:
        return None


def change_database(dialog: QDialog) -> None:
    """Let the user choose another database from ``dialog`` (sign-in, first start); once
    one is chosen, ``dialog`` ends with ``RECONNECT`` and start-up opens that one."""
    if ConnectionDialog(dialog).exec() == QDialog.DialogCode.Accepted:
        dialog.done(RECONNECT)
