"""Early warning: patterns in an employee's cases that the IA commander should look at
before they become a pattern of discipline.

Three rules, each set by the department (``ia_desk.settings``; 0 turns one off), and
each spoken in cases and clauses:

- ``cases``: ``warning_cases`` cases naming the employee as a subject whose incidents
  fall within ``warning_cases_months`` months of each other (3 in 12 by default);
- ``same_clause``: the same clause alleged against the employee on
  ``warning_same_clause`` cases within ``warning_same_clause_months`` months (any
  version of the clause: 2 in 24 by default);
- ``after_training``: a sustained allegation whose incident happened within
  ``warning_after_training_months`` months after the employee completed the social
  media training (3.21 §VI.A; 6 by default).

They are checked on every change that can make one true: a report naming the employee,
an allegation, a finding, a completed training. A pattern found raises an alert, once:
while an alert of the same rule (and clause) is open, a further case joins it; after
it is acknowledged (with a note, by an IA administrator) only a new case raises it again.
Alerts are for IA and command staff: a supervisor whose report raises one learns
nothing of it. Raising and acknowledging are audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit.trail import append
from ia_desk.cases.queries import employee_by_badge
from ia_desk.db.models import (
    Allegation,
    Case,
    CaseSubject,
    Clause,
    EarlyWarning,
    Employee,
    Incident,
    TrainingRecord,
    utcnow,
)
from ia_desk.errors import InputError
from ia_desk.protection.retaliation import add_months
from ia_desk.security.actor import Actor
from ia_desk.security.roles import allowed, require
from ia_desk.settings import get_settings

RULES = {
    "cases": "cases naming the employee close together",
    "same_clause": "the same clause alleged again",
    "after_training": "a sustained allegation soon after the social media training",
}
SETTING_KEYS = (
    "warning_cases",
    "warning_cases_months",
    "warning_same_clause",
    "warning_same_clause_months",
    "warning_after_training_months",
)


@dataclass(frozen=True)
class Pattern:
    rule: str
    basis: str  # the clause (same_clause), the training's date (after_training), or ""
    cases: tuple[str, ...]
    text: str  # in IA's words

    @property
    def fingerprint(self) -> str:
        body = "|".join((self.rule, self.basis, *sorted(self.cases)))
        return hashlib.sha256(body.encode()).hexdigest()


def _window(dated: list[tuple[dt.date, str]], count: int, months: int) -> tuple[str, ...]:
    """The cases of the latest window of ``months`` holding at least ``count`` of them
    (empty when none does). ``dated``: (incident date, case number), one per case."""
    dated = sorted(set(dated))
    best: tuple[str, ...] = ()
    for i, (end, _n) in enumerate(dated):
        start = add_months(end, -months)
        inside = [n for d, n in dated[: i + 1] if d > start]
        if len(inside) >= count:
            best = tuple(inside)
    return best


def patterns(session: Session, employee: Employee) -> list[Pattern]:
    """Every pattern the department's rules find in the employee's cases today."""
    settings = get_settings(session, SETTING_KEYS)
    found: list[Pattern] = []
    subject_of = session.execute(
        select(Incident.occurred_on, Case.number)
        .join(Case, Case.id == Incident.case_id)
        .join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(CaseSubject.employee_id == employee.id)
    ).all()
    count, months = int(settings["warning_cases"]), int(settings["warning_cases_months"])
    if count:
        cases = _window([(d, n) for d, n in subject_of], count, months)
        if cases:
            found.append(
                Pattern(
                    "cases",
                    "",
                    cases,
                    f"{len(cases)} cases within {months} months: {', '.join(cases)}.",
                )
            )
    alleged = session.execute(
        select(Clause.clause_id, Incident.occurred_on, Case.number)
        .join(Allegation, Allegation.clause_pk == Clause.id)
        .join(Case, Case.id == Allegation.case_id)
        .join(Incident, Incident.case_id == Case.id)
        .where(Allegation.employee_id == employee.id)
    ).all()
    count = int(settings["warning_same_clause"])
    months = int(settings["warning_same_clause_months"])
    if count:
        by_clause: dict[str, list[tuple[dt.date, str]]] = {}
        for clause_id, day, number in alleged:
            by_clause.setdefault(clause_id, []).append((day, number))
        for clause_id, dated in sorted(by_clause.items()):
            cases = _window(dated, count, months)
            if cases:
                found.append(
                    Pattern(
                        "same_clause",
                        clause_id,
                        cases,
                        f"{clause_id} alleged on {len(cases)} cases within {months} months: "
                        f"{', '.join(cases)}.",
                    )
                )
    months = int(settings["warning_after_training_months"])
    if months:
        trained = sorted(
            session.scalars(
                select(TrainingRecord.completed_on).where(TrainingRecord.employee_id == employee.id)
            )
        )
        sustained = session.execute(
            select(Clause.clause_id, Incident.occurred_on, Case.number)
            .join(Allegation, Allegation.clause_pk == Clause.id)
            .join(Case, Case.id == Allegation.case_id)
            .join(Incident, Incident.case_id == Case.id)
            .where(Allegation.employee_id == employee.id, Allegation.disposition == "sustained")
        ).all()
        for clause_id, day, number in sorted(sustained, key=lambda r: (r[1], r[2], r[0])):
            after = [t for t in trained if t <= day <= add_months(t, months)]
            if after:
                found.append(
                    Pattern(
                        "after_training",
                        after[-1].isoformat(),
                        (number,),
                        f"{clause_id} sustained on {number}, an incident of {day.isoformat()}, "
                        f"within {months} months of the training completed "
                        f"{after[-1].isoformat()}.",
                    )
                )
    return found


def check(session: Session, actor: Actor | None, employee_ids: Iterable[int]) -> list[EarlyWarning]:
    """Raise the alerts the employees' cases now call for (in the caller's transaction;
    run by the services after each change that can). Returns the alerts raised or grown."""
    out: list[EarlyWarning] = []
    for employee_id in sorted(set(employee_ids)):
        employee = session.get(Employee, employee_id)
        if employee is None:
            continue
        for p in patterns(session, employee):
            out.extend(_raise(session, actor, employee, p))
    return out


def _raise(
    session: Session, actor: Actor | None, employee: Employee, p: Pattern
) -> list[EarlyWarning]:
    mine = list(
        session.scalars(
            select(EarlyWarning).where(
                EarlyWarning.employee_id == employee.id,
                EarlyWarning.rule == p.rule,
                EarlyWarning.basis == p.basis,
            )
        )
    )
    if any(a.fingerprint == p.fingerprint for a in mine):
        return []  # raised before with these very cases
    opened = [a for a in mine if a.acknowledged_at is None]
    if opened:
        alert = opened[0]
        if set(p.cases) <= set(alert.cases):
            return []
        alert.cases = sorted(set(alert.cases) | set(p.cases))
        alert.text, alert.fingerprint = p.text, p.fingerprint
        event = "warning.grown"
    else:
        acknowledged = set().union(*(set(a.cases) for a in mine)) if mine else set()
        if set(p.cases) <= acknowledged:
            return []  # nothing new since the commander looked
        alert = EarlyWarning(
            employee_id=employee.id,
            rule=p.rule,
            basis=p.basis,
            cases=sorted(p.cases),
            text=p.text,
            fingerprint=p.fingerprint,
        )
        session.add(alert)
        event = "warning.raised"
    session.flush()
    append(
        session,
        actor,
        event,
        object_type="warning",
        object_id=alert.id,
        details={
            "employee": employee.badge,
            "rule": p.rule,
            "basis": p.basis,
            "cases": list(p.cases),
        },
    )
    return [alert]


def view(alert: EarlyWarning, actor: Actor | None = None) -> dict[str, Any]:
    """An alert as people read it; ``acknowledgeable``: open, and ``actor`` may
    acknowledge it (what a window offers)."""
    return {
        "id": alert.id,
        "employee": alert.employee.badge,
        "name": alert.employee.name,
        "rule": alert.rule,
        "rule_words": RULES[alert.rule],
        "basis": alert.basis,
        "cases": list(alert.cases),
        "text": alert.text,
        "raised_at": alert.raised_at.isoformat() + "Z",
        "acknowledged_at": (alert.acknowledged_at.isoformat() + "Z")
        if alert.acknowledged_at
        else None,
        "acknowledged_by": alert.acknowledged_by.login if alert.acknowledged_by else None,
        "note": alert.note,
        "acknowledgeable": alert.acknowledged_at is None
        and actor is not None
        and allowed(actor, "warning.acknowledge"),
    }


def alerts(
    session: Session, actor: Actor, *, open_only: bool = False, badge: str | None = None
) -> list[dict[str, Any]]:
    """The alerts, newest first (IA and command staff). Audited as a read."""
    require(actor, "warning.read", "warning.list")
    stmt = select(EarlyWarning).order_by(EarlyWarning.id.desc())
    if open_only:
        stmt = stmt.where(EarlyWarning.acknowledged_at.is_(None))
    if badge is not None:
        stmt = stmt.where(EarlyWarning.employee_id == employee_by_badge(session, badge).id)
    out = [view(a, actor) for a in session.scalars(stmt)]
    append(session, actor, "warning.list", details={"open_only": open_only, "count": len(out)})
    return out


def acknowledge(session: Session, actor: Actor, alert_id: Any, note: Any) -> EarlyWarning:
    """The IA commander acknowledges an alert with a note of what they did about it."""
    require(actor, "warning.acknowledge", "warning.acknowledge", "warning", str(alert_id))
    number = v.record_id(alert_id, "alert", "an alert")
    text = v.text(note, "note", max_len=5_000, multiline=True)
    alert = session.get(EarlyWarning, number)
    if alert is None:
        raise InputError(f"alert: no early-warning alert {number}.", field="alert")
    if alert.acknowledged_at is not None:
        raise InputError(
            f"alert: {number} was acknowledged on {alert.acknowledged_at:%Y-%m-%d}.",
            field="alert",
        )
    alert.acknowledged_at, alert.acknowledged_by_id, alert.note = utcnow(), actor.user_id, text
    session.flush()
    append(
        session,
        actor,
        "warning.acknowledge",
        object_type="warning",
        object_id=alert.id,
        details={"employee": alert.employee.badge, "rule": alert.rule},
    )
    return alert
