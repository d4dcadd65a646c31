"""Typed SQLAlchemy 2 models of everything IA Desk stores.

Times are stored as UTC (naive ``DateTime`` columns hold UTC by convention; the
original offset is kept beside them where the person's local time matters). Dates
that are calendar dates in the department's sense (incident date, deadline) are ``Date``.

Schema changes only through Alembic revisions in ``ia_desk/db/migrations``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("ia_admin", "ia_investigator", "supervisor", "command_staff")
DEPARTMENTS = ("police", "city")
REPORTER_MODES = ("anonymous", "named", "confidential")
CASE_STATUSES = ("received", "assigned", "investigating", "findings", "closed")
CHANNELS = ("supervisor", "ia_direct", "phone", "email", "web", "walk_in", "mail", "other")
DISPOSITIONS = (
    "sustained",
    "not_sustained",
    "exonerated",
    "unfounded",
    "policy_failure",
    "withdrawn",
)
DISCIPLINE_STEPS = ("counseling", "training", "written_reprimand", "suspension", "termination")


def utcnow() -> dt.datetime:
    """The current UTC time as a naive datetime (how every timestamp is stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON}


def table_of(model: type[Base]) -> Table:
    """A model's table, for plain (Core) statements on hot paths."""
    return Base.metadata.tables[model.__tablename__]


class Setting(Base):
    """Department-wide typed settings (deadline days, windows), JSON values."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Employee(Base):
    """A member of the roster: a possible subject, or an employee who reports."""

    __tablename__ = "employee"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    badge: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    department: Mapped[str] = mapped_column(String(10))
    rank: Mapped[str | None] = mapped_column(String(60))
    unit: Mapped[str | None] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    """Someone who signs in to IA Desk."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    # Set by an administrator's reset (and for a new account): the next sign-in must
    # choose a new password before anything else.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class Policy(Base):
    __tablename__ = "policy"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(10))
    versions: Mapped[list[PolicyVersion]] = relationship(
        back_populates="policy", order_by="PolicyVersion.effective_from"
    )


class PolicyVersion(Base):
    """One issued text of a policy. Write-once: a correction is a new version."""

    __tablename__ = "policy_version"
    __table_args__ = (UniqueConstraint("policy_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[str] = mapped_column(ForeignKey("policy.id"))
    version: Mapped[str] = mapped_column(String(40))
    effective_from: Mapped[dt.date | None] = mapped_column(Date)
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    revised_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    policy: Mapped[Policy] = relationship(back_populates="versions")
    clauses: Mapped[list[Clause]] = relationship(
        back_populates="policy_version", order_by="Clause.ordinal"
    )


class Clause(Base):
    """A clause of one policy version, with its verbatim text."""

    __tablename__ = "clause"
    __table_args__ = (UniqueConstraint("policy_version_id", "clause_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_version.id"))
    clause_id: Mapped[str] = mapped_column(String(120), index=True)
    path: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str | None] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    is_rule: Mapped[bool] = mapped_column(Boolean)
    ordinal: Mapped[int] = mapped_column(Integer)
    policy_version: Mapped[PolicyVersion] = relationship(back_populates="clauses")


class CaseNumberCounter(Base):
    """The last case number given out per year (keeps numbers unique and gap-free)."""

    __tablename__ = "case_number_counter"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class Case(Base):
    __tablename__ = "ia_case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    received_offset_min: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(20))
    deadline_on: Mapped[dt.date] = mapped_column(Date, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Indexed: a workstation on SQLite asks for the newest change to notice others' edits.
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, index=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    tolled_since: Mapped[dt.date | None] = mapped_column(Date)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    reporter: Mapped[Reporter] = relationship(back_populates="case", uselist=False)
    incident: Mapped[Incident] = relationship(back_populates="case", uselist=False)
    subjects: Mapped[list[CaseSubject]] = relationship(
        back_populates="case", order_by="CaseSubject.id"
    )
    allegations: Mapped[list[Allegation]] = relationship(
        back_populates="case", order_by="Allegation.id"
    )
    evidence: Mapped[list[Evidence]] = relationship(back_populates="case", order_by="Evidence.id")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])

    __mapper_args__ = {"version_id_col": version_id}


