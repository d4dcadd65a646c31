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

from ia_desk import labels
from ia_desk import validation as v
from ia_desk.audit import records
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
from ia_desk.terms import APPROVAL_UNDER, POLICIES
from ia_desk.terms import APPROVER_STANDINGS as STANDINGS

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
#
# Who may approve (3.21 §III.R; city procedure 5): under 3.21 the Chief of Police or his
# designee; under the city's policy the employee's department head, who for an employee
# of the police department is the Chief. Who may direct a removal: the same, and under
# the city's policy the department head's designee too. A decision or direction by
# anyone else is recorded as what happened but does not count.

MAY_DECIDE = {"vpd-3.21": ("chief", "chief_designee"), "city-sn": ("department_head",)}
MAY_DIRECT = {
    "vpd-3.21": ("chief", "chief_designee"),
    "city-sn": ("department_head", "department_head_designee"),
}
WHO_DECIDES = {
    "vpd-3.21": "under 3.21 the Chief of Police or his designee decides",
    "city-sn": "under the city's policy the employee's department head decides",
}
POLICY_WORDS = {"vpd-3.21": "3.21", "city-sn": "the city's policy"}
STANDING_WORDS = (
    "the Chief, the Chief's designee, the department head, the department head's designee, "
    "or someone without standing"
)


def has_standing(
    policy: str, standing: str | None, employee: Employee, removal: bool = False
) -> bool:
    """Whether a decision (or, with ``removal``, a direction to remove) by someone of
    ``standing`` counts under ``policy`` for ``employee``."""
    if standing is None:
        return False
    allowed = (MAY_DIRECT if removal else MAY_DECIDE)[policy]
    if standing in allowed:
        return True
    # The police department's head is the Chief (and his designee directs for him).
    police_head = ("chief", "chief_designee") if removal else ("chief",)
    return policy == "city-sn" and employee.department == "police" and standing in police_head


def _items(values: list[str], field: str = "items") -> list[str]:
    if not values or any(i not in ITEMS for i in values):
        raise InputError(f"{field}: one or more of {', '.join(ITEMS)}.", field=field)
    return sorted(set(values))


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
    *,
    clause: str | None = None,
    description: str | None = None,
    site_url: str | None = None,
) -> ApprovalRequest:
    """A memorandum asking consent (3.21 §III.E; city procedure 4): what it would depict,
    the description of the proposed usage (§III.E.1), the purpose of the site (§III.E.2),
    the site's address and its printed layout (§III.E.3). ``clause`` defaults to the
    policy's memorandum clause; a clause of the other policy is refused."""
    require(actor, "registers.manage", "approval.add")
    emp = employee_by_badge(session, badge)
    chosen = _items(items)
    if policy not in POLICIES:
        raise InputError(
            "policy: vpd-3.21 (the Chief decides) or city-sn (the department head decides).",
            field="policy",
        )
    under = clause or ("vpd-3.21/III.E" if policy == "vpd-3.21" else "city-sn/procedure.4")
    if APPROVAL_UNDER.get(under) != policy:
        raise InputError(
            f"clause: one of {', '.join(c for c, p in APPROVAL_UNDER.items() if p == policy)} "
            f"for {policy}.",
            field="clause",
        )
    text = v.text(purpose, "purpose", max_len=5000, multiline=True)
    name = v.text(layout_name, "layout", required=False, max_len=255)
    sha = _store_file(session, layout, "layout") if layout else None
    req = ApprovalRequest(
        employee_id=emp.id,
        policy_id=policy,
        clause=under,
        items=chosen,
        purpose=text or "",
        description=v.text(
            description, "description", required=False, max_len=5000, multiline=True
        ),
        site_url=v.url(site_url, "site_url"),
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
        details={
            "employee": emp.badge,
            "items": req.items,
            "policy": policy,
            "clause": under,
            records.RECORD_KEY: records.digest("approval", req),
        },
    )
    return req


