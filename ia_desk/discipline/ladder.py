"""Recommendations on the ladder of 3.21 §V.B, and discipline decisions.

The recommendation for an employee on a case:

1. Only sustained allegations count; without one there is no discipline.
2. The most severe class among them sets the presumptive step and the range.
3. Each prior case of the same employee with a sustained allegation, whose incident lies
   within the look-back window before this incident, moves the step up one rung, never
   past the top of the range. Priors are counted per case, so one incident cited under
   several clauses counts once. The bottom of the range moves up with the step: with
   three priors in a class whose range starts at Counseling, Counseling is no longer in
   range. The look-back window is the matrix's (one source; no setting overrides it).

Any decision other than the recommended step needs a written reason naming the
mitigating (below) or aggravating (above) factors; the decision records whether it is
inside the range as it stands with the priors. A suspension has a length in days, with
or without pay. A case held for a retaliation review takes no decision until the review
is recorded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit import records
from ia_desk.audit.trail import append
from ia_desk.cases.queries import employee_by_badge, get_case
from ia_desk.cases.redaction import withholding_for
from ia_desk.db.models import (
    DISCIPLINE_STEPS,
    Allegation,
    Case,
    DisciplineAction,
    DisciplineAppeal,
    Employee,
    Incident,
)
from ia_desk.discipline import hearings
from ia_desk.discipline.matrix import SEVERITY, clause_class, current
from ia_desk.errors import Blocked, InputError
from ia_desk.protection.retaliation import add_months, blocking_reason
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require, sees_identities
from ia_desk.terms import APPEAL_KINDS, MAX_SUSPENSION_DAYS

# A decision overturned on appeal no longer stands (ia_desk.discipline.appeals).
OVERTURNED = exists(
    select(DisciplineAppeal.id).where(
        DisciplineAppeal.discipline_id == DisciplineAction.id,
        DisciplineAppeal.outcome == "overturned",
    )
)
# The decision that stands: not amended since, and not overturned on appeal. What the
# case, the employee's history, the ladder and the statistics count.
STANDS = and_(DisciplineAction.superseded_by_id.is_(None), ~OVERTURNED)


def label(matrix: dict[str, Any], step: str) -> str:
    return str(matrix.get("step_labels", {}).get(step, step.replace("_", " ")))


def priors(session: Session, employee: Employee, case: Case, months: int) -> list[dict[str, Any]]:
    """Earlier cases of the employee with a sustained allegation, within the window."""
    occurred = case.incident.occurred_on
    start = add_months(occurred, -months)
    rows = session.execute(
        select(Case.number, Incident.occurred_on)
        .join(Allegation, Allegation.case_id == Case.id)
        .join(Incident, Incident.case_id == Case.id)
        .where(
            Allegation.employee_id == employee.id,
            Allegation.disposition == "sustained",
            Case.id != case.id,
            Incident.occurred_on >= start,
            Incident.occurred_on < occurred,
            # A case whose discipline was overturned on appeal is no longer a prior.
            ~exists(
                select(DisciplineAction.id).where(
                    DisciplineAction.case_id == Case.id,
                    DisciplineAction.employee_id == employee.id,
                    DisciplineAction.superseded_by_id.is_(None),
                    OVERTURNED,
                )
            ),
        )
        .distinct()
        .order_by(Incident.occurred_on)
    ).all()
    return [{"case": n, "occurred_on": d.isoformat()} for n, d in rows]


def _recommend(session: Session, case: Case, emp: Employee) -> dict[str, Any]:
    matrix = current(session)
    months = int(matrix["lookback_months"])
    mine = [a for a in case.allegations if a.employee_id == emp.id]
    immediate = any(clause_class(matrix, a.clause.clause_id).get("immediate_action") for a in mine)
    sustained = [a for a in mine if a.disposition == "sustained"]
    base: dict[str, Any] = {
        "case": case.number,
        "employee": emp.badge,
        "matrix_version": matrix["version"],
        "lookback_months": months,
        "immediate_action": immediate,
    }
    if not sustained:
        pending = sum(1 for a in mine if a.disposition is None)
        why = (
            f"No sustained allegation against badge {emp.badge} on {case.number}"
            + (f" ({pending} still without a finding)" if pending else "")
            + ": only sustained allegations lead to discipline."
        )
        return {
            **base,
            "step": None,
            "range": None,
            "class_range": None,
            "class": None,
            "priors": [],
            "explanation": why,
        }
    worst = max(
        sustained, key=lambda a: SEVERITY.index(clause_class(matrix, a.clause.clause_id)["class"])
    )
    cls_name = clause_class(matrix, worst.clause.clause_id)["class"]
    cls = matrix["classes"][cls_name]
    steps = list(matrix["steps"])
    lo, hi = steps.index(cls["range"][0]), steps.index(cls["range"][1])
    presumptive = steps.index(cls["presumptive"])
    found = priors(session, emp, case, months)
    raw = presumptive + len(found)
    index = min(max(raw, lo), hi)
    floor = min(lo + len(found), hi)  # the range's bottom moves up with the priors
    parts = [
        f"Class {cls_name} ({cls['label']}) from {worst.clause.clause_id}"
        + (
            f", the most severe of {len(sustained)} sustained allegations"
            if len(sustained) > 1
            else ""
        )
        + f": presumptive {label(matrix, steps[presumptive])}, range "
        f"{label(matrix, steps[lo])} to {label(matrix, steps[hi])}."
    ]
    if found:
        listed = ", ".join(f"{p['case']} ({p['occurred_on']})" for p in found)
        parts.append(
            f"{len(found)} prior case(s) with a sustained allegation within "
            f"{months} months: {listed}; each moves the step up one rung"
            + (
                f", and the range now starts at {label(matrix, steps[floor])}."
                if floor > lo
                else "."
            )
        )
    else:
        parts.append(f"No prior sustained case within {months} months.")
    if raw > hi:
        parts.append(f"Capped at the top of the class's range ({label(matrix, steps[hi])}).")
    parts.append(f"Recommended: {label(matrix, steps[index])}.")
    parts.append(
        "Any other step needs a written reason naming the mitigating or aggravating factors."
    )
    if steps[index] in hearings.HEARING_STEPS:
        parts.append(
            "A suspension or termination follows the employee's notice of the charges and "
            "evidence and their response (Loudermill)."
        )
    parts.append(f"Discipline matrix version {matrix['version']}.")
    if immediate:
        parts.append("A clause breached calls for immediate action by the Chief (3.21 §V.B).")
    return {
        **base,
        "step": steps[index],
        "range": [steps[floor], steps[hi]],
        "class_range": [steps[lo], steps[hi]],
        "class": cls_name,
        "priors": found,
        "explanation": " ".join(parts),
    }


def recommend(session: Session, actor: Actor, number: str, badge: str) -> dict[str, Any]:
    """The recommended step, its range and why (IA roles and command staff)."""
    require(actor, "case.read", "discipline.recommend", "case", number)
    case = get_case(session, number)
    emp = employee_by_badge(session, badge)
    if not any(s.employee_id == emp.id for s in case.subjects):
        raise InputError(f"Badge {emp.badge} is not a subject of {case.number}.", field="employee")
    return _recommend(session, case, emp)


def record(
    session: Session,
    actor: Actor,
    number: str,
    badge: str,
    step: str,
    reason: str | None = None,
    *,
    amend: bool = False,
    suspension_days: int | str | None = None,
    without_pay: bool | None = None,
    on_appeal: bool = False,
) -> DisciplineAction:
    """Record the discipline decision for one employee on a case. Audited; refused when
    it breaks a rule of the module docstring. ``on_appeal``: the amendment an appeal's
    outcome writes (ia_desk.discipline.appeals), whose reason is the appeal's.

    Only once every allegation against the employee in the case has a finding. One
    decision stands per employee and case: a second one is an amendment (``amend``),
    which needs a reason, replaces the first in the history, the ladder's view and the
    statistics, and keeps the first on record.
    """
    require(actor, "discipline.record", "discipline.record", "case", number)
    case = get_case(session, number)
    emp = employee_by_badge(session, badge)
    step = v.choice(step, "step", DISCIPLINE_STEPS)
    text = v.text(reason, "reason", required=False, max_len=10_000, multiline=True)
    held = blocking_reason(session, case, ia=sees_identities(actor))
    if held:
        raise Blocked(f"No discipline can be recorded on {case.number}: {held}.")
    pending = [a for a in case.allegations if a.employee_id == emp.id and a.disposition is None]
    if pending:
        raise InputError(
            f"{len(pending)} allegation(s) against badge {emp.badge} on {case.number} have no "
            "finding yet; discipline is decided once every allegation has one.",
            field="employee",
        )
    standing = current_decision(session, case.id, emp.id)
    if standing is not None and not amend:
        raise InputError(
            f"Badge {emp.badge} already has a decision on {case.number}: "
            f"{standing.step.replace('_', ' ')} ({standing.decided_at:%Y-%m-%d}, "
            f"{standing.decided_by.login}). To change it, amend it with the reason.",
            field="step",
        )
    if standing is None and amend:
        raise InputError(
            f"Badge {emp.badge} has no decision on {case.number} to amend.", field="step"
        )
    if standing is not None and not text:
        raise InputError("reason: an amended decision needs the reason it changes.", field="reason")
    days, unpaid = _suspension(step, suspension_days, without_pay)
    if standing is not None and not on_appeal and overturned_on_appeal(session, standing.id):
        raise InputError(
            f"The decision of badge {emp.badge} on {case.number} was overturned on appeal; "
            "it is not amended here.",
            field="step",
        )
    rec = recommend(session, actor, number, badge)
    if rec["step"] is None:
        raise InputError(rec["explanation"], field="employee")
    unheard = hearings.missing(session, case, emp, step)
    if unheard:
        raise InputError(unheard, field="step")
    lo, hi = (DISCIPLINE_STEPS.index(s) for s in rec["range"])
    chosen, recommended = DISCIPLINE_STEPS.index(step), DISCIPLINE_STEPS.index(rec["step"])
    within = lo <= chosen <= hi
    if chosen != recommended and not text:
        matrix = current(session)
        below = chosen < recommended
        raise InputError(
            f"reason: {label(matrix, step)} is {'below' if below else 'above'} the recommended "
            f"{label(matrix, rec['step'])}"
            + ("" if within else f", outside the range {_range_words(matrix, rec['range'])}")
            + f"; say which {'mitigating' if below else 'aggravating'} factors justify it.",
            field="reason",
        )
    action = DisciplineAction(
        case_id=case.id,
        employee_id=emp.id,
        step=step,
        recommended_step=rec["step"],
        reason=text,
        decided_by_id=actor.user_id,
        within_range=within,
        matrix_version=rec["matrix_version"] or None,
        suspension_days=days,
        without_pay=unpaid,
        amends_id=standing.id if standing is not None else None,
    )
    session.add(action)
    session.flush()
    if standing is not None:
        standing.superseded_by_id = action.id
        session.flush()
    details: dict[str, Any] = {
        "employee": emp.badge,
        "step": step,
        "recommended": rec["step"],
        "within_range": within,
        "reason": text,
        "matrix_version": rec["matrix_version"],
    }
    if days is not None:
        details["suspension_days"] = days
        details["without_pay"] = unpaid
    if on_appeal:
        details["on_appeal"] = True
    if standing is not None:
        details["amends"] = standing.id
        details["previous_step"] = standing.step
    details[records.RECORD_KEY] = records.digest("discipline", action)
    append(
        session,
        actor,
        "discipline.amend" if standing is not None else "discipline.record",
        object_type="discipline",
        object_id=action.id,
        case_number=case.number,
        details=details,
    )
    return action


def suspension_length(value: Any) -> int | None:
    """A suspension's length in days as given: a whole number, or the text a form holds
    ("5", " 5 "); empty means none given. Text that is not a whole number is refused in
    the user's words (the range is checked with the step, by :func:`_suspension`)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        return v.integer(value, "suspension_days", 1, MAX_SUSPENSION_DAYS, "a number of days")
    return value  # an int, or refused by _suspension


