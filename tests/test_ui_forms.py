"""The forms that take a new secret twice (first start, a new user, the database
passphrase, one's own new password) share one "password / again" pair: each refuses two
that differ, in its own words, and nothing is created or changed."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from ia_desk.accounts.users import authenticate
from ia_desk.db.models import User
from ui.dialogs.add_user import AddUserDialog
from ui.dialogs.change_password import ChangePasswordDialog
from ui.dialogs.passphrase import PassphraseDialog
from ui.screens.administration import AdminPage
from ui.worker import pending_tasks

from .conftest import PASSWORD


def test_adding_a_user_with_differing_passwords_is_refused_and_nobody_is_added(
    qtbot, db, admin, monkeypatch
):
    def typed(self):
        self.login.setText("newcomer")
        self.name.setText("New Comer")
        self.role.setCurrentIndex(self.role.findData("ia_investigator"))
        self.password.setText("Long-enough-secret-1")
        self.password2.setText("Long-enough-secret-2")
        self._check()
        shown.append(self.error.text())
        return QDialog.DialogCode(self.result())

    shown: list[str] = []
    monkeypatch.setattr(AddUserDialog, "exec", typed)
    page = AdminPage(db, admin)
    qtbot.addWidget(page)
    page._add()
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)  # the list's reload
    assert shown == ["The two passwords differ."]
    with db.read() as s:
        assert s.scalar(select(User).where(User.login == "newcomer")) is None


def test_a_new_passphrase_must_be_typed_twice_the_same_and_long_enough(qtbot):
    dlg = PassphraseDialog(confirm=True)
    qtbot.addWidget(dlg)
    dlg.pair.first.setText("a passphrase long enough")
    dlg.pair.again.setText("another passphrase long enough")
    dlg._check()
    assert dlg.error.text() == "The two passphrases differ." and dlg.result() == 0
    dlg.pair.first.setText("short")
    dlg.pair.again.setText("short")
    dlg._check()
    assert dlg.error.text().startswith("At least") and dlg.result() == 0
    dlg.pair.first.setText("a passphrase long enough")
    dlg.pair.again.setText("a passphrase long enough")
    dlg._check()
    assert dlg.result() == QDialog.DialogCode.Accepted and dlg.value() == "a passphrase long enough"


def test_opening_asks_the_passphrase_once(qtbot):
    dlg = PassphraseDialog(confirm=False)
    qtbot.addWidget(dlg)
    assert dlg.pair is None
    dlg.first.setText("x")  # the database says whether it is right, not the dialog
    dlg._check()
    assert dlg.result() == QDialog.DialogCode.Accepted and dlg.value() == "x"


def test_differing_new_passwords_change_nothing(qtbot, db, admin):
    dlg = ChangePasswordDialog(db, admin)
    qtbot.addWidget(dlg)
    dlg.old.setText(PASSWORD)
    dlg.new.setText("My-own-new-secret-11")
    dlg.again.setText("My-own-new-secret-12")
    dlg.change()
    assert dlg.error.text() == "The two new passwords differ." and dlg.result() == 0
    assert authenticate(db, admin.login, PASSWORD).login == admin.login  # unchanged
