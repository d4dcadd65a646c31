"""One case as its reader may see it, its timeline, and the roster's history.

:func:`case_view` is the case file: everything the actor may see of one case, typed
(:mod:`ia_desk.casefile.model`), withheld where the reader is outside IA
(:mod:`ia_desk.cases.redaction`), audited as a read (``case.view``; reading a
confidential reporter's identity is audited too, ``reporter.identity.view``). A
supervisor sees only the status of a report they submitted. :func:`show_case` is the
same as plain data, the one shape the command line's JSON and the windows read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, object_session

from ia_desk.audit.records import without_digests
from ia_desk.audit.trail import TIMELINE_FIELDS, append, event_view
from ia_desk.casefile.actions import CaseAction, case_actions
from ia_desk.casefile.listing import case_flags
from ia_desk.casefile.model import (
    AllegationView,
    CaseFile,
    CaseStatus,
    CaseView,
    DecisionView,
    EmployeeHistory,
    EmployeeRow,
    EvidenceItem,
    IncidentView,
    ReporterView,
    RetaliationView,
    TimelineEvent,
    is_status_only,
)
from ia_desk.cases.interviews import case_interviews
from ia_desk.cases.notes import EVENT_PREFIXES as NOTE_EVENT_PREFIXES
from ia_desk.cases.queries import employee_by_badge, get_case, local_time
from ia_desk.cases.redaction import marked, withholding_for
from ia_desk.cases.review import view as review_view
from ia_desk.cases.speech import needs_screen, screen_view
from ia_desk.db.models import (
    Allegation,
    AuditEvent,
    Case,
    CaseSubject,
    Clause,
    DisciplineAction,
    EarlyWarning,
    Employee,
    Evidence,
    Incident,
)
from ia_desk.discipline import brady, early_warning
from ia_desk.discipline.immediate import status as immediate_status
from ia_desk.discipline.ladder import STANDS, decisions, ladder, suspension_words
from ia_desk.errors import AuditedRefusal, PermissionDenied
from ia_desk.evidence.store import metadata, rehash
from ia_desk.policy.catalogue import version_in_force, version_note
from ia_desk.protection.retaliation import status
from ia_desk.registers import approval_status
from ia_desk.security.actor import Actor
from ia_desk.security.roles import allowed, require, sees_identities


def reporter_view(session: Session, actor: Actor, case: Case) -> ReporterView:
    """Who reported, as the reader may see it (a confidential identity read by IA is
    audited)."""
    r = case.reporter
    out: ReporterView = {"mode": r.mode}
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


def show_case(session: Session, actor: Actor, number: str) -> CaseView:
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
        status_only: CaseStatus = {
            "case": case.number,
            "status": case.status,
            "received_at": local_time(case.received_at, case.received_offset_min).isoformat(),
        }
        return status_only
    ia = sees_identities(actor)
    hide = withholding_for(session, case, ia)
    inc = case.incident
    data: CaseFile = {
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
        "allegations": [allegation_dict(a, hide.text, ia) for a in case.allegations],
        "evidence": [evidence_item(session, e, hide.text) for e in case.evidence],
        "flags": case_flags(session, case, tasks=allowed(actor, "task.read")),
        "tolled_since": case.tolled_since.isoformat() if case.tolled_since else None,
        "retaliation": retaliation_status(session, case, ia, hide.text),
        "approvals": approval_lines(session, case),
        "discipline": discipline_decisions(session, case, hide.text),
        "immediate_action": immediate_view(session, case, hide.text),
        "review": review_view(session, case, hide.text),
        "interviews": case_interviews(session, actor, case),
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


def evidence_item(
    session: Session, e: Evidence, shown: Callable[[str | None], str]
) -> EvidenceItem:
    """An item of the case file: its record (:func:`ia_desk.evidence.store.metadata`, the
    one shape of an item) with the fields the case file lists, re-verified now."""
    meta = metadata(e, rehash(session, e), shown)
    return cast(EvidenceItem, {key: meta[key] for key in EvidenceItem.__annotations__})


def approval_lines(session: Session, case: Case) -> list[str]:
    return approval_status(session, case.id)


def retaliation_status(
    session: Session, case: Case, ia: bool, shown: Callable[[str | None], str]
) -> RetaliationView:
    out = cast(RetaliationView, status(session, case, ia))
    for review in out["reviews"]:
        review["reasoning"] = shown(review["reasoning"])
    return out


def discipline_decisions(
    session: Session, case: Case, shown: Callable[[str | None], str]
) -> list[DecisionView]:
    out = cast(list[DecisionView], decisions(session, case))
    for d in out:
        d["reason"] = shown(d["reason"]) or None
    return out


def _as_is(text: str | None) -> str:
    return text or ""


def incident_dict(inc: Incident, shown: Callable[[str | None], str] = _as_is) -> IncidentView:
    """The incident as plain data; ``shown`` is what the reader may see of free text."""
    return {
        "occurred_on": inc.occurred_on.isoformat(),
        "platform": inc.platform,
        "url": shown(inc.url) or None,
        "narrative": shown(inc.narrative),
    }


def immediate_view(
    session: Session, case: Case, shown: Callable[[str | None], str] = _as_is
) -> dict[str, Any] | None:
    """The Chief's immediate action on the case, its free text as the reader may see it."""
    view = immediate_status(session, case)
    if view is None:
        return None
    view["facts"] = shown(view["facts"]) or None
    view["notified_how"] = shown(view["notified_how"]) or None
    for step in view["steps"]:
        step["note"] = shown(step["note"]) or None
    return view


