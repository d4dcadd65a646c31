"""Starting the desktop app: open (or create) the database, sign in, show the main window.

The first start with no database shows a short first-run dialog (administrator account,
passphrase where this computer has no secure keyring, demo data). The desktop issue
builds out the full wizard and screens; everything here calls the core services.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, Qt, QThreadPool
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ia_desk import APP_NAME, __version__
from ia_desk.accounts.users import authenticate
from ia_desk.db.engine import Database
from ia_desk.db.location import resolve_target
from ia_desk.errors import IADeskError
from ia_desk.security import keys
from ia_desk.security.actor import Actor
from ia_desk.startup import daily_backup_if_due, database_exists, open_database, start_stretching

SYSTEM_NOTICE = (
    "RESTRICTED LAW ENFORCEMENT DATA. This system holds Internal Affairs records of the "
    "Vicksburg Police Department and the City of Vicksburg. Use is limited to authorized "
    "personnel for official purposes; every access is recorded and audited."
)


class PassphraseDialog(QDialog):
    """Asks for the database passphrase (this computer has no secure keyring)."""

    def __init__(self, confirm: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}: database passphrase")
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                "This computer has no secure keyring, so the database is protected by a passphrase."
                if confirm
                else "Enter the passphrase of the IA Desk database."
            )
        )
        self.first = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow("Passphrase", self.first)
        self.second: QLineEdit | None = None
        if confirm:
            self.second = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
            form.addRow("Again", self.second)
        self.error = QLabel(styleSheet="color: #b00020")
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _check(self) -> None:
        if self.second is not None:
            if self.first.text() != self.second.text():
                self.error.setText("The two passphrases differ.")
                return
            if len(self.first.text()) < keys.MIN_PASSPHRASE:
                self.error.setText(f"At least {keys.MIN_PASSPHRASE} characters.")
                return
        self.accept()

    def value(self) -> str:
        return self.first.text()


def prompt_passphrase(_message: str, confirm: bool) -> str:
    dlg = PassphraseDialog(confirm)
    return dlg.value() if dlg.exec() == QDialog.DialogCode.Accepted else ""


RECONNECT = 2  # a dialog's result: the user chose another database


class FirstRunDialog(QDialog):
    """Creates the encrypted database and its first IA administrator."""

    def __init__(self, where: str, server: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}: first start")
        layout = QVBoxLayout(self)
        if server:
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
                + (
                    "Its key is kept in this computer's keyring."
                    if keys.secure_keyring_available()
                    else "This computer has no secure keyring: you will choose a passphrase."
                )
            )
        intro = QLabel(text)
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(intro)
        form = QFormLayout()
        self.login = QLineEdit(placeholderText="e.g. jdoe")
        self.name = QLineEdit(placeholderText="Full name")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow("Administrator login", self.login)
        form.addRow("Full name", self.name)
        form.addRow("Password (12+ characters)", self.password)
        form.addRow("Password again", self.password2)
        layout.addLayout(form)
        self.demo = QCheckBox("Add demonstration cases (invented people)")
        self.demo.setChecked(True)
        layout.addWidget(self.demo)
        self.error = QLabel(styleSheet="color: #b00020")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create database")
        change = buttons.addButton("Use a server instead…", QDialogButtonBox.ButtonRole.ResetRole)
        change.clicked.connect(self._change_database)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _change_database(self) -> None:
        from ui.connection import ConnectionDialog

        if ConnectionDialog(self).exec() == QDialog.DialogCode.Accepted:
            self.done(RECONNECT)

    def _check(self) -> None:
        if self.password.text() != self.password2.text():
            self.error.setText("The two passwords differ.")
            return
        self.accept()


class SignInDialog(QDialog):
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
        self.error = QLabel(styleSheet="color: #b00020")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        change = buttons.addButton("Database…", QDialogButtonBox.ButtonRole.ResetRole)
        change.setToolTip(f"Now: {db.target.describe()}")
        change.clicked.connect(self._change_database)
        buttons.accepted.connect(self._sign_in)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _change_database(self) -> None:
        from ui.connection import ConnectionDialog

        if ConnectionDialog(self).exec() == QDialog.DialogCode.Accepted:
            self.done(RECONNECT)

    def _sign_in(self) -> None:
        try:
            actor = authenticate(self.db, self.login.text(), self.password.text())
        except IADeskError as exc:
            self.error.setText(exc.message)
            self.password.clear()
            return
        if actor.must_change_password:
            from ui.password import ChangePasswordDialog

            change = ChangePasswordDialog(self.db, actor, required=True, parent=self)
            change.old.setText(self.password.text())
            if change.exec() != QDialog.DialogCode.Accepted:
                self.error.setText("Choose your own password to go on.")
                self.password.clear()
                return
            actor = change.actor
        self.actor = actor
        self.accept()


def first_run(url: str | None) -> Database | int | None:
    from ia_desk.services.database import create as initialise

    target = resolve_target(url)
    dlg = FirstRunDialog(target.describe(), server=target.kind == "postgresql")
    while (outcome := dlg.exec()) == QDialog.DialogCode.Accepted:
        try:
            db, _ = initialise(
                url,
                dlg.login.text(),
                dlg.name.text() or dlg.login.text(),
                dlg.password.text(),
                demo=dlg.demo.isChecked(),
                prompt=prompt_passphrase,
            )
            return db
        except IADeskError as exc:
            dlg.error.setText(exc.message)
    return RECONNECT if outcome == RECONNECT else None


def open_or_create(db_url: str | None) -> Database | None:
    """Open the database (the first start creates it). When it cannot be reached, the
    user may correct the server connection and try again."""
    while True:
        try:
            target = resolve_target(db_url)
            if not database_exists(target):
                made = first_run(db_url)
                if made == RECONNECT:
                    continue
                return made if isinstance(made, Database) else None
            return open_database(db_url, prompt=prompt_passphrase)
        except IADeskError as exc:
            if db_url is not None or not ask_to_change_connection(exc.message):
                return None


def ask_to_change_connection(message: str) -> bool:
    from ui.connection import ConnectionDialog

    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, message)
    change = box.addButton("Database connection…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is not change:
        return False
    return ConnectionDialog().exec() == QDialog.DialogCode.Accepted


def after_start(window: QWidget) -> None:
    """Once the main window is up: freeze start-up's objects out of the garbage
    collector's way, and load the other screens' code (the case window, the other pages,
    printing with ReportLab and PDFium) in the background, so neither start-up nor the
    first use of a screen waits for the import."""
    from PySide6.QtCore import QTimer

    from ui.worker import freeze_startup_objects, run_task

    def warm_up() -> None:
        import ui.case_view
        import ui.clauses
        import ui.intake
        import ui.pages
        import ui.printing
        import ui.registers_page
        import ui.stats_page  # noqa: F401

    QTimer.singleShot(0, freeze_startup_objects)
    QTimer.singleShot(0, lambda: run_task(window, warm_up, lambda _r: None))


BROKEN_BINDING = (
    "IA Desk cannot run with this Qt binding: PySide6 {version} on Python {python} drops a "
    "reference to Python's None on every Qt call that returns nothing, and the app would "
    "abort ('deallocating None') after some tens of thousands of them. Install PySide6-Essentials "
    "older than 6.12 (pip install 'PySide6-Essentials<6.12') or run on Python 3.12 or newer."
)


def binding_is_sound(calls: int = 500) -> bool:
    """Whether Qt calls leave None's reference count alone. PySide6 6.12.0 built for
    Python 3.11 takes one reference per call returning nothing (on 3.12 and newer None is
    immortal, and the count never moves)."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    return sys.getrefcount(None) - before > -calls // 2


