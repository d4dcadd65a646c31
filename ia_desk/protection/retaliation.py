"""Good-faith reporters (3.21 §V.C) and the retaliation review.

A named or confidential reporter who is an employee on the roster and reported in good
faith is protected from the date of the report. When that employee later becomes the
subject of a case received within the protection window (default 24 months), the case
needs a retaliation review: it cannot be closed, and no discipline can be recorded in
it, until an IA administrator records one. If the new case was brought by someone the
protected employee had reported, the trigger says so.

Revoking a protection (a report found to be knowingly false) needs an IA administrator
and a reason, and is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, DateTime, Integer, bindparam, func, select, text
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit.trail import append
from ia_desk.cases.queries import get_case
from ia_desk.cases.workflow import require_case_write
from ia_desk.db.models import (
    PROTECTED_REPORTER_TERMS,
    Case,
    CaseSubject,
    Employee,
    Reporter,
    RetaliationReview,
    utcnow,
)
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require
from ia_desk.settings import get_setting
from ia_desk.terms import RETALIATION_CONCLUSIONS as CONCLUSIONS


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Trigger:
    employee_badge: str
    employee_name: str
    protected_by_case: str
    protected_since: dt.date
    complainant_was_reported: bool

    def text(self) -> str:
        """The trigger as IA reads it: who, which report, since when."""
        out = (
            f"{self.employee_name} (badge {self.employee_badge}) reported in good faith in "
            f"{self.protected_by_case} on {self.protected_since} and is protected"
        )
        if self.complainant_was_reported:
            out += "; this complaint comes from someone that report named as a subject"
        return out + "."

    def as_dict(self, ia: bool) -> dict[str, Any]:
        """The trigger for a reader; outside IA it names no one and no report (who made
        a confidential report, and which, is IA's to know: 3.21 §V.A, §V.C)."""
        if not ia:
            return {"text": WITHHELD_TRIGGER}
        return {
            "employee": self.employee_badge,
            "protected_by": self.protected_by_case,
            "since": self.protected_since.isoformat(),
            "complainant_was_reported": self.complainant_was_reported,
            "text": self.text(),
        }


WITHHELD_TRIGGER = (
    "A subject of this case reported misconduct in good faith and is protected "
    "(3.21 §V.C); who, and which report, is withheld outside IA."
)


# Subjects of the given cases who reported in good faith in another case: the
# retaliation flag of every page of the case list (200 cases), so its plan must not
# depend on what the statistics say. It is written to be walked one way only, from the
# page outward: the page's cases by key, their subjects by case, then the protected
# reports of each subject's employee as one range of ``ix_reporter_protected``
# (partial: it holds the protected reporters only, with the date each report was
# received, and covers this lookup; its condition, PROTECTED_REPORTER_TERMS, is
# repeated here term by term, or SQLite would not use it). No reporter's or case's row
# is read for it: at 100,000 cases a page's subjects had made 469 such reports, and
# reading each report's case for its date cost 24 ms and emptied SQLite's page cache
# of the rest of the list (issue 24).
#
# CROSS JOIN is SQLite's way of fixing the order of the loops (its query planner
# documentation, "Manual Control Of Query Plans Using CROSS JOIN"); PostgreSQL reads it
# as the inner join it is and plans from its own statistics, which count NULLs for
# what they are. Without the fixed order and the partial index, on a database where
# no reporter is on the roster (``employee_id`` always NULL) SQLite judged the employee
# index useless and read every reporter for each page (issue 24);
# tests/test_query_plans.py holds the plans to this shape.
_PROTECTED_FROM = (
    "FROM ia_case AS c CROSS JOIN case_subject AS cs CROSS JOIN reporter AS r "
    "WHERE c.id IN :ids AND cs.case_id = c.id "
    "AND r.employee_id = cs.employee_id AND r.case_id <> cs.case_id "
    f"AND {' AND '.join('r.' + term for term in PROTECTED_REPORTER_TERMS)} "
    "AND r.received_at >= :since AND r.received_at < :until "
)
_PROTECTED_PARAMS: tuple[BindParameter[Any], ...] = (
    bindparam("ids", expanding=True),
    bindparam("since", type_=DateTime),
    bindparam("until", type_=DateTime),
)

# Each such report (who, and which report: the detail of a case's triggers).
_PROTECTED_SUBJECTS = (
    # (S608: what is joined in is the models' constant terms, never input.)
    text(
        "SELECT cs.case_id, c.received_at, r.id AS reporter_id, "  # noqa: S608
        "r.received_at AS report_received " + _PROTECTED_FROM
    )
    .bindparams(*_PROTECTED_PARAMS)
    .columns(case_id=Integer, received_at=DateTime, reporter_id=Integer, report_received=DateTime)
)

# For the flag, each subject's latest such report received by the day of the case: the
# window holds some report of theirs exactly when it holds that one (a report later in
# the window reaches further), so a page reads one row per subject, however many
# reports each made. date() is both databases' own: the window is counted in days.
_LATEST_PROTECTED = (
    text(
        "SELECT cs.case_id, c.received_at, "  # noqa: S608
        "max(r.received_at) AS report_received " + _PROTECTED_FROM + "AND "
        "date(r.received_at) <= date(c.received_at) "
        "GROUP BY cs.case_id, cs.employee_id, c.received_at"
    )
    .bindparams(*_PROTECTED_PARAMS)
    .columns(case_id=Integer, received_at=DateTime, report_received=DateTime)
)

_RECEIVED_SPAN = select(func.min(Case.received_at), func.max(Case.received_at)).where(
    Case.id.in_(bindparam("ids", expanding=True))
)


def _in_window(case_received: dt.datetime, report_received: dt.datetime, months: int) -> bool:
    """A report protects its reporter from the day it was received to the same day
    ``months`` calendar months later, both days included (3.21 §V.C)."""
    day = report_received.date()
    return day <= case_received.date() <= add_months(day, months)


def _protected_subjects(
    session: Session, case_ids: list[int], months: int | None = None, *, latest: bool = False
) -> list[Any]:
    """Rows of (case, protected reporter naming a subject of it) within the window;
    with ``latest``, only whether there is one (a row per subject at most, without the
    reporter)."""
    if months is None:
        months = int(get_setting(session, "retaliation_window_months"))
    conn = session.connection()
    first, last = conn.execute(_RECEIVED_SPAN, {"ids": case_ids}).one()
    if first is None:
        return []
    # Only reports that can lie within the window of one of these cases come back: no
    # earlier than the window (at most 31 days a month) before the first case, no later
    # than the day of the last. The window itself is judged below, by calendar months.
    bounds = {
        "since": dt.datetime.combine(first.date() - dt.timedelta(days=31 * months), dt.time()),
        "until": dt.datetime.combine(last.date() + dt.timedelta(days=1), dt.time()),
    }
    statement = _LATEST_PROTECTED if latest else _PROTECTED_SUBJECTS
    rows = conn.execute(statement, {"ids": case_ids, **bounds}).all()
    return [r for r in rows if _in_window(r.received_at, r.report_received, months)]


def cases_needing_review(
    session: Session, case_ids: list[int], months: int | None = None
) -> set[int]:
    """Which of the cases name a protected good-faith reporter as a subject (the case
    list's flag; :func:`triggers_for` says who and why). ``months``: the protection
    window, when the caller has read it already."""
    if not case_ids:
        return set()
    return {r.case_id for r in _protected_subjects(session, case_ids, months, latest=True)}


def triggers_for(session: Session, case_ids: list[int]) -> dict[int, list[Trigger]]:
    """For each case, the protected reporters it names as subjects within the window."""
    if not case_ids:
        return {}
    out: dict[int, list[Trigger]] = {}
    for row in _protected_subjects(session, case_ids):
        reporter = session.get(Reporter, row.reporter_id)
        this_case = session.get(Case, row.case_id)
        assert reporter is not None and this_case is not None
        complainant = this_case.reporter.employee_id if this_case.reporter else None
        was_reported = (
            complainant is not None
            and session.scalar(
                select(CaseSubject.id).where(
                    CaseSubject.case_id == reporter.case_id, CaseSubject.employee_id == complainant
                )
            )
            is not None
        )
        emp = reporter.employee
        out.setdefault(row.case_id, []).append(
            Trigger(
                emp.badge if emp else "?",
                emp.name if emp else "?",
                reporter.case.number,
                row.report_received.date(),
                was_reported,
            )
        )
    return out


def reviews_of(session: Session, case: Case) -> list[RetaliationReview]:
    return list(
        session.scalars(
            select(RetaliationReview)
            .where(RetaliationReview.case_id == case.id)
            .order_by(RetaliationReview.id)
        )
    )


def status(session: Session, case: Case, ia: bool) -> dict[str, Any]:
    """Triggers, reviews, and whether the case is held back until a review, as a
    reader sees them (``ia``: an IA role or an IA audience; see :meth:`Trigger.as_dict`)."""
    trig = triggers_for(session, [case.id]).get(case.id, [])
    reviews = reviews_of(session, case)
    out: dict[str, Any] = {
        "triggers": [t.as_dict(ia) for t in trig],
        "reviews": [
            {
                "by": r.reviewed_by.login,
                "at": r.reviewed_at.isoformat() + "Z",
                "conclusion": r.conclusion,
                "reasoning": r.reasoning,
            }
            for r in reviews
        ],
        "blocking": bool(trig) and not reviews,
    }
    if ia:
        out["protected_subjects"] = sorted({t.employee_badge for t in trig})
    return out


def blocking_reason(session: Session, case: Case, ia: bool) -> str | None:
    """Why the case is held for a retaliation review (None: it is not), in words for
    the reader (``ia`` as in :func:`status`)."""
    s = status(session, case, ia)
    if s["blocking"]:
        return (
            "a retaliation review is required first (a good-faith reporter is a subject: "
            + s["triggers"][0]["text"].rstrip(".")
            + ")"
        )
    return None


def finding_hold(session: Session, case: Case, employee_id: int) -> str | None:
    """A finding against a protected good-faith reporter waits for the retaliation
    review: the complaint may be the retaliation (3.21 §V.C). None when not held."""
    s = status(session, case, ia=True)
    if not s["blocking"]:
        return None
    emp = session.get(Employee, employee_id)
    if emp is None or emp.badge not in s["protected_subjects"]:
        return None
    return (
        f"badge {emp.badge} reported misconduct in good faith and is protected; an IA "
        "administrator records the retaliation review first"
    )


def record_review(
    session: Session, actor: Actor, number: str, conclusion: str, reasoning: str
) -> RetaliationReview:
    """An IA administrator's review of a flagged case. Audited."""
    require(actor, "retaliation.review", "retaliation.review", "case", number)
    case = get_case(session, number)
    require_case_write(actor, case, "retaliation.review")
    conclusion = v.choice(conclusion, "conclusion", CONCLUSIONS)
    text = v.text(reasoning, "reasoning", max_len=20_000, multiline=True)
    if not triggers_for(session, [case.id]).get(case.id):
        raise InputError(f"{case.number} has no retaliation review flag to review.", field="case")
    review = RetaliationReview(
        case_id=case.id, reviewed_by_id=actor.user_id, conclusion=conclusion, reasoning=text or ""
    )
    session.add(review)
    session.flush()
    append(
        session,
        actor,
        "retaliation.review",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={"conclusion": conclusion},
    )
    return review


def protection_problem(case: Case) -> str | None:
    """Why the protection given by this case's report cannot be revoked (None: it can)."""
    r = case.reporter
    if (
        r is None
        or r.mode == "anonymous"
        or not r.good_faith
        or (r.employee_id is None and not r.badge)
    ):
        return f"the reporter of {case.number} is not a protected good-faith reporter"
    if r.protection_revoked_at is not None:
        return f"the protection from {case.number} was already revoked"
    return None


def revoke_protection(session: Session, actor: Actor, number: str, reason: str) -> None:
    """End the protection a report gave its reporter (knowingly false report). Audited."""
    require(actor, "protection.revoke", "protection.revoke", "case", number)
    case = get_case(session, number)
    text = v.text(reason, "reason", max_len=5000, multiline=True)
    problem = protection_problem(case)
    if problem is not None:
        raise InputError(problem[0].upper() + problem[1:] + ".", field="case")
    r = case.reporter
    r.protection_revoked_at = utcnow()
    r.protection_revoked_by_id = actor.user_id
    r.protection_revoked_reason = text
    session.flush()
    append(
        session,
        actor,
        "protection.revoke",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={"reason": text},
    )