def _request(session: Session, request_id: int) -> ApprovalRequest:
    req = session.get(ApprovalRequest, request_id)
    if req is None:
        raise NotFound(f"There is no approval request {request_id}.", field="request")
    return req


def decide_approval(
    session: Session,
    actor: Actor,
    request_id: int,
    decision: str,
    decided_by: str,
    on: dt.date | None = None,
    conditions: str | None = None,
    decided_as: str | None = None,
) -> ApprovalRequest:
    """Record the decision as noted on the request, with the decider's standing as it
    was that day (the Chief, his designee, the department head, ...): an approval by
    someone without standing under the request's clause is kept but never counts.
    Recording again replaces the decision; the trail keeps each."""
    require(actor, "registers.manage", "approval.decide", "approval", str(request_id))
    req = _request(session, request_id)
    if decided_as is None:
        raise InputError(
            f"decided_as: say as what the decider decided ({STANDING_WORDS}); "
            f"{WHO_DECIDES[req.policy_id]}.",
            field="decided_as",
        )
    req.decision = v.choice(decision, "decision", DECISIONS)
    req.decided_by = v.person_name(decided_by, "decided_by", max_len=120)
    req.decided_as = v.choice(decided_as, "decided_as", STANDINGS)
    req.decided_on = v.bounded_date(on or dt.date.today(), "decided_on")
    if req.decided_on < req.submitted_on:
        raise InputError("decided_on: before the request was submitted.", field="decided_on")
    if req.decided_on > dt.date.today():
        raise InputError("decided_on: lies in the future.", field="decided_on")
    req.conditions = v.text(conditions, "conditions", required=False, max_len=5000, multiline=True)
    session.flush()
    append(
        session,
        actor,
        "approval.decide",
        object_type="approval",
        object_id=req.id,
        details={
            "decision": req.decision,
            "by": req.decided_by,
            "as": req.decided_as,
            "on": req.decided_on.isoformat(),
            "counts": has_standing(req.policy_id, req.decided_as, req.employee),
            records.RECORD_KEY: records.digest("approval", req),
        },
    )
    return req


def direct_removal(
    session: Session,
    actor: Actor,
    request_id: int,
    directed_by: str,
    directed_as: str,
    on: dt.date | None = None,
    due_on: dt.date | None = None,
    reason: str | None = None,
) -> ApprovalRequest:
    """A direction to remove what an approval allowed (3.21 §III.R: "when directed by
    the Chief or his designee"; city procedure 5: the department head or his designee):
    who gave it and as what, when, and by when it must be done. From that day the
    approval covers nothing; a direction by someone without standing is recorded but
    ends nothing. Given once per request."""
    require(actor, "registers.manage", "approval.direct_removal", "approval", str(request_id))
    req = _request(session, request_id)
    if req.decision != "approved":
        raise InputError(
            f"request: request {req.id} is not approved; there is nothing to remove.",
            field="request",
        )
    if req.removal_directed_on is not None:
        raise InputError(
            f"request: removal was already directed on {req.removal_directed_on}.",
            field="request",
        )
    when = v.bounded_date(on or dt.date.today(), "directed_on")
    if req.decided_on is not None and when < req.decided_on:
        raise InputError(
            f"directed_on: before the approval of {req.decided_on}.", field="directed_on"
        )
    if when > dt.date.today():
        raise InputError("directed_on: lies in the future.", field="directed_on")
    if due_on is not None and v.bounded_date(due_on, "due_on") < when:
        raise InputError("due_on: before the direction was given.", field="due_on")
    if directed_as is None:
        raise InputError(
            f"directed_as: say as what the removal was directed ({STANDING_WORDS}).",
            field="directed_as",
        )
    req.removal_directed_by = v.person_name(directed_by, "directed_by", max_len=120)
    req.removal_directed_as = v.choice(directed_as, "directed_as", STANDINGS)
    req.removal_directed_on = when
    req.removal_due_on = due_on
    req.removal_reason = v.text(reason, "reason", required=False, max_len=5000, multiline=True)
    session.flush()
    append(
        session,
        actor,
        "approval.direct_removal",
        object_type="approval",
        object_id=req.id,
        details={
            "by": req.removal_directed_by,
            "as": req.removal_directed_as,
            "on": when.isoformat(),
            "due": due_on.isoformat() if due_on else None,
            "counts": has_standing(req.policy_id, req.removal_directed_as, req.employee, True),
            records.RECORD_KEY: records.digest("approval", req),
        },
    )
    return req


