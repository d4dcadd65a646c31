"""Reading everything the case window shows, in one audited transaction (and, when the
case is flagged for a reporter update, the department's setting the flag counts by).

Case windows read one at a time. A read of a case is audited in its own transaction, and
on the embedded database (SQLite) a read transaction cannot take the write lock for its
audit event once another connection has committed since it began: of two windows reading
at once (two windows of one case reloading on the same change) the second would fail with
"busy". Each read takes tens of milliseconds; waiting for one another costs nothing seen.
The main window's My tasks screen reads here too (:func:`load_tasks`): a task marked done
reloads that screen and the window of the task's case on the same change.
"""

from __future__ import annotations

import threading
from typing import Any

from ia_desk.services import Actor, Database, cases, notes, settings

_ONE_AT_A_TIME = threading.Lock()


def load_case(db: Database, actor: Actor, number: str) -> dict[str, Any]:
    """Everything the window shows (:func:`ia_desk.services.cases.window`), as the
    window's tabs read it; call it off the GUI thread."""
    with _ONE_AT_A_TIME:
        shown = cases.window(db, actor, number)
    if shown.file is None:  # a supervisor's status-only view, and what they may do
        status: dict[str, Any] = dict(shown.status)
        status["actions"] = [(a.name, a.label, a.why_not) for a in shown.actions]
        return status
    data: dict[str, Any] = dict(shown.file)
    data["actions"] = [(a.name, a.label, a.why_not) for a in shown.actions]
    data["marked"] = shown.marked
    data["timeline"] = shown.timeline
    data["clause_texts"] = shown.clause_texts
    data["ladder"] = shown.ladder
    data["reporter_update_days"] = (
        int(settings.setting(db, actor, "reporter_update_days"))
        if "reporter_update_due" in data["flags"]
        else None
    )
    return data


def load_papers(db: Database, actor: Actor, number: str) -> dict[str, Any]:
    """IA's notes and tasks on the case (:func:`ia_desk.services.notes.working_papers`),
    read one at a time with the case itself (both reads are audited); off the GUI thread."""
    with _ONE_AT_A_TIME:
        return notes.working_papers(db, actor, number)


def load_tasks(db: Database, actor: Actor, *, mine: bool, open_only: bool) -> list[dict[str, Any]]:
    """The tasks on every case (:func:`ia_desk.services.notes.list_tasks`; audited), read
    one at a time with the case windows' reads; off the GUI thread."""
    with _ONE_AT_A_TIME:
        return notes.list_tasks(db, actor, mine=mine, open_only=open_only)
