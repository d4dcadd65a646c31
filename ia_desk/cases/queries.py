"""Reading cases: the list, one case in full, and what each role may see of it.

Every read of a case is audited (``case.view``); reading a confidential reporter's
identity is audited separately (``reporter.identity.view``). A supervisor sees only
the status of the cases they submitted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ia_desk.audit.trail import append
from ia_desk.cases.search import filter_by_text
from ia_desk.db.models import CASE_STATUSES, Allegation, Case, CaseSubject, Employee
from ia_desk.errors import AuditedRefusal, InputError, NotFound, PermissionDenied
from ia_desk.security.actor import Actor
from ia_desk.security.roles import allowed, require


def local_time(utc: dt.datetime, offset_min: int) -> dt.datetime:
    tz = dt.timezone(dt.timedelta(minutes=offset_min))
    return utc.replace(tzinfo=dt.UTC).astimezone(tz)


def today() -> dt.date:
    return dt.date.today()


def case_flags(case: Case, on: dt.date | None = None) -> list[str]:
    on = on or today()
    flags = []
    if case.status != "closed" and case.deadline_on < on:
        flags.append("overdue")
    return flags


def get_case(session: Session, number: str) -> Case:
    number = (number or "").strip().upper()
    case = session.scalar(select(Case).where(Case.number == number))
    if case is None:
        raise NotFound(f"There is no case {number or '(empty)'}.", field="case")
    return case


@dataclass(frozen=True)
class CaseRow:
    number: str
    status: str
    received_at: dt.datetime
    deadline_on: dt.date
    subjects: str
    clauses: str
    flags: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.number,
            "status": self.status,
            "received_at": self.received_at.isoformat(),
            "deadline": self.deadline_on.isoformat(),
            "subjects": self.subjects,
            "clauses": self.clauses,
            "flags": self.flags,
        }


def list_cases(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[CaseRow]:
    """Cases newest first. Supervisors get only their own submissions."""
    if status is not None and status not in CASE_STATUSES:
        raise InputError(f"status: must be one of {', '.join(CASE_STATUSES)}.", field="status")
    stmt = select(Case).order_by(Case.received_at.desc(), Case.id.desc())
    if not allowed(actor, "case.read"):
        require(actor, "case.read_own_status", "case.list")
        stmt = stmt.where(Case.created_by_id == actor.user_id)
    if status:
        stmt = stmt.where(Case.status == status)
    if search and search.strip():
        stmt = filter_by_text(session, stmt, search)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    stmt = stmt.options(
        selectinload(Case.subjects).selectinload(CaseSubject.employee),
        selectinload(Case.allegations).selectinload(Allegation.clause),
    )
    rows = []
    see_detail = allowed(actor, "case.read")
    for c in session.scalars(stmt):
        rows.append(
            CaseRow(
                number=c.number,
                status=c.status,
                received_at=local_time(c.received_at, c.received_offset_min),
                deadline_on=c.deadline_on,
                subjects=", ".join(s.employee.name for s in c.subjects) if see_detail else "",
                clauses=", ".join(dict.fromkeys(a.clause.clause_id for a in c.allegations))
                if see_detail
                else "",
                flags=case_flags(c),
            )
        )
    return rows


def count_cases(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0


def reporter_view(session: Session, actor: Actor, case: Case) -> dict[str, Any]:
    r = case.reporter
    out: dict[str, Any] = {"mode": r.mode}
    if r.mode == "anonymous":
        return out
    out["good_faith"] = r.good_faith
    if allowed(actor, "reporter.identity.read"):
        out.update({"name": r.name, "badge": r.badge, "phone": r.phone, "email": r.email})
        if r.mode == "confidential":
            append(
                session,
                actor,
                "reporter.identity.view",
                object_type="case",
                object_id=case.id,
                case_number=case.number,
            )
    elif r.mode == "confidential":
        out["identity"] = "withheld"
    else:
        out.update({"name": r.name, "badge": r.badge})
    return out


def show_case(session: Session, actor: Actor, number: str) -> dict[str, Any]:
    """Everything the actor may see of one case, as plain data. Audited."""
    case = get_case(session, number)
    if not allowed(actor, "case.read"):
        if not (allowed(actor, "case.read_own_status") and case.created_by_id == actor.user_id):
            raise PermissionDenied(
                f"Permission denied: a supervisor sees only the cases they submitted "
                f"({case.number} is not one).",
                AuditedRefusal("case.view", "case", str(case.id), {"case": case.number}),
            )
        append(
            session,
            actor,
            "case.view_status",
            object_type="case",
            object_id=case.id,
            case_number=case.number,
        )
        return {
            "case": case.number,
            "status": case.status,
            "received_at": local_time(case.received_at, case.received_offset_min).isoformat(),
        }
    inc = case.incident
    data: dict[str, Any] = {
        "case": case.number,
        "status": case.status,
        "received_at": local_time(case.received_at, case.received_offset_min).isoformat(),
        "channel": case.channel,
        "deadline": case.deadline_on.isoformat(),
        "assigned_to": case.assigned_to.login if case.assigned_to else None,
        "reporter": reporter_view(session, actor, case),
        "subjects": [
            {
                "badge": s.employee.badge,
                "name": s.employee.name,
                "department": s.employee.department,
                "rank": s.employee.rank,
                "unit": s.employee.unit,
            }
            for s in case.subjects
        ],
        "incident": {
            "occurred_on": inc.occurred_on.isoformat(),
            "platform": inc.platform,
            "url": inc.url,
            "narrative": inc.narrative,
        },
        "allegations": [
            {
                "id": a.id,
                "employee": a.employee.badge,
                "clause": a.clause.clause_id,
                "clause_version": a.clause.policy_version.version,
                "clause_title": a.clause.title,
                "disposition": a.disposition,
                "finding_on": a.finding_on.isoformat() if a.finding_on else None,
                "rationale": a.rationale,
            }
            for a in case.allegations
        ],
        "evidence": [
            {
                "id": e.id,
                "sha256": e.sha256,
                "file_name": e.file_name,
                "media_type": e.media_type,
                "size": e.size,
                "verified": None,
            }
            for e in case.evidence
        ],
        "flags": case_flags(case),
    }
    append(
        session, actor, "case.view", object_type="case", object_id=case.id, case_number=case.number
    )
    return data


def employee_by_badge(session: Session, badge: str) -> Employee:
    emp = session.scalar(select(Employee).where(Employee.badge == (badge or "").strip()))
    if emp is None:
        raise NotFound(
            f"There is no employee with badge {badge!r} on the roster.", field="employee"
        )
    return emp
