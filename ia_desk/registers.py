"""The oversight registers of policy 3.21 that IA consults first: approval requests for
department references and images (§III.E, §III.R; City procedure 4-5), the posting log of
official accounts (§I.D, §II.C, §VI.B), and social media training with the yearly policy
review (§VI.A).

IA roles keep the registers; command staff read them. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit.trail import append
from ia_desk.cases.queries import employee_by_badge, get_case
from ia_desk.cases.workflow import require_case_write
from ia_desk.db.models import (
    ApprovalRequest,
    Case,
    CaseApproval,
    DisciplineAction,
    Employee,
    EvidenceBlob,
    OfficialAccount,
    OfficialPost,
    PolicyAnnualReview,
    PolicyReviewItem,
    PolicyVersion,
    TrainingItem,
    TrainingRecord,
    utcnow,
)
from ia_desk.errors import InputError, NotFound
from ia_desk.evidence.decode import Unreadable, inspect
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require
from ia_desk.settings import get_setting
from ia_desk.terms import APPROVAL_DECISIONS as DECISIONS
from ia_desk.terms import APPROVAL_ITEMS as ITEMS
from ia_desk.terms import POLICIES

# Clauses about using department references or images: a case citing one shows whether an
# approval is on file for its subjects.
APPROVAL_CLAUSES = {
    "vpd-3.21/III.D",
    "vpd-3.21/III.E",
    "vpd-3.21/III.Q",
    "vpd-3.21/III.R",
    "city-sn/procedure.3",
    "city-sn/procedure.4",
    "city-sn/procedure.5",
}


def _store_file(session: Session, data: bytes, field: str) -> str:
    """Keep an attached layout or capture with the evidence bytes (checked, write-once);
    no larger than an evidence file may be."""

    cap_mb = int(get_setting(session, "evidence_max_mb"))
    if len(data) > cap_mb * 1024 * 1024:
        raise InputError(
            f"{field}: the file is {len(data):,} bytes; at most {cap_mb} MB.", field=field
        )
    try:
        inspect(data)
    except Unreadable as exc:
        raise InputError(f"{field}: refused: {exc}.", field=field) from None
    digest = hashlib.sha256(data).hexdigest()
    if session.get(EvidenceBlob, digest) is None:
        session.add(EvidenceBlob(sha256=digest, size=len(data), data=data))
        session.flush()
    return digest


# ---------------------------------------------------------------- approvals


def add_approval_request(
    session: Session,
    actor: Actor,
    badge: str,
    items: list[str],
    purpose: str,
    submitted_on: dt.date | None = None,
    policy: str = "vpd-3.21",
    layout: bytes | None = None,
    layout_name: str | None = None,
) -> ApprovalRequest:
    require(actor, "registers.manage", "approval.add")
    emp = employee_by_badge(session, badge)
    if not items or any(i not in ITEMS for i in items):
        raise InputError(f"items: one or more of {', '.join(ITEMS)}.", field="items")
    if policy not in POLICIES:
        raise InputError(
            "policy: vpd-3.21 (the Chief decides) or city-sn (the department head decides).",
            field="policy",
        )
    text = v.text(purpose, "purpose", max_len=5000, multiline=True)
    name = v.text(layout_name, "layout", required=False, max_len=255)
    sha = _store_file(session, layout, "layout") if layout else None
    req = ApprovalRequest(
        employee_id=emp.id,
        policy_id=policy,
        items=sorted(set(items)),
        purpose=text or "",
        layout_sha256=sha,
        layout_file_name=name,
        submitted_on=v.bounded_date(submitted_on or dt.date.today(), "submitted_on"),
        recorded_by=actor.login,
    )
    session.add(req)
    session.flush()
    append(
        session,
        actor,
        "approval.add",
        object_type="approval",
        object_id=req.id,
        details={"employee": emp.badge, "items": req.items, "policy": policy},
    )
    return req


def decide_approval(
    session: Session,
    actor: Actor,
    request_id: int,
    decision: str,
    decided_by: str,
    on: dt.date | None = None,
    conditions: str | None = None,
) -> ApprovalRequest:
    """Record the Chief's (or department head's) decision as noted on the request."""
    require(actor, "registers.manage", "approval.decide", "approval", str(request_id))
    req = session.get(ApprovalRequest, request_id)
    if req is None:
        raise NotFound(f"There is no approval request {request_id}.", field="request")
    req.decision = v.choice(decision, "decision", DECISIONS)
    req.decided_by = v.person_name(decided_by, "decided_by", max_len=120)
    req.decided_on = v.bounded_date(on or dt.date.today(), "decided_on")
    if req.decided_on < req.submitted_on:
        raise InputError("decided_on: before the request was submitted.", field="decided_on")
    req.conditions = v.text(conditions, "conditions", required=False, max_len=5000, multiline=True)
    session.flush()
    append(
        session,
        actor,
        "approval.decide",
        object_type="approval",
        object_id=req.id,
        details={"decision": req.decision, "by": req.decided_by, "on": req.decided_on.isoformat()},
    )
    return req


def approval_dict(r: ApprovalRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "employee": r.employee.badge,
        "name": r.employee.name,
        "policy": r.policy_id,
        "items": r.items,
        "purpose": r.purpose,
        "submitted_on": r.submitted_on.isoformat(),
        "decision": r.decision,
        "decided_by": r.decided_by,
        "decided_on": r.decided_on.isoformat() if r.decided_on else None,
        "conditions": r.conditions,
        "layout": r.layout_file_name,
        "removal_directed_on": r.removal_directed_on.isoformat() if r.removal_directed_on else None,
    }


def list_approvals(
    session: Session, actor: Actor, badge: str | None = None
) -> list[dict[str, Any]]:
    require(actor, "registers.read", "approval.list")
    stmt = select(ApprovalRequest).order_by(ApprovalRequest.submitted_on.desc())
    if badge:
        stmt = stmt.where(ApprovalRequest.employee_id == employee_by_badge(session, badge).id)
    return [approval_dict(r) for r in session.scalars(stmt)]


def link_approval(session: Session, actor: Actor, number: str, request_id: int) -> None:
    require(actor, "registers.manage", "approval.link", "case", number)
    case = get_case(session, number)
    require_case_write(actor, case, "approval.link")
    req = session.get(ApprovalRequest, request_id)
    if req is None:
        raise NotFound(f"There is no approval request {request_id}.", field="request")
    if session.scalar(
        select(CaseApproval).where(
            CaseApproval.case_id == case.id, CaseApproval.approval_id == req.id
        )
    ):
        raise InputError(f"{case.number} is already linked to request {req.id}.", field="request")
    session.add(CaseApproval(case_id=case.id, approval_id=req.id))
    append(
        session,
        actor,
        "approval.link",
        object_type="approval",
        object_id=req.id,
        case_number=case.number,
    )


def approval_status(session: Session, case_id: int) -> list[str]:
    """What the case view shows: "approved on … by …" or "no approval on file"."""

    case = session.get(Case, case_id)
    if case is None or not any(a.clause.clause_id in APPROVAL_CLAUSES for a in case.allegations):
        return []
    linked = [
        ca.approval
        for ca in session.scalars(select(CaseApproval).where(CaseApproval.case_id == case_id))
    ]
    lines = []
    for s in case.subjects:
        mine = [r for r in linked if r.employee_id == s.employee_id] or list(
            session.scalars(
                select(ApprovalRequest).where(
                    ApprovalRequest.employee_id == s.employee_id,
                    ApprovalRequest.decision == "approved",
                )
            )
        )
        approved = [r for r in mine if r.decision == "approved"]
        if approved:
            r = approved[-1]
            lines.append(
                f"{s.employee.name}: approved on {r.decided_on} by {r.decided_by} "
                f"(request {r.id}: {', '.join(r.items)})"
            )
        else:
            lines.append(f"{s.employee.name}: no approval on file")
    return lines


# ---------------------------------------------------------------- official posting log


def add_account(
    session: Session,
    actor: Actor,
    platform: str,
    handle: str,
    shows_contact: bool,
    authorised: list[str],
) -> OfficialAccount:
    require(actor, "registers.manage", "account.add")
    # Badges in their normal form, as the posting log compares them with the poster's.
    badges = {employee_by_badge(session, badge).badge for badge in authorised}
    acc = OfficialAccount(
        platform=v.text(platform, "platform", max_len=60) or "",
        handle=v.text(handle, "handle", max_len=120) or "",
        shows_contact=shows_contact,
        authorised=sorted(badges),
    )
    session.add(acc)
    session.flush()
    append(
        session,
        actor,
        "account.add",
        object_type="account",
        object_id=acc.id,
        details={
            "platform": acc.platform,
            "handle": acc.handle,
            "shows_contact": shows_contact,
            "authorised": acc.authorised,
        },
    )
    return acc


def log_post(
    session: Session,
    actor: Actor,
    account_id: int,
    text: str,
    posted_by: str,
    posted_at: dt.datetime | None = None,
    approved_by: str | None = None,
    capture: bytes | None = None,
) -> OfficialPost:
    require(actor, "registers.manage", "post.log")
    acc = session.get(OfficialAccount, account_id)
    if acc is None:
        raise NotFound(f"There is no official account {account_id}.", field="account")
    poster = employee_by_badge(session, posted_by)
    when = posted_at or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        raise InputError("posted_at: give the UTC offset too.", field="posted_at")
    v.bounded_date(when, "posted_at")
    post = OfficialPost(
        account_id=acc.id,
        posted_at=when.astimezone(dt.UTC).replace(tzinfo=None),
        text=v.text(text, "text", max_len=20_000, multiline=True) or "",
        capture_sha256=_store_file(session, capture, "capture") if capture else None,
        posted_by=poster.badge,
        approved_by=v.person_name(approved_by, "approved_by", required=False, max_len=120),
        approved_at=utcnow() if approved_by else None,
        recorded_by=actor.login,
    )
    session.add(post)
    session.flush()
    append(
        session,
        actor,
        "post.log",
        object_type="post",
        object_id=post.id,
        details={"account": acc.handle, "posted_by": poster.badge, "flags": post_flags(post)},
    )
    return post


def post_flags(post: OfficialPost) -> list[str]:
    flags = []
    if post.posted_by not in (post.account.authorised or []):
        flags.append("not_authorised")
    if not post.approved_by:
        flags.append("no_approval")
    if not post.account.shows_contact:
        flags.append("page_lacks_contact")
    return flags


def posting_log(session: Session, actor: Actor, flagged_only: bool = False) -> list[dict[str, Any]]:
    require(actor, "registers.read", "post.list")
    rows = []
    for p in session.scalars(select(OfficialPost).order_by(OfficialPost.posted_at.desc())):
        flags = post_flags(p)
        if flagged_only and not flags:
            continue
        rows.append(
            {
                "id": p.id,
                "account": f"{p.account.platform} {p.account.handle}",
                "posted_at": p.posted_at.isoformat() + "Z",
                "posted_by": p.posted_by,
                "approved_by": p.approved_by,
                "text": p.text,
                "flags": flags,
            }
        )
    return rows


# ---------------------------------------------------------------- training
#
# 3.21 §VI.A: "All Vicksburg Police Department employees shall receive mandatory social
# medial training upon his/her hiring. That this policy shall be reviewed annually."
#
# - Upon hiring: an active police employee's training is due ``hiring_training_days``
#   after the hire date IA records (the roster, made from the reports that name people,
#   never says it); only a completion on or after the hire date counts (a training from
#   an earlier stint with the department does not). Without a hire date the register
#   says it cannot check, rather than guessing.
# - Training owed after a "referral for training" decision is closed only by a
#   completion recorded as answering that referral (its case), completed on or after the
#   decision: an unrelated course, or one taken before the misconduct was decided, closes
#   nothing.
# - The yearly review: each policy is due a year after its last review (never reviewed:
#   a year after the earliest version on file took effect), and the register reminds IA
#   ``annual_review_warning_days`` before.

HIRING_STATUSES = ("overdue", "due", "no_hire_date")
REVIEW_STATUSES = ("reviewed", "due_soon", "overdue", "no_date")


def record_hire_date(session: Session, actor: Actor, badge: str, hired_on: dt.date) -> Employee:
    """Record (or correct) when an employee was hired; audited with the date it replaces."""
    require(actor, "registers.manage", "employee.hire_date", "employee", badge)
    emp = employee_by_badge(session, badge)
    v.bounded_date(hired_on, "hired_on")
    if hired_on > dt.date.today():
        raise InputError("hired_on: lies in the future.", field="hired_on")
    previous = emp.hired_on
    emp.hired_on = hired_on
    session.flush()
    append(
        session,
        actor,
        "employee.hire_date",
        object_type="employee",
        object_id=emp.id,
        details={
            "on": hired_on.isoformat(),
            "previous": previous.isoformat() if previous else None,
        },
    )
    return emp


def record_training(
    session: Session,
    actor: Actor,
    badge: str,
    completed_on: dt.date,
    course: str,
    trainer: str,
    answers: Sequence[str] = (),
) -> TrainingRecord:
    """A completed social media training. It closes the training owed after the
    referrals it ``answers`` (their case numbers), each decided on or before it; it
    closes no other."""
    require(actor, "registers.manage", "training.record")
    emp = employee_by_badge(session, badge)
    v.bounded_date(completed_on, "completed_on")
    if completed_on > dt.date.today():
        raise InputError("completed_on: lies in the future.", field="completed_on")
    course_text = v.text(course, "course", max_len=200) or ""
    trainer_name = v.person_name(trainer, "trainer", max_len=120) or ""
    owed = {
        item.case_number: item
        for item in session.scalars(
            select(TrainingItem)
            .where(TrainingItem.employee_id == emp.id, TrainingItem.closed_by_record_id.is_(None))
            .order_by(TrainingItem.opened_at)
        )
    }
    wanted = []
    for raw in answers:
        number = v.text(raw, "answers", max_len=20) or ""
        if number and number not in wanted:
            wanted.append(number)
    for number in wanted:
        item = owed.get(number)
        if item is None:
            raise InputError(
                f"answers: {emp.name} ({emp.badge}) owes no training after a referral in "
                f"case {number}" + (f"; what is owed is from {', '.join(owed)}." if owed else "."),
                field="answers",
            )
        if item.opened_at.date() > completed_on:
            raise InputError(
                f"answers: the referral for training in case {number} was decided on "
                f"{item.opened_at.date().isoformat()}, after this training "
                f"({completed_on.isoformat()}): it cannot answer it.",
                field="answers",
            )
    rec = TrainingRecord(
        employee_id=emp.id,
        completed_on=completed_on,
        course=course_text,
        trainer=trainer_name,
        recorded_by=actor.login,
    )
    session.add(rec)
    session.flush()
    for number in wanted:
        owed[number].closed_by_record_id = rec.id
    session.flush()
    append(
        session,
        actor,
        "training.record",
        object_type="employee",
        object_id=emp.id,
        details={"course": rec.course, "on": completed_on.isoformat(), "closes": wanted},
    )
    return rec


def open_training_item(session: Session, action: DisciplineAction) -> TrainingItem:
    """Called when 'referral for training' is decided."""
    item = TrainingItem(
        employee_id=action.employee_id,
        case_number=action.case.number,
        discipline_action_id=action.id,
    )
    session.add(item)
    session.flush()
    return item


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def hiring_status(
    hired_on: dt.date | None, completions: Sequence[dt.date], days: int, today: dt.date
) -> dict[str, Any] | None:
    """Whether the training upon hiring is owed: None when it was received (a completion
    on or after the hire date; with no hire date on file, any completion, which is all
    that can be said). ``completions``: the dates of the employee's completed trainings.
    ``before_hire``: the latest completion before the hire date, which does not count."""
    if hired_on is None:
        if completions:
            return None
        return {"status": "no_hire_date", "due_on": None, "before_hire": None}
    if any(day >= hired_on for day in completions):
        return None
    due_on = hired_on + dt.timedelta(days=days)
    earlier = max(completions) if completions else None
    return {
        "status": "overdue" if today > due_on else "due",
        "due_on": due_on.isoformat(),
        "before_hire": earlier.isoformat() if earlier else None,
    }


def review_status(
    last: dt.date | None, effective: dt.date | None, warning_days: int, today: dt.date
) -> dict[str, Any]:
    """A policy's yearly review: when it is due, and whether IA should be reminded."""
    since = last or effective
    if since is None:
        return {"status": "no_date", "due_on": None}
    due_on = _a_year_after(since)
    if today > due_on:
        status = "overdue"
    elif (due_on - today).days <= warning_days:
        status = "due_soon"
    else:
        status = "reviewed"
    return {"status": status, "due_on": due_on.isoformat()}


