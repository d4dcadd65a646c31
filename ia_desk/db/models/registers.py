"""The oversight registers of policy 3.21 that IA keeps beside the cases (the tables
behind :mod:`ia_desk.registers`): approval requests for department references and
images and the cases that cite them, the official accounts and their posting log,
training completed and owed, and the policy's upkeep (review items opened by a
'policy failure' finding, and the yearly review that closes them).

Their people are kept mostly as logins and names in text (``recorded_by``,
``decided_by``): a register outlives accounts and records decisions by people who never
sign in to IA Desk.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ia_desk.db.models.base import Base, IntegerId, OnCase, OnEmployee, written_at

if TYPE_CHECKING:
    from ia_desk.db.models.people import Employee


class ApprovalRequest(IntegerId, OnEmployee, Base):
    """A memorandum asking consent to use department references or images (3.21 §III.E,
    §III.R; City procedure 4-5) and its decision."""

    __tablename__ = "approval_request"
    policy_id: Mapped[str] = mapped_column(String(40))
    # The clause it is made and decided under (ia_desk.terms.APPROVAL_CLAUSES): who must
    # decide follows from it (the Chief under 3.21, the department head under the city's).
    # (Nullable in the schema only: see migration 0026; IA Desk always writes it.)
    clause: Mapped[str] = mapped_column(String(40), nullable=True)
    items: Mapped[Any] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(Text)  # the purpose of the site (§III.E.2)
    description: Mapped[str | None] = mapped_column(Text)  # of the proposed usage (§III.E.1)
    site_url: Mapped[str | None] = mapped_column(String(2000))
    layout_sha256: Mapped[str | None] = mapped_column(ForeignKey("evidence_blob.sha256"))
    layout_file_name: Mapped[str | None] = mapped_column(String(255))
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    # The decider's standing, recorded with the decision (ia_desk.terms.APPROVER_STANDINGS);
    # empty for a decision recorded before IA Desk asked for it.
    decided_as: Mapped[str | None] = mapped_column(String(30))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    conditions: Mapped[str | None] = mapped_column(Text)
    # A direction to remove the post or site (3.21 §III.R, city procedure 5): who gave it,
    # with what standing, when, by when, and when the removal was seen done.
    removal_directed_on: Mapped[dt.date | None] = mapped_column(Date)
    removal_directed_by: Mapped[str | None] = mapped_column(String(120))
    removal_directed_as: Mapped[str | None] = mapped_column(String(30))
    removal_due_on: Mapped[dt.date | None] = mapped_column(Date)
    removal_reason: Mapped[str | None] = mapped_column(Text)
    removal_done_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(40))
    employee: Mapped[Employee] = relationship()


class CaseApproval(IntegerId, OnCase, Base):
    """An approval request linked to a case; the case window shows its decision."""

    __tablename__ = "case_approval"
    __table_args__ = (UniqueConstraint("case_id", "approval_id"),)
    approval_id: Mapped[int] = mapped_column(ForeignKey("approval_request.id"))
    # What the case's post depicts (ia_desk.terms.APPROVAL_ITEMS), recorded with the link:
    # the request must cover each. Empty for a link made before IA Desk asked.
    items: Mapped[Any | None] = mapped_column(JSON)
    approval: Mapped[ApprovalRequest] = relationship()


class OfficialAccount(IntegerId, Base):
    """A department social media account (3.21 §I, §II.C, §VI.B)."""

    __tablename__ = "official_account"
    platform: Mapped[str] = mapped_column(String(60))
    handle: Mapped[str] = mapped_column(String(120))
    # 3.21 §I.D: the page must display the Department's phone number and its address.
    shows_phone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    shows_address: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    authorised: Mapped[Any] = mapped_column(JSON)  # badges allowed to post


class OfficialPost(IntegerId, Base):
    """One post on an official account, for the posting log of 3.21 §II.C and §VI.B."""

    __tablename__ = "official_post"
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id"), index=True)
    # When the post went up (entered; UTC), when it was approved (entered; UTC) and when
    # it was logged here (UTC): so "approved before posting" (3.21 §I.B) can be shown.
    posted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    text: Mapped[str] = mapped_column(Text)
    capture_sha256: Mapped[str | None] = mapped_column(ForeignKey("evidence_blob.sha256"))
    posted_by: Mapped[str] = mapped_column(String(20))
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    recorded_at: Mapped[dt.datetime] = written_at()
    recorded_by: Mapped[str] = mapped_column(String(40))
    account: Mapped[OfficialAccount] = relationship()


class TrainingRecord(IntegerId, OnEmployee, Base):
    """Completion of the social media training (3.21 §VI.A)."""

    __tablename__ = "training_record"
    completed_on: Mapped[dt.date] = mapped_column(Date)
    course: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str] = mapped_column(String(120))
    recorded_by: Mapped[str] = mapped_column(String(40))
    employee: Mapped[Employee] = relationship()


class TrainingItem(IntegerId, OnEmployee, Base):
    """Training owed after a 'referral for training' decision; closed by a completion."""

    __tablename__ = "training_item"
    case_number: Mapped[str] = mapped_column(String(20))
    discipline_action_id: Mapped[int] = mapped_column(ForeignKey("discipline_action.id"))
    opened_at: Mapped[dt.datetime] = written_at()
    closed_by_record_id: Mapped[int | None] = mapped_column(ForeignKey("training_record.id"))
    employee: Mapped[Employee] = relationship()


class PolicyReviewItem(IntegerId, Base):
    """A clause to bring to the annual policy review (opened by a 'policy failure' finding)."""

    __tablename__ = "policy_review_item"
    policy_id: Mapped[str] = mapped_column(String(40), index=True)
    clause_id: Mapped[str] = mapped_column(String(120))
    allegation_id: Mapped[int] = mapped_column(ForeignKey("allegation.id"))
    case_number: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[dt.datetime] = written_at()
    opened_by: Mapped[str] = mapped_column(String(40))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(Text)


class PolicyAnnualReview(IntegerId, Base):
    """The yearly review of a policy (3.21 §VI.A), closing the review items it dealt with."""

    __tablename__ = "policy_annual_review"
    policy_id: Mapped[str] = mapped_column(String(40), index=True)
    reviewed_on: Mapped[dt.date] = mapped_column(Date)
    reviewers: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(40))
