"""Reading cases: the list, one case in full, and what each role may see of it.

Every read of a case is audited (``case.view``); reading a confidential reporter's
identity is audited separately (``reporter.identity.view``). A supervisor sees only
the status of the cases they submitted.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, func, literal_column, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from ia_desk import validation
from ia_desk.audit.trail import append
from ia_desk.cases.search import count_text_matches, filter_by_text
from ia_desk.db.models import (
    CASE_STATUSES,
    Allegation,
    AuditEvent,
    Case,
    CaseSubject,
    Clause,
    Employee,
    Incident,
    User,
)
from ia_desk.errors import AuditedRefusal, InputError, NotFound, PermissionDenied
from ia_desk.security.actor import Actor
from ia_desk.security.roles import allowed, require, sees_identities


def local_time(utc: dt.datetime, offset_min: int) -> dt.datetime:
    return utc.replace(tzinfo=dt.UTC).astimezone(_zone(offset_min))


@functools.cache
def _zone(offset_min: int) -> dt.timezone:  # a page of cases shares a handful of offsets
    return dt.timezone(dt.timedelta(minutes=offset_min))


def today() -> dt.date:
    return dt.date.today()


class CaseFacts(NamedTuple):
    """What the flags of a case are computed from (read as plain rows for a page; a
    tuple, since a page makes hundreds of them)."""

    id: int
    number: str
    status: str
    received_at: dt.datetime
    deadline_on: dt.date
    tolled_since: dt.date | None
    clause_ids: tuple[str, ...]

    @classmethod
    def of(cls, case: Case) -> CaseFacts:
        return cls(
            case.id,
            case.number,
            case.status,
            case.received_at,
            case.deadline_on,
            case.tolled_since,
            tuple(a.clause.clause_id for a in case.allegations),
        )


def flags_for(session: Session, cases: Sequence[Case | CaseFacts]) -> dict[int, list[str]]:
    """The short flags of each case, computed together for a page of cases.

    ``overdue`` (past the deadline, not tolled, not closed), ``tolled``,
    ``immediate_action`` (a clause breached calls for the Chief at once, 3.21 §V.B),
    ``retaliation_review`` (a good-faith reporter is a subject), ``reporter_update_due``
    (open for the update period without a recorded reporter update).
    """
    from ia_desk.discipline.matrix import current, is_immediate
    from ia_desk.protection.retaliation import cases_needing_review
    from ia_desk.settings import get_settings

    if not cases:
        return {}
    facts = [c if isinstance(c, CaseFacts) else CaseFacts.of(c) for c in cases]
    on = today()
    matrix = current(session)
    settings = get_settings(session, ("reporter_update_days", "retaliation_window_months"))
    update_days = int(settings["reporter_update_days"])
    under_review = cases_needing_review(
        session, [c.id for c in facts], int(settings["retaliation_window_months"])
    )
    updated = set(
        session.connection()
        .execute(_REPORTER_UPDATED, {"numbers": [c.number for c in facts]})
        .scalars()
    )
    out: dict[int, list[str]] = {}
    for c in facts:
        flags = []
        open_ = c.status != "closed"
        if open_ and c.tolled_since is None and c.deadline_on < on:
            flags.append("overdue")
        if c.tolled_since is not None and open_:
            flags.append("tolled")
        if any(is_immediate(matrix, clause_id) for clause_id in c.clause_ids):
            flags.append("immediate_action")
        if c.id in under_review:
            flags.append("retaliation_review")
        if open_ and c.number not in updated and (on - c.received_at.date()).days >= update_days:
            flags.append("reporter_update_due")
        out[c.id] = flags
    return out


_REPORTER_UPDATED = select(AuditEvent.case_number).where(
    AuditEvent.event_type == "case.reporter_update",
    AuditEvent.case_number.in_(bindparam("numbers", expanding=True)),
)


def case_flags(session: Session, case: Case) -> list[str]:
    return flags_for(session, [case])[case.id]


def get_case(session: Session, number: str) -> Case:
    number = (number or "").strip().upper()
    case = session.scalar(select(Case).where(Case.number == number))
    if case is None:
        raise NotFound(f"There is no case {number or '(empty)'}.", field="case")
    return case


@dataclass(frozen=True)
class CaseRow:
    id: int
    number: str
    status: str
    received_at: dt.datetime
    deadline_on: dt.date
    subjects: str
    clauses: str
    flags: list[str]
    assigned_to: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.number,
            "status": self.status,
            "received_at": self.received_at.isoformat(),
            "deadline": self.deadline_on.isoformat(),
            "assigned_to": self.assigned_to,
            "subjects": self.subjects,
            "clauses": self.clauses,
            "flags": self.flags,
        }


SORT_KEYS = ("number", "received", "status", "subjects", "clauses", "deadline", "flags")


@dataclass(frozen=True)
class CaseQuery:
    """What the case list shows: filters, search words and the sort order."""

    status: str | None = None
    clause: str | None = None
    employee: str | None = None  # badge
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    mine: bool = False
    search: str | None = None
    sort: str = "received"
    descending: bool = True
    overdue_only: bool = False


def _filtered(session: Session, actor: Actor, q: CaseQuery) -> Select[Any]:
    if q.status is not None and q.status not in CASE_STATUSES:
        raise InputError(f"status: must be one of {', '.join(CASE_STATUSES)}.", field="status")
    if q.sort not in SORT_KEYS:
        raise InputError(f"sort: must be one of {', '.join(SORT_KEYS)}.", field="sort")
    stmt = select(Case.id)
    if not allowed(actor, "case.read"):
        require(actor, "case.read_own_status", "case.list")
        stmt = stmt.where(Case.created_by_id == actor.user_id)
    if q.status:
        stmt = stmt.where(Case.status == q.status)
    if q.mine:
        stmt = stmt.where(
            or_(Case.assigned_to_id == actor.user_id, Case.created_by_id == actor.user_id)
        )
    if q.clause:
        stmt = stmt.where(
            Case.id.in_(
                select(Allegation.case_id).join(Clause).where(Clause.clause_id == q.clause.strip())
            )
        )
    if q.employee:
        stmt = stmt.where(
            Case.id.in_(
                select(CaseSubject.case_id)
                .join(Employee)
                .where(Employee.badge == validation.identifier(q.employee, "employee", max_len=20))
            )
        )
    if q.received_from:
        stmt = stmt.where(Case.received_at >= dt.datetime.combine(q.received_from, dt.time()))
    if q.received_to:
        stmt = stmt.where(
            Case.received_at < dt.datetime.combine(q.received_to + dt.timedelta(days=1), dt.time())
        )
    if q.overdue_only:
        stmt = stmt.where(
            Case.status != "closed", Case.deadline_on < today(), Case.tolled_since.is_(None)
        )
    if q.search and q.search.strip():
        stmt = filter_by_text(session, stmt, q.search, public=not sees_identities(actor))
    return stmt


def _sort_column(key: str) -> Any:
    if key == "number":
        return Case.number
    if key == "status":
        return Case.status
    if key == "deadline":
        return Case.deadline_on
    if key == "subjects":
        return (
            select(func.min(Employee.name))
            .join(CaseSubject)
            .where(CaseSubject.case_id == Case.id)
            .scalar_subquery()
        )
    if key == "clauses":
        return (
            select(func.min(Clause.clause_id))
            .join(Allegation)
            .where(Allegation.case_id == Case.id)
            .scalar_subquery()
        )
    if key == "flags":
        return sql_case((and_(Case.status != "closed", Case.deadline_on < today()), 1), else_=0)
    return Case.received_at


def count_matching(session: Session, actor: Actor, q: CaseQuery) -> int:
    if _search_only(actor, q):
        assert q.search is not None
        direct = count_text_matches(session, q.search, public=not sees_identities(actor))
        if direct is not None:
            return direct
    sub = _filtered(session, actor, q).subquery()
    return session.scalar(select(func.count()).select_from(sub)) or 0


def _search_only(actor: Actor, q: CaseQuery) -> bool:
    """Words and nothing else, by someone who may see every case: the search index alone
    answers how many."""
    narrowed = (
        q.status,
        q.mine,
        q.clause,
        q.employee,
        q.received_from,
        q.received_to,
        q.overdue_only,
    )
    return bool(q.search and q.search.strip()) and not any(narrowed) and allowed(actor, "case.read")


def case_page(
    session: Session, actor: Actor, q: CaseQuery, offset: int = 0, limit: int | None = 200
) -> list[CaseRow]:
    """One page of the case list, in the query's order. Not audited (a list, not a read
    of a case); opening a case is."""
    col = _sort_column(q.sort)
    order = [
        col.desc() if q.descending else col.asc(),
        Case.id.desc() if q.descending else Case.id.asc(),
    ]
    # The page's cases with their own columns in one statement, then the subjects and
    # clauses of all of them in one more (built once, the ids bound as a list).
    page_stmt = (
        _filtered(session, actor, q)
        .add_columns(
            Case.number,
            Case.status,
            Case.received_at,
            Case.received_offset_min,
            Case.deadline_on,
            Case.tolled_since,
            select(User.login)
            .where(User.id == Case.assigned_to_id)
            .scalar_subquery()
            .label("assignee"),
        )
        .order_by(*order)
        .offset(offset)
    )
    if limit is not None:
        page_stmt = page_stmt.limit(limit)
    # All rows in one fetch (iterating a result fetches one row per call), as plain tuples
    # unpacked by position (looking columns up by name on 200 rows cost more than
    # building the page).
    page = session.connection().execute(page_stmt).all()
    if not page:
        return []
    ids = [r[0] for r in page]
    subjects: dict[int, list[str]] = {}
    clauses: dict[int, list[str]] = {}
    for kind, case_id, value, _seq in (
        session.connection().execute(_SUBJECTS_AND_CLAUSES, {"ids": ids}).all()
    ):
        (subjects if kind == 0 else clauses).setdefault(case_id, []).append(value)
    see_detail = allowed(actor, "case.read")
    flags = flags_for(
        session,
        [
            CaseFacts(cid, number, status, received, deadline, tolled, tuple(clauses.get(cid, ())))
            for cid, number, status, received, _offset, deadline, tolled, _who in page
        ],
    )
    rows = []
    for cid, number, status, received, offset_min, deadline, _tolled, assignee in page:
        rows.append(
            CaseRow(
                id=cid,
                number=number,
                status=status,
                received_at=local_time(received, offset_min),
                deadline_on=deadline,
                subjects=", ".join(subjects.get(cid, [])) if see_detail else "",
                clauses=", ".join(dict.fromkeys(clauses.get(cid, []))) if see_detail else "",
                flags=flags[cid] if see_detail else [f for f in flags[cid] if f == "overdue"],
                assigned_to=assignee if see_detail else None,
            )
        )
    return rows


_SUBJECTS_AND_CLAUSES: Any = (
    select(
        literal_column("0").label("kind"),
        CaseSubject.case_id,
        Employee.name.label("value"),
        CaseSubject.id.label("seq"),
    )
    .join(Employee, Employee.id == CaseSubject.employee_id)
    .where(CaseSubject.case_id.in_(bindparam("ids", expanding=True)))
    .union_all(
        select(literal_column("1"), Allegation.case_id, Clause.clause_id, Allegation.id)
        .join(Clause, Clause.id == Allegation.clause_pk)
        .where(Allegation.case_id.in_(bindparam("ids", expanding=True)))
    )
    .order_by("kind", "seq")
)


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
    return case_page(session, actor, CaseQuery(status=status, search=search), offset, limit)


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
    from ia_desk.cases.redaction import withholding_for

    ia = sees_identities(actor)
    hide = withholding_for(session, case, ia)
    inc = case.incident
    data: dict[str, Any] = {
        "case": case.number,
        "status": case.status,
        "received_at": local_time(case.received_at, case.received_offset_min).isoformat(),
        "channel": case.channel,
        "deadline": case.deadline_on.isoformat(),
        "assigned_to": case.assigned_to.login if case.assigned_to else None,
        "version": case.version_id,
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
        "incident": incident_dict(inc, hide.text),
        "allegations": [allegation_dict(a, hide.text) for a in case.allegations],
        "evidence": [
            {
                "id": e.id,
                "sha256": e.sha256,
                "file_name": hide.text(e.file_name),
                "media_type": e.media_type,
                "size": e.size,
                "width": e.width,
                "height": e.height,
                "source_url": hide.text(e.source_url) or None,
                "captured_at_utc": e.captured_at.isoformat() + "Z" if e.captured_at else None,
                "captured_by": e.captured_by.login,
                "verified": rehash(session, e),
            }
            for e in case.evidence
        ],
        "flags": case_flags(session, case),
        "tolled_since": case.tolled_since.isoformat() if case.tolled_since else None,
        "retaliation": retaliation_status(session, case, ia, hide.text),
        "approvals": approval_lines(session, case),
        "discipline": discipline_decisions(session, case, hide.text),
    }
    append(
        session,
        actor,
        "case.view",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={"evidence_verified": {str(e["id"]): e["verified"] for e in data["evidence"]}},
    )
    return data


def approval_lines(session: Session, case: Case) -> list[str]:
    from ia_desk.registers import approval_status

    return approval_status(session, case.id)


def retaliation_status(
    session: Session, case: Case, ia: bool, shown: Callable[[str | None], str]
) -> dict[str, Any]:
    from ia_desk.protection.retaliation import status

    out = status(session, case, ia)
    for review in out["reviews"]:
        review["reasoning"] = shown(review["reasoning"])
    return out


def discipline_decisions(
    session: Session, case: Case, shown: Callable[[str | None], str]
) -> list[dict[str, Any]]:
    from ia_desk.discipline.ladder import decisions

    out = decisions(session, case)
    for d in out:
        d["reason"] = shown(d["reason"]) or None
    return out


def _as_is(text: str | None) -> str:
    return text or ""


def incident_dict(inc: Incident, shown: Callable[[str | None], str] = _as_is) -> dict[str, Any]:
    """The incident as plain data; ``shown`` is what the reader may see of free text."""
    return {
        "occurred_on": inc.occurred_on.isoformat(),
        "platform": inc.platform,
        "url": shown(inc.url) or None,
        "narrative": shown(inc.narrative),
    }


def allegation_dict(a: Allegation, shown: Callable[[str | None], str] = _as_is) -> dict[str, Any]:
    """One allegation as plain data (case view, CLI and export share it); ``shown`` is
    what the reader may see of free text."""
    return {
        "id": a.id,
        "employee": a.employee.badge,
        "clause": a.clause.clause_id,
        "clause_version": a.clause.policy_version.version,
        "clause_title": a.clause.title,
        "disposition": a.disposition,
        "finding_on": a.finding_on.isoformat() if a.finding_on else None,
        "rationale": shown(a.rationale) or None,
    }


def rehash(session: Session, evidence: Any) -> bool:
    from ia_desk.evidence.store import rehash as _rehash

    return _rehash(session, evidence)


def employee_by_badge(session: Session, badge: str) -> Employee:
    """The employee with this badge, compared in its normal form ("１２３４" is 1234)."""
    badge = validation.identifier(badge, "employee", max_len=20) or ""
    emp = session.scalar(select(Employee).where(Employee.badge == badge))
    if emp is None:
        raise NotFound(
            f"There is no employee with badge {badge!r} on the roster.", field="employee"
        )
    return emp


def timeline(session: Session, actor: Actor, number: str) -> list[dict[str, Any]]:
    """Every audited event of a case, newest first (IA roles and command staff)."""
    from ia_desk.cases.redaction import withholding_for

    require(actor, "case.read", "case.timeline", "case", number)
    case = get_case(session, number)
    hide = withholding_for(session, case, sees_identities(actor))
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.case_number == case.number)
        .order_by(AuditEvent.seq.desc())
    )
    return [
        {
            "seq": e.seq,
            "at": e.at.isoformat() + "Z",
            "user": e.user_login,
            "workstation": e.workstation,
            "event": e.event_type,
            "outcome": e.outcome,
            "details": hide.details(e.details),
        }
        for e in events
    ]


def list_employees(
    session: Session, actor: Actor, search: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """The roster with how many cases name each employee as a subject."""
    require(actor, "case.read", "employee.list")
    n_cases = (
        select(func.count())
        .select_from(CaseSubject)
        .where(CaseSubject.employee_id == Employee.id)
        .scalar_subquery()
    )
    stmt = select(Employee, n_cases).order_by(Employee.name).limit(limit)
    if search and search.strip():
        like = f"%{search.strip()}%"
        stmt = stmt.where(or_(Employee.name.ilike(like), Employee.badge.ilike(like)))
    return [
        {
            "badge": e.badge,
            "name": e.name,
            "department": e.department,
            "rank": e.rank,
            "unit": e.unit,
            "cases": n,
        }
        for e, n in session.execute(stmt)
    ]


def employee_history(session: Session, actor: Actor, badge: str) -> dict[str, Any]:
    """An employee's allegations over time, oldest first. Audited."""
    require(actor, "case.read", "employee.history", "employee", badge)
    emp = employee_by_badge(session, badge)
    allegations = session.scalars(
        select(Allegation)
        .where(Allegation.employee_id == emp.id)
        .join(Case)
        .order_by(Case.received_at, Allegation.id)
    )
    out: dict[str, Any] = {
        "badge": emp.badge,
        "name": emp.name,
        "department": emp.department,
        "rank": emp.rank,
        "unit": emp.unit,
        "allegations": [
            {
                "case": a.case.number,
                "received_at": a.case.received_at.date().isoformat(),
                "clause": a.clause.clause_id,
                "title": a.clause.title,
                "disposition": a.disposition,
                "finding_on": a.finding_on.isoformat() if a.finding_on else None,
            }
            for a in allegations
        ],
    }
    from ia_desk.db.models import DisciplineAction

    actions = session.execute(
        select(DisciplineAction, Case.number)
        .join(Case, Case.id == DisciplineAction.case_id)
        .where(DisciplineAction.employee_id == emp.id, DisciplineAction.superseded_by_id.is_(None))
        .order_by(DisciplineAction.decided_at)
    ).all()
    out["discipline"] = [
        {
            "case": n,
            "step": d.step,
            "recommended": d.recommended_step,
            "within_range": d.within_range,
            "at": d.decided_at.date().isoformat(),
        }
        for d, n in actions
    ]
    append(session, actor, "employee.history", object_type="employee", object_id=emp.id)
    return out


def cases_citing(session: Session, actor: Actor, clause_id: str) -> list[str]:
    """Case numbers with an allegation under a clause (any version of it)."""
    require(actor, "case.read", "clause.cases", "clause", clause_id)
    return list(
        session.scalars(
            select(Case.number)
            .join(Allegation)
            .join(Clause)
            .where(Clause.clause_id == clause_id)
            .distinct()
            .order_by(Case.number)
        )
    )
