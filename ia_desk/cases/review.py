"""The review chain (issue 22): a case's findings are signed off before it closes.

Findings go from the investigator (the workflow's *Record findings complete*) to the IA
commander, then to the Chief; each signs them off or returns them with comments. A return
sends the case back to the investigator (it is under investigation again) and starts a
new round: the next findings are reviewed afresh from the first step, and so are those of
a reopened case. A case closes only once the last step of the chain has signed off in
its current round (:func:`close_hold`, which the close checks).

Who reviews is the department's ``review_chain`` setting: 0 nobody, 1 the IA commander,
2 the IA commander and then the Chief (the default). The IA commander's step is an IA
administrator's, the Chief's is command staff's (the Chief or the Chief's office): the
role table (``review.commander``, ``review.chief``) says who. Each decision is audited,
bound to its signed event (:mod:`ia_desk.audit.records`), shown on the case and in both
summaries, and counted on the reviewer's home screen. Comments pass through the case's
withholding like every free text of a case.

The chain does not keep an investigator from reviewing as IA administrator a case they
investigated themselves: in a unit of two that is the only way a case closes. The
decision names its reviewer, and the case's summary prints it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ia_desk import validation as v
from ia_desk.audit import records
from ia_desk.audit.trail import append
from ia_desk.cases.queries import get_case
from ia_desk.cases.workflow import conflict
from ia_desk.db.models import Case, CaseReview, utcnow
from ia_desk.errors import AuditedRefusal, InputError, PermissionDenied
from ia_desk.security.actor import Actor
from ia_desk.security.roles import ROLE_PLURALS, allowed
from ia_desk.settings import get_setting
from ia_desk.terms import REVIEW_DECISIONS, REVIEW_STEPS

__all__ = [
    "REVIEW_DECISIONS",
    "REVIEW_STEPS",
    "STEP_PERMISSION",
    "chain",
    "close_hold",
    "decide",
    "pending_step",
    "review_problem",
    "view",
]

# The permission each step needs (ia_desk.security.roles).
STEP_PERMISSION = {"commander": "review.commander", "chief": "review.chief"}
EVENTS = {"signed_off": "review.sign_off", "returned": "review.return"}


def chain(session: Session, case: Case | None = None) -> tuple[str, ...]:
    """The steps findings go through, in order: for ``case``, those fixed when its
    current round's findings were recorded complete (a later change of the
    ``review_chain`` setting never skips a step of findings awaiting one); a case whose
    findings predate the chain takes the setting while open and had none once closed.
    Without a case: the setting, what findings recorded now would need."""
    if case is not None and case.review_steps is not None:
        steps = case.review_steps
    elif case is not None and case.status == "closed":
        steps = 0
    else:
        steps = int(get_setting(session, "review_chain"))
    return tuple(REVIEW_STEPS)[:steps]


def decisions(session: Session, case: Case) -> list[CaseReview]:
    """Every decision on the case, every round, oldest first."""
    return list(
        session.scalars(
            select(CaseReview).where(CaseReview.case_id == case.id).order_by(CaseReview.id)
        )
    )


def pending_step(session: Session, case: Case, steps: tuple[str, ...] | None = None) -> str | None:
    """The step the case's findings wait for now (None: the case is not awaiting review,
    or every step of the chain has signed off in its current round)."""
    if case.status != "findings":
        return None
    signed = {
        r.step
        for r in decisions(session, case)
        if r.round == case.review_round and r.decision == "signed_off"
    }
    return next(
        (s for s in (chain(session, case) if steps is None else steps) if s not in signed), None
    )


def close_hold(session: Session, case: Case) -> str | None:
    """Why the chain keeps the case from closing now (None: it does not)."""
    step = pending_step(session, case)
    return f"the findings await {REVIEW_STEPS[step]}'s sign-off" if step else None


def review_problem(session: Session, actor: Actor, case: Case) -> str | None:
    """Why ``actor`` may not sign off or return the case's findings now (None: they may)."""
    if case.status != "findings":
        return "its findings are not complete" if case.status != "closed" else "it is closed"
    step = pending_step(session, case)
    if step is None:
        return (
            "its findings are signed off"
            if chain(session, case)
            else "its findings need no sign-off (the department's review chain was off)"
        )
    if not allowed(actor, STEP_PERMISSION[step]):
        return f"the findings await {REVIEW_STEPS[step]}'s sign-off"
    return None


