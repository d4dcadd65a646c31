"""Report intake: one JSON document (or the intake form) opens one case.

``parse_report`` checks everything and names the first field that is wrong before
anything is written; ``open_case`` then writes the case, reporter, subjects, incident
and allegations and appends the audit event, all in the caller's transaction.

An anonymous report stores no identity at all: the reporter row holds only the mode
and the hash of the tracking code that the reply hands back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit import records
from ia_desk.audit.trail import append
from ia_desk.cases import tracking
from ia_desk.cases.redaction import withholding_for
from ia_desk.cases.search import index_text
from ia_desk.db.models import (
    CHANNELS,
    DEPARTMENTS,
    REPORTER_MODES,
    Allegation,
    Case,
    CaseNumberCounter,
    CaseSubject,
    Clause,
    Employee,
    Incident,
    Reporter,
    table_of,
)
from ia_desk.db.upsert import dialect_insert, insert_unless_present
from ia_desk.errors import InputError
from ia_desk.policy.catalogue import POLICY_ORDER, clause_in_force, policy_of
from ia_desk.policy.citation import require_citable
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require
from ia_desk.settings import get_setting

MAX_NARRATIVE = 100_000
MAX_SUBJECTS = 50
MAX_CLAUSES = 60


@dataclass
class SubjectInput:
    badge: str
    name: str | None
    department: str | None
    rank: str | None
    unit: str | None


@dataclass
class ReporterInput:
    mode: str
    name: str | None = None
    badge: str | None = None
    phone: str | None = None
    email: str | None = None
    good_faith: bool = False
    tracking_code: str | None = None  # a code quoted again: links this report to earlier ones


@dataclass
class ReportInput:
    received_at: dt.datetime
    channel: str
    reporter: ReporterInput
    subjects: list[SubjectInput]
    occurred_on: dt.date
    platform: str | None
    url: str | None
    narrative: str
    clauses: list[str] = field(default_factory=list)


@dataclass
class IntakeResult:
    case: Case  # attached to the session the case was opened in
    tracking_code: str
    linked_cases: list[str]


def parse_json(raw: str | bytes, what: str = "The report") -> Any:
    """Parse a JSON document (a report, a matrix file); InputError naming what is wrong,
    including what json.loads would silently accept: a key given twice, lone surrogates,
    numbers too long to convert (see ``validation.json_document``)."""
    return v.json_document(raw, what)


def parse_report(data: Any, *, now: dt.datetime | None = None) -> ReportInput:
    """Check a report document; raise InputError naming the first bad field."""
    d = v.obj(data, "", {"received_at", "channel", "reporter", "subjects", "incident", "clauses"})
    now = now or dt.datetime.now(dt.UTC)
    received = (
        v.aware_datetime(d["received_at"], "received_at")
        if d.get("received_at") is not None
        else now
    )
    if received > now + dt.timedelta(minutes=5):
        raise InputError("received_at: lies in the future.", field="received_at")
    channel = v.choice(d.get("channel"), "channel", CHANNELS)

    if "reporter" not in d:
        raise InputError('reporter: required (at least {"mode": "anonymous"}).', field="reporter")
    r = v.obj(
        d["reporter"],
        "reporter",
        {"mode", "name", "badge", "phone", "email", "good_faith", "tracking_code"},
    )
    mode = v.choice(r.get("mode"), "reporter.mode", REPORTER_MODES)
    code = v.identifier(
        r.get("tracking_code"), "reporter.tracking_code", required=False, max_len=20
    )
    if code is not None and tracking.normalise(code) is None:
        raise InputError(
            "reporter.tracking_code: not a tracking code (like 7K3M-Q9TX-2HDA).",
            field="reporter.tracking_code",
        )
    if mode == "anonymous":
        for key in ("name", "badge", "phone", "email"):
            if r.get(key) not in (None, ""):
                raise InputError(
                    f"reporter.{key}: an anonymous report carries no identity; remove it, or "
                    "choose the 'confidential' mode to keep the identity from all but IA.",
                    field=f"reporter.{key}",
                )
        if r.get("good_faith") not in (None, False):
            raise InputError(
                "reporter.good_faith: applies to a known reporter only; an "
                "anonymous reporter cannot be identified to be protected.",
                field="reporter.good_faith",
            )
        reporter = ReporterInput(mode, tracking_code=code)
    else:
        email = v.text(r.get("email"), "reporter.email", required=False, max_len=200)
        if email is not None and ("@" not in email or " " in email):
            raise InputError("reporter.email: not an e-mail address.", field="reporter.email")
        reporter = ReporterInput(
            mode,
            name=v.person_name(r.get("name"), "reporter.name", max_len=120),
            badge=v.identifier(r.get("badge"), "reporter.badge", required=False, max_len=20),
            phone=v.text(r.get("phone"), "reporter.phone", required=False, max_len=40),
            email=email,
            good_faith=v.boolean(r.get("good_faith"), "reporter.good_faith", True),
            tracking_code=code,
        )

    subjects_raw = d.get("subjects")
    if not isinstance(subjects_raw, list) or not subjects_raw:
        raise InputError(
            "subjects: a list of at least one employee complained about.", field="subjects"
        )
    if len(subjects_raw) > MAX_SUBJECTS:
        raise InputError(f"subjects: at most {MAX_SUBJECTS} per report.", field="subjects")
    subjects: list[SubjectInput] = []
    seen: set[str] = set()
    for i, s in enumerate(subjects_raw):
        f = f"subjects[{i}]"
        s = v.obj(s, f, {"badge", "name", "department", "rank", "unit"})
        badge = v.identifier(s.get("badge"), f"{f}.badge", max_len=20)
        assert badge is not None
        if badge in seen:
            raise InputError(f"{f}.badge: badge {badge} is listed twice.", field=f"{f}.badge")
        seen.add(badge)
        dept = s.get("department")
        subjects.append(
            SubjectInput(
                badge=badge,
                name=v.person_name(s.get("name"), f"{f}.name", required=False, max_len=120),
                department=None if dept is None else v.choice(dept, f"{f}.department", DEPARTMENTS),
                rank=v.text(s.get("rank"), f"{f}.rank", required=False, max_len=60),
                unit=v.text(s.get("unit"), f"{f}.unit", required=False, max_len=80),
            )
        )

    inc = v.obj(d.get("incident"), "incident", {"occurred_on", "platform", "url", "narrative"})
    occurred = v.date(inc.get("occurred_on"), "incident.occurred_on")
    assert occurred is not None
    if occurred > received.date() + dt.timedelta(days=1):
        raise InputError(
            "incident.occurred_on: after the report was received.", field="incident.occurred_on"
        )
    narrative = v.text(
        inc.get("narrative"), "incident.narrative", max_len=MAX_NARRATIVE, multiline=True
    )
    assert narrative is not None

    clauses_raw = d.get("clauses", [])
    if not isinstance(clauses_raw, list) or not all(isinstance(c, str) for c in clauses_raw):
        raise InputError('clauses: a list of clause ids such as "vpd-3.21/III.M".', field="clauses")
    if len(clauses_raw) > MAX_CLAUSES:
        raise InputError(f"clauses: at most {MAX_CLAUSES}.", field="clauses")
    clauses = list(
        dict.fromkeys(
            v.identifier(c, f"clauses[{i}]", max_len=80) or "" for i, c in enumerate(clauses_raw)
        )
    )

    return ReportInput(
        received_at=received,
        channel=channel,
        reporter=reporter,
        subjects=subjects,
        occurred_on=occurred,
        platform=v.text(inc.get("platform"), "incident.platform", required=False, max_len=60),
        url=v.url(inc.get("url"), "incident.url"),
        narrative=narrative,
        clauses=clauses,
    )


def next_case_number(session: Session, year: int) -> tuple[str, int]:
    """Take the next number of the year, inside the caller's transaction (gap-free)."""
    stmt = (
        dialect_insert(session, CaseNumberCounter)
        .values(year=year, last=1)
        .on_conflict_do_update(index_elements=["year"], set_={"last": CaseNumberCounter.last + 1})
        .returning(CaseNumberCounter.last)
    )
    seq = int(session.execute(stmt).scalar_one())
    return f"IA-{year}-{seq:04d}", seq


