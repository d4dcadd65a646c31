"""Allegations and findings, with the rule of the protection room: a finding against a
protected good-faith reporter waits for the retaliation review (3.21 §V.C)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ia_desk.cases.allegations import add_allegation as _add
from ia_desk.cases.allegations import record_finding as _find
from ia_desk.cases.allegations import review_items
from ia_desk.cases.speech import record_screen
from ia_desk.db.engine import Database
from ia_desk.db.models import Allegation
from ia_desk.discipline import brady, early_warning
from ia_desk.discipline.immediate import raise_by_clause
from ia_desk.errors import Blocked
from ia_desk.protection.retaliation import finding_hold
from ia_desk.security.actor import Actor
from ia_desk.services import Changes, Done

__all__ = [
    "Alleged",
    "Found",
    "add_allegation",
    "policy_review_items",
    "record_finding",
    "screen_speech",
]


@dataclass(frozen=True)
class Alleged:
    id: int
    case: str
    employee: str
    clause: str
    clause_version: str


@dataclass(frozen=True)
class Found:
    id: int
    case: str
    disposition: str
    finding_on: str | None


def add_allegation(
    db: Database, actor: Actor, number: str, badge: str, clause_id: str
) -> Done[Alleged]:
    """Cite a clause against an employee on a case (they become a subject if needed)."""
    with db.write(actor) as s:
        a = _add(s, actor, number, badge, clause_id)
        raise_by_clause(s, actor, a.case)
        early_warning.check(s, actor, [a.employee_id])
        done = Alleged(
            a.id,
            a.case.number,
            a.employee.badge,
            a.clause.clause_id,
            a.clause.policy_version.version,
        )
    return Done(done, Changes.case(done.case))


def record_finding_in(
    session: Session,
    actor: Actor,
    allegation_id: int,
    disposition: str,
    rationale: str | None,
    on: dt.date | None = None,
) -> Allegation:
    """Record a finding in the caller's transaction, holding it for a pending retaliation
    review when the allegation is against the protected reporter. The allegation's
    Brady/Giglio flag follows the finding (raised when sustained under a credibility
    clause, withdrawn when no longer sustained: ia_desk.discipline.brady)."""
    allegation = session.get(Allegation, allegation_id)
    if allegation is not None:
        held = finding_hold(session, allegation.case, allegation.employee_id)
        if held:
            raise Blocked(f"No finding can be recorded for this allegation yet: {held}.")
    found = _find(session, actor, allegation_id, disposition, rationale, on)
    brady.follow_finding(session, actor, found)
    return found


def record_finding(
    db: Database,
    actor: Actor,
    allegation_id: int,
    disposition: str,
    rationale: str | None,
    on: dt.date | None = None,
) -> Done[Found]:
    """Record the disposition of an allegation (who, when, why). Audited."""
    with db.write(actor) as s:
        a = record_finding_in(s, actor, allegation_id, disposition, rationale, on)
        early_warning.check(s, actor, [a.employee_id])
        done = Found(
            a.id,
            a.case.number,
            a.disposition or "",
            a.finding_on.isoformat() if a.finding_on else None,
        )
    return Done(done, Changes.case(done.case))


def policy_review_items(
    db: Database, actor: Actor, policy_id: str | None = None, include_closed: bool = False
) -> list[dict[str, Any]]:
    """Clauses brought to the annual policy review by 'policy failure' findings."""
    with db.read(actor) as s:
        return review_items(s, actor, policy_id, include_closed)


def screen_speech(
    db: Database, actor: Actor, allegation_id: int, facts: dict[str, Any]
) -> Done[None]:
    """Record the scope and First Amendment screen of an allegation (IA), before it can
    be sustained under a clause that punishes speech (ia_desk.cases.speech)."""
    with db.write(actor) as s:
        row = record_screen(s, actor, allegation_id, facts)
        number = s.get(Allegation, row.allegation_id).case.number  # type: ignore[union-attr]
    return Done(None, Changes.case(number))
