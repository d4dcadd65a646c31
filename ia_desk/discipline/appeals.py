"""Appeals of a discipline decision: a grievance, an appeal to the Board of Civil Service
Commission (3.21 §III.K names it), or arbitration.

An appeal is filed against the decision in force for an employee on a case, and is
decided once: *upheld* (the decision stands), *modified* (the decision is amended to the
step the appeal gave, with the appeal as its reason) or *overturned* (the decision is set
aside: it no longer stands, and the case no longer counts as a prior on the ladder). The
discipline as it stands after appeal is what the case, the employee's history, the
ladder's priors and the statistics use (:func:`ia_desk.discipline.ladder.standing`).
One appeal is open at a time per decision; a decision modified on appeal can be appealed
again (a grievance first, then the Board, say). Each step is audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit.trail import append
from ia_desk.db.models import DisciplineAction, DisciplineAppeal
from ia_desk.discipline.hearings import _subject, day
from ia_desk.discipline.ladder import (
    current_decision,
    overturned_on_appeal,
    record,
    suspension_length,
)
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require
from ia_desk.terms import APPEAL_KINDS, APPEAL_OUTCOMES


def file_appeal(
    session: Session, actor: Actor, number: str, badge: str, kind: str, filed_on: Any
) -> DisciplineAppeal:
    """File an appeal of the decision in force for the employee on the case."""
    require(actor, "discipline.record", "discipline.appeal", "case", number)
    case, emp = _subject(session, number, badge)
    kind = v.choice(kind, "kind", tuple(APPEAL_KINDS))
    on = day(filed_on, "filed_on")
    decision = current_decision(session, case.id, emp.id)
    if decision is None:
        raise InputError(
            f"Badge {emp.badge} has no decision in force on {case.number} to appeal.",
            field="employee",
        )
    if on < decision.decided_at.date():
        raise InputError(
            f"filed_on: {on.isoformat()} is before the decision "
            f"({decision.decided_at.date().isoformat()}).",
            field="filed_on",
        )
    if overturned_on_appeal(session, decision.id):
        raise InputError(
            f"The decision of badge {emp.badge} on {case.number} was overturned on appeal; "
            "nothing stands to appeal.",
            field="employee",
        )
    pending = open_appeal(session, decision.id)
    if pending is not None:
        raise InputError(
            f"The decision of badge {emp.badge} on {case.number} already has an open "
            f"{APPEAL_KINDS[pending.kind]} (filed {pending.filed_on.isoformat()}): record its "
            "outcome first.",
            field="employee",
        )
    appeal = DisciplineAppeal(
        discipline_id=decision.id, kind=kind, filed_on=on, filed_by_id=actor.user_id
    )
    session.add(appeal)
    session.flush()
    append(
        session,
        actor,
        "discipline.appeal",
        object_type="appeal",
        object_id=appeal.id,
        case_number=case.number,
        details={
            "employee": emp.badge,
            "kind": kind,
            "filed_on": on.isoformat(),
            "decision": decision.id,
        },
    )
    return appeal


def open_appeal(session: Session, decision_id: int) -> DisciplineAppeal | None:
    return session.scalar(
        select(DisciplineAppeal).where(
            DisciplineAppeal.discipline_id == decision_id, DisciplineAppeal.outcome.is_(None)
        )
    )


def decide_appeal(
    session: Session,
    actor: Actor,
    number: str,
    badge: str,
    outcome: str,
    decided_on: Any,
    note: Any,
    *,
    heard_on: Any = None,
    step: str | None = None,
    suspension_days: int | str | None = None,
    without_pay: bool | None = None,
) -> DisciplineAppeal:
    """Record the outcome of the open appeal of the employee's decision on the case.
    ``modified`` needs the step the appeal gave (and a suspension its days and pay)."""
    require(actor, "discipline.record", "discipline.appeal_outcome", "case", number)
    case, emp = _subject(session, number, badge)
    outcome = v.choice(outcome, "outcome", tuple(APPEAL_OUTCOMES))
    suspension_days = suspension_length(suspension_days)  # a form's text, or a number
    decision = current_decision(session, case.id, emp.id)
    appeal = open_appeal(session, decision.id) if decision is not None else None
    if decision is None or appeal is None:
        raise InputError(
            f"Badge {emp.badge} has no open appeal on {case.number}.", field="employee"
        )
    on = day(decided_on, "decided_on")
    heard = day(heard_on, "heard_on") if heard_on not in (None, "") else None
    if on < appeal.filed_on or (heard is not None and heard < appeal.filed_on):
        raise InputError(
            f"The appeal was filed on {appeal.filed_on.isoformat()}; it cannot be heard or "
            "decided before that.",
            field="decided_on" if on < appeal.filed_on else "heard_on",
        )
    if heard is not None and on < heard:
        raise InputError(
            "decided_on: the appeal is decided on or after its hearing.", field="decided_on"
        )
    text = v.text(note, "note", max_len=10_000, multiline=True)
    if outcome != "modified" and step is not None:
        raise InputError("step: only a modified decision gets a new step.", field="step")
    appeal.outcome, appeal.decided_on, appeal.heard_on = outcome, on, heard
    appeal.note, appeal.decided_by_id = text, actor.user_id
    details: dict[str, Any] = {
        "employee": emp.badge,
        "kind": appeal.kind,
        "outcome": outcome,
        "decided_on": on.isoformat(),
        "decision": decision.id,
    }
    if outcome == "modified":
        if step is None:
            raise InputError(
                "step: a modified decision needs the step the appeal gave.", field="step"
            )
        if step == decision.step and suspension_days == decision.suspension_days:
            raise InputError(
                "step: the appeal left the step as it was; record it as upheld.", field="step"
            )
        amended = record(
            session,
            actor,
            number,
            badge,
            step,
            f"Modified on {APPEAL_KINDS[appeal.kind]}, decided {on.isoformat()}: {text}",
            amend=True,
            suspension_days=suspension_days,
            without_pay=without_pay,
            on_appeal=True,
        )
        appeal.result_id = amended.id
        details["step"] = step
        details["result"] = amended.id
    session.flush()
    append(
        session,
        actor,
        "discipline.appeal_outcome",
        object_type="appeal",
        object_id=appeal.id,
        case_number=case.number,
        details=details,
    )
    return appeal


def outcomes(session: Session, case_ids: list[int]) -> dict[str, int]:
    """Appeals of the decisions on these cases by outcome ('pending' while open)."""
    out = {"pending": 0, **dict.fromkeys(APPEAL_OUTCOMES, 0)}
    if not case_ids:
        return out
    rows = session.scalars(
        select(DisciplineAppeal.outcome)
        .join(DisciplineAction, DisciplineAction.id == DisciplineAppeal.discipline_id)
        .where(DisciplineAction.case_id.in_(case_ids))
    )
    for outcome in rows:
        out[outcome or "pending"] += 1
    return out


__all__ = ["decide_appeal", "file_appeal", "open_appeal", "outcomes"]
