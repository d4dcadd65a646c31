"""The clause catalogue: each policy, its issued versions and their clauses, verbatim.

Write-once: a correction is a new version, so an allegation keeps citing the text that
was in force on the incident date. Cases point here (``allegation.clause_pk``); nothing
here points to a case. The policy's upkeep (review items, the annual review) is kept
with the other oversight registers in :mod:`ia_desk.db.models.registers`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ia_desk.db.models.base import Base, IntegerId, written_at


class Policy(Base):
    """A policy the department enforces (``vpd-3.21``, ``city-sn``)."""

    __tablename__ = "policy"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(10))
    versions: Mapped[list[PolicyVersion]] = relationship(
        back_populates="policy", order_by="PolicyVersion.effective_from"
    )


class PolicyVersion(IntegerId, Base):
    """One issued text of a policy. Write-once: a correction is a new version."""

    __tablename__ = "policy_version"
    __table_args__ = (UniqueConstraint("policy_id", "version"),)
    policy_id: Mapped[str] = mapped_column(ForeignKey("policy.id"))
    version: Mapped[str] = mapped_column(String(40))
    effective_from: Mapped[dt.date | None] = mapped_column(Date)
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    revised_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = written_at()
    policy: Mapped[Policy] = relationship(back_populates="versions")
    clauses: Mapped[list[Clause]] = relationship(
        back_populates="policy_version", order_by="Clause.ordinal"
    )


class Clause(IntegerId, Base):
    """A clause of one policy version, with its verbatim text."""

    __tablename__ = "clause"
    __table_args__ = (UniqueConstraint("policy_version_id", "clause_id"),)
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
