"""IA's notes and tasks on a case (issue 22): the investigator's working papers.

Who may do what (:mod:`ia_desk.security.roles`): only IA roles read or write notes and
tasks; supervisors and command staff never see them, nor that they exist (their case
timeline leaves the events out). Writing follows the one rule of case writes
(:func:`ia_desk.cases.workflow.require_case_write`): an investigator writes on a case
assigned to them or to nobody. A note may be written on a closed case (record keeping);
a task is not set on one. A task is marked done by its assignee, or by an IA
administrator (the IA commander) whoever it is for.

Notes are append-only: an edit is a new note that supersedes the one it replaces, so
nothing a note said is ever overwritten; :func:`notes` lists the current text of each
with its earlier versions. Every write and every read of notes is audited (``note.add``,
``note.list``), and so are the writes and reads of tasks. No audit event carries a
note's text or a task's title (the trail is read more widely than the notes): they name
the note or task by its id.

A task is overdue when it is not done and its due date is before today, the
department's calendar day (:func:`ia_desk.cases.queries.today`, as the deadlines count
their days left).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.accounts import iakey
from ia_desk.audit.trail import append
from ia_desk.cases.queries import get_case, today
from ia_desk.cases.workflow import case_write_problem, require_case_write
from ia_desk.db.models import Case, CaseNote, CaseTask, User, utcnow
from ia_desk.errors import AuditedRefusal, InputError, NotFound, PermissionDenied
from ia_desk.security.actor import Actor
from ia_desk.security.roles import IA, IA_ADMIN, ROLE_LABELS, allowed, require

NOTE_MAX = 20_000
TITLE_MAX = 200
TASK_NOTE_MAX = 5_000
# The audit events of this room: left out of the case timeline of readers outside IA.
EVENT_PREFIXES = ("note.", "task.")


def is_overdue(task: CaseTask, on: dt.date | None = None) -> bool:
    """Not done, and due before today (the department's calendar day)."""
    return task.done_at is None and task.due_on < (on or today())


# -- notes -------------------------------------------------------------------------------


def add_note(
    session: Session, actor: Actor, number: str, text: Any, supersedes: Any = None
) -> CaseNote:
    """Write a note on a case; with ``supersedes`` (a note id of the same case, not
    already replaced) the new note is the next version of that one. Audited."""
    require(actor, "note.write", "note.add", "case", number)
    case = get_case(session, number)
    require_case_write(actor, case, "note.add", while_closed=True)
    body = v.text(text, "note", max_len=NOTE_MAX, multiline=True) or ""
    replaced: CaseNote | None = None
    if supersedes is not None:
        note_id = v.record_id(supersedes, "supersedes", "a note id")
        replaced = session.get(CaseNote, note_id)
        if replaced is None or replaced.case_id != case.id:
            raise NotFound(f"supersedes: {case.number} has no note {note_id}.", field="supersedes")
        newer = session.scalar(select(CaseNote.id).where(CaseNote.supersedes_id == note_id))
        if newer is not None:
            raise InputError(
                f"supersedes: note {note_id} was already edited (its newer version is note "
                f"{newer}); edit that one.",
                field="supersedes",
            )
    sealed = iakey.sealing(session, actor)
    if replaced is not None and note_text(replaced, actor, sealed) == body:
        raise InputError("note: the text is the same as the note it edits.", field="note")
    note = CaseNote(
        case_id=case.id,
        author_id=actor.user_id,
        text="" if sealed else body,
        supersedes_id=replaced.id if replaced else None,
        sealed=sealed,
    )
    session.add(note)
    session.flush()
    if sealed:  # bound to the note's own id, known now
        note.text = iakey.seal_for(actor, body, iakey.note_context(note))
        session.flush()
    append(
        session,
        actor,
        "note.add",
        object_type="note",
        object_id=note.id,
        case_number=case.number,
        details={"supersedes": replaced.id if replaced else None, "length": len(body)},
    )
    return note


def note_text(note: CaseNote, actor: Actor, sealing: bool) -> str:
    """What a note says, opened with IA's key when it is sealed. ``sealing``: IA's key
    exists (:func:`iakey.sealing`), so a note in clear was put there outside IA Desk
    and is refused, not shown as IA's."""
    what = f"Note {note.id}"
    if not note.sealed:
        if sealing:
            raise iakey.in_clear(what)
        return note.text
    return iakey.open_for(actor, note.text, iakey.note_context(note), what)


def task_title(task: CaseTask, actor: Actor, sealing: bool) -> str:
    what = f"Task {task.id}"
    if not task.sealed:
        if sealing:
            raise iakey.in_clear(what)
        return task.title
    return iakey.open_for(actor, task.title, iakey.task_context(task, "title"), what)


def task_note(task: CaseTask, actor: Actor, sealing: bool) -> str | None:
    what = f"Task {task.id}"
    if not task.sealed:
        if sealing:
            raise iakey.in_clear(what)
        return task.note
    if task.note is None:
        return None
    return iakey.open_for(actor, task.note, iakey.task_context(task, "note"), what)


def _or_why_not(read: Callable[[], str | None]) -> tuple[str | None, bool]:
    """What a paper says, or, when it was changed outside IA Desk, why it is not shown
    (in brackets, in its place): one altered row hides itself, not the whole list.
    Returns (text, damaged)."""
    try:
        return read(), False
    except iakey.SealedValueDoesNotOpen as exc:
        return f"[{exc.message}]", True


def _note_view(n: CaseNote, logins: dict[int, str], actor: Actor, sealing: bool) -> dict[str, Any]:
    text, damaged = _or_why_not(lambda: note_text(n, actor, sealing))
    return {
        "id": n.id,
        "author": logins.get(n.author_id, "?"),
        "written_at": n.written_at.isoformat() + "Z",
        "damaged": damaged,
        "text": text,
        "supersedes": n.supersedes_id,
    }


def notes(session: Session, actor: Actor, number: str) -> list[dict[str, Any]]:
    """The notes of a case, newest first: the current version of each, with its earlier
    versions (newest first) under ``history``. IA only; audited as a read."""
    require(actor, "note.read", "note.list", "case", number)
    case = get_case(session, number)
    rows = list(
        session.scalars(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id))
    )
    logins = _logins(session, {n.author_id for n in rows})
    sealing = iakey.sealing(session, actor)
    by_id = {n.id: n for n in rows}
    superseded = {n.supersedes_id for n in rows if n.supersedes_id is not None}
    out: list[dict[str, Any]] = []
    for n in reversed(rows):
        if n.id in superseded:
            continue
        view = _note_view(n, logins, actor, sealing)
        history: list[dict[str, Any]] = []
        earlier = by_id.get(n.supersedes_id) if n.supersedes_id else None
        while earlier is not None:
            history.append(_note_view(earlier, logins, actor, sealing))
            earlier = by_id.get(earlier.supersedes_id) if earlier.supersedes_id else None
        view["history"] = history
        out.append(view)
    append(
        session,
        actor,
        "note.list",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={"count": len(rows)},
    )
    return out


