"""The ladder of 3.21 §V.B: recommendations, decisions (a referral for training opens the
training owed, in the registers), the ladder's view, and the matrix."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ia_desk.db.engine import Database
from ia_desk.db.models import DisciplineAction
from ia_desk.discipline import appeals, early_warning, hearings
from ia_desk.discipline.ladder import ladder as _ladder
from ia_desk.discipline.ladder import recommend as _recommend
from ia_desk.discipline.ladder import record, suspension_words
from ia_desk.discipline.matrix import SEVERITY, current, update_matrix
from ia_desk.registers import open_training_item
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require
from ia_desk.services import Changes, Done

__all__ = [
    "SEVERITY",
    "acknowledge_warning",
    "appeal",
    "appeal_outcome",
    "decide",
    "decide_in",
    "ladder",
    "matrix",
    "notice",
    "recommend",
    "respond",
    "set_matrix",
    "warnings",
]


def recommend(db: Database, actor: Actor, number: str, badge: str) -> dict[str, Any]:
    """The recommended step, its range and why."""
    with db.read(actor) as s:
        return _recommend(s, actor, number, badge)


def ladder(db: Database, actor: Actor, number: str) -> list[dict[str, Any]]:
    """For each subject: the rungs, the recommendation, decisions and history."""
    with db.read(actor) as s:
        return _ladder(s, actor, number)


def decide_in(
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
) -> DisciplineAction:
    """Record a decision in the caller's transaction; a referral for training opens the
    training owed (3.21 §VI.A)."""
    action = record(
        session,
        actor,
        number,
        badge,
        step,
        reason,
        amend=amend,
        suspension_days=suspension_days,
        without_pay=without_pay,
    )
    previous = session.get(DisciplineAction, action.amends_id) if action.amends_id else None
    if step == "training" and (previous is None or previous.step != "training"):
        open_training_item(session, action)
    return action


def decide(
    db: Database,
    actor: Actor,
    number: str,
    badge: str,
    step: str,
    reason: str | None = None,
    *,
    amend: bool = False,
    suspension_days: int | str | None = None,
    without_pay: bool | None = None,
) -> Done[dict[str, Any]]:
    """Record (or with ``amend``, amend with a reason) the decision for an employee; a
    suspension with its length in days and whether it is without pay."""
    with db.write(actor) as s:
        a = decide_in(
            s,
            actor,
            number,
            badge,
            step,
            reason,
            amend=amend,
            suspension_days=suspension_days,
            without_pay=without_pay,
        )
        out = {
            "id": a.id,
            "step": a.step,
            "recommended": a.recommended_step,
            "within_range": a.within_range,
            "suspension_days": a.suspension_days,
            "without_pay": a.without_pay,
            "length": suspension_words(a.suspension_days, a.without_pay),
        }
    return Done(out, Changes.case(number) | Changes(registers=step == "training"))


def matrix(db: Database, actor: Actor) -> dict[str, Any]:
    """The discipline matrix in force (any signed-in user may read it)."""
    with db.read(actor) as s:
        require(actor, "policy.read", "discipline.matrix_view")
        return current(s)


def set_matrix(db: Database, actor: Actor, content: Any, reason: str) -> Done[int]:
    """Store a new matrix version (IA administrators); returns its number."""
    with db.write(actor) as s:
        version = update_matrix(s, actor, content, reason)
    return Done(version, Changes(settings=True, case_list=True))


def notice(
    db: Database, actor: Actor, number: str, badge: str, notice_on: Any, charges: Any
) -> Done[dict[str, Any]]:
    """Record the pre-disciplinary notice of the charges and the evidence (Loudermill)."""
    with db.write(actor) as s:
        row = hearings.record_notice(s, actor, number, badge, notice_on, charges)
        out = {"id": row.id, "notice_on": row.notice_on.isoformat()}
    return Done(out, Changes.case(number))


def respond(
    db: Database,
    actor: Actor,
    number: str,
    badge: str,
    response_on: Any,
    response: Any = None,
    heard_by: Any = None,
    *,
    waived: bool = False,
) -> Done[dict[str, Any]]:
    """Record the employee's response to the notice, or their waiver of it."""
    with db.write(actor) as s:
        row = hearings.record_response(
            s, actor, number, badge, response_on, response, heard_by, waived=waived
        )
        out = {"id": row.id, "response_on": str(row.response_on), "waived": bool(row.waived)}
    return Done(out, Changes.case(number))


def appeal(
    db: Database, actor: Actor, number: str, badge: str, kind: str, filed_on: Any
) -> Done[dict[str, Any]]:
    """File an appeal of the decision in force (grievance, Civil Service, arbitration)."""
    with db.write(actor) as s:
        row = appeals.file_appeal(s, actor, number, badge, kind, filed_on)
        out = {"id": row.id, "kind": row.kind, "filed_on": row.filed_on.isoformat()}
    return Done(out, Changes.case(number))


def appeal_outcome(
    db: Database,
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
) -> Done[dict[str, Any]]:
    """Record how the open appeal ended; a modified decision is amended to its step."""
    with db.write(actor) as s:
        row = appeals.decide_appeal(
            s,
            actor,
            number,
            badge,
            outcome,
            decided_on,
            note,
            heard_on=heard_on,
            step=step,
            suspension_days=suspension_days,
            without_pay=without_pay,
        )
        if row.result_id is not None and step == "training" and row.decision.step != "training":
            result = s.get(DisciplineAction, row.result_id)
            assert result is not None
            open_training_item(s, result)  # the appeal gave training: it is owed
        out = {"id": row.id, "outcome": row.outcome, "result": row.result_id}
    return Done(out, Changes.case(number) | Changes(registers=step == "training"))


def warnings(
    db: Database, actor: Actor, *, open_only: bool = False, badge: str | None = None
) -> list[dict[str, Any]]:
    """Early-warning alerts, newest first (IA and command staff). Audited."""
    with db.write(actor) as s:  # the read is audited
        return early_warning.alerts(s, actor, open_only=open_only, badge=badge)


def acknowledge_warning(db: Database, actor: Actor, alert_id: Any, note: Any) -> Done[int]:
    """The IA commander acknowledges an early-warning alert with a note."""
    with db.write(actor) as s:
        alert = early_warning.acknowledge(s, actor, alert_id, note)
        out = alert.id
    return Done(out, Changes(case_list=True, roster=True))
