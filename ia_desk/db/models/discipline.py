"""Discipline: the versioned matrix that classes each clause and gives each class its
range on the ladder of 3.21 §V.B, and the decisions recorded against it.

A decision points to its case and employee; the case does not list its decisions (they
are looked up by case and employee, and the one in force is the one not superseded).
The matrix is write-once: a change is a new version with its reason.
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
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ia_desk.db.models.base import Base, CreatedAt, IntegerId, OnCase, OnEmployee, written_at

if TYPE_CHECKING:
    from ia_desk.db.models.cases import Case
    from ia_desk.db.models.people import Employee, User


class DisciplineAction(IntegerId, OnCase, OnEmployee, Base):
    """A discipline decision for one employee on one case (``step`` is one of
    :data:`ia_desk.terms.DISCIPLINE_STEPS`)."""

    __tablename__ = "discipline_action"
    step: Mapped[str] = mapped_column(String(20))
    recommended_step: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[dt.datetime] = written_at()
    # Migration 0003 added the column with a server default (for the decisions on record);
    # the model says so, or autogenerate would drop it.
    within_range: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    matrix_version: Mapped[int | None] = mapped_column(Integer)
    # A suspension's length in days and whether it is without pay (migration 0015);
    # None for every other step.
    suspension_days: Mapped[int | None] = mapped_column(Integer)
    without_pay: Mapped[bool | None] = mapped_column(Boolean)
    # An amendment names the decision it replaces; the replaced one names its successor.
    # The decision in force for an employee on a case is the one not superseded.
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("discipline_action.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("discipline_action.id"))
    case: Mapped[Case] = relationship()
    employee: Mapped[Employee] = relationship()
    decided_by: Mapped[User] = relationship()


class DisciplineMatrixVersion(CreatedAt, Base):
    """One version of the discipline matrix (classes, ranges, clause classes). Write-once."""

    __tablename__ = "discipline_matrix_version"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(40))


class PreDisciplinaryHearing(IntegerId, OnCase, OnEmployee, Base):
    """The employee's notice of the charges and the evidence, and their chance to
    respond, before a suspension or termination can be decided (Cleveland Board of
    Education v. Loudermill, 1985). One per employee and case: the notice first, then the
    response (or the employee's waiver of it)."""

    __tablename__ = "predisciplinary_hearing"
    __table_args__ = (UniqueConstraint("case_id", "employee_id"),)
    notice_on: Mapped[dt.date] = mapped_column(Date)
    charges: Mapped[str] = mapped_column(Text)
    noticed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    noticed_at: Mapped[dt.datetime] = written_at()
    response_on: Mapped[dt.date | None] = mapped_column(Date)
    response: Mapped[str | None] = mapped_column(Text)
    heard_by: Mapped[str | None] = mapped_column(String(120))
    waived: Mapped[bool | None] = mapped_column(Boolean)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    employee: Mapped[Employee] = relationship()


class DisciplineAppeal(IntegerId, Base):
    """An appeal of a discipline decision: a grievance, an appeal to the Board of Civil
    Service Commission (3.21 §III.K names it) or arbitration; filed, then decided. A
    decision modified on appeal is amended by the decision ``result_id`` names; one
    overturned no longer stands (nor counts as a prior)."""

    __tablename__ = "discipline_appeal"
    discipline_id: Mapped[int] = mapped_column(ForeignKey("discipline_action.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filed_on: Mapped[dt.date] = mapped_column(Date)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = written_at()
    heard_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    result_id: Mapped[int | None] = mapped_column(ForeignKey("discipline_action.id"))
    decision: Mapped[DisciplineAction] = relationship(foreign_keys=[discipline_id])


class EarlyWarning(IntegerId, OnEmployee, Base):
    """An early-warning alert: a pattern in an employee's cases that a department rule
    found (ia_desk.discipline.early_warning), until the IA commander acknowledges it."""

    __tablename__ = "early_warning"
    rule: Mapped[str] = mapped_column(String(20))
    basis: Mapped[str] = mapped_column(String(120), default="")
    cases: Mapped[list[str]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    raised_at: Mapped[dt.datetime] = written_at()
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    employee: Mapped[Employee] = relationship()
    acknowledged_by: Mapped[User | None] = relationship()


class BradyFlag(IntegerId, OnCase, OnEmployee, Base):
    """A Brady/Giglio disclosure review: a sustained finding under a clause the matrix
    says bears on credibility or bias (ia_desk.discipline.brady). ``status`` is
    ``review`` (raised, awaiting IA's decision), ``disclose`` or ``not_disclosable``
    (decided, with the reason), or ``withdrawn`` (the finding is no longer sustained).
    One flag not withdrawn per allegation; a finding sustained again raises a new one."""

    __tablename__ = "brady_flag"
    allegation_id: Mapped[int] = mapped_column(ForeignKey("allegation.id"), index=True)
    clause_id: Mapped[str] = mapped_column(String(80))
    grounds: Mapped[list[str]] = mapped_column(JSON)
    why: Mapped[str] = mapped_column(Text)
    matrix_version: Mapped[int] = mapped_column(Integer)
    raised_at: Mapped[dt.datetime] = written_at()
    status: Mapped[str] = mapped_column(String(20), default="review")
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    case: Mapped[Case] = relationship()
    employee: Mapped[Employee] = relationship()
    decided_by: Mapped[User | None] = relationship()
    disclosures: Mapped[list[BradyDisclosure]] = relationship(
        back_populates="flag", order_by="BradyDisclosure.id"
    )


class BradyDisclosure(IntegerId, Base):
    """One disclosure of a flagged finding to a prosecutor: the day, the prosecutor's
    office, who disclosed it, what was disclosed, and who recorded it. Never changed by
    IA Desk, and bound to the signed event that wrote it (ia_desk.audit.records), so a
    row changed or put in around the app is named by ``audit verify``."""

    __tablename__ = "brady_disclosure"
    flag_id: Mapped[int] = mapped_column(ForeignKey("brady_flag.id"), index=True)
    disclosed_on: Mapped[dt.date] = mapped_column(Date)
    office: Mapped[str] = mapped_column(String(200))
    disclosed_by: Mapped[str] = mapped_column(String(120))
    what: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = written_at()
    flag: Mapped[BradyFlag] = relationship(back_populates="disclosures")
