"""Discipline: the versioned matrix that classes each clause and gives each class its
range on the ladder of 3.21 §V.B, and the decisions recorded against it.

A decision points to its case and employee; the case does not list its decisions (they
are looked up by case and employee, and the one in force is the one not superseded).
The matrix is write-once: a change is a new version with its reason.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, true
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
