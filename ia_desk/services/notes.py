"""IA's notes and tasks on a case (issue 22): the one door of the CLI's ``note`` and
``task`` commands, of the case window's "Notes & tasks" tab and of the main window's
"My tasks" screen (:func:`list_tasks` across every case, in the scopes of
:func:`task_scopes`).

IA roles only; every write and every read is audited (:mod:`ia_desk.cases.notes`)."""

from __future__ import annotations

from typing import Any

from ia_desk.accounts.users import investigators as _investigators
from ia_desk.cases import notes as _notes
from ia_desk.db.engine import Database
from ia_desk.security.actor import Actor
from ia_desk.security.roles import IA_ADMIN, allowed
from ia_desk.services import Changes, Done

__all__ = [
    "add_note",
    "add_task",
    "assignees",
    "complete_task",
    "list_notes",
    "list_tasks",
    "task_scopes",
    "working_papers",
]

# The lists the "My tasks" screen offers, each (key, words): ``mine`` is
# ``list_tasks(mine=True)``, ``all`` every IA user's (``mine=False``).
MINE = "mine"
EVERYONE = "all"


def add_note(
    db: Database, actor: Actor, number: str, text: Any, supersedes: Any = None
) -> Done[int]:
    """Write a note on a case (or the next version of note ``supersedes``): its id."""
    with db.write(actor) as s:
        result = _notes.add_note(s, actor, number, text, supersedes).id
    return Done(result, Changes(cases=frozenset({number.strip().upper()})))


def list_notes(db: Database, actor: Actor, number: str) -> list[dict[str, Any]]:
    """The current notes of a case, newest first, each with its earlier versions.
    Audited (a read of IA's notes)."""
    with db.read(actor) as s:
        return _notes.notes(s, actor, number)


def add_task(
    db: Database, actor: Actor, number: str, title: Any, assignee: Any, due: Any
) -> Done[int]:
    """Set a task on a case for an IA user, due on a date: its id."""
    with db.write(actor) as s:
        result = _notes.add_task(s, actor, number, title, assignee, due).id
    return Done(result, Changes.case(number.strip().upper()))


def complete_task(db: Database, actor: Actor, task_id: Any, note: Any = None) -> Done[str]:
    """Mark a task done (its assignee, or an IA administrator): the case's number."""
    with db.write(actor) as s:
        number = _notes.complete_task(s, actor, task_id, note).case.number
    return Done(number, Changes.case(number))


def list_tasks(
    db: Database,
    actor: Actor,
    number: str | None = None,
    *,
    mine: bool = False,
    open_only: bool = False,
    overdue_only: bool = False,
) -> list[dict[str, Any]]:
    """The tasks of a case, or of every case (``mine``: assigned to the actor). Audited."""
    with db.read(actor) as s:
        return _notes.tasks(
            s, actor, number, mine=mine, open_only=open_only, overdue_only=overdue_only
        )


def task_scopes(actor: Actor) -> list[tuple[str, str]]:
    """The task lists the "My tasks" screen offers the actor, first the one it opens on:
    their own tasks for every IA user; an IA administrator (the IA commander, who
    assigns the cases and may mark anyone's task done) also everyone's. None outside IA.

    An offer, not a permission: every IA user may read every case's tasks (``task.read``;
    the case window shows a case's tasks whoever has them), but an overview of the whole
    unit's work is the commander's; an investigator's screen stays their own work."""
    if not allowed(actor, "task.read"):
        return []
    scopes = [(MINE, "My tasks")]
    if actor.role == IA_ADMIN:
        scopes.append((EVERYONE, "All IA's tasks"))
    return scopes


def assignees(db: Database, actor: Actor) -> list[tuple[str, str]]:
    """(login, name) of the IA users a task can be given to."""
    with db.read(actor) as s:
        return _investigators(s, actor)


def working_papers(db: Database, actor: Actor, number: str) -> dict[str, Any]:
    """The notes and tasks of a case and whether the actor may add to them now, in one
    transaction (the case window's tab). Both reads are audited."""
    with db.read(actor) as s:
        return _notes.working_papers(s, actor, number)
