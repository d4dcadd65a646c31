"""The case window's "Notes & tasks" tab, driven as an investigator would: write a note,
edit it (the earlier text stays readable), set a task for a colleague, mark one's own
done. Only IA roles have the tab; reading it is audited, and only when it is looked at."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate
from sqlalchemy import func, select

from ia_desk.cases.notes import task_note
from ia_desk.cases.workflow import perform
from ia_desk.db.models import AuditEvent, CaseNote, CaseTask
from ia_desk.services import accounts
from ia_desk.services import notes as notes_service
from tests.conftest import PASSWORD, go_around_the_app
from ui.case_window.window import CaseWindow
from ui.dialogs.reason import ReasonDialog
from ui.dialogs.task import TaskDialog
from ui.worker import pending_tasks


def idle(qtbot):
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)


def count(db, model) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)))


def reads(db, kind: str) -> int:
    with db.read() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.event_type == kind, AuditEvent.outcome == "ok")
            )
        )


def answer(monkeypatch, dialog, fill):
    """The dialog, when opened, is filled in by ``fill`` and saved (no click needed)."""
    shown: list = []

    def exec_(self):
        shown.append(self)
        fill(self)
        self.save()
        return 0

    monkeypatch.setattr(dialog, "exec", exec_)
    return shown


def open_tab(qtbot, view) -> None:
    view.show()
    idle(qtbot)
    view.tabs.setCurrentWidget(view.notes)
    idle(qtbot)


@pytest.fixture(autouse=True)
def boxes(message_boxes) -> list[str]:
    """A message box the tab shows is recorded, not waited on (and fails the test)."""
    return message_boxes


def tab_titles(view) -> list[str]:
    return [view.tabs.tabText(i) for i in range(view.tabs.count())]


def test_an_investigator_writes_edits_and_reads_notes(
    qtbot, db, admin, open_report, monkeypatch, boxes
):
    number = open_report().case.number
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    assert "Notes && tasks" in tab_titles(view)
    assert reads(db, "note.list") == 0  # opening the case does not read IA's notes
    open_tab(qtbot, view)
    assert reads(db, "note.list") == 1 and reads(db, "task.list") == 1
    assert view.notes.add_note_btn.isEnabled() and not view.notes.edit_note_btn.isEnabled()

    answer(monkeypatch, ReasonDialog, lambda d: d.text.setPlainText("Meet Sgt. Ames on Monday."))
    view.notes._add_note()
    idle(qtbot)
    assert boxes == []
    assert view.notes.notes.rowCount() == 1
    assert view.notes.notes.item(0, 3).text() == "Meet Sgt. Ames on Monday."

    view.notes.notes.selectRow(0)
    assert view.notes.edit_note_btn.isEnabled()
    shown = answer(
        monkeypatch, ReasonDialog, lambda d: d.text.setPlainText("Meet Sgt. Ames on Tuesday.")
    )
    view.notes._edit_note()
    idle(qtbot)
    assert shown[0].initial == "Meet Sgt. Ames on Monday."  # the edit starts from the note
    assert view.notes.notes.rowCount() == 1  # one note, in its newer version
    assert view.notes.notes.item(0, 3).text() == "Meet Sgt. Ames on Tuesday."
    assert view.notes.notes.item(0, 2).text() == "1 time(s)"
    view.notes.notes.selectRow(0)
    text = view.notes.note_text.toPlainText()
    assert "Tuesday" in text and "Earlier version" in text and "Monday" in text
    assert count(db, CaseNote) == 2  # nothing a note said is overwritten


def test_an_empty_note_is_refused_in_the_dialog_and_nothing_is_stored(
    qtbot, db, admin, open_report, monkeypatch
):
    number = open_report().case.number
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    open_tab(qtbot, view)
    shown = answer(monkeypatch, ReasonDialog, lambda d: d.text.setPlainText("   "))
    view.notes._add_note()
    idle(qtbot)
    assert shown[0].error.text() == "Required." and "Traceback" not in shown[0].error.text()
    assert count(db, CaseNote) == 0 and view.notes.notes.rowCount() == 0


def test_a_task_is_set_for_a_colleague_and_only_they_mark_it_done(
    qtbot, db, admin, make_user, open_report, monkeypatch
):
    number = open_report().case.number
    colleague = make_user("ia_investigator")
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    open_tab(qtbot, view)
    due = dt.date.today() + dt.timedelta(days=3)

    def fill(d: TaskDialog) -> None:
        d.title.setText("Request the account records")
        d.assignee.setCurrentIndex(d.assignee.findData(colleague.login))
        d.due.setDate(QDate(due.year, due.month, due.day))

    shown = answer(monkeypatch, TaskDialog, fill)
    view.notes._add_task()
    idle(qtbot)
    assert shown[0].assignee.findData("admin") >= 0  # IA users only are offered
    tasks = view.notes.tasks
    assert tasks.rowCount() == 1
    assert tasks.item(0, 0).text() == due.isoformat()
    assert colleague.login in tasks.item(0, 2).text()
    assert tasks.item(0, 1).text() == "3 day(s) left"

    # The colleague's own window: they may mark it done.
    with db.write(admin) as s:
        perform(s, admin, number, "assign", assignee=colleague.login)
    theirs = CaseWindow(db, colleague, number)
    qtbot.addWidget(theirs)
    open_tab(qtbot, theirs)
    theirs.notes.tasks.selectRow(0)
    assert theirs.notes.done_btn.isEnabled()
    answer(monkeypatch, ReasonDialog, lambda d: d.text.setPlainText("Records requested."))
    theirs.notes._mark_done()
    idle(qtbot)
    assert theirs.notes.tasks.item(0, 1).text().startswith("Done ")
    assert "Records requested." in theirs.notes.tasks.item(0, 3).toolTip()
    theirs.notes.tasks.selectRow(0)  # done once: the button says why not again
    assert not theirs.notes.done_btn.isEnabled()
    assert theirs.notes.done_btn.toolTip() == "Not now: the task is done."
    with db.read() as s:
        task = s.scalars(select(CaseTask)).one()
        assert task.done_by_id == colleague.user_id and task.sealed
        assert task_note(task, colleague, True) == "Records requested."
    # the first window heard the change: the task shows as done there too
    qtbot.waitUntil(lambda: view.notes.tasks.item(0, 1).text().startswith("Done "), timeout=5000)


def test_an_investigator_on_a_colleagues_case_reads_but_may_not_add(
    qtbot, db, admin, make_user, open_report
):
    owner, other = make_user("ia_investigator"), make_user("ia_investigator")
    number = open_report().case.number
    with db.write(owner) as s:
        perform(s, owner, number, "start")
    view = CaseWindow(db, other, number)
    qtbot.addWidget(view)
    open_tab(qtbot, view)
    for btn in (view.notes.add_note_btn, view.notes.add_task_btn):
        assert not btn.isEnabled()
        assert "assigned to another investigator" in btn.toolTip()
    assert "assigned to another investigator" in view.notes.refused.text()


def test_command_staff_and_supervisors_have_no_notes_tab(qtbot, db, admin, make_user, open_report):
    chief, sup = make_user("command_staff"), make_user("supervisor")
    number = open_report().case.number
    own = open_report(actor=sup).case.number
    for actor, case in ((chief, number), (sup, own)):
        view = CaseWindow(db, actor, case)
        qtbot.addWidget(view)
        view.show()
        idle(qtbot)
        assert view.notes is None
        assert not any("Notes" in t for t in tab_titles(view))
    assert reads(db, "note.list") == 0


def test_an_investigator_without_ias_key_is_told_in_the_tab_not_in_a_box(
    qtbot, db, admin, make_user, open_report, boxes
):
    """IA's notes are sealed (docs/security.md, promise 6): an IA user whose key was not
    given IA's key sees why in the tab, with nothing shown and nothing to add."""
    number = open_report().case.number
    notes_service.add_note(db, admin, number, "Meet Sgt. Ames on Monday.")
    colleague = make_user("ia_investigator")
    go_around_the_app(
        db, "DELETE FROM ia_key_grant WHERE user_key_id = :k", k=colleague.keys.key_id
    )
    fresh = accounts.sign_in(db, colleague.login, PASSWORD)
    view = CaseWindow(db, fresh, number)
    qtbot.addWidget(view)
    open_tab(qtbot, view)
    assert boxes == []
    assert view.notes.unavailable.isVisible()
    said = view.notes.unavailable.text()
    assert "not been given IA's key" in said and "Traceback" not in said
    assert view.notes.notes.rowCount() == 0 and "Ames" not in view.notes.note_text.toPlainText()
    assert not view.notes.add_note_btn.isEnabled() and not view.notes.add_task_btn.isEnabled()
    # an administrator's sign-in gives it; the next sign-in reads the notes in the tab
    accounts.sign_in(db, "admin", PASSWORD)
    again = CaseWindow(db, accounts.sign_in(db, colleague.login, PASSWORD), number)
    qtbot.addWidget(again)
    open_tab(qtbot, again)
    assert not again.notes.unavailable.isVisible()
    assert again.notes.notes.item(0, 3).text() == "Meet Sgt. Ames on Monday."