class Reporter(Base):
    """Who reported. For an anonymous report the identity columns stay empty, always."""

    __tablename__ = "reporter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), unique=True)
    mode: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(120))
    badge: Mapped[str | None] = mapped_column(String(20), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    good_faith: Mapped[bool] = mapped_column(Boolean, default=False)
    # SHA-256 of the tracking code handed to the reporter; the code itself is not kept.
    tracking_hash: Mapped[str] = mapped_column(String(64), index=True)
    protection_revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    protection_revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    protection_revoked_reason: Mapped[str | None] = mapped_column(Text)
    case: Mapped[Case] = relationship(back_populates="reporter")
    employee: Mapped[Employee | None] = relationship()


class Incident(Base):
    __tablename__ = "incident"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), unique=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    platform: Mapped[str | None] = mapped_column(String(60))
    url: Mapped[str | None] = mapped_column(String(2000))
    narrative: Mapped[str] = mapped_column(Text)
    case: Mapped[Case] = relationship(back_populates="incident")


class CaseSubject(Base):
    """An employee the report complains about."""

    __tablename__ = "case_subject"
    __table_args__ = (UniqueConstraint("case_id", "employee_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    case: Mapped[Case] = relationship(back_populates="subjects")
    employee: Mapped[Employee] = relationship()


class Allegation(Base):
    """Subject × clause version in force on the incident date, and its finding."""

    __tablename__ = "allegation"
    __table_args__ = (UniqueConstraint("case_id", "employee_id", "clause_pk"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    clause_pk: Mapped[int] = mapped_column(ForeignKey("clause.id"), index=True)
    disposition: Mapped[str | None] = mapped_column(String(20))
    finding_on: Mapped[dt.date | None] = mapped_column(Date)
    finding_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    rationale: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    version_id: Mapped[int] = mapped_column(Integer, default=1)
    case: Mapped[Case] = relationship(back_populates="allegations")
    employee: Mapped[Employee] = relationship()
    clause: Mapped[Clause] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class EvidenceBlob(Base):
    """The bytes of one piece of evidence, content-addressed, written once."""

    __tablename__ = "evidence_blob"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class EvidenceThumb(Base):
    """A small PNG preview of an evidence image, made once from the stored bytes."""

    __tablename__ = "evidence_thumb"
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blob.sha256"), primary_key=True)
    png: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


class Evidence(Base):
    """One item of evidence on a case: the blob plus its capture and custody metadata."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blob.sha256"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    source_url: Mapped[str | None] = mapped_column(String(2000))
    platform: Mapped[str | None] = mapped_column(String(60))
    captured_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    captured_tz: Mapped[str | None] = mapped_column(String(60))
    captured_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    workstation: Mapped[str] = mapped_column(String(120))
    method: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    case: Mapped[Case] = relationship(back_populates="evidence")
    captured_by: Mapped[User] = relationship()


class DisciplineAction(Base):
    """A discipline decision for one employee on one case."""

    __tablename__ = "discipline_action"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    recommended_step: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    within_range: Mapped[bool] = mapped_column(Boolean, default=True)
    matrix_version: Mapped[int | None] = mapped_column(Integer)
    # An amendment names the decision it replaces; the replaced one names its successor.
    # The decision in force for an employee on a case is the one not superseded.
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("discipline_action.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("discipline_action.id"))
    case: Mapped[Case] = relationship()
    employee: Mapped[Employee] = relationship()
    decided_by: Mapped[User] = relationship()


class DisciplineMatrixVersion(Base):
    """One version of the discipline matrix (classes, ranges, clause classes). Write-once."""

    __tablename__ = "discipline_matrix_version"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(40))


class PolicyReviewItem(Base):
    """A clause to bring to the annual policy review (opened by a 'policy failure' finding)."""

    __tablename__ = "policy_review_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(40), index=True)
    clause_id: Mapped[str] = mapped_column(String(120))
    allegation_id: Mapped[int] = mapped_column(ForeignKey("allegation.id"))
    case_number: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    opened_by: Mapped[str] = mapped_column(String(40))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(Text)


class RetaliationReview(Base):
    """An IA administrator's review of a case that involves a good-faith reporter."""

    __tablename__ = "retaliation_review"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), index=True)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    conclusion: Mapped[str] = mapped_column(String(30))
    reasoning: Mapped[str] = mapped_column(Text)
    reviewed_by: Mapped[User] = relationship()


class CaseRedaction(Base):
    """Text of a case that command-staff summaries withhold (3.21 §IV: a juvenile's
    identity, the name of a victim of sexual assault or child molestation)."""

    __tablename__ = "case_redaction"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), index=True)
    text: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    added_by: Mapped[str] = mapped_column(String(40))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CaseToll(Base):
    """A pause of a case's investigation deadline, with its reason."""

    __tablename__ = "case_toll"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), index=True)
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(40))


