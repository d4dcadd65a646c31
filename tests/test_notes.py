"""Case notes and tasks (issue 22): IA's alone, every write and read audited, an edit
never overwrites a note, a task done by its assignee or the IA commander, overdue when
not done and due before today."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from ia_desk.casefile.home import home_counts
from ia_desk.cases.notes import note_text
from ia_desk.db.models import AuditEvent, CaseNote, CaseTask
from ia_desk.errors import InputError, NotFound, PermissionDenied
from ia_desk.services import cases, notes

TODAY = dt.date.today()


def events(db, kind: str) -> list:
    """The events of a kind, in order, as rows (user_login, case_number, outcome, details)."""
    with db.read() as s:
        return list(
            s.execute(
                select(
                    AuditEvent.user_login,
                    AuditEvent.case_number,
                    AuditEvent.outcome,
                    AuditEvent.details,
                )
                .where(AuditEvent.event_type == kind)
                .order_by(AuditEvent.seq)
            ).all()
        )


@pytest.fixture
def number(open_report) -> str:
    return str(open_report().case.number)


def test_a_note_is_written_read_and_both_are_audited(db, admin, number):
    done = notes.add_note(db, admin, number, "  Called the platform's legal desk.  ")
    assert done.changes.cases == frozenset({number})
    (shown,) = notes.list_notes(db, admin, number)
    assert shown["text"] == "Called the platform's legal desk."
    assert shown["author"] == "admin" and shown["history"] == []
    (written,) = events(db, "note.add")
    assert written.case_number == number and "legal desk" not in str(written.details)
    (read,) = events(db, "note.list")
    assert read.case_number == number and read.user_login == "admin"


def test_an_edit_supersedes_the_note_and_keeps_what_it_said(db, admin, number):
    first = notes.add_note(db, admin, number, "Meet Sgt. Ames on Monday.").value
    second = notes.add_note(db, admin, number, "Meet Sgt. Ames on Tuesday.", first).value
    (shown,) = notes.list_notes(db, admin, number)
    assert shown["id"] == second and shown["text"].endswith("Tuesday.")
    assert [h["text"] for h in shown["history"]] == ["Meet Sgt. Ames on Monday."]
    with db.read() as s:  # both versions are kept, the first unchanged (and sealed)
        stored = s.get(CaseNote, first)
        assert stored.sealed and "Ames" not in stored.text
        assert note_text(stored, admin, True) == "Meet Sgt. Ames on Monday."
        assert s.scalar(select(func.count()).select_from(CaseNote)) == 2
    with pytest.raises(InputError, match="already edited"):
        notes.add_note(db, admin, number, "Wednesday, then.", first)
    with pytest.raises(InputError, match="the same"):
        notes.add_note(db, admin, number, "Meet Sgt. Ames on Tuesday.", second)


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "note: required"), ("x" * 20_001, "at most 20000"), ("a\x00b", "control")],
)
def test_a_bad_note_is_refused_naming_the_field_and_nothing_is_stored(
    db, admin, number, text, message
):
    with pytest.raises(InputError, match=message) as refused:
        notes.add_note(db, admin, number, text)
    assert refused.value.field == "note"
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(CaseNote)) == 0


def test_a_note_of_another_case_cannot_be_superseded(db, admin, open_report, number):
    other = open_report().case.number
    theirs = notes.add_note(db, admin, other, "Other case.").value
    with pytest.raises(NotFound, match=f"{number} has no note {theirs}"):
        notes.add_note(db, admin, number, "Mine.", theirs)


@pytest.mark.parametrize("role", ["supervisor", "command_staff"])
def test_outside_ia_notes_and_tasks_are_never_read_nor_written(db, admin, make_user, number, role):
    notes.add_note(db, admin, number, "IA only.")
    notes.add_task(db, admin, number, "Interview the subject", "admin", TODAY)
    outsider = make_user(role)
    for attempt in (
        lambda: notes.list_notes(db, outsider, number),
        lambda: notes.add_note(db, outsider, number, "Let me in."),
        lambda: notes.list_tasks(db, outsider, number),
        lambda: notes.list_tasks(db, outsider, mine=True),
        lambda: notes.add_task(db, outsider, number, "x", "admin", TODAY),
        lambda: notes.complete_task(db, outsider, 1),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    refused = [e for e in events(db, "note.list") + events(db, "note.add") if e.outcome != "ok"]
    assert {e.user_login for e in refused} == {outsider.login}
    if role == "command_staff":  # the case's timeline says nothing of them either
        shown = {e["event"] for e in cases.the_timeline(db, outsider, number)}
        assert not {e for e in shown if e.startswith(("note.", "task."))}
        assert "note.add" in {e["event"] for e in cases.the_timeline(db, admin, number)}


def test_an_investigator_writes_notes_only_on_their_cases(db, admin, make_user, number):
    mine, other = make_user("ia_investigator"), make_user("ia_investigator")
    cases.take_action(db, admin, number, "assign", assignee=mine.login)
    notes.add_note(db, mine, number, "Mine.")
    with pytest.raises(PermissionDenied, match="assigned to another investigator"):
        notes.add_note(db, other, number, "Not mine.")
    assert len(notes.list_notes(db, other, number)) == 1  # IA reads every case's notes


def test_a_task_is_set_listed_and_done_by_its_assignee(db, admin, make_user, number):
    inv = make_user("ia_investigator")
    due = TODAY + dt.timedelta(days=3)
    task_id = notes.add_task(db, admin, number, "Ask Meta to preserve", inv.login, due).value
    (task,) = notes.list_tasks(db, inv, mine=True)
    assert task["id"] == task_id and task["case"] == number and task["due"] == due.isoformat()
    assert task["days_left"] == 3 and not task["overdue"] and task["completable"]
    assert notes.list_tasks(db, admin, number)[0]["completable"]  # the IA commander too
    other = make_user("ia_investigator")
    assert not notes.list_tasks(db, other, number)[0]["completable"]
    with pytest.raises(PermissionDenied, match="assigned to someone else"):
        notes.complete_task(db, other, task_id)
    assert notes.complete_task(db, inv, task_id, "Preservation letter sent.").value == number
    (task,) = notes.list_tasks(db, admin, number)
    assert task["done_by"] == inv.login and task["note"] == "Preservation letter sent."
    assert notes.list_tasks(db, inv, mine=True, open_only=True) == []
    with pytest.raises(InputError, match="was marked done"):
        notes.complete_task(db, admin, task_id)
    assert [(e.user_login, e.outcome) for e in events(db, "task.done")] == [
        (other.login, "denied"),
        (inv.login, "ok"),
    ]
    assert events(db, "task.add")[0].case_number == number
    assert events(db, "task.list")


def test_an_ia_administrator_marks_anyones_task_done(db, admin, make_user, number):
    inv = make_user("ia_investigator")
    task_id = notes.add_task(db, admin, number, "Pull the CAD log", inv.login, TODAY).value
    notes.complete_task(db, admin, task_id)
    assert notes.list_tasks(db, inv, number)[0]["done_by"] == "admin"


@pytest.mark.parametrize(
    ("title", "assignee", "due", "field", "message"),
    [
        ("", "admin", TODAY, "title", "title: required"),
        ("Call", "nobody", TODAY, "assignee", "there is no user 'nobody'"),
        ("Call", "admin", TODAY - dt.timedelta(days=1), "due", "is in the past"),
        ("Call", "admin", "next week", "due", "not a date"),
        ("Call", "SUPERVISOR", TODAY, "assignee", "a task goes to an IA"),
    ],
)
def test_a_bad_task_is_refused_in_plain_words_and_nothing_is_stored(
    db, admin, make_user, number, title, assignee, due, field, message
):
    if assignee == "SUPERVISOR":
        assignee = make_user("supervisor").login
    with pytest.raises(InputError, match=message) as refused:
        notes.add_task(db, admin, number, title, assignee, due)
    assert refused.value.field == field
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(CaseTask)) == 0


def test_no_task_is_set_on_a_closed_case(db, admin, number):
    with db.write(admin) as s:
        from ia_desk.cases.queries import get_case

        get_case(s, number).status = "closed"
    with pytest.raises(InputError, match="is closed"):
        notes.add_task(db, admin, number, "Too late", "admin", TODAY)
    notes.add_note(db, admin, number, "A note after the close is record keeping.")


def test_overdue_is_not_done_and_due_before_today(db, admin, make_user, open_report, number):
    inv = make_user("ia_investigator")
    late = notes.add_task(db, admin, number, "Late one", inv.login, TODAY).value
    notes.add_task(db, admin, number, "Due today", inv.login, TODAY)
    other = open_report().case.number
    notes.add_task(db, admin, other, "Admin's, in six days", "admin", TODAY + dt.timedelta(6))
    with db.write(admin) as s:  # as if set last week, due yesterday
        s.execute(
            update(CaseTask).where(CaseTask.id == late).values(due_on=TODAY - dt.timedelta(1))
        )
    overdue = notes.list_tasks(db, admin, overdue_only=True)
    assert [t["id"] for t in overdue] == [late] and overdue[0]["days_left"] == -1
    with db.read() as s:
        counts = {c.key: c for c in home_counts(s, inv)}
        assert counts["mine.tasks_due"].count == 1  # both of the investigator's, one case
        assert counts["all.tasks_overdue"].count == 1
        admin_counts = {c.key: c.count for c in home_counts(s, admin)}
    assert admin_counts["mine.tasks_due"] == 1  # the one due in six days
    listed = cases.page(db, inv, counts["all.tasks_overdue"].query)
    assert [r.number for r in listed] == [number] and "task_overdue" in listed[0].flags
    notes.complete_task(db, inv, late)
    with db.read() as s:
        assert {c.key: c.count for c in home_counts(s, inv)}["all.tasks_overdue"] == 0


def test_outside_ia_the_case_list_shows_no_task_flag_and_no_task_count(
    db, admin, make_user, number
):
    task = notes.add_task(db, admin, number, "Late", "admin", TODAY).value
    with db.write(admin) as s:
        s.execute(
            update(CaseTask).where(CaseTask.id == task).values(due_on=TODAY - dt.timedelta(1))
        )
    chief = make_user("command_staff")
    (row,) = cases.page(db, chief, cases.CaseQuery())
    assert "task_overdue" not in row.flags
    with db.read() as s:
        assert not [c for c in home_counts(s, chief) if "task" in c.key]
    with pytest.raises(InputError, match="IA's"):
        cases.page(db, chief, cases.CaseQuery(work="tasks_overdue"))
    assert "task_overdue" not in cases.file(db, chief, number)["flags"]
    assert "task_overdue" in cases.file(db, admin, number)["flags"]
