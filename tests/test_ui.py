"""The desktop app's first screens, driven as a user would with pytest-qt."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ui.app import FirstRunDialog, SignInDialog
from ui.main_window import MainWindow

from .conftest import PASSWORD


def test_sign_in_dialog_shows_the_notice_and_a_plain_error(qtbot, db):
    dlg = SignInDialog(db)
    qtbot.addWidget(dlg)
    assert "RESTRICTED LAW ENFORCEMENT DATA" in dlg.findChildren(type(dlg.error))[0].text()
    qtbot.keyClicks(dlg.login, "admin")
    qtbot.keyClicks(dlg.password, "wrong-password")
    dlg._sign_in()
    assert "login or password is wrong" in dlg.error.text()
    assert dlg.password.text() == ""
    qtbot.keyClicks(dlg.password, PASSWORD)
    dlg._sign_in()
    assert dlg.actor is not None and dlg.actor.login == "admin"


def test_main_window_lists_cases_and_searches(qtbot, db, admin, open_report):
    open_report()
    open_report(incident={"occurred_on": "2026-10-30", "narrative": "A meme about the mayor."})
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    assert win.model.rowCount() == 2
    assert win.model.index(0, 0).data() == "IA-2026-0002"
    assert "Ada Admin" in win.statusBar().currentMessage()
    qtbot.keyClicks(win.search, "meme")
    qtbot.keyClick(win.search, Qt.Key.Key_Return)
    assert win.model.rowCount() == 1
    assert win.count.text() == "1 case(s)"


def test_first_run_dialog_refuses_differing_passwords(qtbot):
    dlg = FirstRunDialog("/tmp/x.db")
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.password, "one-password-123")
    qtbot.keyClicks(dlg.password2, "another-password")
    dlg._check()
    assert "differ" in dlg.error.text()
    assert dlg.result() == 0


@pytest.mark.parametrize("role", ["supervisor"])
def test_supervisor_window_shows_only_own_cases(qtbot, db, make_user, open_report, role):
    open_report()
    sup = make_user(role)
    open_report(actor=sup)
    win = MainWindow(db, sup)
    qtbot.addWidget(win)
    assert win.model.rowCount() == 1
    assert win.model.index(0, 3).data() == ""  # subjects hidden from supervisors
