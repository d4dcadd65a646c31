"""Starting the desktop app: the QApplication, open (or create) the database, sign in, run.

The first start with no database shows the first-run dialog (administrator account,
demo data), then the recovery code, once. An embedded database opens with its user's own
password: where this computer keeps no copy of its key, the sign-in window comes before
the database opens, and the same password signs the user in. Once the main window is
up, the other screens' code loads in the background.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from PySide6.QtCore import QEvent, QThreadPool
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from ia_desk import APP_NAME, __version__
from ia_desk.errors import DatabaseKeyError, IADeskError
from ia_desk.services import Database, accounts
from ia_desk.services.database import (
    daily_backup_if_due,
    database_exists,
    needs_first_admin,
    open_database,
    resolve_target,
    start_stretching,
    take_recovery_code,
)
from ui.dialogs.connection import RECONNECT, ConnectionDialog
from ui.dialogs.first_run import FirstRunDialog
from ui.dialogs.passphrase import prompt_passphrase
from ui.dialogs.recovery_code import show_recovery_code
from ui.dialogs.sign_in import SignInCancelled, SignInDialog, ask_credentials


def first_run(url: str | None, finishing: bool = False) -> Database | int | None:
    """The first start: the form, then the database made (``finishing``: a server
    database with IA Desk's tables and no user yet gets its first administrator). A
    refused form stays open with the reason, and nothing is left made."""
    from ia_desk.services.database import create as initialise

    target = resolve_target(url)
    dlg = FirstRunDialog(target.describe(), server=target.kind == "postgresql", finishing=finishing)
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
            show_recovery_code(take_recovery_code(db), dlg)
            return db
        except IADeskError as exc:
            dlg.error.setText(exc.message)
    return RECONNECT if outcome == RECONNECT else None


class Opening:
    """The credentials asked before a database opened (its key opens with the user's own
    password), kept to sign the same user in without asking again."""

    def __init__(self, where: str, given: tuple[str, str] | None = None, error: str = "") -> None:
        self.where = where
        self.given = given
        self.error = error  # why the last credentials did not open it, shown above them
        self.asked: tuple[str, str] | None = None

    def __call__(self) -> tuple[str, str]:
        self.asked = self.given or ask_credentials(self.where, error=self.error)
        return self.asked


def open_or_create(
    db_url: str | None, given: tuple[str, str] | None = None
) -> tuple[Database, tuple[str, str] | None] | None:
    """Open the database (the first start creates it), with the login and password that
    were asked to open it, if any. When it cannot be reached, the user may correct the
    server connection and try again. A login or password that does not open it brings
    the sign-in window back with the reason."""
    refused = ""
    while True:
        opening: Opening | None = None
        try:
            target = resolve_target(db_url)
            if not database_exists(target):
                made = first_run(db_url)
                if made == RECONNECT:
                    continue
                return (made, None) if isinstance(made, Database) else None
            opening = Opening(target.describe(), given, refused)
            db = open_database(db_url, prompt=prompt_passphrase, credentials=opening)
            if given is None and needs_first_admin(db):
                # An earlier first start stopped after the server's tables were made.
                db.dispose()
                made = first_run(db_url, finishing=True)
                if made == RECONNECT:
                    continue
                return (made, None) if isinstance(made, Database) else None
            return db, opening.asked
        except SignInCancelled:
            return None
        except IADeskError as exc:
            if (
                isinstance(exc, DatabaseKeyError)
                and given is None
                and opening is not None
                and opening.asked is not None
            ):
                refused = exc.message  # the credentials asked did not open it: again
                continue
            if given is not None:
                print(f"ia-desk: {exc.message}", file=sys.stderr)
                return None
            if not ask_what_next(exc.message, may_change=db_url is None):
                return None


TRY_AGAIN = "Try again"


def ask_what_next(message: str, may_change: bool = True) -> bool:
    """The database did not open: say why, and offer Try again (a server that was down,
    a disk plugged back in), a change of connection (where no ``--db`` was given) or
    Close. True to try again."""
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, message)
    again = box.addButton(TRY_AGAIN, QMessageBox.ButtonRole.AcceptRole)
    change = (
        box.addButton("Database connection…", QMessageBox.ButtonRole.ActionRole)
        if may_change
        else None
    )
    box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(again)
    box.exec()
    clicked = box.clickedButton()
    if clicked is again:
        return True
    if change is None or clicked is not change:
        return False
    return ConnectionDialog().exec() == QDialog.DialogCode.Accepted


def after_start(window: QWidget) -> None:
    """Once the main window is up: freeze start-up's objects out of the garbage
    collector's way, and load the other screens' code (the case window, the other pages,
    printing with ReportLab and PDFium) in the background, so neither start-up nor the
    first use of a screen waits for the import."""
    from PySide6.QtCore import QTimer

    from ui.ops import Query
    from ui.worker import freeze_startup_objects

    def warm_up() -> None:
        import ui.case_window.window
        import ui.dialogs.clause_picker
        import ui.dialogs.intake
        import ui.dialogs.print_preview
        import ui.screens.administration
        import ui.screens.audit_trail
        import ui.screens.employees
        import ui.screens.policies
        import ui.screens.registers
        import ui.screens.statistics  # noqa: F401

    QTimer.singleShot(0, freeze_startup_objects)
    QTimer.singleShot(0, lambda: Query(window, warm_up).run())


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


NO_DISPLAY = (
    "IA Desk is a desktop app, and this session has no display to show it on (neither "
    "DISPLAY nor WAYLAND_DISPLAY is set). Start it from a desktop session, or on a computer "
    "without a screen under a virtual display: xvfb-run -a make run (or xvfb-run -a ia-desk). "
    "The command line needs no display: ia-desk --help."
)


def display_missing(env: Mapping[str, str] | None = None) -> bool:
    """A Linux session with no display, where Qt would fail with a misleading hint about
    a missing library. (A platform chosen with QT_QPA_PLATFORM, offscreen say, is left
    to Qt.)"""
    env = os.environ if env is None else env
    return (
        sys.platform.startswith("linux")
        and not env.get("QT_QPA_PLATFORM")
        and not env.get("DISPLAY")
        and not env.get("WAYLAND_DISPLAY")
    )


def run_app(
    db_url: str | None = None, argv: list[str] | None = None, check_start: bool = False
) -> int:
    """Start the desktop app. ``check_start`` signs in from the environment, shows the
    main window and quits once it is up (used to check a deployment or a build)."""
    if QApplication.instance() is None and display_missing():
        print(f"ia-desk: {NO_DISPLAY}", file=sys.stderr)
        return 5
    if not binding_is_sound():
        import PySide6

        print(
            BROKEN_BINDING.format(version=PySide6.__version__, python=sys.version.split()[0]),
            file=sys.stderr,
        )
        return 4
    start_stretching(db_url)  # on another core while the screens' modules load
    from ui.main_window import MainWindow

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("IA Desk")
    from PySide6.QtGui import QIcon

    from ia_desk.resources import resource

    app.setWindowIcon(QIcon(str(resource("icons", "ia-desk.png"))))
    given = (
        (os.environ.get("IA_DESK_USER", ""), os.environ.get("IA_DESK_PASSWORD", ""))
        if check_start
        else None
    )
    opened = open_or_create(db_url, given)
    if opened is None:
        return 1
    db, asked = opened
    if check_start:
        from PySide6.QtCore import QTimer

        try:
            actor = accounts.sign_in(
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
        while (outcome := (sign_in := SignInDialog(db, preset=asked)).exec()) == RECONNECT:
            db.dispose()  # another database was chosen: open that one instead
            opened = open_or_create(db_url)
            if opened is None:
                return 1
            db, asked = opened
        if outcome != QDialog.DialogCode.Accepted or sign_in.actor is None:
            return 1
        # The first sign-in after the upgrade moved the database to own passwords.
        show_recovery_code(take_recovery_code(db))
        window = MainWindow(db, sign_in.actor)
        window.show()
    after_start(window)
    from ui.ops import Query

    # The day's first backup runs in the background once the window is up.
    Query(window, lambda: daily_backup_if_due(db)).failure(
        lambda exc: window.statusBar().showMessage(f"Daily backup failed: {exc}")
    ).run()
    code = int(app.exec())
    # Tear down in order while Qt still runs: windows, then background work, then the
    # database. (Left to interpreter exit, Qt objects can be deleted twice.)
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    QThreadPool.globalInstance().waitForDone(30_000)
    db.dispose()
    return code
