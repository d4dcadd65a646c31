"""Printing: case summaries for their audience (alone or in a batch), statistics for a
period, the annual-review PDF (3.21 §VI.A), and writing a PDF to a file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
        if len(numbers) == 1:
            return _summary(s, actor, numbers[0], audience)
        return batch(s, actor, numbers, audience, progress)


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
