"""Interviews of a case's subjects and witnesses (issue 22).

An interview records who was interviewed (a subject of the case, an employee on the
roster as a witness, or a civilian witness by name), when it began and ended, where, by
which IA users, who sat with the interviewee (Weingarten: whether they asked for a
representative, and the representative's name and capacity, or that one was offered and
declined), the advisement read (:mod:`ia_desk.cases.advisements`: the version in force
on the interview's date, with the SHA-256 of its text, so the exact words can be shown
later), when it was given and whether the interviewee signed it, whether the statement
is compelled, the statement itself as an evidence item of the case (by its number), and
IA's summary.

**Compelled statements.** A statement given under a Garrity order is compelled: it and
what is derived from it may be used for the department's administrative purposes only.
It is marked :data:`ia_desk.terms.COMPELLED_MARK` wherever it shows, and
:func:`compelled_evidence` names the evidence items that must never reach a criminal
file (the referral packet, :mod:`ia_desk.casefile.referral`, leaves them out and
refuses to take one in). A statement once recorded as compelled stays so: an amendment
cannot make it voluntary, and an item that was ever a compelled statement stays excluded.

**Who sees what** (:mod:`ia_desk.security.roles`). IA roles read everything. Command
staff read that an interview took place: when, of which subject (a witness is not
named: ``Witness employee``, ``Civilian witness``), the advisement given and whether the
statement is compelled; never IA's summary, the place, the interviewers, the
representative or the amendment reasons. The statement's evidence item is evidence of
the case, read by whoever reads its evidence (command staff too: the Chief decides
discipline, an administrative use), marked there as compelled. Supervisors read nothing
of them. Every list
read is audited (``interview.list``; the case file's read is ``case.view``).

**Amendments** never overwrite: an amendment is a new row superseding the version it
corrects, with the reason; :func:`interviews` lists the current version of each with its
earlier versions. No audit event carries a name or the summary: events name the
interview by its id (the trail is read more widely than the interviews).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit import records
from ia_desk.audit.trail import append
from ia_desk.cases import advisements
from ia_desk.cases.queries import employee_by_badge, get_case, local_time
from ia_desk.cases.redaction import withholding_for
from ia_desk.cases.workflow import case_write_problem, require_case_write
from ia_desk.db.models import Case, Evidence, Interview, User, utcnow
from ia_desk.errors import InputError, NotFound
from ia_desk.security.actor import Actor
from ia_desk.security.roles import IA, ROLE_LABELS, require, sees_identities
from ia_desk.terms import (
    ACKNOWLEDGEMENTS,
    ADVISEMENT_KINDS,
    COMPELLED_MARK,
    INTERVIEWEE_KINDS,
    REPRESENTATIONS,
    REPRESENTATIVE_CAPACITIES,
)

SUMMARY_MAX = 20_000
REASON_MAX = 2_000
MAX_HOURS = 24
# How far ahead of this computer's clock a time may be (two clocks never agree exactly).
CLOCK_SLACK = dt.timedelta(minutes=5)
# The fields an interview is given as, each a key of the mapping record/amend take.
FIELDS = (
    "interviewee",
    "badge",
    "name",
    "started",
    "ended",
    "place",
    "interviewers",
    "rep_requested",
    "representation",
    "rep_name",
    "rep_capacity",
    "advisement",
    "advised_at",
    "acknowledgement",
    "compelled",
    "statement",
    "summary",
)
EMPLOYEE_KINDS = ("subject", "witness_employee")


def _utc(value: Any, field: str) -> tuple[dt.datetime, int]:
    """A time given as ISO 8601 with its offset (or an aware datetime): naive UTC and the
    offset in minutes."""
    at = value if isinstance(value, dt.datetime) else v.aware_datetime(value, field)
    if at.tzinfo is None:
        raise InputError(f"{field}: give the UTC offset too.", field=field)
    offset = at.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return at.astimezone(dt.UTC).replace(tzinfo=None), minutes


def _when(at: dt.datetime, offset_min: int) -> str:
    return local_time(at, offset_min).strftime("%Y-%m-%d %H:%M")


def _interviewer(session: Session, login: Any, field: str) -> User:
    name = v.identifier(login, field) or ""
    user = session.scalar(select(User).where(User.login == name))
    if user is None:
        raise NotFound(f"{field}: there is no user {name!r}.", field=field)
    if user.role not in IA:
        raise InputError(
            f"{field}: {name} is a {ROLE_LABELS.get(user.role, user.role).lower()}; IA's "
            "investigators and administrators conduct interviews.",
            field=field,
        )
    if not user.active:
        raise InputError(f"{field}: {name}'s account is disabled.", field=field)
    return user


def _checked(
    session: Session, case: Case, given: dict[str, Any], chain_ids: set[int]
) -> dict[str, Any]:
    """Every field checked, in the user's words, as the row's columns (nothing stored)."""
    unknown = sorted(set(given) - set(FIELDS))
    if unknown:
        raise InputError(f"{unknown[0]}: not a field of an interview.", field=unknown[0])
    out: dict[str, Any] = {}
    kind = v.choice(given.get("interviewee"), "interviewee", list(INTERVIEWEE_KINDS))
    out["interviewee_kind"] = kind
    badge = given.get("badge")
    name = given.get("name")
    out["employee_id"] = None
    out["civilian_name"] = None
    if kind in EMPLOYEE_KINDS:
        if badge in (None, ""):
            raise InputError(
                f"badge: a {INTERVIEWEE_KINDS[kind].lower()} is named by their badge.",
                field="badge",
            )
        if name not in (None, ""):
            raise InputError(
                "name: an employee is named by their badge (the roster holds the name); "
                "a name alone is for a civilian witness.",
                field="name",
            )
        emp = employee_by_badge(session, str(badge))
        subject_ids = {s.employee_id for s in case.subjects}
        if kind == "subject" and emp.id not in subject_ids:
            raise InputError(
                f"badge: {emp.name} (badge {emp.badge}) is not a subject of {case.number}; "
                "interview them as a witness employee, or add an allegation against them "
                "first.",
                field="badge",
            )
        if kind == "witness_employee" and emp.id in subject_ids:
            raise InputError(
                f"badge: {emp.name} (badge {emp.badge}) is a subject of {case.number}; record "
                "a subject interview (a subject is not interviewed as a witness of their own "
                "case).",
                field="badge",
            )
        out["employee_id"] = emp.id
    else:
        if badge not in (None, ""):
            raise InputError(
                "badge: a civilian witness has no badge; an employee is a witness employee.",
                field="badge",
            )
        out["civilian_name"] = v.person_name(name, "name")

    started, offset = _utc(given.get("started"), "started")
    ended, _ = _utc(given.get("ended"), "ended")
    now = utcnow()
    if started > now + CLOCK_SLACK:
        raise InputError(
            f"started: {_when(started, offset)} has not come yet; an interview is recorded "
            "once it has taken place.",
            field="started",
        )
    if ended > now + CLOCK_SLACK:
        raise InputError(
            f"ended: {_when(ended, offset)} has not come yet; an interview is recorded once "
            "it has ended.",
            field="ended",
        )
    if ended <= started:
        raise InputError(
            f"ended: the interview ends ({_when(ended, offset)}) before it starts "
            f"({_when(started, offset)}).",
            field="ended",
        )
    if ended - started > dt.timedelta(hours=MAX_HOURS):
        raise InputError(
            f"ended: an interview of more than {MAX_HOURS} hours; check the end "
            f"({_when(ended, offset)}) and the start ({_when(started, offset)}), or record each "
            "sitting as an interview of its own.",
            field="ended",
        )
    if started < case.received_at - dt.timedelta(days=1):
        raise InputError(
            f"started: {_when(started, offset)} is before {case.number} was received "
            f"({_when(case.received_at, case.received_offset_min)}).",
            field="started",
        )
    out.update(started_at=started, ended_at=ended, offset_min=offset)
    out["place"] = v.text(given.get("place"), "place", max_len=200)

    logins = given.get("interviewers") or []
    if isinstance(logins, str):
        logins = [logins]
    if not isinstance(logins, list | tuple) or not logins:
        raise InputError("interviewers: name who conducted the interview.", field="interviewers")
    if len(logins) > 2:
        raise InputError(
            "interviewers: at most two (the interviewer and a second); the others present "
            "belong in the summary.",
            field="interviewers",
        )
    users = [_interviewer(session, login, "interviewers") for login in logins]
    if len(users) == 2 and users[0].id == users[1].id:
        raise InputError(f"interviewers: {users[0].login} is named twice.", field="interviewers")
    out["interviewer_id"] = users[0].id
    out["second_interviewer_id"] = users[1].id if len(users) == 2 else None

    requested = v.boolean(given.get("rep_requested"), "rep_requested", False)
    representation = v.choice(given.get("representation"), "representation", list(REPRESENTATIONS))
    rep_name = v.person_name(given.get("rep_name"), "rep_name", required=False)
    capacity = given.get("rep_capacity") or None
    if representation == "present":
        if rep_name is None:
            raise InputError("rep_name: name the representative who was present.", field="rep_name")
        capacity = v.choice(capacity, "rep_capacity", list(REPRESENTATIVE_CAPACITIES))
        if capacity == "union" and kind == "civilian_witness":
            raise InputError(
                "rep_capacity: a civilian witness has no union representative; an attorney or "
                "other.",
                field="rep_capacity",
            )
    elif rep_name is not None or capacity is not None:
        raise InputError(
            f"rep_name: no representative was present ({REPRESENTATIONS[representation].lower()}"
            "); a name and capacity are for one who was.",
            field="rep_name",
        )
    if requested and representation != "present":
        raise InputError(
            "representation: the interviewee asked for a representative (Weingarten); the "
            "interview does not go on without one. Record the representative present, or, "
            "if the interviewee withdrew the request, say so in the summary and record it as "
            "not requested.",
            field="representation",
        )
    if kind == "subject" and representation == "none":
        raise InputError(
            "representation: a subject is told they may have a representative (Weingarten): "
            "record the representative present, or that the subject declined one.",
            field="representation",
        )
    out.update(
        rep_requested=requested,
        representation=representation,
        rep_name=rep_name,
        rep_capacity=capacity,
    )

    advisement = v.choice(given.get("advisement"), "advisement", list(ADVISEMENT_KINDS))
    compelled = v.boolean(given.get("compelled"), "compelled", False)
    if compelled and advisement != "garrity":
        raise InputError(
            "compelled: a statement is compelled only under a Garrity advisement (the order "
            "to answer, administrative use only); this one was given the "
            f"{ADVISEMENT_KINDS[advisement].lower()} advisement.",
            field="compelled",
        )
    if advisement == "garrity" and not compelled:
        raise InputError(
            "compelled: a Garrity advisement orders the employee to answer, so the statement "
            "is compelled; mark it compelled, or give the voluntary advisement.",
            field="compelled",
        )
    if advisement == "garrity" and kind == "civilian_witness":
        raise InputError(
            "advisement: a civilian cannot be ordered to answer; a Garrity advisement is for "
            "the department's employees.",
            field="advisement",
        )
    text = advisements.in_force(advisement, local_time(started, offset).date())
    advised_raw = given.get("advised_at")
    advised = started if advised_raw in (None, "") else _utc(advised_raw, "advised_at")[0]
    if advised > ended or advised < started - dt.timedelta(hours=MAX_HOURS):
        raise InputError(
            f"advised_at: the advisement is read before the questions, so between the day "
            f"before the start and the end of the interview ({_when(ended, offset)}); "
            f"{_when(advised, offset)} is not.",
            field="advised_at",
        )
    out.update(
        advisement_kind=advisement,
        advisement_version=text.version,
        advisement_sha256=text.sha256,
        advised_at=advised,
        acknowledgement=v.choice(
            given.get("acknowledgement"), "acknowledgement", list(ACKNOWLEDGEMENTS)
        ),
        compelled=compelled,
    )

    statement = given.get("statement")
    out["statement_evidence_id"] = None
    if statement not in (None, ""):
        number = v.record_id(str(statement).lstrip("Ee#"), "statement", "an evidence number")
        item = session.get(Evidence, number)
        if item is None or item.case_id != case.id:
            raise NotFound(
                f"statement: {case.number} has no evidence item {number}; add the statement "
                "as evidence of the case first, then attach it by its number.",
                field="statement",
            )
        other = session.scalar(
            select(Interview.id).where(
                Interview.statement_evidence_id == number,
                Interview.id.not_in(sorted(chain_ids) or [0]),
            )
        )
        if other is not None:
            raise InputError(
                f"statement: evidence item {number} is the statement of interview {other}; "
                "each statement is an item of its own.",
                field="statement",
            )
        out["statement_evidence_id"] = number
    out["summary"] = v.text(given.get("summary"), "summary", max_len=SUMMARY_MAX, multiline=True)
    return out


def _write_problem(actor: Actor, case: Case) -> str | None:
    """Why ``actor`` may not record or amend an interview on ``case`` now (None: they may)."""
    problem = case_write_problem(actor, case)
    if problem:
        return problem
    if case.status == "findings":
        return (
            "its findings are complete and await review (a returned or reopened case takes "
            "interviews again)"
        )
    return None


def record_problem(actor: Actor, case: Case) -> str | None:
    """What the case window says on a disabled *Record interview…* (None: enabled)."""
    if actor.role not in IA:
        return "only IA records interviews"
    return _write_problem(actor, case)


def _require_write(actor: Actor, case: Case, event: str) -> None:
    require_case_write(actor, case, event)
    problem = _write_problem(actor, case)
    if problem:
        raise InputError(f"Nothing was recorded: {case.number}: {problem}.", field="case")


def _store(
    session: Session,
    actor: Actor,
    case: Case,
    values: dict[str, Any],
    event: str,
    replaced: Interview | None,
    reason: str | None,
) -> Interview:
    row = Interview(
        case_id=case.id,
        supersedes_id=replaced.id if replaced else None,
        amend_reason=reason,
        recorded_by_id=actor.user_id,
        recorded_at=utcnow(),
        **values,
    )
    session.add(row)
    case.updated_at = utcnow()  # the case's windows and other workstations hear of it
    session.flush()
    append(
        session,
        actor,
        event,
        object_type="interview",
        object_id=row.id,
        case_number=case.number,
        details={
            "interviewee": row.interviewee_kind,
            "advisement": f"{row.advisement_kind}@{row.advisement_version}",
            "compelled": row.compelled,
            "statement": row.statement_evidence_id,
            **({"amends": replaced.id} if replaced else {}),
            records.RECORD_KEY: records.digest("interview", row),
        },
    )
    return row


def record_interview(
    session: Session, actor: Actor, number: str, given: dict[str, Any]
) -> Interview:
    """Record an interview on a case (``given``: the :data:`FIELDS`). Audited and bound
    to its signed event; a refusal names the field and stores nothing."""
    require(actor, "interview.record", "interview.record", "case", number)
    case = get_case(session, number)
    _require_write(actor, case, "interview.record")
    values = _checked(session, case, given, set())
    return _store(session, actor, case, values, "interview.record", None, None)


def _chain(session: Session, case_id: int) -> tuple[dict[int, Interview], dict[int, int]]:
    """Every version on the case by id, and {id: the id of the version that amends it}."""
    rows = {
        r.id: r
        for r in session.scalars(
            select(Interview).where(Interview.case_id == case_id).order_by(Interview.id)
        )
    }
    successor = {r.supersedes_id: r.id for r in rows.values() if r.supersedes_id is not None}
    return rows, successor


def _versions(rows: dict[int, Interview], current: Interview) -> list[Interview]:
    """``current`` and its earlier versions, newest first."""
    out = [current]
    while out[-1].supersedes_id is not None and out[-1].supersedes_id in rows:
        out.append(rows[out[-1].supersedes_id])
    return out


def as_given(row: Interview) -> dict[str, Any]:
    """A stored version as the :data:`FIELDS` it was given as (what an amendment starts from)."""
    logins = [row.interviewer.login] + (
        [row.second_interviewer.login] if row.second_interviewer else []
    )
    offset = dt.timezone(dt.timedelta(minutes=row.offset_min))

    def aware(at: dt.datetime) -> str:
        return at.replace(tzinfo=dt.UTC).astimezone(offset).isoformat()

    return {
        "interviewee": row.interviewee_kind,
        "badge": row.employee.badge if row.employee else None,
        "name": row.civilian_name,
        "started": aware(row.started_at),
        "ended": aware(row.ended_at),
        "place": row.place,
        "interviewers": logins,
        "rep_requested": row.rep_requested,
        "representation": row.representation,
        "rep_name": row.rep_name,
        "rep_capacity": row.rep_capacity,
        "advisement": row.advisement_kind,
        "advised_at": aware(row.advised_at),
        "acknowledgement": row.acknowledgement,
        "compelled": row.compelled,
        "statement": row.statement_evidence_id,
        "summary": row.summary,
    }


def amend_interview(
    session: Session,
    actor: Actor,
    number: str,
    interview_id: Any,
    reason: Any,
    changes: dict[str, Any],
) -> Interview:
    """Amend the current version of an interview: the fields in ``changes`` replace the
    earlier version's (a field named with None is emptied), the reason is required, and
    the earlier version stays. A statement recorded as compelled stays compelled.
    Audited and bound like a recording."""
    require(actor, "interview.record", "interview.amend", "case", number)
    case = get_case(session, number)
    _require_write(actor, case, "interview.amend")
    wanted = v.record_id(interview_id, "interview", "an interview number")
    rows, successor = _chain(session, case.id)
    old = rows.get(wanted)
    if old is None:
        raise NotFound(f"interview: {case.number} has no interview {wanted}.", field="interview")
    if wanted in successor:
        raise InputError(
            f"interview: {wanted} was amended already (its newer version is interview "
            f"{successor[wanted]}); amend that one.",
            field="interview",
        )
    why = v.text(reason, "reason", max_len=REASON_MAX, multiline=True)
    given = {**as_given(old), **changes}  # a field named is replaced, even by nothing
    chain = {r.id for r in _versions(rows, old)}
    values = _checked(session, case, given, chain)
    if old.compelled and not values["compelled"]:
        raise InputError(
            f"compelled: interview {old.id}'s statement was recorded as compelled (Garrity) and "
            "stays so: it may be used for administrative purposes only. A voluntary statement "
            "taken apart is an interview of its own.",
            field="compelled",
        )
    if (
        values["advisement_kind"] == old.advisement_kind
        and local_time(values["started_at"], values["offset_min"]).date()
        == local_time(old.started_at, old.offset_min).date()
    ):  # the text given then stays the text recorded
        values["advisement_version"] = old.advisement_version
        values["advisement_sha256"] = old.advisement_sha256
    same = all(getattr(old, k) == val for k, val in values.items())
    if same:
        raise InputError(
            f"interview: the amendment changes nothing in interview {old.id}.", field="interview"
        )
    return _store(session, actor, case, values, "interview.amend", old, why)


# -- reading -------------------------------------------------------------------------------


def compelled_interviews(session: Session, case_id: int) -> dict[int, list[Interview]]:
    """{interview: its versions, newest first} of the case's interviews whose statement
    is, or was in any version, compelled."""
    rows, successor = _chain(session, case_id)
    out: dict[int, list[Interview]] = {}
    for row in rows.values():
        if row.id in successor:
            continue
        versions = _versions(rows, row)
        if any(r.compelled for r in versions):
            out[row.id] = versions
    return out


def compelled_evidence(session: Session, case_id: int) -> dict[int, int]:
    """{evidence item: the interview it is (or was) the compelled statement of} for a
    case: every item any version of an interview attached while the statement was, or
    later became, compelled. None of them may reach a criminal file."""
    out: dict[int, int] = {}
    for interview, versions in compelled_interviews(session, case_id).items():
        for r in versions:
            if r.statement_evidence_id is not None:
                out[r.statement_evidence_id] = interview
    return out


def statements(session: Session, case_id: int) -> dict[int, dict[str, Any]]:
    """{evidence item: what it is a statement of} (the evidence list's marks): the
    current interview, and the compelled mark when it must never reach a criminal file."""
    rows, successor = _chain(session, case_id)
    banned = compelled_evidence(session, case_id)
    out: dict[int, dict[str, Any]] = {}
    for row in rows.values():
        if row.id in successor or row.statement_evidence_id is None:
            continue
        out[row.statement_evidence_id] = {"interview": row.id, "compelled": row.compelled}
    for item, interview in banned.items():
        out[item] = {"interview": interview, "compelled": True}
    for entry in out.values():
        entry["mark"] = COMPELLED_MARK if entry["compelled"] else None
    return out


def _who(row: Interview, ia: bool) -> str:
    if row.interviewee_kind == "subject" and row.employee is not None:
        return f"{row.employee.name} (badge {row.employee.badge})"
    if not ia:  # a witness is not named outside IA
        return "not named outside IA"
    if row.employee is not None:
        return f"{row.employee.name} (badge {row.employee.badge})"
    return row.civilian_name or ""


def _user(u: User | None) -> str | None:
    return f"{u.name} ({u.login})" if u else None


def _advisement_view(row: Interview) -> dict[str, Any]:
    return {
        "kind": row.advisement_kind,
        "words": ADVISEMENT_KINDS[row.advisement_kind],
        "version": row.advisement_version,
        "sha256": row.advisement_sha256,
    }


def _ia_view(row: Interview, shown: Callable[[str | None], str]) -> dict[str, Any]:
    local = lambda at: local_time(at, row.offset_min).isoformat()  # noqa: E731
    text, why_not = advisements.text_of(
        row.advisement_kind, row.advisement_version, row.advisement_sha256
    )
    statement = row.statement
    return {
        "id": row.id,
        "interviewee_kind": row.interviewee_kind,
        "kind_words": INTERVIEWEE_KINDS[row.interviewee_kind],
        "interviewee": shown(_who(row, True)),
        "badge": row.employee.badge if row.employee else None,
        "started": local(row.started_at),
        "ended": local(row.ended_at),
        "minutes": int((row.ended_at - row.started_at).total_seconds() // 60),
        "place": shown(row.place),
        "interviewers": [x for x in (_user(row.interviewer), _user(row.second_interviewer)) if x],
        "interviewer_logins": [
            u.login for u in (row.interviewer, row.second_interviewer) if u is not None
        ],
        "civilian_name": shown(row.civilian_name) if row.civilian_name else None,
        "rep_requested": row.rep_requested,
        "representation": row.representation,
        "representation_words": REPRESENTATIONS[row.representation],
        "rep_name": row.rep_name,
        "rep_capacity": row.rep_capacity,
        "rep_capacity_words": REPRESENTATIVE_CAPACITIES.get(row.rep_capacity or "", None),
        "advisement": {**_advisement_view(row), "text": text, "text_problem": why_not},
        "advised_at": local(row.advised_at),
        "acknowledgement": row.acknowledgement,
        "acknowledgement_words": ACKNOWLEDGEMENTS[row.acknowledgement],
        "compelled": row.compelled,
        "mark": COMPELLED_MARK if row.compelled else None,
        "statement": (
            {
                "id": statement.id,
                "file_name": shown(statement.file_name),
                "sha256": statement.sha256,
            }
            if statement is not None
            else None
        ),
        "summary": shown(row.summary),
        "recorded_by": row.recorded_by.login,
        "recorded_at": row.recorded_at.isoformat(timespec="minutes") + "Z",
        "amends": row.supersedes_id,
        "amend_reason": shown(row.amend_reason) if row.amend_reason else None,
    }


def _command_view(row: Interview, amended: int) -> dict[str, Any]:
    local = lambda at: local_time(at, row.offset_min).isoformat()  # noqa: E731
    return {
        "id": row.id,
        "interviewee_kind": row.interviewee_kind,
        "kind_words": INTERVIEWEE_KINDS[row.interviewee_kind],
        "interviewee": _who(row, False),
        "badge": row.employee.badge if row.interviewee_kind == "subject" and row.employee else None,
        "started": local(row.started_at),
        "ended": local(row.ended_at),
        "advisement": _advisement_view(row),
        "compelled": row.compelled,
        "mark": COMPELLED_MARK if row.compelled else None,
        "statement_attached": row.statement_evidence_id is not None,
        "amended": amended,
    }


def case_interviews(
    session: Session, actor: Actor, case: Case, ia: bool | None = None
) -> list[dict[str, Any]]:
    """The case's interviews as ``actor`` may see them (``ia``: as an IA audience or
    not, for a summary printed for one), oldest first: for IA the current version of
    each with its earlier versions (``history``, newest first) and the advisement's exact
    text; for command staff what this module's docstring says they see. Not audited
    here (the caller's read is)."""
    ia = sees_identities(actor) if ia is None else ia and sees_identities(actor)
    shown = withholding_for(session, case, ia).text
    rows, successor = _chain(session, case.id)
    out = []
    for row in rows.values():
        if row.id in successor:
            continue
        versions = _versions(rows, row)
        if ia:
            view = _ia_view(row, shown)
            view["history"] = [_ia_view(r, shown) for r in versions[1:]]
        else:
            view = _command_view(row, len(versions) - 1)
        view["version"] = len(versions)
        out.append(view)
    out.sort(key=lambda x: (x["started"], x["id"]))
    return out


def interviews(session: Session, actor: Actor, number: str) -> list[dict[str, Any]]:
    """The interviews of a case as ``actor`` may see them (:func:`case_interviews`).
    IA and command staff; audited as a read."""
    require(actor, "interview.read", "interview.list", "case", number)
    case = get_case(session, number)
    out = case_interviews(session, actor, case)
    append(
        session,
        actor,
        "interview.list",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={"count": len(out)},
    )
    return out