def _suspension(step: str, days: Any, without_pay: bool | None) -> tuple[int | None, bool | None]:
    """The length and pay of a suspension, checked: both required for a suspension and
    refused for any other step. ``days`` as :func:`suspension_length` reads it."""
    days = suspension_length(days)
    if step != "suspension":
        if days is not None or without_pay is not None:
            raise InputError(
                "suspension_days: only a suspension has a length and a pay status.",
                field="suspension_days",
            )
        return None, None
    if days is None or isinstance(days, bool) or not isinstance(days, int):
        raise InputError(
            "suspension_days: a suspension needs its length in days.", field="suspension_days"
        )
    if not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise InputError(
            f"suspension_days: from 1 to {MAX_SUSPENSION_DAYS} days.", field="suspension_days"
        )
    if not isinstance(without_pay, bool):
        raise InputError(
            "without_pay: say whether the suspension is with or without pay.",
            field="without_pay",
        )
    return days, without_pay


def _range_words(matrix: dict[str, Any], rng: list[str]) -> str:
    return f"{label(matrix, rng[0])} to {label(matrix, rng[1])}"


def suspension_words(days: int | None, without_pay: bool | None) -> str:
    """'5 days without pay' (empty for anything but a suspension)."""
    if days is None:
        return ""
    return f"{days} day{'s' if days != 1 else ''} {'without' if without_pay else 'with'} pay"


