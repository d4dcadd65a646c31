"""The Chief's immediate action, as a fact of the case (3.21 §V.B).

"The Chief of Police will take immediate action for any disclosures or reports of the
violation of this policy that endanger the safety of others or compromise the criminal
investigation." A case needs that action when

- a clause it cites is one the discipline matrix flags (doxxing and threats, a
  colleague's contact details, posts about an investigation, body-camera footage, the
  disclosures of §IV.A–D and F–H): raised by that clause, as soon as it is cited; or
- IA finds it on the facts (a disclosure that names a witness, a post that tips off a
  suspect), whatever the clause: raised by IA, saying what the facts are.

Then IA records who told the Chief, when and how, and the Chief's office (IA or command
staff) records each thing done: relief from duty, an order to take the post down, a
referral to the Criminal Investigations Division, another step, or the Chief's finding
that nothing is needed. A raised case with nothing done within the department's
``immediate_action_hours`` (24 by default) is overdue: the list flags it and the case
says so. Each step is audited and signed, and printed in both summaries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit.trail import append
from ia_desk.cases.queries import get_case
from ia_desk.cases.workflow import require_case_write
from ia_desk.db.models import (
    Case,
    ImmediateAction,
    ImmediateActionStep,
    User,
    utcnow,
)
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require
from ia_desk.settings import get_setting
from ia_desk.terms import IMMEDIATE_GROUNDS, IMMEDIATE_STEPS

NEEDS_NOTE = ("other", "no_action_needed")


def _grounds_of(spec: dict[str, Any]) -> str:
    grounds = spec.get("grounds")
    if isinstance(grounds, list) and grounds and all(g in IMMEDIATE_GROUNDS for g in grounds):
        return ",".join(grounds)
    return ",".join(IMMEDIATE_GROUNDS)


def _flagged_clause(
    session: Session, case: Case, clause_ids: list[str] | None = None
) -> tuple[str, dict[str, Any]] | None:
    """The first clause the case cites (or of ``clause_ids``) that the matrix in force
    flags, with its entry."""
    from ia_desk.discipline.matrix import clause_class, current

    matrix = current(session)
    cited = clause_ids if clause_ids is not None else [a.clause.clause_id for a in case.allegations]
    for clause_id in cited:
        spec = clause_class(matrix, clause_id)
        if spec.get("immediate_action"):
            return clause_id, spec
    return None


def raise_by_clause(
    session: Session,
    actor: Actor | None,
    case: Case,
    at: dt.datetime | None = None,
    *,
    new_case_clauses: list[str] | None = None,
) -> ImmediateAction | None:
    """Raise the case's immediate action when a clause it cites calls for it and it is
    not raised yet (each allegation calls this, and intake with ``new_case_clauses``, the
    clauses of a case just opened; ``at``: when it was raised, for a case cited before
    immediate action was recorded). Audited."""
    if new_case_clauses is None and _record(session, case) is not None:
        return None
    flagged = _flagged_clause(session, case, new_case_clauses)
    if flagged is None:
        return None
    clause_id, spec = flagged
    row = ImmediateAction(
        case_id=case.id,
        raised_by_clause=clause_id,
        grounds=_grounds_of(spec),
        raised_by_id=actor.user_id if actor else None,
        raised_at=at or utcnow(),
    )
    return _raise(session, actor, case, row, {"clause": clause_id})


def _raise(
    session: Session,
    actor: Actor | None,
    case: Case,
    row: ImmediateAction,
    details: dict[str, Any],
) -> ImmediateAction:
    """Store a raised immediate action and audit it (both ways of raising end here)."""
    session.add(row)
    session.flush()
    append(
        session,
        actor,
        "case.immediate_raised",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={**details, "grounds": row.grounds.split(",")},
    )
    return row


def raise_on_facts(
    session: Session, actor: Actor, number: str, grounds: list[str], facts: str
) -> ImmediateAction:
    """IA raises the Chief's immediate action on the facts of the case. Audited."""
    require(actor, "case.immediate_action", "case.immediate_raised", "case", number)
    case = get_case(session, number)
    require_case_write(actor, case, "case.immediate_raised")
    if not grounds:
        raise InputError(
            "grounds: say why the Chief must act at once: it endangers the safety of others, "
            "or it compromises a criminal investigation (or both).",
            field="grounds",
        )
    chosen = [v.choice(g, "grounds", list(IMMEDIATE_GROUNDS)) for g in grounds]
    text = v.text(facts, "facts", max_len=5000, multiline=True)
    # Raised already, or cited before the record existed (a clause that calls for it).
    existing = _record(session, case) or raise_by_clause(session, actor, case, case.received_at)
    if existing is not None:
        raise InputError(
            f"{case.number} already needs the Chief's immediate action (raised "
            f"{_raised_by(existing)}); record who told the Chief, or what was done.",
            field="case",
        )
    row = ImmediateAction(
        case_id=case.id,
        raised_by_clause=None,
        grounds=",".join(dict.fromkeys(chosen)),
        note=text,
        raised_by_id=actor.user_id,
    )
    return _raise(session, actor, case, row, {"on_the_facts": True})


def _when(value: str | None, field: str, since: dt.datetime) -> dt.datetime:
    """A time given (None: now) as naive UTC, not in the future nor before ``since``."""
    now = utcnow()
    if value is None:
        return now
    at = v.aware_datetime(value, field).astimezone(dt.UTC).replace(tzinfo=None)
    if at > now + dt.timedelta(minutes=5):
        raise InputError(f"{field}: that time has not come yet.", field=field)
    if at < since - dt.timedelta(days=1):
        raise InputError(
            f"{field}: before the immediate action was raised ({since:%Y-%m-%d %H:%M} UTC).",
            field=field,
        )
    return at


