"""A case and what only exists as part of one: its number, the reporter, the incident,
the subjects and the allegations with their findings, the text withheld outside IA, the
pauses of its deadline, and the retaliation review that protects a good-faith reporter.

These are the rows the confidentiality rules are about (the reporter's identity, the
narrative, withheld text), written together under the one rule of case writes. The
evidence, discipline and register rooms point to a case; a case names only the evidence
among them (``Case.evidence``), because the case window lists it with the case.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ia_desk.db.models.base import (
    Base,
    CreatedAt,
    IntegerId,
    OnCase,
    OnEmployee,
    VersionCounted,
    utcnow,
    written_at,
)

if TYPE_CHECKING:
    from ia_desk.db.models.evidence import Evidence
    from ia_desk.db.models.people import Employee, User
    from ia_desk.db.models.policy import Clause


class CaseNumberCounter(Base):
    """The last case number given out per year (keeps numbers unique and gap-free)."""

    __tablename__ = "case_number_counter"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class Case(IntegerId, CreatedAt, VersionCounted, Base):
    """One report to IA and its investigation (``status`` is one of
    :data:`ia_desk.terms.CASE_STATUSES`)."""

    __tablename__ = "ia_case"
    number: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    received_offset_min: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(20))
    deadline_on: Mapped[dt.date] = mapped_column(Date, index=True)
    # Indexed: a workstation on SQLite asks for the newest change to notice others' edits.
    updated_at: Mapped[dt.datetime] = written_at(onupdate=utcnow, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    tolled_since: Mapped[dt.date | None] = mapped_column(Date)
    # The review chain's round (ia_desk.cases.review): a return of the findings, or a
    # reopening, starts a new one; only sign-offs of the current round count.
    review_round: Mapped[int] = mapped_column(Integer, default=1, server_default=sql_text("1"))
    # How many steps of the chain this round's findings need, fixed when they are
    # recorded complete (the ``review_chain`` setting then): a later change of the
    # setting applies to later rounds, never to findings already awaiting sign-off.
    review_steps: Mapped[int | None] = mapped_column(Integer)

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


# A reporter protected from retaliation (3.21 §V.C): named or confidential, on the
# roster, in good faith, not revoked. Written as SQL, term by term, for the partial
# index below and the retaliation query, which must repeat it (with its alias).
PROTECTED_REPORTER_TERMS = (
    "good_faith = TRUE",
    "employee_id IS NOT NULL",
    "mode <> 'anonymous'",
    "protection_revoked_at IS NULL",
)
PROTECTED_REPORTER = " AND ".join(PROTECTED_REPORTER_TERMS)


class Reporter(IntegerId, Base):
    """Who reported. For an anonymous report the identity columns stay empty, always."""

    __tablename__ = "reporter"
    # The protected good-faith reporters only (the retaliation flag of every page of the
    # case list looks them up by employee): small whatever the rest of the table holds,
    # so no statistics make a scan of every reporter look cheaper than this lookup
    # (ia_desk.protection.retaliation, issue 24). The query repeats this condition term
    # by term: SQLite uses a partial index only for a query whose WHERE contains it. It
    # covers the lookup (the employee, the dates of their reports, the condition's own
    # columns): a page's flags read this index and no reporter's or case's row.
    __table_args__ = (
        Index(
            "ix_reporter_protected",
            "employee_id",
            "received_at",
            "case_id",
            "good_faith",
            "mode",
            "protection_revoked_at",
            sqlite_where=sql_text(PROTECTED_REPORTER),
            postgresql_where=sql_text(PROTECTED_REPORTER),
        ),
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), unique=True)
    # The case's time of receipt (UTC), written with it at intake and never changed: the
    # protection window of 3.21 §V.C runs from it, and the index above holds it.
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
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


class Incident(IntegerId, Base):
    """What the report is about: the date, the platform and link, the narrative."""

    __tablename__ = "incident"
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), unique=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    platform: Mapped[str | None] = mapped_column(String(60))
    url: Mapped[str | None] = mapped_column(String(2000))
    narrative: Mapped[str] = mapped_column(Text)
    case: Mapped[Case] = relationship(back_populates="incident")


class CaseSubject(IntegerId, OnEmployee, Base):
    """An employee the report complains about."""

    __tablename__ = "case_subject"
    # The first schema named the case index by hand; the name stays.
    __table_args__ = (
        UniqueConstraint("case_id", "employee_id"),
        Index("ix_case_subject_case", "case_id"),
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"))
    case: Mapped[Case] = relationship(back_populates="subjects")
    employee: Mapped[Employee] = relationship()


class Allegation(IntegerId, OnCase, OnEmployee, CreatedAt, VersionCounted, Base):
    """Subject × clause version in force on the incident date, and its finding."""

    __tablename__ = "allegation"
    __table_args__ = (UniqueConstraint("case_id", "employee_id", "clause_pk"),)
    clause_pk: Mapped[int] = mapped_column(ForeignKey("clause.id"), index=True)
    disposition: Mapped[str | None] = mapped_column(String(20))
    finding_on: Mapped[dt.date | None] = mapped_column(Date)
    finding_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    rationale: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    case: Mapped[Case] = relationship(back_populates="allegations")
    employee: Mapped[Employee] = relationship()
    clause: Mapped[Clause] = relationship()


class CaseRedaction(IntegerId, OnCase, Base):
    """Text of a case that command-staff summaries withhold (3.21 §IV: a juvenile's
    identity, the name of a victim of sexual assault or child molestation)."""

    __tablename__ = "case_redaction"
    text: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    added_by: Mapped[str] = mapped_column(String(40))
    added_at: Mapped[dt.datetime] = written_at()


class CaseToll(IntegerId, OnCase, Base):
    """A pause of a case's investigation deadline, with its reason."""

    __tablename__ = "case_toll"
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(40))


