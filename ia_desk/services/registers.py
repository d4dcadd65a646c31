"""The oversight registers of 3.21: approval requests, official accounts and their
posting log, training and the annual policy review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from ia_desk import registers as r
from ia_desk.db.engine import Database
from ia_desk.db.models import TrainingItem
from ia_desk.discipline import early_warning
from ia_desk.security.actor import Actor
from ia_desk.services import Changes, Done

ITEMS = r.ITEMS
DECISIONS = r.DECISIONS
STANDINGS = r.STANDINGS
CLAUSES = r.APPROVAL_UNDER
CHANGED = Changes(registers=True)
# An approval's decision or removal changes what every case citing it shows.
CHANGED_CASES = CHANGED | Changes(case_list=True)


def add_approval(
    db: Database,
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
) -> Done[int]:
    """Record an approval request (3.21 §III.E, city procedure 4); returns its id."""
    with db.write(actor) as s:
        req = r.add_approval_request(
            s,
            actor,
            badge,
            items,
            purpose,
            submitted_on,
            policy,
            layout,
            layout_name,
            clause=clause,
            description=description,
            site_url=site_url,
        )
        return Done(req.id, CHANGED)


def decide_approval(
    db: Database,
    actor: Actor,
    request_id: int,
    decision: str,
    decided_by: str,
    on: dt.date | None = None,
    conditions: str | None = None,
    decided_as: str | None = None,
) -> Done[dict[str, Any]]:
    """The decision on a request, with the decider's standing (3.21 §III.R)."""
    with db.write(actor) as s:
        req = r.decide_approval(
            s, actor, request_id, decision, decided_by, on, conditions, decided_as
        )
        return Done(r.approval_dict(req), CHANGED_CASES)


def direct_removal(
    db: Database,
    actor: Actor,
    request_id: int,
    directed_by: str,
    directed_as: str,
    on: dt.date | None = None,
    due_on: dt.date | None = None,
    reason: str | None = None,
) -> Done[dict[str, Any]]:
    """A direction to remove what a request approved (3.21 §III.R, city procedure 5)."""
    with db.write(actor) as s:
        req = r.direct_removal(s, actor, request_id, directed_by, directed_as, on, due_on, reason)
        return Done(r.approval_dict(req), CHANGED_CASES)


def removal_done(
    db: Database, actor: Actor, request_id: int, on: dt.date | None = None
) -> Done[dict[str, Any]]:
    """The directed removal seen done."""
    with db.write(actor) as s:
        return Done(r.approval_dict(r.record_removal_done(s, actor, request_id, on)), CHANGED_CASES)


def link_approval(
    db: Database, actor: Actor, number: str, request_id: int, depicts: list[str] | None = None
) -> Done[None]:
    """Link a request to a case with what the case's post depicts."""
    with db.write(actor) as s:
        r.link_approval(s, actor, number, request_id, depicts)
    return Done(None, Changes.case(number) | CHANGED)


def approvals(db: Database, actor: Actor, badge: str | None = None) -> list[dict[str, Any]]:
    """Approval requests, newest first (of one employee). A denied listing is audited."""
    with db.read(actor) as s:
        return r.list_approvals(s, actor, badge)


def add_account(
    db: Database,
    actor: Actor,
    platform: str,
    handle: str,
    shows_phone: bool,
    shows_address: bool,
    authorised: list[str],
) -> Done[int]:
    """Record an official account (3.21 §I, §VI.B); returns its id."""
    with db.write(actor) as s:
        return Done(
            r.add_account(s, actor, platform, handle, shows_phone, shows_address, authorised).id,
            CHANGED,
        )


def accounts(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """The official accounts. A denied listing is audited."""
    with db.read(actor) as s:
        return r.list_accounts(s, actor)


def log_post(
    db: Database,
    actor: Actor,
    account_id: int,
    text: str,
    posted_by: str,
    posted_at: dt.datetime | None = None,
    approved_by: str | None = None,
    capture: bytes | None = None,
    approved_at: dt.datetime | None = None,
) -> Done[tuple[int, list[str]]]:
    """Log a post on an official account; returns its id and its flags."""
    with db.write(actor) as s:
        post = r.log_post(
            s, actor, account_id, text, posted_by, posted_at, approved_by, capture, approved_at
        )
        return Done((post.id, r.post_flags(post)), CHANGED)


def posting_log(db: Database, actor: Actor, flagged_only: bool = False) -> list[dict[str, Any]]:
    """Posts on official accounts with their flags, newest first. A denied listing is
    audited."""
    with db.read(actor) as s:
        return r.posting_log(s, actor, flagged_only)


def record_training(
    db: Database,
    actor: Actor,
    badge: str,
    completed_on: dt.date,
    course: str,
    trainer: str,
    answers: Sequence[str] = (),
) -> Done[list[str]]:
    """A completed social media training; it closes the training owed after the
    referrals it ``answers`` (case numbers). Returns the cases whose referral it closed."""
    with db.write(actor) as s:
        done = r.record_training(s, actor, badge, completed_on, course, trainer, answers)
        closed = list(
            s.scalars(
                select(TrainingItem.case_number).where(TrainingItem.closed_by_record_id == done.id)
            )
        )
        early_warning.check(s, actor, [done.employee_id])
    return Done(closed, CHANGED)


def record_hire_date(db: Database, actor: Actor, badge: str, hired_on: dt.date) -> Done[None]:
    """When an employee was hired: the training upon hiring falls due from it."""
    with db.write(actor) as s:
        r.record_hire_date(s, actor, badge, hired_on)
    return Done(None, CHANGED)


def training_overview(db: Database, actor: Actor) -> dict[str, Any]:
    """Employees never trained, and training owed after discipline. A denied listing is
    audited."""
    with db.read(actor) as s:
        return r.training_overview(s, actor)


def annual_review(
    db: Database,
    actor: Actor,
    policy: str,
    reviewed_on: dt.date,
    reviewers: str,
    outcome: str,
) -> Done[None]:
    """The yearly review of a policy (3.21 §VI.A); closes its open review items."""
    with db.write(actor) as s:
        r.record_annual_review(s, actor, policy, reviewed_on, reviewers, outcome)
    return Done(None, CHANGED)