def _logins(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.login).where(User.id.in_(sorted(ids)))).all())


# -- tasks -------------------------------------------------------------------------------


def ia_assignee(session: Session, login: Any, field: str = "assignee") -> User:
    """The active IA user a task can be assigned to, by login."""
    name = v.identifier(login, field) or ""
    user = session.scalar(select(User).where(User.login == name))
    if user is None:
        raise NotFound(f"{field}: there is no user {name!r}.", field=field)
    if user.role not in IA:
        raise InputError(
            f"{field}: {name} is a {ROLE_LABELS.get(user.role, user.role).lower()}; a task "
            "goes to an IA investigator or administrator.",
            field=field,
        )
    if not user.active:
        raise InputError(f"{field}: {name}'s account is disabled.", field=field)
    return user


def due_date(value: Any, field: str = "due") -> dt.date:
    """A due date given as a date or ISO text, not before today."""
    due = value if isinstance(value, dt.date) else v.date(value, field)
    assert due is not None
    v.bounded_date(due, field)
    if due < today():
        raise InputError(
            f"{field}: {due.isoformat()} is in the past; a new task is due today or later.",
            field=field,
        )
    return due


def add_task(
    session: Session, actor: Actor, number: str, title: Any, assignee: Any, due: Any
) -> CaseTask:
    """Set a task on an open case for an IA user, due on a date (today or later). Audited."""
    require(actor, "task.assign", "task.add", "case", number)
    case = get_case(session, number)
    require_case_write(actor, case, "task.add")
    what = v.text(title, "title", max_len=TITLE_MAX) or ""
    user = ia_assignee(session, assignee)
    on = due_date(due)
    sealed = iakey.sealing(session, actor)
    task = CaseTask(
        case_id=case.id,
        title="" if sealed else what,
        assignee_id=user.id,
        due_on=on,
        created_by_id=actor.user_id,
        sealed=sealed,
    )
    session.add(task)
    session.flush()
    if sealed:  # bound to the task's own id, known now
        task.title = iakey.seal_for(actor, what, iakey.task_context(task, "title"))
        session.flush()
    case.updated_at = utcnow()  # the case list's flag of an overdue task may change
    append(
        session,
        actor,
        "task.add",
        object_type="task",
        object_id=task.id,
        case_number=case.number,
        details={"assignee": user.login, "due": on.isoformat()},
    )
    return task