def training_overview(session: Session, actor: Actor) -> dict[str, Any]:
    """The training register as IA works it: the training upon hiring owed (3.21 §VI.A),
    training owed after a discipline decision, and each policy's yearly review."""
    require(actor, "registers.read", "training.overview")
    today = dt.date.today()
    days = int(get_setting(session, "hiring_training_days"))
    done: dict[int, list[dt.date]] = {}
    for employee_id, day in session.execute(
        select(TrainingRecord.employee_id, TrainingRecord.completed_on)
    ):
        done.setdefault(employee_id, []).append(day)
    police = list(
        session.scalars(
            select(Employee)
            .where(Employee.active.is_(True), Employee.department == "police")
            .order_by(Employee.name)
        )
    )
    untrained = [
        {"badge": e.badge, "name": e.name, "unit": e.unit} for e in police if e.id not in done
    ]
    hiring = []
    for e in police:
        owed_now = hiring_status(e.hired_on, done.get(e.id, []), days, today)
        if owed_now is not None:
            hiring.append(
                {
                    "badge": e.badge,
                    "name": e.name,
                    "unit": e.unit,
                    "hired_on": e.hired_on.isoformat() if e.hired_on else None,
                    **owed_now,
                }
            )
    order = {s: i for i, s in enumerate(HIRING_STATUSES)}
    hiring.sort(key=lambda h: (order[h["status"]], h["due_on"] or "", h["name"]))
    owed = [
        {
            "badge": i.employee.badge,
            "name": i.employee.name,
            "case": i.case_number,
            "since": i.opened_at.date().isoformat(),
        }
        for i in session.scalars(
            select(TrainingItem)
            .where(TrainingItem.closed_by_record_id.is_(None))
            .order_by(TrainingItem.opened_at)
        )
    ]
    warning = int(get_setting(session, "annual_review_warning_days"))
    reviews = []
    for policy in POLICIES:
        last = session.scalar(
            select(func.max(PolicyAnnualReview.reviewed_on)).where(
                PolicyAnnualReview.policy_id == policy
            )
        )
        effective = session.scalar(
            select(func.min(PolicyVersion.effective_from)).where(PolicyVersion.policy_id == policy)
        )
        reviews.append(
            {
                "policy": policy,
                "last_reviewed_on": last.isoformat() if last else None,
                **review_status(last, effective, warning, today),
            }
        )
    return {
        "hiring": hiring,
        "no_hire_date": sum(1 for e in police if e.hired_on is None),
        "hiring_training_days": days,
        "untrained": untrained,
        "owed": owed,
        "reviews": reviews,
    }


