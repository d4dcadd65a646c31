"""The case workflow: explicit actions move a case between statuses, each audited.

    received ──assign──> assigned ──start──> investigating ──findings──> findings ──close──> closed
        └──────────────start (self)─────────────┘                 ▲                        │
                                                                  └────────reopen──────────┘

``available_actions`` says which actions the actor may take on a case now, so a screen
offers only those; ``perform`` checks the same rules again before it writes.
Investigators work on the cases assigned to them or not yet assigned to anyone.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ia_desk import validation as v
from ia_desk.audit.trail import append
from ia_desk.cases.queries import get_case
from ia_desk.db.models import AuditEvent, Case, User, utcnow
from ia_desk.errors import (
    AuditedRefusal,
    ConflictError,
    InputError,
    NotFound,
    PermissionDenied,
    RefusedInput,
)
from ia_desk.security.actor import Actor
from ia_desk.security.roles import IA, IA_ADMIN, IA_INVESTIGATOR
from ia_desk.settings import get_setting
from ia_desk.terms import WORKFLOW_ACTIONS as ACTIONS
from ia_desk.terms import Action

_FROM = {
    "assign": {"received", "assigned", "investigating"},
    "start": {"received", "assigned"},
    "findings": {"investigating"},
    "close": {"findings"},
    "reopen": {"closed", "findings"},
}
_TO = {
    "assign": "assigned",
    "start": "investigating",
    "findings": "findings",
    "close": "closed",
    "reopen": "investigating",
}


def may_work_on(actor: Actor, case: Case) -> bool:
    """IA admins work on every case; investigators on theirs or unassigned ones."""
    if actor.role == IA_ADMIN:
        return True
    return actor.role == IA_INVESTIGATOR and case.assigned_to_id in (None, actor.user_id)


def case_write_problem(actor: Actor, case: Case, *, while_closed: bool = False) -> str | None:
    """Why the actor may not write to this case now (None: they may).

    The one rule every write to a case holds to: an IA role; an investigator only on a
    case assigned to them or to nobody; and not on a closed case. ``while_closed`` is
    for the record-keeping writes that never change what the investigation found and
    stay useful after it (telling the reporter the outcome, marking text to withhold).
    """
    if actor.role not in IA:
        return "only IA roles work on a case"
    if not may_work_on(actor, case):
        return f"{case.number} is assigned to another investigator"
    if case.status == "closed" and not while_closed:
        return f"{case.number} is closed (an IA administrator reopens it first)"
    return None


def require_case_write(
    actor: Actor, case: Case, event_type: str, *, while_closed: bool = False
) -> None:
    """Raise (and have audited) the refusal of a write to ``case``; see
    :func:`case_write_problem`. Someone else's case is a permission refusal; a closed
    case is refused as input (exit 2), naming the case."""
    problem = case_write_problem(actor, case, while_closed=while_closed)
    if problem is None:
        return
    refusal = AuditedRefusal(
        event_type, "case", str(case.id), {"case": case.number}, case_number=case.number
    )
    if case.status == "closed" and actor.role in IA and may_work_on(actor, case):
        raise RefusedInput(f"Nothing was changed: {problem}.", refusal, field="case")
    raise PermissionDenied(f"Permission denied: {problem}.", refusal)


def blockers(case: Case, action: str) -> list[str]:
    """Why the workflow does not allow an action now (empty when it does). Rules of the
    rooms above (a retaliation review holding the close) are added by the services that
    take the action (:mod:`ia_desk.services.cases`)."""
    out = []
    if case.status not in _FROM[action]:
        out.append(f"the case is {case.status}")
    if action == "findings":
        pending = [a for a in case.allegations if a.disposition is None]
        if not case.allegations:
            out.append("the case has no allegations")
        elif pending:
            out.append(f"{len(pending)} allegation(s) have no finding yet")
    return out


def available_actions(case: Case, actor: Actor) -> list[Action]:
    if actor.role not in IA or not may_work_on(actor, case):
        return []
    names = [n for n in ACTIONS if not blockers(case, n)]
    if actor.role != IA_ADMIN:
        names = [n for n in names if n not in ("reopen",)]
        if case.assigned_to_id not in (None, actor.user_id):
            names = []
    return [ACTIONS[n] for n in names]


# Events that only read a case; a conflict names the last event that changed it.
READ_EVENTS = (
    "case.read",
    "case.view",
    "case.list",
    "case.timeline",
    "case.view_status",
    "case.read_own_status",
    "evidence.view",
    "evidence.verify",
    "evidence.export",
    "evidence.print",
    "evidence.custody",
    "summary.print",
    "summary.print_ia",
    "summary.print_command",
    "discipline.view",
    "discipline.recommend",
    "note.list",
    "task.list",
    "brady.show",
)


def conflict(session: Session, number: str) -> ConflictError:
    """A conflict that says who changed the case last, when, and how."""
    last = session.execute(
        select(AuditEvent.user_login, AuditEvent.at, AuditEvent.event_type, AuditEvent.workstation)
        .where(
            AuditEvent.case_number == number,
            AuditEvent.outcome == "ok",
            AuditEvent.event_type.not_in(READ_EVENTS),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    who = ""
    if last is not None:
        login, at, event, workstation = last
        who = (
            f" {login} ({event.replace('.', ': ', 1).replace('_', ' ')}, "
            f"{at:%Y-%m-%d %H:%M} UTC, at {workstation})"
        )
    return ConflictError(
        f"{number} was changed by someone else since you opened it:{who or ' unknown'}. "
        "Nothing of yours was saved; reload the case to see the change, then try again."
    )


def perform(
    session: Session,
    actor: Actor,
    number: str,
    action: str,
    *,
    assignee: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Case:
    """Take one workflow action on a case. Audited; refused with the reason otherwise.

    ``expected_version`` is the case version the user was looking at: if someone else
    changed the case since, the action is refused as a conflict.
    """
    if action not in ACTIONS:
        raise InputError(f"action: must be one of {', '.join(ACTIONS)}.", field="action")
    if actor.role not in IA:
        raise PermissionDenied(
            "Permission denied: only IA roles move a case through its workflow.",
            AuditedRefusal(f"case.{action}", "case", number, {"case": number}),
        )
    case = get_case(session, number)
    if not may_work_on(actor, case) or (action == "reopen" and actor.role != IA_ADMIN):
        raise PermissionDenied(
            f"Permission denied: {case.number} is assigned to another investigator"
            if action != "reopen"
            else "Permission denied: only an IA administrator reopens.",
            AuditedRefusal(f"case.{action}", "case", str(case.id), {"case": case.number}),
        )
    if expected_version is not None and case.version_id != expected_version:
        raise conflict(session, case.number)
    problems = blockers(case, action)
    if problems:
        raise InputError(
            f"Cannot {ACTIONS[action].label.rstrip('…').lower()} "
            f"{case.number}: " + "; ".join(problems) + ".",
            field="action",
        )
    details: dict[str, object] = {"from": case.status, "to": _TO[action]}
    if action == "assign":
        login = v.text(assignee, "assignee", max_len=40)
        user = session.scalar(select(User).where(User.login == (login or "").lower()))
        if user is None:
            raise NotFound(f"assignee: there is no user '{login}'.", field="assignee")
        if user.role not in IA or not user.active:
            raise InputError(
                f"assignee: {user.login} is not an active IA investigator or administrator.",
                field="assignee",
            )
        if actor.role != IA_ADMIN and user.id != actor.user_id:
            raise PermissionDenied(
                "Permission denied: investigators may assign cases only to themselves.",
                AuditedRefusal("case.assign", "case", str(case.id), {"case": case.number}),
            )
        case.assigned_to_id = user.id
        details["assignee"] = user.login
    if action == "start" and case.assigned_to_id is None:
        case.assigned_to_id = actor.user_id
        details["assignee"] = actor.login
    if action == "reopen":
        details["reason"] = v.text(reason, "reason", max_len=2000, multiline=True)
        # Reopened findings are reviewed afresh (ia_desk.cases.review).
        case.review_round += 1
    if action == "findings":
        # The review chain this round's findings need, fixed now (ia_desk.cases.review).
        case.review_steps = int(get_setting(session, "review_chain"))
        details["review_steps"] = case.review_steps
    case.status = _TO[action]
    case.closed_at = utcnow() if action == "close" else None
    case.updated_at = utcnow()
    number = case.number
    try:
        session.flush()
    except StaleDataError:  # changed and committed by another workstation meanwhile
        session.rollback()  # nothing of this action stays; the session can read again
        raise conflict(session, number) from None
    append(
        session,
        actor,
        f"case.{action}",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details=details,
    )
    return case
