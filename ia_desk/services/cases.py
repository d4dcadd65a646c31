"""Cases: the list, one case's file and window, its workflow, deadlines, reporter updates
and the text it withholds outside IA."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from ia_desk.accounts.users import investigators as _investigators
from ia_desk.casefile.actions import CaseAction, case_actions
from ia_desk.casefile.list_export import list_csv
from ia_desk.casefile.listing import CaseQuery, CaseRow, case_page, count_matching, list_cases
from ia_desk.casefile.model import CaseView, EmployeeHistory, EmployeeRow, TimelineEvent
from ia_desk.casefile.read import (
    CaseWindow,
    case_window,
    cases_citing,
    employee_history,
    list_employees,
    show_case,
    timeline,
)
from ia_desk.cases import review as _review
from ia_desk.cases.deadlines import record_reporter_update as _reporter_update
from ia_desk.cases.deadlines import toll as _toll
from ia_desk.cases.deadlines import untoll as _untoll
from ia_desk.cases.queries import get_case
from ia_desk.cases.redaction import add_redaction, marked
from ia_desk.cases.workflow import ACTIONS, Action, perform
from ia_desk.db.engine import Database
from ia_desk.db.models import Case
from ia_desk.discipline import immediate as _immediate
from ia_desk.errors import InputError
from ia_desk.protection.retaliation import blocking_reason
from ia_desk.security.actor import Actor
from ia_desk.services import Changes, Done

__all__ = [
    "ACTIONS",
    "Action",
    "CaseAction",
    "CaseQuery",
    "CaseRow",
    "CaseWindow",
    "actions",
    "case_list",
    "count",
    "employee",
    "employees",
    "export_list",
    "file",
    "investigators",
    "mark_withheld",
    "marked_text",
    "page",
    "reporter_updated",
    "resume_deadline",
    "pause_deadline",
    "take_action",
    "the_timeline",
    "window",
    "citing",
]


# -- reading ------------------------------------------------------------------------------


def page(
    db: Database, actor: Actor, query: CaseQuery, offset: int = 0, limit: int | None = 200
) -> list[CaseRow]:
    """A page of the case list, in the query's order (not audited: a list)."""
    with db.read(actor) as s:
        return case_page(s, actor, query, offset, limit)


def count(db: Database, actor: Actor, query: CaseQuery) -> int:
    """How many cases the query lists."""
    with db.read(actor) as s:
        return count_matching(s, actor, query)


def first_page(
    db: Database, actor: Actor, query: CaseQuery, limit: int
) -> tuple[int, list[CaseRow]]:
    """The count and the first page, read together (one snapshot)."""
    with db.read(actor) as s:
        return count_matching(s, actor, query), case_page(s, actor, query, 0, limit)


def case_list(
    db: Database, actor: Actor, *, status: str | None = None, search: str | None = None
) -> list[CaseRow]:
    """Every case the actor may list, newest first (the command line's list)."""
    with db.read(actor) as s:
        return list_cases(s, actor, status=status, search=search)


def export_list(db: Database, actor: Actor, query: CaseQuery) -> Done[tuple[str, int]]:
    """The case list the query shows the actor, as CSV text (every row, in its order),
    and how many rows: what the desktop saves as a file. Audited with the filter and the
    row count."""
    with db.write(actor) as s:
        return Done(list_csv(s, actor, query))


def file(db: Database, actor: Actor, number: str) -> CaseView:
    """The case file as the actor may see it (what ``case show --json`` prints): a
    :class:`CaseFile`, or a supervisor's :class:`CaseStatus`. Audited."""
    with db.read(actor) as s:
        return show_case(s, actor, number)


def window(db: Database, actor: Actor, number: str) -> CaseWindow:
    """Everything the case window shows, in one audited read."""
    with db.read(actor) as s:
        return case_window(s, actor, number)


def actions(db: Database, actor: Actor, number: str) -> list[CaseAction]:
    """What the actor may do on the case now (each with the reason when not)."""
    with db.read(actor) as s:
        return case_actions(s, actor, get_case(s, number))


def the_timeline(db: Database, actor: Actor, number: str) -> list[TimelineEvent]:
    with db.read(actor) as s:
        return timeline(s, actor, number)


def marked_text(db: Database, actor: Actor, number: str) -> list[dict[str, Any]]:
    """The text marked to withhold outside IA (IA roles)."""
    with db.read(actor) as s:
        return marked(s, actor, number)


def employees(
    db: Database, actor: Actor, search: str | None = None, limit: int = 500
) -> list[EmployeeRow]:
    with db.read(actor) as s:
        return list_employees(s, actor, search, limit)


def employee(db: Database, actor: Actor, badge: str) -> EmployeeHistory:
    """An employee's allegations and discipline over time. Audited."""
    with db.read(actor) as s:
        return employee_history(s, actor, badge)


