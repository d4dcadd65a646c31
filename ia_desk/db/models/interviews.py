"""Interviews of a case's subjects and witnesses (issue 22, :mod:`ia_desk.cases.interviews`).

A row is one version of an interview's record, never updated: an amendment is a new row
that supersedes the one it corrects (``supersedes_id``, with the reason), so what the
record said before stays. Each row is bound to the signed event that wrote it
(:mod:`ia_desk.audit.records`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ia_desk.db.models.base import Base, IntegerId, OnCase, written_at

if TYPE_CHECKING:
    from ia_desk.db.models.evidence import Evidence
    from ia_desk.db.models.people import Employee, User


class Interview(IntegerId, OnCase, Base):
    """One version of the record of an interview: who (a subject or witness employee, or
    a civilian witness by name), when and where, by whom, who sat with the interviewee
    (Weingarten), the advisement read (kind, version and the SHA-256 of its text), when
    it was given and whether it was signed, whether the statement is compelled, the
    statement as an evidence item of the case, and IA's summary."""

    __tablename__ = "interview"
    # The earlier version this one amends (one amendment each: the chain has no forks).
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("interview.id"), unique=True)
    amend_reason: Mapped[str | None] = mapped_column(Text)
    interviewee_kind: Mapped[str] = mapped_column(String(20))  # INTERVIEWEE_KINDS
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    civilian_name: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    ended_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    offset_min: Mapped[int] = mapped_column(Integer)  # the local offset it was given in
    place: Mapped[str] = mapped_column(String(200))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    second_interviewer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    rep_requested: Mapped[bool] = mapped_column(Boolean)
    representation: Mapped[str] = mapped_column(String(20))  # REPRESENTATIONS
    rep_name: Mapped[str | None] = mapped_column(String(120))
    rep_capacity: Mapped[str | None] = mapped_column(String(20))  # REPRESENTATIVE_CAPACITIES
    advisement_kind: Mapped[str] = mapped_column(String(20))  # ADVISEMENT_KINDS
    advisement_version: Mapped[str] = mapped_column(String(20))
    advisement_sha256: Mapped[str] = mapped_column(String(64))
    advised_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    acknowledgement: Mapped[str] = mapped_column(String(20))  # ACKNOWLEDGEMENTS
    compelled: Mapped[bool] = mapped_column(Boolean)
    statement_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = written_at()

    employee: Mapped[Employee | None] = relationship()
    interviewer: Mapped[User] = relationship(foreign_keys=[interviewer_id])
    second_interviewer: Mapped[User | None] = relationship(foreign_keys=[second_interviewer_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    statement: Mapped[Evidence | None] = relationship()
