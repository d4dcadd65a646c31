"""Statistics across cases for a period (and optionally one unit): the Statistics screen,
its CSV export, and the annual-review PDF of 3.21 §VI.A."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import statistics
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ia_desk.audit.trail import append
from ia_desk.cases.queries import today
from ia_desk.db.models import (
    CASE_STATUSES,
    DISCIPLINE_STEPS,
    Allegation,
    Case,
    CaseSubject,
    DisciplineAction,
)
from ia_desk.discipline.appeals import outcomes as appeal_outcomes
from ia_desk.discipline.ladder import STANDS
from ia_desk.errors import InputError
from ia_desk.reports.pdf import CaseMarker, esc, render, styles
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require


def months_between(start: dt.date, end: dt.date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def compute(
    session: Session, actor: Actor, start: dt.date, end: dt.date, unit: str | None = None
) -> dict[str, Any]:
    """Every figure of the Statistics screen for cases received from ``start`` to ``end``
    (both in the years ``validation`` allows; InputError naming ``from``/``to`` otherwise).
    IA administrators and command staff only (``stats.view``): refused and audited
    otherwise, before anything is read; :func:`annual_pdf` asks the same."""
    from ia_desk import validation

    require(actor, "stats.view", "stats.view")
    validation.bounded_date(start, "from")
    validation.bounded_date(end, "to")
    if end < start:
        raise InputError("The period ends before it starts.", field="to")
    stmt = (
        select(Case)
        .where(
            Case.received_at >= dt.datetime.combine(start, dt.time()),
            Case.received_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()),
        )
        .options(
            selectinload(Case.subjects).selectinload(CaseSubject.employee),
            selectinload(Case.allegations).selectinload(Allegation.clause),
        )
    )
    cases = list(session.scalars(stmt))
    if unit:
        cases = [c for c in cases if any((s.employee.unit or "") == unit for s in c.subjects)]
    months = months_between(start, end)
    received = dict.fromkeys(months, 0)
    closed = dict.fromkeys(months, 0)
    by_status = dict.fromkeys(CASE_STATUSES, 0)
    by_clause: dict[str, int] = {}
    titles: dict[str, str] = {}
    by_disposition: dict[str, int] = {}
    days_to_close = []
    overdue = 0
    on = today()
    for c in cases:
        received[f"{c.received_at:%Y-%m}"] = received.get(f"{c.received_at:%Y-%m}", 0) + 1
        by_status[c.status] += 1
        if c.closed_at is not None:
            key = f"{c.closed_at:%Y-%m}"
            if key in closed:
                closed[key] += 1
            days_to_close.append((c.closed_at - c.received_at).days)
        elif c.tolled_since is None and c.deadline_on < on:
            overdue += 1
        for a in c.allegations:
            by_clause[a.clause.clause_id] = by_clause.get(a.clause.clause_id, 0) + 1
            titles[a.clause.clause_id] = a.clause.title
            disp = a.disposition or "pending"
            by_disposition[disp] = by_disposition.get(disp, 0) + 1
    ids = [c.id for c in cases]
    steps = dict.fromkeys(DISCIPLINE_STEPS, 0)
    if ids:
        # The discipline as it stands after amendments and appeals.
        query = select(DisciplineAction.step).where(DisciplineAction.case_id.in_(ids), STANDS)
        for step in session.scalars(query):
            steps[step] += 1
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "unit": unit,
        "cases": len(cases),
        "received_per_month": received,
        "closed_per_month": closed,
        "open_by_status": {k: v for k, v in by_status.items() if k != "closed"},
        "by_status": by_status,
        "allegations_by_clause": sorted(
            ({"clause": k, "title": titles[k], "count": v} for k, v in by_clause.items()),
            key=lambda x: (-x["count"], x["clause"]),
        ),
        "allegations_by_disposition": dict(sorted(by_disposition.items())),
        "discipline_by_step": steps,
        "appeals_by_outcome": appeal_outcomes(session, ids),
        "median_days_to_close": statistics.median(days_to_close) if days_to_close else None,
        "overdue": overdue,
    }


def to_csv(figures: dict[str, Any]) -> str:
    """All figures as one CSV: section, key, value."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["figure", "key", "value"])
    w.writerow(["period", "from", figures["from"]])
    w.writerow(["period", "to", figures["to"]])
    w.writerow(["period", "unit", figures["unit"] or "all"])
    for section in (
        "received_per_month",
        "closed_per_month",
        "by_status",
        "allegations_by_disposition",
        "discipline_by_step",
        "appeals_by_outcome",
    ):
        for k, v in figures[section].items():
            w.writerow([section, k, v])
    for row in figures["allegations_by_clause"]:
        w.writerow(["allegations_by_clause", row["clause"], row["count"]])
    w.writerow(["summary", "cases", figures["cases"]])
    w.writerow(["summary", "overdue", figures["overdue"]])
    w.writerow(["summary", "median_days_to_close", figures["median_days_to_close"] or ""])
    return out.getvalue()