class AuditEvent(Base):
    """One row of the append-only, hash-chained audit trail.

    ``mac`` is HMAC-SHA256 (key in the OS keyring, never in the database) over the
    row's canonical form, which includes ``prev_mac``: editing, deleting or reordering
    a row breaks the chain from that row on.
    """

    __tablename__ = "audit_event"
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    user_login: Mapped[str | None] = mapped_column(String(40), index=True)
    workstation: Mapped[str] = mapped_column(String(120))
    event_type: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(80))
    case_number: Mapped[str | None] = mapped_column(String(20), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text)
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The newest audit row's sequence number and MAC (one row, id = 1).

    Appenders lock this row, so the chain never forks, even with several workstations;
    a table cut short behind the head's back is detected by the verifier.
    """

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    mac: Mapped[str] = mapped_column(String(64))


Index("ix_case_subject_case", CaseSubject.case_id)


class StorageReserve(Base):
    """Filler that an embedded database keeps for a full disk (see :mod:`ia_desk.db.storage`).

    When the disk (or the database's size limit) is full, these rows are deleted and their
    pages go to the file's free list, where the audit rows of reads and sign-ins are
    written without the file growing. Never read for its content, never copied to a
    server (``info["embedded_only"]``); on PostgreSQL the table stays empty.
    """

    __tablename__ = "storage_reserve"
    __table_args__ = {"info": {"embedded_only": True}}
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    filler: Mapped[bytes] = mapped_column(LargeBinary)


class ApprovalRequest(Base):
    """A memorandum asking consent to use department references or images (3.21 §III.E,
    §III.R; City procedure 4-5) and its decision."""

    __tablename__ = "approval_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    policy_id: Mapped[str] = mapped_column(String(40))
    items: Mapped[Any] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(Text)
    layout_sha256: Mapped[str | None] = mapped_column(ForeignKey("evidence_blob.sha256"))
    layout_file_name: Mapped[str | None] = mapped_column(String(255))
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    conditions: Mapped[str | None] = mapped_column(Text)
    removal_directed_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(40))
    employee: Mapped[Employee] = relationship()


class CaseApproval(Base):
    __tablename__ = "case_approval"
    __table_args__ = (UniqueConstraint("case_id", "approval_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), index=True)
    approval_id: Mapped[int] = mapped_column(ForeignKey("approval_request.id"))
    approval: Mapped[ApprovalRequest] = relationship()


class OfficialAccount(Base):
    """A department social media account (3.21 §I, §II.C, §VI.B)."""

    __tablename__ = "official_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(60))
    handle: Mapped[str] = mapped_column(String(120))
    shows_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    authorised: Mapped[Any] = mapped_column(JSON)  # badges allowed to post


class OfficialPost(Base):
    """One post on an official account, for the posting log of 3.21 §II.C and §VI.B."""

    __tablename__ = "official_post"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id"), index=True)
    posted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    text: Mapped[str] = mapped_column(Text)
    capture_sha256: Mapped[str | None] = mapped_column(ForeignKey("evidence_blob.sha256"))
    posted_by: Mapped[str] = mapped_column(String(20))
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(40))
    account: Mapped[OfficialAccount] = relationship()


class TrainingRecord(Base):
    """Completion of the social media training (3.21 §VI.A)."""

    __tablename__ = "training_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    completed_on: Mapped[dt.date] = mapped_column(Date)
    course: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str] = mapped_column(String(120))
    recorded_by: Mapped[str] = mapped_column(String(40))
    employee: Mapped[Employee] = relationship()


class TrainingItem(Base):
    """Training owed after a 'referral for training' decision; closed by a completion."""

    __tablename__ = "training_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    case_number: Mapped[str] = mapped_column(String(20))
    discipline_action_id: Mapped[int] = mapped_column(ForeignKey("discipline_action.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_by_record_id: Mapped[int | None] = mapped_column(ForeignKey("training_record.id"))
    employee: Mapped[Employee] = relationship()


class PolicyAnnualReview(Base):
    """The yearly review of a policy (3.21 §VI.A), closing the review items it dealt with."""

    __tablename__ = "policy_annual_review"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(40), index=True)
    reviewed_on: Mapped[dt.date] = mapped_column(Date)
    reviewers: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(40))
