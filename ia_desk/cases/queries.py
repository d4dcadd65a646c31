"""Finding a case and an employee, and the times the department reads.

The read models that show a case to its reader (the case file, the case list with its
flags, the timeline, an employee's history) are composed above the domain rooms, in
:mod:`ia_desk.casefile`.
"""

from __future__ import annotations

import datetime as dt
import functools

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk import validation
from ia_desk.db.models import Case, Employee
from ia_desk.errors import NotFound


def local_time(utc: dt.datetime, offset_min: int) -> dt.datetime:
    return utc.replace(tzinfo=dt.UTC).astimezone(_zone(offset_min))


@functools.cache
def _zone(offset_min: int) -> dt.timezone:  # a page of cases shares a handful of offsets
    return dt.timezone(dt.timedelta(minutes=offset_min))


def today() -> dt.date:
    return dt.date.today()


def get_case(session: Session, number: str) -> Case:
    number = (number or "").strip().upper()
    case = session.scalar(select(Case).where(Case.number == number))
    if case is None:
        raise NotFound(f"There is no case {number or '(empty)'}.", field="case")
    return case


def employee_by_badge(session: Session, badge: str) -> Employee:
    """The employee with this badge, compared in its normal form ("１２３４" is 1234)."""
    badge = validation.identifier(badge, "employee", max_len=20) or ""
    emp = session.scalar(select(Employee).where(Employee.badge == badge))
    if emp is None:
        raise NotFound(
            f"There is no employee with badge {badge!r} on the roster.", field="employee"
        )
    return emp