def complete_task(session: Session, actor: Actor, task_id: Any, note: Any = None) -> CaseTask:
    """Mark a task done, with an optional note of what was done: by its assignee, or by
    an IA administrator for anyone's. Audited."""
    require(actor, "task.complete", "task.done", "task", str(task_id))
    number = v.record_id(task_id, "task", "a task id")
    task = session.get(CaseTask, number)
    if task is None:
        raise NotFound(f"task: there is no task {number}.", field="task")
    case = task.case
    if actor.role != IA_ADMIN and task.assignee_id != actor.user_id:
        raise PermissionDenied(
            f"Permission denied: task {number} is assigned to someone else; its assignee "
            "or an IA administrator marks it done.",
            AuditedRefusal(
                "task.done", "task", str(number), {"case": case.number}, case_number=case.number
            ),
        )
    if task.done_at is not None:
        raise InputError(
            f"task: {number} was marked done on {task.done_at:%Y-%m-%d}.", field="task"
        )
    text = v.text(note, "note", required=False, max_len=TASK_NOTE_MAX, multiline=True)
    sealing = iakey.sealing(session, actor)
    if sealing and not task.sealed:  # a task in clear on a database that seals them
        raise iakey.in_clear(f"Task {task.id}")
    if text is not None and sealing:
        text = iakey.seal_for(actor, text, iakey.task_context(task, "note"))
    task.done_at, task.done_by_id, task.note = utcnow(), actor.user_id, text
    case.updated_at = utcnow()
    session.flush()
    append(
        session,
        actor,
        "task.done",
        object_type="task",
        object_id=task.id,
        case_number=case.number,
        details={"late": task.due_on < today()},
    )
    return task


def task_view(
    task: CaseTask, number: str, actor: Actor, on: dt.date, sealing: bool
) -> dict[str, Any]:
    """A task as IA reads it; ``completable``: ``actor`` may mark it done now (else
    ``complete_refused`` says why)."""
    refused = complete_problem(task, actor)
    title, damaged = _or_why_not(lambda: task_title(task, actor, sealing))
    note, note_damaged = _or_why_not(lambda: task_note(task, actor, sealing))
    if damaged or note_damaged:
        refused = refused or "it was changed outside IA Desk"
    return {
        "id": task.id,
        "case": number,
        "title": title,
        "damaged": damaged or note_damaged,
        "assignee": task.assignee.login,
        "assignee_name": task.assignee.name,
        "due": task.due_on.isoformat(),
        "days_left": None if task.done_at else (task.due_on - on).days,
        "overdue": is_overdue(task, on),
        "created_by": task.created_by.login,
        "created_at": task.created_at.isoformat() + "Z",
        "done_at": task.done_at.isoformat() + "Z" if task.done_at else None,
        "done_by": task.done_by.login if task.done_by else None,
        "note": note,
        "completable": refused is None,
        "complete_refused": refused,
    }


def complete_problem(task: CaseTask, actor: Actor) -> str | None:
    """Why ``actor`` may not mark the task done now (None: they may)."""
    if task.done_at is not None:
        return "the task is done"
    if not allowed(actor, "task.complete") or (
        actor.role != IA_ADMIN and task.assignee_id != actor.user_id
    ):
        return "its assignee or an IA administrator marks it done"
    return None


def tasks_query(
    actor: Actor,
    *,
    case_id: int | None = None,
    mine: bool = False,
    open_only: bool = False,
    overdue_only: bool = False,
    due_within: int | None = None,
) -> Select[CaseTask, str]:
    """The tasks asked for, as a statement of (task, case number) rows: by due date."""
    on = today()
    stmt = select(CaseTask, Case.number).join(Case, Case.id == CaseTask.case_id)
    if case_id is not None:
        stmt = stmt.where(CaseTask.case_id == case_id)
    if mine:
        stmt = stmt.where(CaseTask.assignee_id == actor.user_id)
    if open_only or overdue_only or due_within is not None:
        stmt = stmt.where(CaseTask.done_at.is_(None))
    if overdue_only:
        stmt = stmt.where(CaseTask.due_on < on)
    if due_within is not None:
        stmt = stmt.where(CaseTask.due_on < on + dt.timedelta(days=due_within))
    return stmt.order_by(CaseTask.done_at.is_not(None), CaseTask.due_on, CaseTask.id)


def tasks(
    session: Session,
    actor: Actor,
    number: str | None = None,
    *,
    mine: bool = False,
    open_only: bool = False,
    overdue_only: bool = False,
) -> list[dict[str, Any]]:
    """The tasks of one case (``number``) or of every case, open ones first by due date.
    IA only; audited as a read."""
    require(actor, "task.read", "task.list", "case" if number else None, number)
    case = get_case(session, number) if number else None
    stmt = tasks_query(
        actor,
        case_id=case.id if case else None,
        mine=mine,
        open_only=open_only,
        overdue_only=overdue_only,
    )
    on = today()
    sealing = iakey.sealing(session, actor)
    out = [task_view(t, n, actor, on, sealing) for t, n in session.execute(stmt).all()]
    append(
        session,
        actor,
        "task.list",
        object_type="case" if case else None,
        object_id=case.id if case else None,
        case_number=case.number if case else None,
        details={"mine": mine, "open_only": open_only or overdue_only, "count": len(out)},
    )
    return out


def working_papers(session: Session, actor: Actor, number: str) -> dict[str, Any]:
    """What the case window's "Notes & tasks" tab shows: the case's notes (as
    :func:`notes`) and tasks (as :func:`tasks`), each read audited, and why the actor
    may not write a note or set a task on the case now (None: they may)."""
    case = get_case(session, number)
    return {
        "notes": notes(session, actor, case.number),
        "tasks": tasks(session, actor, case.number),
        "note_refused": case_write_problem(actor, case, while_closed=True),
        "task_refused": case_write_problem(actor, case),
    }
