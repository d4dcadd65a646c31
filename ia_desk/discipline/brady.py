"""Brady/Giglio disclosure review (Brady v. Maryland, 1963; Giglio v. United States, 1972).

A prosecutor must tell the defence what could impeach a prosecution witness, an
officer's sustained misconduct that bears on their credibility or bias included; the
prosecutor can only do so if the department tells the prosecutor. 3.21 §III.N warns
that posts "could be utilized to impeach or discredit an officer's courtroom
testimony". IA Desk keeps that duty in view:

1. The discipline matrix says, clause by clause, whether a sustained finding bears on
   credibility or bias, on which grounds and why (``credibility`` in
   ``resources/discipline/matrix.json``; :func:`ia_desk.discipline.matrix.credibility`).
2. When a finding under such a clause is sustained, :func:`follow_finding` raises a
   flag for the employee: the case, the allegation and its clause, the grounds and the
   matrix version, when it was raised. Status ``review``.
3. The IA commander (an IA administrator) decides it, :func:`decide`: ``disclose`` or
   ``not_disclosable``, always with a written reason; then logs each disclosure to a
   prosecutor, :func:`disclose` (the day, the prosecutor's office, who disclosed it,
   what was disclosed).
4. The flag follows the record. A finding changed away from sustained (the case is
   reopened and the finding recorded again) withdraws the flag (``withdrawn``, audited):
   a flag left standing would put an officer on a prosecutor's list for a finding the
   record no longer holds. A finding sustained again raises a new flag, to be decided
   afresh. A withdrawn flag that was already disclosed says so: the prosecutor was told
   of a finding that no longer stands, and IA logs the correction as a further
   disclosure on the same flag. An appeal that overturns the *discipline* leaves the
   finding as it is, so it leaves the flag: IA's decision weighs the appeal.
5. :func:`has_open_brady_flag` is the question a disposal of the employee's records
   must ask first (records retention, issue 23; no disposal exists yet): every flag
   whose finding still stands, whatever IA decided, and any flag whose finding was
   disclosed to a prosecutor, stops disposal.
6. IA decides only on findings that are final: while the case's review chain
   (:mod:`ia_desk.cases.review`) still awaits a sign-off, or the case is under
   investigation again, the decision and the disclosure wait (a finding the IA
   commander or the Chief returns may not stand).

The flags are read by IA and command staff (``brady.read``) and decided and logged by
IA administrators (``brady.manage``); every read and act is audited. Brady material is
what leaves IA for a prosecutor, so its free texts are read through the case's
withholding as outside IA, for everyone: a confidential reporter's identity never
appears in it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit import records
from ia_desk.audit.trail import append
from ia_desk.cases.queries import employee_by_badge
from ia_desk.cases.redaction import withholding_for
from ia_desk.cases.review import close_hold
from ia_desk.db.engine import Database
from ia_desk.db.models import Allegation, BradyDisclosure, BradyFlag, Clause, User, utcnow
from ia_desk.discipline.hearings import day
from ia_desk.discipline.matrix import credibility, current, shipped_matrix
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor
from ia_desk.security.roles import allowed, require
from ia_desk.terms import BRADY_DECISIONS, BRADY_STATUSES

STATUSES = BRADY_STATUSES
DECISIONS = BRADY_DECISIONS
# A flag in one of these stops a disposal of the employee's records: every flag whose
# finding still stands, whatever IA decided (a court may order disclosure later, and
# the records must be there to disclose).
STOPS_DISPOSAL = ("review", "disclose", "not_disclosable")


def _live(session: Session, allegation_id: int) -> BradyFlag | None:
    return session.scalar(
        select(BradyFlag).where(
            BradyFlag.allegation_id == allegation_id, BradyFlag.status != "withdrawn"
        )
    )


def follow_finding(session: Session, actor: Actor | None, allegation: Allegation) -> None:
    """Make the allegation's flag follow its finding (in the caller's transaction; run by
    the services after every finding): raised when sustained under a clause that bears
    on credibility, withdrawn when no longer sustained. Each change audited."""
    live = _live(session, allegation.id)
    clause_id = allegation.clause.clause_id
    if allegation.disposition == "sustained":
        if live is not None:
            return
        matrix = current(session)
        cred = credibility(matrix, clause_id)
        if cred is None:
            return
        flag = BradyFlag(
            case_id=allegation.case_id,
            employee_id=allegation.employee_id,
            allegation_id=allegation.id,
            clause_id=clause_id,
            grounds=list(cred["grounds"]),
            why=str(cred["why"]),
            matrix_version=int(matrix["version"]),
            status="review",
        )
        session.add(flag)
        session.flush()
        append(
            session,
            actor,
            "brady.raised",
            object_type="brady_flag",
            object_id=flag.id,
            case_number=allegation.case.number,
            details={
                "employee": allegation.employee.badge,
                "allegation": allegation.id,
                "clause": clause_id,
                "grounds": flag.grounds,
                "matrix_version": flag.matrix_version,
                records.RECORD_KEY: records.digest("brady_flag", flag),
            },
        )
    elif live is not None:
        before = live.status
        live.status, live.withdrawn_at = "withdrawn", utcnow()
        session.flush()
        append(
            session,
            actor,
            "brady.withdrawn",
            object_type="brady_flag",
            object_id=live.id,
            case_number=allegation.case.number,
            details={
                "employee": allegation.employee.badge,
                "allegation": allegation.id,
                "disposition": allegation.disposition,
                "previous": before,
                "disclosures": len(live.disclosures),
                records.RECORD_KEY: records.digest("brady_flag", live),
            },
        )


def _owed(session: Session, employee_id: int | None = None) -> list[int]:
    """The sustained allegations (of one employee, given one) under a clause the matrix
    says bears on credibility that have no flag standing: found before the flags
    existed (a database upgraded to them) or before the department's matrix named the
    clause."""
    matrix = current(session)
    candidates = (
        matrix["clauses"] if "credibility_grounds" in matrix else shipped_matrix()["clauses"]
    )
    clause_ids = [c for c in candidates if credibility(matrix, c) is not None]
    if not clause_ids:
        return []
    live = exists().where(BradyFlag.allegation_id == Allegation.id, BradyFlag.status != "withdrawn")
    stmt = (
        select(Allegation.id)
        .join(Clause, Clause.id == Allegation.clause_pk)
        .where(Clause.clause_id.in_(clause_ids), Allegation.disposition == "sustained", ~live)
        .order_by(Allegation.id)
    )
    if employee_id is not None:
        stmt = stmt.where(Allegation.employee_id == employee_id)
    return list(session.scalars(stmt))


def flag_earlier_findings(db: Database, actor: Actor) -> int:
    """Raise the flags earlier sustained findings are owed: a finding recorded before
    this version, or before the department's matrix named its clause, is flagged as if
    it were found now. Run when an IA administrator signs in, so each flag is raised
    and signed by a person (the trail's system events are unsigned, and a flag the
    system could raise is one anyone holding the database could forge). Cheap when
    nothing is owed: one indexed query of the sustained allegations under the few
    credibility clauses. Returns how many; nothing for any other role."""
    if not allowed(actor, "brady.manage") or actor.must_change_password:
        return 0  # (a password an administrator set: nothing until they choose their own)
    with db.read(actor) as session:
        if not _owed(session):
            return 0
    with db.write(actor) as session:
        owed = _owed(session)
        for allegation in session.scalars(select(Allegation).where(Allegation.id.in_(owed))):
            follow_finding(session, actor, allegation)
    return len(owed)


def has_open_brady_flag(session: Session, employee_id: int) -> bool:
    """Whether the employee's records must be kept for Brady/Giglio: a flag whose
    finding stands (under review or decided, either way), or a flag whose finding was
    disclosed to a prosecutor (even if since withdrawn: the department must be able to
    show what it told them).
    A disposal of the employee's records (retention, issue 23) asks this first and
    refuses while it is true. A sustained finding under a credibility clause that no
    flag follows yet (:func:`flag_earlier_findings` has not run since) counts as one.
    No permission check: it is a rule, not a read for a user."""
    if _owed(session, employee_id):
        return True
    disclosed = exists().where(BradyDisclosure.flag_id == BradyFlag.id)
    return bool(
        session.scalar(
            select(
                exists().where(
                    BradyFlag.employee_id == employee_id,
                    or_(BradyFlag.status.in_(STOPS_DISPOSAL), disclosed),
                )
            )
        )
    )


def view(session: Session, flag: BradyFlag, actor: Actor | None = None) -> dict[str, Any]:
    """A flag as people read it; ``decidable`` and ``disclosable``: what ``actor`` may do
    with it now (what a window offers). Free texts through the case's withholding as
    outside IA."""
    hide = withholding_for(session, flag.case, False)
    manage = actor is not None and allowed(actor, "brady.manage")
    told: list[dict[str, Any]] = [
        {
            "id": d.id,
            "disclosed_on": d.disclosed_on.isoformat(),
            "office": hide.text(d.office),
            "disclosed_by": hide.text(d.disclosed_by),
            "what": hide.text(d.what),
            "recorded_by": _login(session, d.recorded_by_id),
            "recorded_at": d.recorded_at.isoformat() + "Z",
        }
        for d in flag.disclosures
    ]
    notice = None
    if flag.status == "withdrawn" and told:
        notice = (
            "The finding was disclosed to a prosecutor before it changed: tell "
            + ", ".join(sorted({d["office"] for d in told}))
            + " that it is no longer sustained, and log that disclosure here."
        )
    allegation = session.get(Allegation, flag.allegation_id)
    not_final = _not_final(session, flag)
    return {
        "id": flag.id,
        "employee": flag.employee.badge,
        "name": flag.employee.name,
        "case": flag.case.number,
        "allegation": flag.allegation_id,
        "clause": flag.clause_id,
        "disposition": allegation.disposition if allegation else None,
        "finding_on": allegation.finding_on.isoformat()
        if allegation and allegation.finding_on
        else None,
        "grounds": list(flag.grounds),
        "why": flag.why,
        "matrix_version": flag.matrix_version,
        "raised_at": flag.raised_at.isoformat() + "Z",
        "status": flag.status,
        "status_words": STATUSES[flag.status],
        "reason": hide.text(flag.reason) if flag.reason else None,
        "decided_at": flag.decided_at.isoformat() + "Z" if flag.decided_at else None,
        "decided_by": flag.decided_by.login if flag.decided_by else None,
        "withdrawn_at": flag.withdrawn_at.isoformat() + "Z" if flag.withdrawn_at else None,
        "disclosures": told,
        "notice": notice,
        "stops_disposal": flag.status in STOPS_DISPOSAL or bool(told),
        "decidable": manage and flag.status == "review" and not_final is None,
        "disclosable": manage
        and _may_disclose(flag)
        and (flag.status == "withdrawn" or not_final is None),
        "waits_for": not_final,
    }


def _not_final(session: Session, flag: BradyFlag) -> str | None:
    """Why the flag's finding is not final yet (None: it is): the case is not past its
    findings, or the review chain still awaits a sign-off."""
    case = flag.case
    if case.status not in ("findings", "closed"):
        return f"the findings of {case.number} are not complete"
    return close_hold(session, case)


def _findings_final(session: Session, flag: BradyFlag) -> None:
    why = _not_final(session, flag)
    if why:
        raise InputError(f"flag: {flag.id} waits for the final findings ({why}).", field="flag")


def _login(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.login if user else str(user_id)


def _may_disclose(flag: BradyFlag) -> bool:
    return flag.status == "disclose" or (flag.status == "withdrawn" and bool(flag.disclosures))


def employee_flags(session: Session, actor: Actor, employee_id: int) -> list[dict[str, Any]]:
    """The employee's flags, newest first, for their history: empty for a role without
    ``brady.read`` (the history's own read is audited by its caller)."""
    if not allowed(actor, "brady.read"):
        return []
    stmt = (
        select(BradyFlag).where(BradyFlag.employee_id == employee_id).order_by(BradyFlag.id.desc())
    )
    return [view(session, f, actor) for f in session.scalars(stmt)]


def on_case(session: Session, case_id: int, employee_id: int) -> list[BradyFlag]:
    """The flags the employee's findings on one case raised, oldest first (the IA
    summary prints them; the caller has checked the reader may print it)."""
    return list(
        session.scalars(
            select(BradyFlag)
            .where(BradyFlag.case_id == case_id, BradyFlag.employee_id == employee_id)
            .order_by(BradyFlag.id)
        )
    )


def flags(
    session: Session, actor: Actor, *, status: str | None = None, badge: str | None = None
) -> list[dict[str, Any]]:
    """The flags, newest first (IA and command staff), optionally of one status or one
    employee. Audited as a read."""
    require(actor, "brady.read", "brady.list")
    stmt = select(BradyFlag).order_by(BradyFlag.id.desc())
    if status is not None:
        stmt = stmt.where(BradyFlag.status == v.choice(status, "status", tuple(STATUSES)))
    if badge is not None:
        stmt = stmt.where(BradyFlag.employee_id == employee_by_badge(session, badge).id)
    out = [view(session, f, actor) for f in session.scalars(stmt)]
    append(
        session,
        actor,
        "brady.list",
        details={"status": status, "employee": badge, "count": len(out)},
    )
    return out


def _flag(session: Session, flag_id: Any) -> BradyFlag:
    number = v.record_id(flag_id, "flag", "a Brady/Giglio flag")
    flag = session.get(BradyFlag, number)
    if flag is None:
        raise InputError(f"flag: no Brady/Giglio flag {number}.", field="flag")
    return flag


def show(session: Session, actor: Actor, flag_id: Any) -> dict[str, Any]:
    """One flag with its decision and disclosures. Audited as a read."""
    require(actor, "brady.read", "brady.show", "brady_flag", str(flag_id))
    flag = _flag(session, flag_id)
    out = view(session, flag, actor)
    append(
        session,
        actor,
        "brady.show",
        object_type="brady_flag",
        object_id=flag.id,
        case_number=flag.case.number,
        details={"employee": flag.employee.badge},
    )
    return out


def decide(session: Session, actor: Actor, flag_id: Any, decision: Any, reason: Any) -> BradyFlag:
    """The IA commander's decision on a flag under review: ``disclose`` or
    ``not_disclosable``, with the written reason. Decided once; audited."""
    require(actor, "brady.manage", "brady.decide", "brady_flag", str(flag_id))
    flag = _flag(session, flag_id)
    chosen = v.choice(decision, "decision", DECISIONS)
    text = v.text(reason, "reason", max_len=5_000, multiline=True)
    if flag.status != "review":
        raise InputError(
            f"flag: {flag.id} is not awaiting review ({STATUSES[flag.status]}).", field="flag"
        )
    _findings_final(session, flag)
    flag.status, flag.reason = chosen, text
    flag.decided_at, flag.decided_by_id = utcnow(), actor.user_id
    session.flush()
    append(
        session,
        actor,
        "brady.decide",
        object_type="brady_flag",
        object_id=flag.id,
        case_number=flag.case.number,
        details={
            "employee": flag.employee.badge,
            "decision": chosen,
            "clause": flag.clause_id,
            records.RECORD_KEY: records.digest("brady_flag", flag),
        },
    )
    return flag


def disclose(
    session: Session,
    actor: Actor,
    flag_id: Any,
    disclosed_on: Any,
    office: Any,
    disclosed_by: Any,
    what: Any,
) -> BradyDisclosure:
    """Log one disclosure of a flagged finding to a prosecutor: the day (not in the
    future, not before the finding), the prosecutor's office, who disclosed it, what was
    disclosed. Only on a flag decided "disclose" (or one withdrawn after it was
    disclosed: the correction). Never changed afterwards; audited, and bound to its
    event (ia_desk.audit.records)."""
    require(actor, "brady.manage", "brady.disclose", "brady_flag", str(flag_id))
    flag = _flag(session, flag_id)
    on = day(disclosed_on, "disclosed_on")
    where = v.text(office, "office", max_len=200)
    who = v.person_name(disclosed_by, "disclosed_by")
    text = v.text(what, "what", max_len=10_000, multiline=True)
    assert where is not None and who is not None and text is not None
    if not _may_disclose(flag):
        raise InputError(
            f"flag: {flag.id} is {STATUSES[flag.status]}; a disclosure is logged once IA has "
            "decided to disclose.",
            field="flag",
        )
    if flag.status != "withdrawn":  # a correction is owed whatever the case's state
        _findings_final(session, flag)
    allegation = session.get(Allegation, flag.allegation_id)
    found = allegation.finding_on if allegation else None
    if found is not None and flag.status != "withdrawn" and on < found:
        raise InputError(
            f"disclosed_on: {on.isoformat()} is before the finding of {found.isoformat()}.",
            field="disclosed_on",
        )
    row = BradyDisclosure(
        flag_id=flag.id,
        disclosed_on=on,
        office=where,
        disclosed_by=who,
        what=text,
        recorded_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    session.refresh(flag)
    append(
        session,
        actor,
        "brady.disclose",
        object_type="brady_flag",
        object_id=flag.id,
        case_number=flag.case.number,
        details={
            "employee": flag.employee.badge,
            "disclosure": row.id,
            "disclosed_on": on.isoformat(),
            "office": where,
            records.RECORDS_KEY: {
                "brady_disclosure": {str(row.id): records.digest("brady_disclosure", row)}
            },
        },
    )
    return row
