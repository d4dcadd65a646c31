"""Printing: case summaries for their audience (alone or in a batch), statistics for a
period, the annual-review PDF (3.21 §VI.A), and writing a PDF to a file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ia_desk.db.engine import Database
from ia_desk.reports.stats import annual_pdf, compute, to_csv
from ia_desk.reports.summary import AUDIENCES, RUNG_COLOURS, Printed, batch, write_pdf
from ia_desk.reports.summary import summary as _summary
from ia_desk.security.actor import Actor

__all__ = [
    "AUDIENCES",
    "Printed",
    "RUNG_COLOURS",
    "annual_review_pdf",
    "print_summaries",
    "statistics",
    "statistics_csv",
    "save_pdf",
    "summaries",
    "write_pdf",
]


def summaries(
    db: Database,
    actor: Actor,
    numbers: list[str],
    audience: str = "command",
    progress: Callable[[int, int], None] | None = None,
) -> Printed:
    """One case's summary, or several after a cover list, for the audience; every print
    is audited with the PDF's hash (audit-only work: it goes on while read-only)."""
    with db.write(actor, audit_only=True) as s:
        return _printed(s, actor, numbers, audience, progress)


def print_summaries(
    db: Database, actor: Actor, numbers: list[str], audience: str, out: Path
) -> Printed:
    """:func:`summaries` written to ``out`` in the same transaction as the audit events
    of the print: a PDF that cannot be written is not recorded as printed."""
    with db.write(actor, audit_only=True) as s:
        printed = _printed(s, actor, numbers, audience)
        write_pdf(printed, out)
    return printed


def _printed(
    session: Session,
    actor: Actor,
    numbers: list[str],
    audience: str,
    progress: Callable[[int, int], None] | None = None,
) -> Printed:
    if len(numbers) == 1:
        return _summary(session, actor, numbers[0], audience)
    return batch(session, actor, numbers, audience, progress)


def statistics(
    db: Database, actor: Actor, start: dt.date, end: dt.date, unit: str | None = None
) -> dict[str, Any]:
    """Every figure of the Statistics screen for cases received in the period."""
    with db.read(actor) as s:
        return compute(s, actor, start, end, unit)


def statistics_csv(figures: dict[str, Any]) -> str:
    return to_csv(figures)


def annual_review_pdf(
    db: Database, actor: Actor, start: dt.date, end: dt.date, unit: str | None = None
) -> tuple[Printed, dict[str, Any]]:
    """The annual-review report for the period, and its figures. Audited."""
    with db.write(actor, audit_only=True) as s:
        pdf, figures = annual_pdf(s, actor, start, end, unit)
    return Printed(pdf, "", []), figures


def save_pdf(printed: Printed, out: Path) -> None:
    """Write a built PDF (next to its final name first: no half-written file)."""
    write_pdf(printed, out)