def run_app(
    db_url: str | None = None, argv: list[str] | None = None, check_start: bool = False
) -> int:
    """Start the desktop app. ``check_start`` signs in from the environment, shows the
    main window and quits once it is up (used to check a deployment or a build)."""
    if not binding_is_sound():
        import PySide6

        print(
            BROKEN_BINDING.format(version=PySide6.__version__, python=sys.version.split()[0]),
            file=sys.stderr,
        )
        return 4
    start_stretching(db_url)  # on another core while the screens' modules load
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("IA Desk")
    from PySide6.QtGui import QIcon

    from ia_desk.resources import resource

    app.setWindowIcon(QIcon(str(resource("icons", "ia-desk.png"))))
    db = open_or_create(db_url)
    if db is None:
        return 1
    if check_start:
        import os

        from PySide6.QtCore import QTimer

        try:
            actor = authenticate(
                db, os.environ.get("IA_DESK_USER", ""), os.environ.get("IA_DESK_PASSWORD", "")
            )
        except IADeskError as exc:
            print(f"ia-desk: {exc.message}", file=sys.stderr)
            return 3
        if actor.must_change_password:
            print(f"ia-desk: {actor.login} must choose a new password first.", file=sys.stderr)
            return 3
        window = MainWindow(db, actor)
        window.show()

        def shown() -> None:
            print(
                f"main window shown: {window.windowTitle()} ({window.nav.count()} screens)",
                flush=True,
            )
            QTimer.singleShot(300, app.quit)

        QTimer.singleShot(0, shown)
    else:
        while (outcome := (sign_in := SignInDialog(db)).exec()) == RECONNECT:
            db.dispose()  # another database was chosen: open that one instead
            db = open_or_create(db_url)
            if db is None:
                return 1
        if outcome != QDialog.DialogCode.Accepted or sign_in.actor is None:
            return 1
        window = MainWindow(db, sign_in.actor)
        window.show()
    after_start(window)
    from ui.worker import run_task

    # The day's first backup runs in the background once the window is up.
    run_task(
        window,
        lambda: daily_backup_if_due(db),
        lambda _path: None,
        lambda exc: window.statusBar().showMessage(f"Daily backup failed: {exc}"),
    )
    code = int(app.exec())
    # Tear down in order while Qt still runs: windows, then background work, then the
    # database. (Left to interpreter exit, Qt objects can be deleted twice.)
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    QThreadPool.globalInstance().waitForDone(30_000)
    db.dispose()
    return code