def record_removal_done(
    session: Session, actor: Actor, request_id: int, on: dt.date | None = None
) -> ApprovalRequest:
    """The directed removal seen done (the requester removes it, 3.21 §III.R)."""
    require(actor, "registers.manage", "approval.removal_done", "approval", str(request_id))
    req = _request(session, request_id)
    if req.removal_directed_on is None:
        raise InputError(f"request: no removal was directed for request {req.id}.", field="request")
    if req.removal_done_on is not None:
        raise InputError(
            f"request: its removal was already recorded done on {req.removal_done_on}.",
            field="request",
        )
    when = v.bounded_date(on or dt.date.today(), "done_on")
    if when < req.removal_directed_on:
        raise InputError(
            f"done_on: before the direction of {req.removal_directed_on}.", field="done_on"
        )
    if when > dt.date.today():
        raise InputError("done_on: lies in the future.", field="done_on")
    req.removal_done_on = when
    session.flush()
    append(
        session,
        actor,
        "approval.removal_done",
        object_type="approval",
        object_id=req.id,
        details={"on": when.isoformat(), records.RECORD_KEY: records.digest("approval", req)},
    )
    return req


def removal_words(r: ApprovalRequest, today: dt.date | None = None) -> str | None:
    """The removal direction in words, or None when none was given."""
    if r.removal_directed_on is None:
        return None
    who = labels.approver(r.removal_directed_as)
    text = f"removal directed on {r.removal_directed_on} by {r.removal_directed_by} ({who})"
    if not has_standing(r.policy_id, r.removal_directed_as, r.employee, True):
        text += f", who has no standing to direct it under {POLICY_WORDS[r.policy_id]}"
    if r.removal_due_on:
        text += f", due {r.removal_due_on}"
    if r.removal_done_on:
        return text + f"; done on {r.removal_done_on}"
    late = r.removal_due_on is not None and r.removal_due_on < (today or dt.date.today())
    return text + ("; not done, overdue" if late else "; not yet done")


def approval_dict(r: ApprovalRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "employee": r.employee.badge,
        "name": r.employee.name,
        "policy": r.policy_id,
        "clause": r.clause,
        "items": r.items,
        "purpose": r.purpose,
        "description": r.description,
        "site_url": r.site_url,
        "submitted_on": r.submitted_on.isoformat(),
        "decision": r.decision,
        "decided_by": r.decided_by,
        "decided_as": r.decided_as,
        "counts": r.decision == "approved" and has_standing(r.policy_id, r.decided_as, r.employee),
        "decided_on": r.decided_on.isoformat() if r.decided_on else None,
        "conditions": r.conditions,
        "layout": r.layout_file_name,
        "removal_directed_on": r.removal_directed_on.isoformat() if r.removal_directed_on else None,
        "removal_directed_by": r.removal_directed_by,
        "removal_directed_as": r.removal_directed_as,
        "removal_due_on": r.removal_due_on.isoformat() if r.removal_due_on else None,
        "removal_done_on": r.removal_done_on.isoformat() if r.removal_done_on else None,
        "removal_reason": r.removal_reason,
        "removal": removal_words(r),
    }


