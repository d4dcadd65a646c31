"""The pre-disciplinary notice and response (Cleveland Board of Education v. Loudermill,
470 U.S. 532, 1985).

An employee who can only be disciplined for cause has a property interest in the job:
before a suspension or a termination is decided, they get written notice of the charges
and an explanation of the evidence, and an opportunity to respond. IA Desk records both:

1. the notice: the day it was given and the charges and evidence it set out;
2. the response: the day, what the employee said and who heard it; or the employee's
   waiver of the opportunity, on the day they waived it.

A suspension or termination (:data:`ia_desk.terms.HEARING_STEPS`) is refused until both
are on record for the employee on the case; the milder steps need neither. Both are
recorded by those who record discipline (IA administrators and command staff), audited,
and read back with the ladder. The texts pass through the case's withholding, like every
other free text of a case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit.trail import append
from ia_desk.cases.queries import employee_by_badge, get_case, today
from ia_desk.db.models import Case, Employee, PreDisciplinaryHearing
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require
from ia_desk.terms import HEARING_STEPS

__all__ = ["HEARING_STEPS", "hearing", "missing", "record_notice", "record_response", "view"]


def day(value: Any, field: str) -> dt.date:
    """A date given as a date or as ISO text, in the years IA Desk keeps, not in the
    future (these record what happened)."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        parsed = v.date(value if value is None or isinstance(value, str) else str(value), field)
        assert parsed is not None
        value = parsed
    v.bounded_date(value, field)
    if value > today():
        raise InputError(
            f"{field}: {value.isoformat()} is in the future; record what has happened.",
            field=field,
        )
    return value


def hearing(session: Session, case_id: int, employee_id: int) -> PreDisciplinaryHearing | None:
    return session.scalar(
        select(PreDisciplinaryHearing).where(
            PreDisciplinaryHearing.case_id == case_id,
            PreDisciplinaryHearing.employee_id == employee_id,
        )
    )


def _subject(session: Session, number: str, badge: str) -> tuple[Case, Employee]:
    case = get_case(session, number)
    emp = employee_by_badge(session, badge)
    if not any(s.employee_id == emp.id for s in case.subjects):
        raise InputError(f"Badge {emp.badge} is not a subject of {case.number}.", field="employee")
    return case, emp


def record_notice(
    session: Session, actor: Actor, number: str, badge: str, notice_on: Any, charges: Any
) -> PreDisciplinaryHearing:
    """Record the written notice of the charges and the evidence given to the employee."""
    require(actor, "discipline.record", "discipline.notice", "case", number)
    case, emp = _subject(session, number, badge)
    on = day(notice_on, "notice_on")
    text = v.text(charges, "charges", max_len=10_000, multiline=True)
    if hearing(session, case.id, emp.id) is not None:
        raise InputError(
            f"Badge {emp.badge} already has a pre-disciplinary notice on {case.number}.",
            field="employee",
        )
    row = PreDisciplinaryHearing(
        case_id=case.id,
        employee_id=emp.id,
        notice_on=on,
        charges=text,
        noticed_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    append(
        session,
        actor,
        "discipline.notice",
        object_type="hearing",
        object_id=row.id,
        case_number=case.number,
        details={"employee": emp.badge, "notice_on": on.isoformat()},
    )
    return row


def record_response(
    session: Session,
    actor: Actor,
    number: str,
    badge: str,
    response_on: Any,
    response: Any = None,
    heard_by: Any = None,
    *,
    waived: bool = False,
) -> PreDisciplinaryHearing:
    """Record the employee's response to the notice (what they said, who heard it), or
    their waiver of the opportunity to respond."""
    require(actor, "discipline.record", "discipline.response", "case", number)
    case, emp = _subject(session, number, badge)
    row = hearing(session, case.id, emp.id)
    if row is None:
        raise InputError(
            f"Badge {emp.badge} has no pre-disciplinary notice on {case.number}: the notice of "
            "the charges and the evidence comes first.",
            field="employee",
        )
    if row.response_on is not None:
        raise InputError(
            f"The response of badge {emp.badge} on {case.number} is already on record "
            f"({row.response_on.isoformat()}).",
            field="employee",
        )
    on = day(response_on, "response_on")
    if on < row.notice_on:
        raise InputError(
            f"response_on: {on.isoformat()} is before the notice ({row.notice_on.isoformat()}).",
            field="response_on",
        )
    said = v.text(response, "response", required=not waived, max_len=20_000, multiline=True)
    who = v.person_name(heard_by, "heard_by", required=not waived)
    row.response_on, row.response, row.heard_by = on, said, who
    row.waived = bool(waived)
    row.responded_by_id = actor.user_id
    session.flush()
    append(
        session,
        actor,
        "discipline.response",
        object_type="hearing",
        object_id=row.id,
        case_number=case.number,
        details={
            "employee": emp.badge,
            "response_on": on.isoformat(),
            "waived": bool(waived),
            "heard_by": who,
        },
    )
    return row


def missing(session: Session, case: Case, emp: Employee, step: str) -> str | None:
    """Why ``step`` cannot be decided yet for the employee (None: it can)."""
    if step not in HEARING_STEPS:
        return None
    row = hearing(session, case.id, emp.id)
    words = step.replace("_", " ")
    if row is None:
        return (
            f"A {words} is decided only after badge {emp.badge} has had written notice of the "
            "charges and the evidence and a chance to respond (Loudermill): record the notice "
            "first."
        )
    if row.response_on is None:
        return (
            f"A {words} is decided only after badge {emp.badge} has had the chance to respond "
            f"to the notice of {row.notice_on.isoformat()} (Loudermill): record the response, "
            "or that the employee waived it."
        )
    return None


def view(row: PreDisciplinaryHearing | None, hide: Any) -> dict[str, Any] | None:
    """The hearing as the ladder shows it (free texts through the case's withholding)."""
    if row is None:
        return None
    return {
        "notice_on": row.notice_on.isoformat(),
        "charges": hide.text(row.charges),
        "response_on": row.response_on.isoformat() if row.response_on else None,
        "response": hide.text(row.response) if row.response else None,
        "heard_by": row.heard_by,
        "waived": bool(row.waived),
    }