def _bars(
    title: str,
    labels: list[str],
    series: list[list[int]],
    names: list[str],
    horizontal: bool = False,
    width: float = 6.8 * inch,
    height: float = 2.4 * inch,
) -> Drawing:
    d = Drawing(width, height)
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    chart.x, chart.y = (1.8 * inch, 20) if horizontal else (40, 40)
    chart.width = width - chart.x - 20
    chart.height = height - chart.y - 30
    chart.data = series if any(any(s) for s in series) else [[0] * len(labels)]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = "Body"
    chart.categoryAxis.labels.fontSize = 6.5
    if not horizontal:
        chart.categoryAxis.labels.angle = 45
        chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = "Body"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    palette = [colors.HexColor("#1f3864"), colors.HexColor("#c55a11"), colors.HexColor("#548235")]
    for i in range(len(chart.data)):
        chart.bars[i].fillColor = palette[i % len(palette)]
    d.add(chart)
    d.add(String(0, height - 12, title, fontName="Body-Bold", fontSize=9))
    if len(names) > 1:
        x = width - 90 * len(names)
        for i, name in enumerate(names):
            d.add(Rect(x, height - 12, 8, 8, fillColor=palette[i % len(palette)], strokeColor=None))
            d.add(String(x + 11, height - 11, name, fontName="Body", fontSize=7.5))
            x += 90
    return d


def annual_pdf(
    session: Session, actor: Actor, start: dt.date, end: dt.date, unit: str | None = None
) -> tuple[bytes, dict[str, Any]]:
    """The annual-review report (3.21 §VI.A) with charts. Audited."""
    figures = compute(session, actor, start, end, unit)
    st = styles()
    story: list[Any] = [
        CaseMarker(""),
        Paragraph("Social networking policy: annual review statistics", st["title"]),
        Paragraph(
            f"Cases received {start} to {end}"
            + (f", unit {esc(unit)}" if unit else ", all units")
            + " · policies vpd-3.21 and city-sn",
            st["body"],
        ),
        Spacer(1, 8),
    ]
    median = figures["median_days_to_close"]
    summary_rows = [
        ["Cases received", str(figures["cases"])],
        ["Open now", str(sum(figures["open_by_status"].values()))],
        ["Overdue now", str(figures["overdue"])],
        ["Median days to close", "—" if median is None else f"{median:g}"],
    ]
    t = Table(summary_rows, colWidths=[2.5 * inch, 1.2 * inch])
    t.setStyle(
        TableStyle(
            [("FONTNAME", (0, 0), (-1, -1), "Body"), ("GRID", (0, 0), (-1, -1), 0.4, colors.grey)]
        )
    )
    story += [t, Spacer(1, 10)]
    months = list(figures["received_per_month"])
    story.append(
        _bars(
            "Cases received and closed per month",
            months,
            [
                list(figures["received_per_month"].values()),
                list(figures["closed_per_month"].values()),
            ],
            ["received", "closed"],
        )
    )
    story.append(Spacer(1, 10))
    top = figures["allegations_by_clause"][:12]
    story.append(
        _bars(
            "Allegations by clause (most cited)",
            [r["clause"] for r in top][::-1],
            [[r["count"] for r in top][::-1]],
            ["allegations"],
            horizontal=True,
            height=max(2.0, 0.22 * len(top) + 0.8) * inch,
        )
    )
    story.append(Spacer(1, 10))
    disp = figures["allegations_by_disposition"]
    story.append(
        _bars(
            "Allegations by disposition",
            [k.replace("_", " ") for k in disp],
            [list(disp.values())],
            ["allegations"],
            height=2.0 * inch,
        )
    )
    story.append(Spacer(1, 10))
    steps = figures["discipline_by_step"]
    story.append(
        _bars(
            "Discipline decisions by step (3.21 §V.B)",
            [k.replace("_", " ") for k in steps],
            [list(steps.values())],
            ["decisions"],
            height=2.0 * inch,
        )
    )
    story.append(Spacer(1, 6))
    appealed = figures["appeals_by_outcome"]
    story.append(
        Paragraph(
            f"Appeals of these decisions: {sum(appealed.values())} "
            f"({', '.join(f'{n} {k}' for k, n in appealed.items())}). The figures above count "
            "each decision as it stands after amendments and appeals.",
            st["body"],
        )
    )
    story.append(Spacer(1, 10))
    rows = [["Clause", "Title", "Allegations"]] + [
        [r["clause"], r["title"], str(r["count"])] for r in figures["allegations_by_clause"]
    ]
    table = Table(
        [[Paragraph(esc(c), st["small"]) for c in row] for row in rows],
        colWidths=[1.6 * inch, 4.2 * inch, 1.0 * inch],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ec")),
            ]
        )
    )
    story.append(table)
    pdf = render(
        story,
        f"{actor.name} ({actor.login})",
        "the annual policy review",
        "Annual review statistics",
    )
    append(
        session,
        actor,
        "stats.print",
        details={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "unit": unit,
            "sha256": hashlib.sha256(pdf).hexdigest(),
        },
    )
    return pdf, figures