def overturned_on_appeal(session: Session, decision_id: int) -> bool:
    return (
        session.scalar(
            select(DisciplineAppeal.id).where(
                DisciplineAppeal.discipline_id == decision_id,
                DisciplineAppeal.outcome == "overturned",
            )
        )
        is not None
    )


def current_decision(session: Session, case_id: int, employee_id: int) -> DisciplineAction | None:
    """The decision in force for an employee on a case (None: not decided yet)."""
    return session.scalar(
        select(DisciplineAction).where(
            DisciplineAction.case_id == case_id,
            DisciplineAction.employee_id == employee_id,
            DisciplineAction.superseded_by_id.is_(None),
        )
    )


def decisions(session: Session, case: Case) -> list[dict[str, Any]]:
    """Every decision of a case, oldest first; ``current`` marks the ones not amended
    since (an amended decision stays on record, superseded), ``overturned`` the ones set
    aside on appeal (a current one that is overturned no longer stands)."""
    rows = list(
        session.scalars(
            select(DisciplineAction)
            .where(DisciplineAction.case_id == case.id)
            .order_by(DisciplineAction.id)
        )
    )
    overturned = set(
        session.scalars(
            select(DisciplineAppeal.discipline_id).where(
                DisciplineAppeal.discipline_id.in_([d.id for d in rows]),
                DisciplineAppeal.outcome == "overturned",
            )
        )
    )
    return [
        {
            "id": d.id,
            "employee": d.employee.badge,
            "step": d.step,
            "recommended": d.recommended_step,
            "within_range": d.within_range,
            "reason": d.reason,
            "by": d.decided_by.login,
            "at": d.decided_at.isoformat() + "Z",
            "current": d.superseded_by_id is None,
            "overturned": d.id in overturned,
            "amends": d.amends_id,
            "suspension_days": d.suspension_days,
            "without_pay": d.without_pay,
            "length": suspension_words(d.suspension_days, d.without_pay),
        }
        for d in rows
    ]