def decide(
    session: Session,
    actor: Actor,
    number: str,
    decision: str,
    comments: Any = None,
    *,
    expected_version: int | None = None,
) -> CaseReview:
    """Record the reviewer's decision on the case's findings at the step they wait for:
    ``signed_off`` (comments optional) or ``returned`` (comments required: what the
    investigator is to do). A return sends the case back under investigation and starts
    a new round. Audited; a role that reviews no step is refused, and that is audited."""
    decision = v.choice(decision, "decision", REVIEW_DECISIONS)
    event = EVENTS[decision]
    if not any(allowed(actor, p) for p in STEP_PERMISSION.values()):
        raise PermissionDenied(
            f"Permission denied: {ROLE_PLURALS.get(actor.role, actor.role)} may not "
            "sign off or return a case's findings.",
            AuditedRefusal(event, "case", number, {"case": number}, case_number=number),
        )
    case = get_case(session, number)
    if expected_version is not None and case.version_id != expected_version:
        raise conflict(session, case.number)
    problem = review_problem(session, actor, case)
    awaited = pending_step(session, case)
    if awaited is not None and not allowed(actor, STEP_PERMISSION[awaited]):
        raise PermissionDenied(  # another reviewer's step: a refusal of rights, audited
            f"Permission denied: {case.number}: {problem}; {ROLE_PLURALS[actor.role]} sign "
            "another step.",
            AuditedRefusal(event, "case", str(case.id), {"case": case.number}, case.number),
        )
    if problem:
        raise InputError(f"Nothing was recorded: {case.number}: {problem}.", field="case")
    text = v.text(
        comments,
        "comments",
        required=decision == "returned",
        max_len=20_000,
        multiline=True,
    )
    step = awaited
    assert step is not None  # review_problem said the case awaits a step
    row = CaseReview(
        case_id=case.id,
        round=case.review_round,
        step=step,
        decision=decision,
        reviewer_id=actor.user_id,
        comments=text,
    )
    session.add(row)
    if decision == "returned":
        case.status = "investigating"
        case.review_round += 1
        case.review_steps = None  # fixed again when the findings are complete again
    # Every decision changes the case: its version moves (a window or workstation that
    # read it before is refused as a conflict) and the others hear of it.
    case.updated_at = utcnow()
    number = case.number
    try:
        session.flush()
    except (IntegrityError, StaleDataError):  # another reviewer decided meanwhile
        session.rollback()
        raise conflict(session, number) from None
    append(
        session,
        actor,
        event,
        object_type="review",
        object_id=row.id,
        case_number=number,
        details={
            "review_step": step,
            "round": row.round,
            **({"to": "investigating"} if decision == "returned" else {}),
            records.RECORD_KEY: records.digest("review", row),
        },
    )
    return row


def view(session: Session, case: Case, shown: Any) -> dict[str, Any]:
    """The chain as a case shows it: its steps, the current round, the step awaited, and
    every decision (comments through the case's withholding, ``shown``)."""
    steps = chain(session, case)
    rows = decisions(session, case)
    signed = {r.step for r in rows if r.round == case.review_round and r.decision == "signed_off"}
    return {
        "chain": [REVIEW_STEPS[s] for s in steps],
        "round": case.review_round,
        # Every step of the current round's chain signed off (and there was a chain).
        "signed_off": bool(steps) and all(s in signed for s in steps),
        "awaiting": (REVIEW_STEPS[step] if (step := pending_step(session, case, steps)) else None),
        "decisions": [
            {
                "round": r.round,
                "step": REVIEW_STEPS.get(r.step, r.step),
                "decision": r.decision,
                "by": r.reviewer.name,
                "login": r.reviewer.login,
                "at": r.decided_at.isoformat(timespec="minutes"),
                "comments": shown(r.comments) if r.comments else None,
                # Signed by the case's own investigator (a unit of two has no one else).
                "own_case": r.reviewer_id == case.assigned_to_id,
            }
            for r in rows
        ],
    }
