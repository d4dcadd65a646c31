"""The main window's "My tasks" screen, driven as an investigator would: their tasks on
every case in one list, open ones first by due date, the overdue ones in red; done ones
on request; an IA administrator's "All IA's tasks"; a row opens its case; Mark done…
from the list. Only IA roles are offered it, and each read of it is audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu
from sqlalchemy import select, update

from ia_desk.cases.notes import task_note
from ia_desk.db.models import AuditEvent, CaseTask
from ia_desk.errors import PermissionDenied
from ia_desk.services import accounts, notes
from ui.dialogs.reason import ReasonDialog
from ui.main_window import MainWindow
from ui.screens.tasks import ASSIGNEE, CASE, DUE, OVERDUE, STATE, TITLE
from ui.worker import pending_tasks

from .conftest import PASSWORD, go_around_the_app

TODAY = dt.date.today()
TITLE_TEXT = "My tasks"


def idle(qtbot) -> None:
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)


def reads(db, kind: str = "task.list", outcome: str = "ok") -> list[tuple[str, dict]]:
    """(who, details) of each audited event ``kind`` with ``outcome``, oldest first."""
    with db.read() as s:
        rows = s.execute(
            select(AuditEvent.user_login, AuditEvent.details)
            .where(AuditEvent.event_type == kind, AuditEvent.outcome == outcome)
            .order_by(AuditEvent.seq)
        ).all()
    return [(who or "", json.loads(details)) for who, details in rows]


@pytest.fixture(autouse=True)
def boxes(message_boxes) -> list[str]:
    """A message box is recorded, not waited on (the tests expect none)."""
    return message_boxes


@pytest.fixture
def work(db, admin, make_user, open_report):
    """An investigator with three tasks on two cases (one overdue, one due today, one in
    five days, set in that order of neither case nor date) and the administrator's own
    task on the second case."""
    inv = make_user("ia_investigator")
    first, second = open_report().case.number, open_report().case.number
    later = notes.add_task(
        db, admin, first, "Interview the witness", inv.login, TODAY + dt.timedelta(5)
    )
    today = notes.add_task(db, admin, second, "Request the account records", inv.login, TODAY)
    late = notes.add_task(db, admin, first, "Preserve the post", inv.login, TODAY).value
    mine = notes.add_task(db, admin, second, "Brief the Chief", "admin", TODAY + dt.timedelta(2))
    with db.write(admin) as s:  # as if set last week, due three days ago
        s.execute(
            update(CaseTask).where(CaseTask.id == late).values(due_on=TODAY - dt.timedelta(3))
        )
    return {
        "inv": inv,
        "first": first,
        "second": second,
        "late": late,
        "today": today.value,
        "later": later.value,
        "admins": mine.value,
    }


def window(qtbot, db, actor) -> MainWindow:
    win = MainWindow(db, actor)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    idle(qtbot)
    return win


def go_to_tasks(qtbot, win):
    """Click "My tasks" in the navigation, as the user does; the screen once read."""
    row = win.titles.index(TITLE_TEXT)
    rect = win.nav.visualItemRect(win.nav.item(row))
    qtbot.mouseClick(win.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    idle(qtbot)
    page = win.page(TITLE_TEXT)
    assert win.stack.currentWidget() is page
    return page


def column(page, col: int) -> list[str]:
    return [page.table.item(r, col).text() for r in range(page.table.rowCount())]


def click_row(qtbot, page, row: int, *, double: bool = False) -> None:
    """Click a row (as a user does: a double-click is a click, then the second one)."""
    at = page.table.visualItemRect(page.table.item(row, TITLE)).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=at)
    if double:
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=at)


def answer(monkeypatch, fill):
    """The Mark done dialog, when opened, is filled in by ``fill`` and saved."""
    shown: list[ReasonDialog] = []

    def exec_(self):
        shown.append(self)
        fill(self)
        self.save()
        return 0

    monkeypatch.setattr(ReasonDialog, "exec", exec_)
    return shown


def test_my_tasks_lists_mine_on_every_case_open_first_by_due_date_overdue_in_red(
    qtbot, db, work, boxes
):
    win = window(qtbot, db, work["inv"])
    page = go_to_tasks(qtbot, win)
    assert column(page, TITLE) == [
        "Preserve the post",
        "Request the account records",
        "Interview the witness",
    ]  # the administrator's own task is not the investigator's
    assert column(page, CASE) == [work["first"], work["second"], work["first"]]
    assert column(page, DUE) == [
        (TODAY - dt.timedelta(3)).isoformat(),
        TODAY.isoformat(),
        (TODAY + dt.timedelta(5)).isoformat(),
    ]
    assert column(page, STATE) == ["Overdue by 3 day(s)", "Due today", "5 day(s) left"]
    assert page.table.item(0, STATE).foreground().color() == OVERDUE
    assert page.table.item(0, STATE).font().bold()
    assert page.table.item(1, STATE).foreground().color() != OVERDUE
    assert page.table.isColumnHidden(ASSIGNEE)  # all of them are theirs
    assert page.scope_buttons == {}  # an investigator is offered their own list only
    assert page.summary.text() == "3 open task(s), 1 overdue."
    assert boxes == []


def test_done_tasks_are_listed_only_when_asked_for_and_say_they_are_done(qtbot, db, work):
    inv = work["inv"]
    notes.complete_task(db, inv, work["today"], "Requested by fax.")
    win = window(qtbot, db, inv)
    page = go_to_tasks(qtbot, win)
    assert column(page, TITLE) == ["Preserve the post", "Interview the witness"]
    qtbot.mouseClick(page.include_done, Qt.MouseButton.LeftButton)
    idle(qtbot)
    assert page.include_done.isChecked()
    assert column(page, TITLE)[-1] == "Request the account records"  # done ones after
    assert column(page, STATE)[-1] == f"Done {TODAY.isoformat()} by {inv.login}"
    assert "Requested by fax." in page.table.item(2, TITLE).toolTip()
    assert page.summary.text() == "2 open task(s), 1 overdue; 1 done."
    click_row(qtbot, page, 2)  # a done task: the button says why not
    assert not page.done_btn.isEnabled()
    assert page.done_btn.toolTip() == "Not now: the task is done."
    qtbot.mouseClick(page.include_done, Qt.MouseButton.LeftButton)
    idle(qtbot)
    assert page.table.rowCount() == 2


def test_an_ia_administrator_switches_to_all_ias_tasks(qtbot, db, admin, work):
    win = window(qtbot, db, admin)
    page = go_to_tasks(qtbot, win)
    assert column(page, TITLE) == ["Brief the Chief"]  # theirs first
    assert set(page.scope_buttons) == {"mine", "all"}
    assert page.scope_buttons["mine"].isChecked() and page.heading.text() == "My tasks"
    qtbot.mouseClick(page.scope_buttons["all"], Qt.MouseButton.LeftButton)
    idle(qtbot)
    assert column(page, TITLE) == [
        "Preserve the post",
        "Request the account records",
        "Brief the Chief",
        "Interview the witness",
    ]
    assert not page.table.isColumnHidden(ASSIGNEE)  # whose each is
    assert work["inv"].login in page.table.item(0, ASSIGNEE).text()
    assert page.heading.text() == "All IA's tasks"
    click_row(qtbot, page, 0)  # the IA commander may mark anyone's done
    assert page.done_btn.isEnabled()
    assert [details["mine"] for _who, details in reads(db)] == [True, False]


def test_enter_or_a_double_click_opens_the_tasks_case(qtbot, db, work):
    win = window(qtbot, db, work["inv"])
    page = go_to_tasks(qtbot, win)
    click_row(qtbot, page, 1, double=True)
    idle(qtbot)
    assert list(win.case_windows) == [work["second"]]
    page.table.setFocus()
    page.table.setCurrentCell(2, TITLE)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    idle(qtbot)
    assert set(win.case_windows) == {work["first"], work["second"]}
    assert win.case_windows[work["first"]].isVisible()


def test_an_investigator_marks_their_task_done_from_the_list(qtbot, db, work, monkeypatch):
    win = window(qtbot, db, work["inv"])
    page = go_to_tasks(qtbot, win)
    assert not page.done_btn.isEnabled()  # nothing selected yet
    click_row(qtbot, page, 0)
    assert page.done_btn.isEnabled()
    shown = answer(monkeypatch, lambda d: d.text.setPlainText("Preserved; hash noted."))
    qtbot.mouseClick(page.done_btn, Qt.MouseButton.LeftButton)
    idle(qtbot)
    assert shown and work["first"] in shown[0].findChild(type(page.summary)).text()
    with db.read() as s:
        task = s.get(CaseTask, work["late"])
        assert task is not None and task.done_at is not None
        assert task.sealed and task_note(task, work["inv"], True) == "Preserved; hash noted."
    # The change came back on the bus: the list read itself again, the task gone from it.
    assert column(page, TITLE) == ["Request the account records", "Interview the witness"]
    assert page.summary.text() == "2 open task(s)."


@pytest.mark.parametrize("role", ["supervisor", "command_staff"])
def test_supervisors_and_command_staff_are_not_offered_my_tasks(qtbot, db, make_user, work, role):
    who = make_user(role)
    win = window(qtbot, db, who)
    assert TITLE_TEXT not in win.titles
    view = next(m for m in win.menuBar().findChildren(QMenu) if m.title() == "&View")
    assert not any("tasks" in a.text().lower() for a in view.actions())
    assert notes.task_scopes(who) == []
    with pytest.raises(PermissionDenied):  # and the services refuse them anyway
        notes.list_tasks(db, who, mine=True)
    assert reads(db, outcome="ok") == []
    assert len(reads(db, outcome="denied")) == 1


def test_my_tasks_is_read_when_shown_and_on_a_change_never_behind_the_users_back(
    qtbot, db, admin, work
):
    inv = work["inv"]
    win = window(qtbot, db, inv)
    assert reads(db) == []  # the window opens on the home screen: no task read
    page = go_to_tasks(qtbot, win)
    listed = reads(db)
    assert len(listed) == 1 and listed[0][0] == inv.login
    win.poll_changes()  # nothing changed: nothing read
    idle(qtbot)
    assert len(reads(db)) == 1
    # Another screen in front: a new task is read only when My tasks is shown again.
    win.nav.setCurrentRow(win.titles.index("Cases"))
    idle(qtbot)
    from ui.ops import bus

    done = notes.add_task(db, admin, work["second"], "Call the platform", inv.login, TODAY)
    bus().publish(done.changes)
    idle(qtbot)
    assert len(reads(db)) == 1
    go_to_tasks(qtbot, win)
    assert len(reads(db)) == 2
    assert "Call the platform" in column(page, TITLE)
    # The database's own notice of this workstation's change (PostgreSQL's NOTIFY) is not
    # heard again: however late the timer polls, My tasks is not read a third time.
    qtbot.wait(300)  # (the notice travels on a connection of its own)
    win.poll_changes()
    idle(qtbot)
    assert len(reads(db)) == 2


def test_asking_twice_at_once_reads_once_after_the_other_and_shows_the_last_asked(
    qtbot, db, admin, work, boxes
):
    """Ticking "Include done" and switching to all IA's tasks at once: the reads follow
    each other (two audited reads at once contended for the database's one writer and
    said "busy"), and the list shows what was asked last."""
    notes.complete_task(db, work["inv"], work["today"])
    win = window(qtbot, db, admin)
    page = go_to_tasks(qtbot, win)
    qtbot.mouseClick(page.include_done, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.scope_buttons["all"], Qt.MouseButton.LeftButton)
    idle(qtbot)
    assert boxes == []
    assert page.table.rowCount() == 4 and "1 done" in page.summary.text()
    assert [details for _who, details in reads(db)][-1] == {
        "mine": False,
        "open_only": False,
        "count": 4,
    }


def test_marking_done_reloads_the_list_and_the_open_window_of_its_case_without_busy(
    qtbot, db, work, monkeypatch, boxes
):
    """The task's case is open beside the list, on its Notes & tasks tab: the one change
    reloads both, one read after the other (at once, the second said "busy")."""
    win = window(qtbot, db, work["inv"])
    page = go_to_tasks(qtbot, win)
    click_row(qtbot, page, 0, double=True)
    idle(qtbot)
    beside = win.case_windows[work["first"]]
    beside.tabs.setCurrentWidget(beside.notes)
    idle(qtbot)
    click_row(qtbot, page, 0)
    answer(monkeypatch, lambda d: d.text.setPlainText("Preserved."))
    qtbot.mouseClick(page.done_btn, Qt.MouseButton.LeftButton)
    idle(qtbot)
    assert boxes == []
    assert "Preserve the post" not in column(page, TITLE)
    states = [beside.notes.tasks.item(r, 1).text() for r in range(beside.notes.tasks.rowCount())]
    assert any(s.startswith("Done ") for s in states)


def test_an_investigator_without_ias_key_is_told_on_the_screen_not_in_a_box(qtbot, db, work, boxes):
    """Task titles are sealed to IA's key (docs/security.md, promise 6): without it the
    screen says why, lists nothing, and a later reading with the key clears it."""
    inv = work["inv"]
    go_around_the_app(db, "DELETE FROM ia_key_grant WHERE user_key_id = :k", k=inv.keys.key_id)
    win = window(qtbot, db, accounts.sign_in(db, inv.login, PASSWORD))
    page = go_to_tasks(qtbot, win)
    assert boxes == []
    assert page.unavailable.isVisible() and "not been given IA's key" in page.unavailable.text()
    assert page.table.rowCount() == 0