class RetaliationReview(IntegerId, OnCase, Base):
    """An IA administrator's review of a case that involves a good-faith reporter."""

    __tablename__ = "retaliation_review"
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[dt.datetime] = written_at()
    conclusion: Mapped[str] = mapped_column(String(30))
    reasoning: Mapped[str] = mapped_column(Text)
    reviewed_by: Mapped[User] = relationship()


class CaseReview(IntegerId, OnCase, Base):
    """One reviewer's decision on a case's findings (issue 22): the IA commander's or the
    Chief's sign-off, or their return of the findings to the investigator with comments
    (``step`` one of :data:`ia_desk.terms.REVIEW_STEPS`, ``decision`` one of
    :data:`ia_desk.terms.REVIEW_DECISIONS`). Never updated: a return starts a new round
    (``Case.review_round``) whose decisions are rows of their own, and each row is bound
    to the signed event that wrote it (ia_desk.audit.records)."""

    __tablename__ = "case_review"
    __table_args__ = (UniqueConstraint("case_id", "round", "step"),)
    round: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(20))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[dt.datetime] = written_at()
    comments: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[User] = relationship()


class ImmediateAction(IntegerId, Base):
    """The Chief's immediate action on a case (3.21 §V.B): raised by a clause the matrix
    flags or by IA on the facts, who told the Chief and when; what was done is in
    :class:`ImmediateActionStep`."""

    __tablename__ = "immediate_action"
    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), unique=True)
    raised_by_clause: Mapped[str | None] = mapped_column(String(80))  # None: by IA
    grounds: Mapped[str] = mapped_column(String(20))  # IMMEDIATE_GROUNDS, ","-joined
    note: Mapped[str | None] = mapped_column(Text)
    raised_at: Mapped[dt.datetime] = written_at()
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    chief_notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    chief_notified_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    notified_how: Mapped[str | None] = mapped_column(String(200))


class ImmediateActionStep(IntegerId, OnCase, Base):
    """One thing the Chief did (or decided) on an immediate-action case."""

    __tablename__ = "immediate_action_step"
    kind: Mapped[str] = mapped_column(String(30))  # IMMEDIATE_STEPS
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = written_at()


class SpeechScreen(IntegerId, Base):
    """The scope and First Amendment screen of an allegation under a clause that punishes
    speech for discrediting the employer (:mod:`ia_desk.cases.speech`)."""

    __tablename__ = "speech_screen"
    allegation_id: Mapped[int] = mapped_column(ForeignKey("allegation.id"), unique=True)
    identified_as_employee: Mapped[bool] = mapped_column(Boolean, default=False)
    department_resources: Mapped[bool] = mapped_column(Boolean, default=False)
    in_uniform: Mapped[bool] = mapped_column(Boolean, default=False)
    official_account: Mapped[bool] = mapped_column(Boolean, default=False)
    workplace_effect: Mapped[str | None] = mapped_column(Text)
    public_concern: Mapped[bool] = mapped_column(Boolean)
    concern_note: Mapped[str | None] = mapped_column(Text)
    balance: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(40))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = written_at()