def appeals_of(session: Session, decision_ids: list[int], hide: Any) -> list[dict[str, Any]]:
    """The appeals of these decisions, oldest first, as the ladder shows them."""
    if not decision_ids:
        return []
    rows = session.scalars(
        select(DisciplineAppeal)
        .where(DisciplineAppeal.discipline_id.in_(decision_ids))
        .order_by(DisciplineAppeal.id)
    )
    return [
        {
            "id": a.id,
            "decision": a.discipline_id,
            "kind": a.kind,
            "kind_words": APPEAL_KINDS[a.kind],
            "filed_on": a.filed_on.isoformat(),
            "heard_on": a.heard_on.isoformat() if a.heard_on else None,
            "decided_on": a.decided_on.isoformat() if a.decided_on else None,
            "outcome": a.outcome,
            "note": hide.text(a.note) if a.note else None,
            "result": a.result_id,
        }
        for a in rows
    ]


def ladder(session: Session, actor: Actor, number: str) -> list[dict[str, Any]]:
    """For each subject: the rungs, the recommendation and why, decisions, the
    pre-disciplinary notice and response, appeals, and the discipline that stands on
    the employee's other cases."""
    require(actor, "case.read", "discipline.view", "case", number)
    case = get_case(session, number)
    matrix = current(session)
    hide = withholding_for(session, case, sees_identities(actor))
    decided = decisions(session, case)
    for d in decided:
        d["reason"] = hide.text(d["reason"]) or None
    out = []
    for s in case.subjects:
        emp = s.employee
        history = session.execute(
            select(DisciplineAction, Case.number)
            .join(Case, Case.id == DisciplineAction.case_id)
            .where(
                DisciplineAction.employee_id == emp.id,
                Case.id != case.id,
                STANDS,
            )
            .order_by(DisciplineAction.decided_at)
        ).all()
        mine = [d for d in decided if d["employee"] == emp.badge]
        out.append(
            {
                "employee": emp.badge,
                "name": emp.name,
                "rank": emp.rank,
                "unit": emp.unit,
                "rungs": [{"step": st, "label": label(matrix, st)} for st in matrix["steps"]],
                "recommendation": _recommend(session, case, emp),
                "decisions": mine,
                "hearing": hearings.view(hearings.hearing(session, case.id, emp.id), hide),
                "appeals": appeals_of(session, [d["id"] for d in mine], hide),
                "history": [
                    {"case": n, "step": d.step, "at": d.decided_at.date().isoformat()}
                    for d, n in history
                ],
            }
        )
    return out