def _subject_employee(session: Session, s: SubjectInput, index: int) -> Employee:
    emp = session.scalar(select(Employee).where(Employee.badge == s.badge))
    if emp is not None:
        return emp
    f = f"subjects[{index}]"
    if not s.name:
        raise InputError(
            f"{f}.name: badge {s.badge} is not on the roster; give the name to add the employee.",
            field=f"{f}.name",
        )
    if not s.department:
        raise InputError(
            f"{f}.department: badge {s.badge} is not on the roster; give the "
            "department (police or city) to add the employee.",
            field=f"{f}.department",
        )
    # Another workstation may be adding the same new employee right now.
    added = insert_unless_present(
        session,
        Employee,
        "badge",
        {
            "badge": s.badge,
            "name": s.name,
            "department": s.department,
            "rank": s.rank,
            "unit": s.unit,
            "active": True,
        },
    )
    emp = session.scalars(select(Employee).where(Employee.badge == s.badge)).one()
    if added:
        link_reporters(session, emp)
    return emp


def link_reporters(session: Session, employee: Employee) -> int:
    """Protection follows the reporter's badge: when an employee joins the roster, the
    earlier reports made under that badge are linked to them (so a confidential
    reporter who was not yet on the roster is still protected when named later)."""
    result: Any = session.execute(
        update(Reporter)
        .where(
            Reporter.badge == employee.badge,
            Reporter.employee_id.is_(None),
            Reporter.mode != "anonymous",
        )
        .values(employee_id=employee.id)
    )
    return int(result.rowcount or 0)


