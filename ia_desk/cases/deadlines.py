"""Investigation deadlines: tolling (pausing) with a reason, and reporter updates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit.trail import append
from ia_desk.cases.queries import get_case, today
from ia_desk.cases.workflow import require_case_write
from ia_desk.db.models import Case, CaseToll, utcnow
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require


def _check(
    actor: Actor, number: str, event: str, session: Session, *, while_closed: bool = False
) -> Case:
    require(actor, "case.toll", event, "case", number)
    case = get_case(session, number)
    require_case_write(actor, case, event, while_closed=while_closed)
    return case


def toll(
    session: Session, actor: Actor, number: str, reason: str, on: dt.date | None = None
) -> None:
    """Pause the deadline (e.g. a criminal investigation takes precedence)."""
    case = _check(actor, number, "case.toll", session)
    text = v.text(reason, "reason", max_len=5000, multiline=True)
    if case.tolled_since is not None:
        raise InputError(
            f"{case.number} is already tolled since {case.tolled_since}.", field="case"
        )
    start = on or today()
    case.tolled_since = start
    session.add(
        CaseToll(case_id=case.id, started_on=start, reason=text or "", started_by=actor.login)
    )
    case.updated_at = utcnow()
    session.flush()
    append(
        session,
        actor,
        "case.toll",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={"reason": text, "from": start.isoformat()},
    )


def untoll(session: Session, actor: Actor, number: str, on: dt.date | None = None) -> dt.date:
    """Resume the deadline; it moves later by the days it was paused. Returns it."""
    case = _check(actor, number, "case.untoll", session)
    if case.tolled_since is None:
        raise InputError(f"{case.number} is not tolled.", field="case")
    end = on or today()
    if end < case.tolled_since:
        raise InputError("The toll cannot end before it began.", field="on")
    row = session.scalars(
        select(CaseToll).where(CaseToll.case_id == case.id, CaseToll.ended_on.is_(None))
    ).first()
    days = (end - case.tolled_since).days
    if row is not None:
        row.ended_on = end
    case.deadline_on = case.deadline_on + dt.timedelta(days=days)
    case.tolled_since = None
    case.updated_at = utcnow()
    session.flush()
    append(
        session,
        actor,
        "case.untoll",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={"days_paused": days, "new_deadline": case.deadline_on.isoformat()},
    )
    return case.deadline_on


def record_reporter_update(session: Session, actor: Actor, number: str, note: str) -> None:
    """Record that the reporter was told where their report stands (via tracking code for
    an anonymous one). Clears the 30-day reminder."""
    case = _check(actor, number, "case.reporter_update", session, while_closed=True)
    text = v.text(note, "note", max_len=5000, multiline=True)
    append(
        session,
        actor,
        "case.reporter_update",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={"note": text},
    )
