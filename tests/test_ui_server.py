"""The desktop side of several workstations: live updates and the connection dialog."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import make_url

from ia_desk.cases.intake import open_case, parse_report
from ia_desk.db.connection import saved_connection
from ia_desk.startup import open_database
from ui.dialogs.connection import ConnectionDialog
from ui.main_window import MainWindow
from ui.worker import pending_tasks

from .conftest import changed_by_another_program, report_doc


def idle(qtbot):
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)


def test_an_open_case_list_shows_a_case_added_at_another_workstation(
    qtbot, db, db_url, admin, open_report
):
    open_report()
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    win.nav.setCurrentRow(win.titles.index("Cases"))  # the list open (the home screen is first)
    idle(qtbot)
    page = win.cases
    page.table.selectRow(0)
    assert page.model.rowCount() == 1
    other = open_database(db_url)
    try:
        with other.write(admin) as s:
            number = open_case(s, admin, parse_report(report_doc())).case.number
    finally:
        other.dispose()

    def shown() -> bool:
        win.poll_changes()  # what the window's timer does every two seconds
        idle(qtbot)
        return page.model.rowCount() == 2

    qtbot.waitUntil(shown, timeout=10_000)
    assert page.model.index(0, 0).data() == number
    assert page.selected_number() == "IA-2026-0001"  # the user's selection is kept
    if db.engine.dialect.name == "postgresql":
        assert number in win.statusBar().currentMessage()


def test_the_connection_dialog_names_a_missing_field(qtbot):
    dlg = ConnectionDialog()
    qtbot.addWidget(dlg)
    dlg.host.setText("")
    dlg._connect()
    assert "host" in dlg.error.text() and dlg.result() == 0
    assert saved_connection() is None
    dlg.host.setText("db.example.org")
    dlg.tls.setCurrentIndex(dlg.tls.findData("disable"))
    assert "administrator" in dlg.warning.text()


@pytest.mark.postgresql_only
def test_the_connection_dialog_keeps_a_working_server(qtbot, db, db_url, isolated, tmp_path):
    url = make_url(db_url)
    dlg = ConnectionDialog()
    qtbot.addWidget(dlg)
    dlg.host.setText(url.host)
    dlg.port.setValue(url.port)
    dlg.database.setText(url.database)
    dlg.user.setText(url.username)
    dlg.password.setText("wrong password")
    dlg._connect()
    assert "refused the sign-in" in dlg.error.text() and saved_connection() is None
    dlg.password.setText(url.password)
    dlg._connect()
    assert dlg.result() == 1 and dlg.error.text() == ""
    saved = json.loads((tmp_path / "data" / "connection.json").read_text())
    assert saved["host"] == url.host and url.password not in json.dumps(saved)
    again = ConnectionDialog()
    qtbot.addWidget(again)
    assert again.database.text() == url.database and again.embedded.isEnabled()
    again._use_embedded()
    assert saved_connection() is None


def test_a_case_changed_elsewhere_meanwhile_says_who_and_reloads(
    qtbot, db, db_url, admin, open_report, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    from ia_desk.cases.workflow import perform
    from ui.case_window.window import CaseWindow

    number = open_report().case.number
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    assert "received" in view.header.text()
    other = open_database(db_url)  # another investigator's workstation assigns it
    try:
        with other.write(admin) as s:
            perform(s, admin, number, "assign", assignee="admin")
    finally:
        other.dispose()
    asked: list[str] = []

    def answer(_parent, _title, text, *_a, **_k):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    view._act("start")  # this user still sees the case as it was
    idle(qtbot)
    assert len(asked) == 1 and "admin (case: assign" in asked[0] and "Reload" in asked[0]
    assert "assigned" in view.header.text()  # reloaded: the other change is shown
    with db.read() as s:
        from ia_desk.cases.queries import get_case

        assert get_case(s, number).status == "assigned"  # the stale action saved nothing


def test_a_change_made_here_is_read_once_and_one_made_elsewhere_is_still_read(
    qtbot, db, db_url, admin, open_report, monkeypatch
):
    """This workstation's own change reaches its screens on the bus alone: the database's
    notice of it (PostgreSQL's NOTIFY, SQLite's data_version) reads nothing again (issue
    24). A change by another workstation, or by another program's SQL, is still read."""
    from sqlalchemy import func, select

    from ia_desk.cases.workflow import perform
    from ia_desk.db.models import AuditEvent
    from ia_desk.services import cases
    from ui.ops import Change

    number = open_report().case.number
    named = db.engine.dialect.name == "postgresql"  # SQLite says only that a case changed
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    win.show()
    win.nav.setCurrentRow(win.titles.index("Cases"))
    win.open_case(number)
    view = win.case_windows[number]
    qtbot.addWidget(view)
    idle(qtbot)
    list_reads: list[int] = []
    first_page = cases.first_page

    def counted(*args, **kwargs):
        list_reads.append(1)
        return first_page(*args, **kwargs)

    monkeypatch.setattr(cases, "first_page", counted)

    def case_reads() -> int:  # each read of the case window is audited
        with db.read() as s:
            return s.scalar(
                select(func.count()).where(
                    AuditEvent.case_number == number, AuditEvent.event_type == "case.view"
                )
            )

    def settled() -> None:  # the database's notices have arrived and been polled
        qtbot.wait(300)
        for _ in range(3):
            win.poll_changes()
            idle(qtbot)

    viewed = case_reads()
    Change(win, lambda: cases.take_action(db, admin, number, "assign", assignee="admin")).run()
    idle(qtbot)
    assert win.cases.model.index(0, 1).data() == "Assigned"
    settled()
    assert len(list_reads) == 1  # the bus's, and only it
    assert case_reads() == viewed + 1
    assert "Assigned" in view.header.text()

    other = open_database(db_url)  # another workstation starts the investigation
    try:
        with other.write(admin) as s:
            perform(s, admin, number, "start")
    finally:
        other.dispose()

    def read_again(count: int) -> bool:
        win.poll_changes()
        idle(qtbot)
        return len(list_reads) == count

    qtbot.waitUntil(lambda: read_again(2), timeout=10_000)
    assert win.cases.model.index(0, 1).data() == "Investigating"
    if named:
        assert case_reads() == viewed + 2 and "Investigating" in view.header.text()

    # Another program's SQL on the same database (its own connection, not the app's).
    changed_by_another_program(db, number)
    qtbot.waitUntil(lambda: read_again(3), timeout=10_000)
    settled()
    assert len(list_reads) == 3  # once each
    if named:
        assert case_reads() == viewed + 3