def record_annual_review(
    session: Session,
    actor: Actor,
    policy: str,
    reviewed_on: dt.date,
    reviewers: str,
    outcome: str,
    close_items: bool = True,
) -> PolicyAnnualReview:
    """The yearly review of a policy; closes its open policy-review items with the outcome."""
    require(actor, "registers.manage", "policy.annual_review")
    if policy not in POLICIES:
        raise InputError("policy: vpd-3.21 or city-sn.", field="policy")
    review = PolicyAnnualReview(
        policy_id=policy,
        reviewed_on=v.bounded_date(reviewed_on, "reviewed_on"),
        reviewers=v.text(reviewers, "reviewers", max_len=2000) or "",
        outcome=v.text(outcome, "outcome", max_len=20_000, multiline=True) or "",
        recorded_by=actor.login,
    )
    session.add(review)
    session.flush()
    closed = []
    if close_items:
        for item in session.scalars(
            select(PolicyReviewItem).where(
                PolicyReviewItem.policy_id == policy, PolicyReviewItem.closed_at.is_(None)
            )
        ):
            item.closed_at = utcnow()
            item.outcome = f"Annual review {reviewed_on}: {review.outcome}"
            closed.append(item.clause_id)
    append(
        session,
        actor,
        "policy.annual_review",
        object_type="policy",
        object_id=policy,
        details={"on": reviewed_on.isoformat(), "items_closed": closed},
    )
    return review