def cited_version_note(a: Allegation) -> str:
    """The version an allegation cites, said honestly for its incident's date."""
    on = a.case.incident.occurred_on
    version = a.clause.policy_version
    session = object_session(a)
    now = version_in_force(session, version.policy_id, on) if session is not None else None
    return version_note(version, on, now)


def allegation_dict(
    a: Allegation, shown: Callable[[str | None], str] = _as_is, ia: bool = True
) -> AllegationView:
    """One allegation as plain data (case view, CLI and export share it); ``shown`` is
    what the reader may see of free text; ``ia``: the reader is IA (the speech screen is
    IA's legal analysis, shown to IA only)."""
    session = object_session(a)
    return {
        "id": a.id,
        "employee": a.employee.badge,
        "clause": a.clause.clause_id,
        "clause_version": a.clause.policy_version.version,
        "clause_version_note": cited_version_note(a),
        "clause_title": a.clause.title,
        "disposition": a.disposition,
        "finding_on": a.finding_on.isoformat() if a.finding_on else None,
        "rationale": shown(a.rationale) or None,
        "needs_speech_screen": needs_screen(a.clause.clause_id),
        "speech_screen": screen_view(session, a) if session is not None and ia else None,
    }


def timeline(session: Session, actor: Actor, number: str) -> list[TimelineEvent]:
    """Every audited event of a case, newest first (IA roles and command staff; outside
    IA without the events of IA's notes and tasks)."""
    require(actor, "case.read", "case.timeline", "case", number)
    case = get_case(session, number)
    ia = sees_identities(actor)
    hide = withholding_for(session, case, ia)
    stmt = select(AuditEvent).where(AuditEvent.case_number == case.number)
    if not ia:  # IA's notes and tasks, and that there are any, are IA's alone
        for prefix in NOTE_EVENT_PREFIXES:
            stmt = stmt.where(AuditEvent.event_type.not_like(f"{prefix}%"))
    events = session.scalars(stmt.order_by(AuditEvent.seq.desc()))

    def shown(raw: str) -> str:
        return hide.details(without_digests(raw))

    return [cast(TimelineEvent, event_view(e, TIMELINE_FIELDS, shown)) for e in events]


def list_employees(
    session: Session, actor: Actor, search: str | None = None, limit: int = 500
) -> list[EmployeeRow]:
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


def employee_history(session: Session, actor: Actor, badge: str) -> EmployeeHistory:
    """An employee's allegations over time, oldest first. Audited."""
    require(actor, "case.read", "employee.history", "employee", badge)
    emp = employee_by_badge(session, badge)
    allegations = session.scalars(
        select(Allegation)
        .where(Allegation.employee_id == emp.id)
        .join(Case)
        .order_by(Case.received_at, Allegation.id)
    )
    out: EmployeeHistory = {
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
        "discipline": [],
        "warnings": [],
        "brady": brady.employee_flags(session, actor, emp.id),
    }
    actions = session.execute(
        select(DisciplineAction, Case.number)
        .join(Case, Case.id == DisciplineAction.case_id)
        .where(DisciplineAction.employee_id == emp.id, STANDS)
        .order_by(DisciplineAction.decided_at)
    ).all()
    out["discipline"] = [
        {
            "case": n,
            "step": d.step,
            "recommended": d.recommended_step,
            "within_range": d.within_range,
            "at": d.decided_at.date().isoformat(),
            "length": suspension_words(d.suspension_days, d.without_pay),
        }
        for d, n in actions
    ]
    out["warnings"] = (
        [
            early_warning.view(a, actor)
            for a in session.scalars(
                select(EarlyWarning)
                .where(EarlyWarning.employee_id == emp.id)
                .order_by(EarlyWarning.id.desc())
            )
        ]
        if allowed(actor, "warning.read")
        else []
    )
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


@dataclass(frozen=True)
class CaseWindow:
    """Everything the case window shows, read in one audited transaction: the case as
    the reader may see it (``file`` is None for a supervisor's status-only view), what
    they may do on it, the text it withholds outside IA (IA only), the timeline, each
    allegation's clause text as in force on the incident date, and the ladder."""

    status: CaseStatus
    file: CaseFile | None
    actions: list[CaseAction]
    marked: list[dict[str, Any]]
    timeline: list[TimelineEvent]
    clause_texts: dict[int, str]
    ladder: list[dict[str, Any]]


def case_window(session: Session, actor: Actor, number: str) -> CaseWindow:
    """The case window's read (see :class:`CaseWindow`). Audited."""
    view = show_case(session, actor, number)
    status_view: CaseStatus = {
        "case": view["case"],
        "status": view["status"],
        "received_at": view["received_at"],
    }
    if is_status_only(view):  # a supervisor's own report: its status, and adding evidence
        own = case_actions(session, actor, get_case(session, number))
        return CaseWindow(status_view, None, own, [], [], {}, [])
    full = cast(CaseFile, view)
    case = get_case(session, number)
    return CaseWindow(
        status=status_view,
        file=full,
        actions=case_actions(session, actor, case),
        marked=marked(session, actor, number) if sees_identities(actor) else [],
        timeline=timeline(session, actor, number),
        # As cited: a version added to the catalogue since does not change what it says.
        clause_texts={a.id: a.clause.text for a in case.allegations},
        ladder=ladder(session, actor, number),
    )