def notify_chief(
    session: Session, actor: Actor, number: str, how: str, at: str | None = None
) -> ImmediateAction:
    """IA records that (and how) the Chief was told. Audited."""
    require(actor, "case.immediate_action", "case.chief_notified", "case", number)
    case = get_case(session, number)
    require_case_write(actor, case, "case.chief_notified", while_closed=True)
    row = _raised(session, case, actor)
    if row.chief_notified_at is not None:
        raise InputError(
            f"The Chief's notification on {case.number} is recorded already "
            f"({row.chief_notified_at:%Y-%m-%d %H:%M} UTC).",
            field="case",
        )
    text = v.text(how, "how", max_len=200)
    row.chief_notified_at = _when(at, "at", row.raised_at)
    row.chief_notified_by_id = actor.user_id
    row.notified_how = text
    session.flush()
    append(
        session,
        actor,
        "case.chief_notified",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={"at": row.chief_notified_at.isoformat() + "Z", "how": text},
    )
    return row


def record_step(
    session: Session,
    actor: Actor,
    number: str,
    kind: str,
    note: str | None = None,
    at: str | None = None,
) -> ImmediateActionStep:
    """What the Chief did (IA, or command staff for the Chief's office). Audited."""
    require(actor, "immediate.act", "case.immediate_step", "case", number)
    case = get_case(session, number)
    if actor.role != "command_staff":
        require_case_write(actor, case, "case.immediate_step", while_closed=True)
    row = _raised(session, case, actor)
    kind = v.choice(kind, "action", list(IMMEDIATE_STEPS))
    text = v.text(note, "note", required=kind in NEEDS_NOTE, max_len=5000, multiline=True)
    step = ImmediateActionStep(
        case_id=case.id,
        kind=kind,
        taken_at=_when(at, "at", row.raised_at),
        note=text,
        recorded_by_id=actor.user_id,
    )
    session.add(step)
    session.flush()
    append(
        session,
        actor,
        "case.immediate_step",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={"action": kind, "at": step.taken_at.isoformat() + "Z"},
    )
    return step


def _record(session: Session, case: Case) -> ImmediateAction | None:
    return session.scalar(select(ImmediateAction).where(ImmediateAction.case_id == case.id))


def _raised(session: Session, case: Case, actor: Actor) -> ImmediateAction:
    """The case's record, made now for a case whose clause called for it before the
    record existed (raised at its receipt)."""
    row = _record(session, case) or raise_by_clause(session, actor, case, at=case.received_at)
    if row is None:
        raise InputError(
            f"{case.number} does not need the Chief's immediate action: no clause it cites "
            "calls for it and IA has not raised it on the facts.",
            field="case",
        )
    return row


def _raised_by(row: ImmediateAction) -> str:
    by = f"by {row.raised_by_clause}" if row.raised_by_clause else "by IA on the facts"
    return f"{by} on {row.raised_at:%Y-%m-%d %H:%M} UTC"


def _login(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.login if user else None


def status(session: Session, case: Case, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """The immediate action of a case as a reader sees it (None: not needed)."""
    row = _record(session, case)
    if row is None:
        flagged = _flagged_clause(session, case)
        if flagged is None:
            return None
        # Cited before the record existed: raised by its clause at the case's receipt.
        row = ImmediateAction(
            case_id=case.id,
            raised_by_clause=flagged[0],
            grounds=_grounds_of(flagged[1]),
            raised_at=case.received_at,
        )
    now = now or utcnow()
    hours = int(get_setting(session, "immediate_action_hours"))
    steps = list(
        session.scalars(
            select(ImmediateActionStep)
            .where(ImmediateActionStep.case_id == case.id)
            .order_by(ImmediateActionStep.taken_at, ImmediateActionStep.id)
        )
    )
    due = row.raised_at + dt.timedelta(hours=hours)
    return {
        "raised_by": row.raised_by_clause or "IA on the facts",
        "raised_at": row.raised_at.isoformat() + "Z",
        "raised_by_user": _login(session, row.raised_by_id),
        "grounds": [IMMEDIATE_GROUNDS[g] for g in row.grounds.split(",") if g],
        "facts": row.note,
        "chief_notified_at": row.chief_notified_at.isoformat() + "Z"
        if row.chief_notified_at
        else None,
        "chief_notified_by": _login(session, row.chief_notified_by_id),
        "notified_how": row.notified_how,
        "steps": [
            {
                "action": s.kind,
                "label": IMMEDIATE_STEPS[s.kind],
                "at": s.taken_at.isoformat() + "Z",
                "note": s.note,
                "by": _login(session, s.recorded_by_id),
            }
            for s in steps
        ],
        "due_by": due.isoformat() + "Z",
        "overdue": not steps and now > due,
        "hours": hours,
    }


_STATES = select(
    ImmediateAction.case_id,
    ImmediateAction.raised_at,
    select(ImmediateActionStep.id)
    .where(ImmediateActionStep.case_id == ImmediateAction.case_id)
    .limit(1)
    .scalar_subquery()
    .label("acted"),
).where(ImmediateAction.case_id.in_(bindparam("ids", expanding=True)))


def states(session: Session, case_ids: list[int]) -> dict[int, tuple[dt.datetime, bool]]:
    """For each of the cases with a recorded immediate action: when it was raised and
    whether anything was done (the case list's flags, a page at a time)."""
    if not case_ids:
        return {}
    rows = session.connection().execute(_STATES, {"ids": case_ids})
    return {r.case_id: (r.raised_at, r.acted is not None) for r in rows}