def list_approvals(
    session: Session, actor: Actor, badge: str | None = None
) -> list[dict[str, Any]]:
    require(actor, "registers.read", "approval.list")
    stmt = select(ApprovalRequest).order_by(
        ApprovalRequest.submitted_on.desc(), ApprovalRequest.id.desc()
    )
    if badge:
        stmt = stmt.where(ApprovalRequest.employee_id == employee_by_badge(session, badge).id)
    return [approval_dict(r) for r in session.scalars(stmt)]


def link_approval(
    session: Session, actor: Actor, number: str, request_id: int, depicts: list[str] | None = None
) -> CaseApproval:
    """Link a request to a case, with what the case's post depicts (the request must
    cover each of them for the approval to count)."""
    require(actor, "registers.manage", "approval.link", "case", number)
    case = get_case(session, number)
    require_case_write(actor, case, "approval.link")
    req = _request(session, request_id)
    if depicts is None:
        raise InputError(
            f"depicts: what the case's post depicts, one or more of {', '.join(ITEMS)}.",
            field="depicts",
        )
    shown = _items(depicts, "depicts")
    if req.employee_id not in {s.employee_id for s in case.subjects}:
        raise InputError(
            f"request: request {req.id} is {req.employee.name}'s, who is not a subject of "
            f"{case.number}.",
            field="request",
        )
    if session.scalar(
        select(CaseApproval).where(
            CaseApproval.case_id == case.id, CaseApproval.approval_id == req.id
        )
    ):
        raise InputError(f"{case.number} is already linked to request {req.id}.", field="request")
    link = CaseApproval(case_id=case.id, approval_id=req.id, items=shown)
    session.add(link)
    session.flush()
    append(
        session,
        actor,
        "approval.link",
        object_type="approval",
        object_id=req.id,
        case_number=case.number,
        details={
            "depicts": shown,
            records.RECORDS_KEY: {
                "approval_link": {str(link.id): records.digest("approval_link", link)}
            },
        },
    )
    return link


def _approved_words(r: ApprovalRequest) -> str:
    return f"approved by {r.decided_by} ({labels.approver(r.decided_as)}) on {r.decided_on}"


def approval_problems(
    r: ApprovalRequest,
    policies: list[str],
    incident_on: dt.date | None,
    depicts: list[str] | None,
) -> list[str]:
    """Why request ``r`` does not stand as the approval of what a case depicts, in words
    (empty: it does): approved, by someone with standing under each policy the case
    cites, on or before the incident, covering every item depicted, and no removal
    directed (with standing) on or before the incident."""
    if r.decision != "approved":
        return [f"it was {labels.approval_decision(r.decision).lower()}"]
    out = []
    for policy in policies:
        if r.decided_as is None:
            out.append(
                f"{r.decided_by}'s standing was not recorded when the decision was entered "
                f"({WHO_DECIDES[policy]}): record the decision again with it"
            )
            break
        if not has_standing(policy, r.decided_as, r.employee):
            out.append(
                f"{_approved_words(r)}, who has no standing to approve under "
                f"{POLICY_WORDS[policy]} ({WHO_DECIDES[policy]})"
            )
    if r.decided_on is None:
        out.append("the date of the approval is not recorded")
    elif incident_on is None:
        out.append("the incident's date is not recorded, so an approval before it cannot be shown")
    elif r.decided_on > incident_on:
        out.append(f"{_approved_words(r)}, after the incident on {incident_on}")
    if depicts is None:
        out.append(
            "what the case's post depicts was not recorded when the request was linked: "
            "link it again with the items"
        )
    else:
        missing = [i for i in depicts if i not in (r.items or [])]
        if missing:
            out.append(f"does not cover: {labels.approval_items(missing).lower()}")
    directed = r.removal_directed_on
    if (
        directed is not None
        and incident_on is not None
        and directed <= incident_on
        and has_standing(r.policy_id, r.removal_directed_as, r.employee, True)
    ):
        out.append(
            f"removal was directed on {directed} by {r.removal_directed_by} "
            f"({labels.approver(r.removal_directed_as)}), before the incident on {incident_on}"
        )
    return out


