"""Allegations (subject × clause version in force on the incident date) and findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit import records
from ia_desk.audit.trail import append
from ia_desk.cases.queries import employee_by_badge, get_case
from ia_desk.cases.redaction import withholding_for
from ia_desk.cases.search import index_case
from ia_desk.cases.speech import sustain_problem
from ia_desk.cases.workflow import require_case_write
from ia_desk.db.models import (
    DISPOSITIONS,
    Allegation,
    Case,
    CaseSubject,
    Employee,
    PolicyReviewItem,
    utcnow,
)
from ia_desk.errors import InputError, NotFound
from ia_desk.policy.catalogue import POLICY_ORDER, clause_in_force, policy_of
from ia_desk.policy.citation import require_citable
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require

# A case takes new allegations until its findings are complete.
OPEN_TO_ALLEGATIONS = ("received", "assigned", "investigating")


def add_allegation(
    session: Session, actor: Actor, number: str, badge: str, clause_id: str
) -> Allegation:
    """Cite a clause against an employee on a case; the employee becomes a subject if needed."""
    require(actor, "allegation.add", "allegation.add", "case", number)
    case = get_case(session, number)
    require_case_write(actor, case, "allegation.add")
    if case.status not in OPEN_TO_ALLEGATIONS:
        raise InputError(
            f"{case.number} has its findings complete; an IA administrator reopens it before "
            "an allegation is added.",
            field="case",
        )
    emp = employee_by_badge(session, badge)
    refuse_allegation_against_own_reporter(case, emp)
    clause = clause_in_force(session, clause_id.strip(), case.incident.occurred_on)
    require_citable(clause)
    if policy_of(clause.clause_id) not in POLICY_ORDER.get(emp.department, []):
        raise InputError(
            f"clause: {clause.clause_id} does not bind a {emp.department} employee.", field="clause"
        )
    dup = session.scalar(
        select(Allegation).where(
            Allegation.case_id == case.id,
            Allegation.employee_id == emp.id,
            Allegation.clause_pk == clause.id,
        )
    )
    if dup is not None:
        raise InputError(
            f"{case.number} already alleges {clause.clause_id} against badge "
            f"{emp.badge} (allegation {dup.id}).",
            field="clause",
        )
    if not any(s.employee_id == emp.id for s in case.subjects):
        session.add(CaseSubject(case_id=case.id, employee_id=emp.id))
    allegation = Allegation(
        case_id=case.id, employee_id=emp.id, clause_pk=clause.id, created_by_id=actor.user_id
    )
    session.add(allegation)
    case.updated_at = utcnow()
    session.flush()
    session.refresh(case)
    index_case(session, case, public=withholding_for(session, case, ia=False))
    append(
        session,
        actor,
        "allegation.add",
        object_type="allegation",
        object_id=allegation.id,
        case_number=case.number,
        details={
            "employee": emp.badge,
            "clause": clause.clause_id,
            "clause_version": clause.policy_version.version,
            records.RECORD_KEY: records.digest("allegation", allegation),
        },
    )
    return allegation


def record_finding(
    session: Session,
    actor: Actor,
    allegation_id: int,
    disposition: str,
    rationale: str | None = None,
    on: dt.date | None = None,
) -> Allegation:
    """Record the disposition of an allegation (who, when, why). Audited."""
    require(actor, "allegation.find", "allegation.find", "allegation", str(allegation_id))
    allegation = session.get(Allegation, allegation_id)
    if allegation is None:
        raise NotFound(f"There is no allegation {allegation_id}.", field="allegation")
    case = allegation.case
    require_case_write(actor, case, "allegation.find")
    if case.status != "investigating":
        raise InputError(
            f"{case.number} is {case.status}: findings are recorded while the case is under "
            "investigation (start it first"
            + (
                "; an IA administrator reopens it to change a finding)."
                if case.status in ("findings", "closed")
                else ")."
            ),
            field="case",
        )
    disposition = v.choice(disposition, "disposition", DISPOSITIONS)
    rationale = v.text(rationale, "rationale", max_len=20_000, multiline=True)
    if disposition == "sustained":
        screened = sustain_problem(session, allegation)
        if screened:
            raise InputError(f"Not sustained: {screened}.", field="disposition")
    finding_on = on or dt.date.today()
    if finding_on < case.incident.occurred_on:
        raise InputError("finding date: before the incident.", field="finding_on")
    previous = allegation.disposition
    allegation.disposition = disposition
    allegation.rationale = rationale
    allegation.finding_on = finding_on
    allegation.finding_by_id = actor.user_id
    case.updated_at = utcnow()
    session.flush()
    if disposition == "policy_failure":
        # The clause goes on the agenda of the annual policy review (3.21 §VI.A).
        open_item = session.scalar(
            select(PolicyReviewItem).where(
                PolicyReviewItem.allegation_id == allegation.id,
                PolicyReviewItem.closed_at.is_(None),
            )
        )
        if open_item is None:
            session.add(
                PolicyReviewItem(
                    policy_id=allegation.clause.policy_version.policy_id,
                    clause_id=allegation.clause.clause_id,
                    allegation_id=allegation.id,
                    case_number=case.number,
                    note=rationale,
                    opened_by=actor.login,
                )
            )
            session.flush()
    append(
        session,
        actor,
        "allegation.find",
        object_type="allegation",
        object_id=allegation.id,
        case_number=case.number,
        details={
            "disposition": disposition,
            "previous": previous,
            "finding_on": finding_on.isoformat(),
            "clause": allegation.clause.clause_id,
            "employee": allegation.employee.badge,
            records.RECORD_KEY: records.digest("allegation", allegation),
        },
    )
    return allegation


def refuse_allegation_against_own_reporter(case: Case, emp: Employee) -> None:
    """Good-faith reporting is protected and is not a policy violation (3.21 §V.C): the
    reporter of a case is not alleged against in that case. If the report was knowingly
    false, an IA administrator revokes the protection first (with the reason)."""
    r = case.reporter
    if r is None or r.mode == "anonymous" or not r.good_faith or r.protection_revoked_at:
        return
    if r.employee_id == emp.id or (r.badge is not None and r.badge == emp.badge):
        raise InputError(
            f"Badge {emp.badge} made this report in good faith: the report is protected and "
            "is not a policy violation (3.21 §V.C). If it was knowingly false, an IA "
            "administrator revokes the protection first.",
            field="employee",
        )


def review_items(
    session: Session, actor: Actor, policy_id: str | None = None, include_closed: bool = False
) -> list[dict[str, Any]]:
    """Clauses brought to the annual policy review (3.21 §VI.A) by 'policy failure' findings."""
    require(actor, "case.read", "policy.review_items")
    stmt = select(PolicyReviewItem).order_by(PolicyReviewItem.policy_id, PolicyReviewItem.opened_at)
    if policy_id:
        stmt = stmt.where(PolicyReviewItem.policy_id == policy_id)
    if not include_closed:
        stmt = stmt.where(PolicyReviewItem.closed_at.is_(None))
    return [
        {
            "id": r.id,
            "policy": r.policy_id,
            "clause": r.clause_id,
            "case": r.case_number,
            "allegation": r.allegation_id,
            "note": r.note,
            "opened_by": r.opened_by,
            "opened_at": r.opened_at.isoformat() + "Z",
            "closed_at": r.closed_at.isoformat() + "Z" if r.closed_at else None,
            "outcome": r.outcome,
        }
        for r in session.scalars(stmt)
    ]