def citing(db: Database, actor: Actor, clause_id: str) -> list[str]:
    """The numbers of the cases that allege a clause."""
    with db.read(actor) as s:
        return cases_citing(s, actor, clause_id)


def investigators(db: Database, actor: Actor) -> list[tuple[str, str]]:
    """(login, name) of the IA users a case can be assigned to."""
    with db.read(actor) as s:
        return _investigators(s, actor)


# -- changing -----------------------------------------------------------------------------


def take_action(
    db: Database,
    actor: Actor,
    number: str,
    action: str,
    *,
    assignee: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Done[str]:
    """Move a case through its workflow (assign, start, findings, close, reopen); the
    result is its new status. A case held for a retaliation review, or whose findings
    await a sign-off of the review chain, does not close."""
    with db.write(actor) as s:
        case = take_action_in(
            s,
            actor,
            number,
            action,
            assignee=assignee,
            reason=reason,
            expected_version=expected_version,
        )
        return Done(case.status, Changes.case(case.number))


def take_action_in(
    session: Session,
    actor: Actor,
    number: str,
    action: str,
    *,
    assignee: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Case:
    """:func:`take_action` in the caller's transaction."""
    if action == "close":
        case = get_case(session, number)
        held = blocking_reason(session, case, ia=True) or _review.close_hold(session, case)
        if held:
            raise InputError(f"Cannot close case {case.number}: {held}.", field="action")
    return perform(
        session,
        actor,
        number,
        action,
        assignee=assignee,
        reason=reason,
        expected_version=expected_version,
    )


def sign_off(
    db: Database,
    actor: Actor,
    number: str,
    comments: str | None = None,
    *,
    expected_version: int | None = None,
) -> Done[str | None]:
    """Sign off the case's findings at the step of the review chain they await (the IA
    commander's, then the Chief's); the result is the step awaited next (None: the last
    has signed, and IA may close the case)."""
    with db.write(actor) as s:
        _review.decide(s, actor, number, "signed_off", comments, expected_version=expected_version)
        next_step = _review.pending_step(s, get_case(s, number))
    return Done(next_step, Changes.case(number))


def return_findings(
    db: Database,
    actor: Actor,
    number: str,
    comments: str,
    *,
    expected_version: int | None = None,
) -> Done[None]:
    """Return the case's findings to the investigator with comments (required): the case
    is under investigation again, and its next findings are reviewed from the first step."""
    with db.write(actor) as s:
        _review.decide(s, actor, number, "returned", comments, expected_version=expected_version)
    return Done(None, Changes.case(number))


def pause_deadline(
    db: Database, actor: Actor, number: str, reason: str, on: dt.date | None = None
) -> Done[None]:
    """Toll the investigation deadline, with the reason."""
    with db.write(actor) as s:
        _toll(s, actor, number, reason, on)
    return Done(None, Changes.case(number))


def resume_deadline(
    db: Database, actor: Actor, number: str, on: dt.date | None = None
) -> Done[dt.date]:
    """End the toll; the result is the deadline, later by the days it was paused."""
    with db.write(actor) as s:
        deadline = _untoll(s, actor, number, on)
    return Done(deadline, Changes.case(number))


def reporter_updated(db: Database, actor: Actor, number: str, note: str) -> Done[None]:
    """Record that the reporter was told where their report stands."""
    with db.write(actor) as s:
        _reporter_update(s, actor, number, note)
    return Done(None, Changes.case(number))


def mark_withheld(db: Database, actor: Actor, number: str, text: str, kind: str) -> Done[None]:
    """Mark text of a case to withhold from everyone outside IA."""
    with db.write(actor) as s:
        add_redaction(s, actor, number, text, kind)
    return Done(None, Changes.case(number))


def raise_immediate_action(
    db: Database, actor: Actor, number: str, grounds: list[str], facts: str
) -> Done[None]:
    """IA raises the Chief's immediate action on the facts (3.21 §V.B)."""
    with db.write(actor) as s:
        _immediate.raise_on_facts(s, actor, number, grounds, facts)
    return Done(None, Changes.case(number))


def chief_notified(
    db: Database, actor: Actor, number: str, how: str, at: str | None = None
) -> Done[None]:
    """IA records that (and how) the Chief was told of the case."""
    with db.write(actor) as s:
        _immediate.notify_chief(s, actor, number, how, at)
    return Done(None, Changes.case(number))


def immediate_step(
    db: Database,
    actor: Actor,
    number: str,
    action: str,
    note: str | None = None,
    at: str | None = None,
) -> Done[None]:
    """What the Chief did on an immediate-action case."""
    with db.write(actor) as s:
        _immediate.record_step(s, actor, number, action, note, at)
    return Done(None, Changes.case(number))