def approval_status(session: Session, case_id: int) -> list[str]:
    """What the case view and the summaries show for each subject of a case citing a
    clause about the Department's references or images: the approval that stands
    ("approved by … (the Chief) on …, before the incident on …; covers …"), or in words
    why none does ("approved … after the incident on …", "does not cover: patrol car")
    or "no approval on file". A request only counts once linked to the case with what
    its post depicts."""

    case = session.get(Case, case_id)
    if case is None:
        return []
    cited = [a for a in case.allegations if a.clause.clause_id in APPROVAL_CLAUSES]
    if not cited:
        return []
    links = list(session.scalars(select(CaseApproval).where(CaseApproval.case_id == case_id)))
    incident_on = case.incident.occurred_on if case.incident else None
    lines = []
    for s in case.subjects:
        own = [a for a in cited if a.employee_id == s.employee_id] or cited
        policies = sorted({a.clause.clause_id.split("/")[0] for a in own})
        name = s.employee.name
        mine = [ln for ln in links if ln.approval.employee_id == s.employee_id]
        if not mine:
            others = list(
                session.scalars(
                    select(ApprovalRequest)
                    .where(ApprovalRequest.employee_id == s.employee_id)
                    .order_by(ApprovalRequest.id)
                )
            )
            if not others:
                lines.append(f"{name}: no approval on file")
            else:
                ids = ", ".join(str(r.id) for r in others)
                lines.append(
                    f"{name}: no approval linked to this case (request {ids} on file: link "
                    "it with what the post depicts to check it)"
                )
            continue
        judged = [
            (ln, approval_problems(ln.approval, policies, incident_on, ln.items)) for ln in mine
        ]
        standing = [(ln, p) for ln, p in judged if not p]
        if standing:
            ln = standing[-1][0]
            r = ln.approval
            line = (
                f"{name}: {_approved_words(r)} under {r.clause}, before the incident on "
                f"{incident_on}; covers {labels.approval_items(ln.items or []).lower()} "
                f"(request {r.id})"
            )
            removal = removal_words(r)
            lines.append(line + (f"; {removal}" if removal else ""))
            continue
        for ln, problems in judged:
            lines.append(f"{name}: request {ln.approval.id} does not count: " + "; ".join(problems))
    return lines


def linked_requests(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The requests linked to a case, each with what the case's post depicts: for the
    IA summary's account of the memoranda behind the approval status."""
    out = []
    for link in session.scalars(
        select(CaseApproval).where(CaseApproval.case_id == case_id).order_by(CaseApproval.id)
    ):
        row = approval_dict(link.approval)
        row["depicts"] = link.items
        out.append(row)
    return out


# ---------------------------------------------------------------- official posting log


def add_account(
    session: Session,
    actor: Actor,
    platform: str,
    handle: str,
    shows_phone: bool,
    shows_address: bool,
    authorised: list[str],
) -> OfficialAccount:
    """An official account (3.21 §I.A), whether its page displays the Department's phone
    number and its address (§I.D wants both), and the badges authorised to post."""
    require(actor, "registers.manage", "account.add")
    # Badges in their normal form, as the posting log compares them with the poster's.
    badges = {employee_by_badge(session, badge).badge for badge in authorised}
    acc = OfficialAccount(
        platform=v.text(platform, "platform", max_len=60) or "",
        handle=v.text(handle, "handle", max_len=120) or "",
        shows_phone=bool(shows_phone),
        shows_address=bool(shows_address),
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
            "shows_phone": acc.shows_phone,
            "shows_address": acc.shows_address,
            "authorised": acc.authorised,
            records.RECORD_KEY: records.digest("account", acc),
        },
    )
    return acc