def open_case(session: Session, actor: Actor, report: ReportInput) -> IntakeResult:
    """Open a case from a checked report. Caller commits (``db.write``)."""
    require(actor, "report.submit", "case.intake", "case")

    employees = [_subject_employee(session, s, i) for i, s in enumerate(report.subjects)]
    clause_rows: list[Clause] = []
    for i, cid in enumerate(report.clauses):
        try:
            clause = clause_in_force(session, cid, report.occurred_on)
        except InputError as exc:
            raise InputError(f"clauses[{i}]: {exc.message}", field=f"clauses[{i}]") from None
        clause_rows.append(clause)
        require_citable(clause, f"clauses[{i}]")
    pairs: list[tuple[Employee, Clause]] = []
    for i, clause in enumerate(clause_rows):
        applies = [
            e
            for e in employees
            if policy_of(clause.clause_id) in POLICY_ORDER.get(e.department, [])
        ]
        if not applies:
            raise InputError(
                f"clauses[{i}]: {clause.clause_id} does not apply to any subject "
                f"(it binds {'police' if clause.clause_id.startswith('vpd') else 'city'} "
                "employees).",
                field=f"clauses[{i}]",
            )
        pairs.extend((e, clause) for e in applies)

    reporter_in = report.reporter
    linked: list[str] = []
    if reporter_in.tracking_code:
        code = tracking.normalise(reporter_in.tracking_code)
        assert code is not None
        thash = tracking.code_hash(code)
        linked = list(
            session.scalars(
                select(Case.number)
                .join(Reporter)
                .where(Reporter.tracking_hash == thash)
                .order_by(Case.id)
            )
        )
        if not linked:
            raise InputError(
                "reporter.tracking_code: no earlier report carries this code.",
                field="reporter.tracking_code",
            )
    else:
        code = tracking.new_code()
        thash = tracking.code_hash(code)

    reporter_employee = None
    if reporter_in.mode != "anonymous" and reporter_in.badge:
        reporter_employee = session.scalar(
            select(Employee).where(Employee.badge == reporter_in.badge)
        )

    local_received = report.received_at
    offset = local_received.utcoffset() or dt.timedelta(0)
    received_utc = local_received.astimezone(dt.UTC).replace(tzinfo=None)
    number, _ = next_case_number(session, local_received.year)
    deadline_days = int(get_setting(session, "deadline_days"))
    # The rows go in as plain statements on the session's connection: intake is the
    # busiest write, and the unit of work's bookkeeping for five new objects cost more
    # than the inserts themselves. The case is read back once at the end, attached to
    # the caller's session (its subjects and allegations load when first used).
    conn = session.connection()
    case_id = conn.execute(
        _INSERT_CASE,
        {
            "number": number,
            "status": "received",
            "received_at": received_utc,
            "received_offset_min": int(offset.total_seconds() // 60),
            "channel": report.channel,
            "deadline_on": local_received.date() + dt.timedelta(days=deadline_days),
            "created_by_id": actor.user_id,
        },
    ).scalar_one()
    if reporter_in.mode == "anonymous":
        who: dict[str, Any] = {"mode": "anonymous", "good_faith": False}
    else:
        who = {
            "mode": reporter_in.mode,
            "name": reporter_in.name,
            "badge": reporter_in.badge,
            "phone": reporter_in.phone,
            "email": reporter_in.email,
            "employee_id": reporter_employee.id if reporter_employee else None,
            "good_faith": reporter_in.good_faith,
        }
    conn.execute(
        _INSERT_REPORTER,
        {"case_id": case_id, "received_at": received_utc, "tracking_hash": thash, **who},
    )
    conn.execute(
        _INSERT_INCIDENT,
        {
            "case_id": case_id,
            "occurred_on": report.occurred_on,
            "platform": report.platform,
            "url": report.url,
            "narrative": report.narrative,
        },
    )
    if employees:
        conn.execute(
            _INSERT_SUBJECT, [{"case_id": case_id, "employee_id": e.id} for e in employees]
        )
    bound: dict[str, str] = {}
    if pairs:
        written = [
            {
                "case_id": case_id,
                "employee_id": e.id,
                "clause_pk": c.id,
                "disposition": None,
                "finding_on": None,
                "finding_by_id": None,
                "rationale": None,
                "created_by_id": actor.user_id,
            }
            for e, c in pairs
        ]
        ids = conn.execute(_INSERT_ALLEGATION, written)
        for row_id, row in zip(ids.scalars(), written, strict=True):
            bound[str(row_id)] = records.digest_of("allegation", row_id, row)
    case = session.get(Case, case_id)
    assert case is not None
    index_text(
        session,
        case_id,
        new=True,
        public=withholding_for(session, case, ia=False),
        number=number,
        narrative=report.narrative,
        platform=report.platform or "",
        url=report.url or "",
        subjects=" ".join(f"{e.badge} {e.name}" for e in employees),
        clauses=" ".join(f"{c.clause_id} {c.title}" for c in clause_rows),
    )
    append(
        session,
        actor,
        "case.intake",
        object_type="case",
        object_id=case_id,
        case_number=number,
        details={
            "channel": report.channel,
            "reporter_mode": reporter_in.mode,
            "subjects": [e.badge for e in employees],
            "clauses": [c.clause_id for c in clause_rows],
            "linked_to": linked,
            **({records.RECORDS_KEY: {"allegation": bound}} if bound else {}),
        },
    )
    return IntakeResult(case=case, tracking_code=code, linked_cases=linked)


_INSERT_CASE = insert(table_of(Case)).returning(table_of(Case).c.id)
_INSERT_REPORTER = insert(table_of(Reporter))
_INSERT_INCIDENT = insert(table_of(Incident))
_INSERT_SUBJECT = insert(table_of(CaseSubject))
_INSERT_ALLEGATION = insert(table_of(Allegation)).returning(
    table_of(Allegation).c.id, sort_by_parameter_order=True
)