def list_accounts(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The official accounts, for the posting log's form and the CLI."""
    require(actor, "registers.read", "account.list")
    return [
        {
            "id": a.id,
            "platform": a.platform,
            "handle": a.handle,
            "shows_phone": a.shows_phone,
            "shows_address": a.shows_address,
            "authorised": a.authorised or [],
        }
        for a in session.scalars(select(OfficialAccount).order_by(OfficialAccount.id))
    ]


def _utc(value: dt.datetime, field: str) -> dt.datetime:
    if value.tzinfo is None:
        raise InputError(f"{field}: give the UTC offset too.", field=field)
    v.bounded_date(value, field)
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def log_post(
    session: Session,
    actor: Actor,
    account_id: int,
    text: str,
    posted_by: str,
    posted_at: dt.datetime | None = None,
    approved_by: str | None = None,
    capture: bytes | None = None,
    approved_at: dt.datetime | None = None,
) -> OfficialPost:
    """Log a post: when it went up and when it was approved are entered (so "approved
    before posting", 3.21 §I.B, can be shown or flagged); when it was logged is the
    clock's. An approver needs the time of the approval."""
    require(actor, "registers.manage", "post.log")
    acc = session.get(OfficialAccount, account_id)
    if acc is None:
        raise NotFound(f"There is no official account {account_id}.", field="account")
    poster = employee_by_badge(session, posted_by)
    if posted_at is None:
        raise InputError(
            "posted_at: when the post went up, with its UTC offset.", field="posted_at"
        )
    went_up = _utc(posted_at, "posted_at")
    now = utcnow()
    if went_up > now + dt.timedelta(minutes=5):
        raise InputError("posted_at: lies in the future.", field="posted_at")
    approver = v.person_name(approved_by, "approved_by", required=False, max_len=120)
    approved = _utc(approved_at, "approved_at") if approved_at is not None else None
    if approver and approved is None:
        raise InputError(
            "approved_at: when it was approved (3.21 §I.B: approval comes before posting).",
            field="approved_at",
        )
    if approved is not None and not approver:
        raise InputError("approved_by: who approved it.", field="approved_by")
    if approved is not None and approved > now + dt.timedelta(minutes=5):
        raise InputError("approved_at: lies in the future.", field="approved_at")
    post = OfficialPost(
        account_id=acc.id,
        posted_at=went_up,
        text=v.text(text, "text", max_len=20_000, multiline=True) or "",
        capture_sha256=_store_file(session, capture, "capture") if capture else None,
        posted_by=poster.badge,
        approved_by=approver,
        approved_at=approved,
        recorded_at=now,
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
        details={
            "account": acc.handle,
            "posted_by": poster.badge,
            "flags": post_flags(post),
            records.RECORD_KEY: records.digest("post", post),
        },
    )
    return post


def post_flags(post: OfficialPost) -> list[str]:
    flags = []
    if post.posted_by not in (post.account.authorised or []):
        flags.append("not_authorised")
    if not post.approved_by:
        flags.append("no_approval")
    elif post.approved_at is None:
        flags.append("approval_time_unknown")
    elif post.approved_at > post.posted_at:
        flags.append("approved_after_posting")
    if not post.account.shows_phone:
        flags.append("page_lacks_phone")
    if not post.account.shows_address:
        flags.append("page_lacks_address")
    return flags


def _z(value: dt.datetime | None) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def posting_log(session: Session, actor: Actor, flagged_only: bool = False) -> list[dict[str, Any]]:
    require(actor, "registers.read", "post.list")
    rows = []
    for p in session.scalars(
        select(OfficialPost).order_by(OfficialPost.posted_at.desc(), OfficialPost.id.desc())
    ):
        flags = post_flags(p)
        if flagged_only and not flags:
            continue
        rows.append(
            {
                "id": p.id,
                "account": f"{p.account.platform} {p.account.handle}",
                "posted_at": _z(p.posted_at),
                "posted_by": p.posted_by,
                "approved_by": p.approved_by,
                "approved_at": _z(p.approved_at),
                "recorded_at": _z(p.recorded_at),
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
