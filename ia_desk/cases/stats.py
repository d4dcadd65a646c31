"""Figures across cases for the Statistics screen (the reports issue adds charts and PDF)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ia_desk.cases.queries import today
from ia_desk.db.models import CASE_STATUSES, Allegation, Case, Clause
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require


def overview(session: Session, actor: Actor) -> dict[str, Any]:
    """Open cases by status, overdue count, allegations by clause and by disposition."""
    require(actor, "case.read", "stats.view")
    by_status = dict(session.execute(select(Case.status, func.count()).group_by(Case.status)).all())
    overdue = (
        session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.status != "closed", Case.deadline_on < today())
        )
        or 0
    )
    by_clause = session.execute(
        select(Clause.clause_id, Clause.title, func.count())
        .select_from(Allegation)
        .join(Clause)
        .group_by(Clause.clause_id, Clause.title)
        .order_by(func.count().desc())
        .limit(15)
    ).all()
    by_disposition = dict(
        session.execute(
            select(func.coalesce(Allegation.disposition, "pending"), func.count()).group_by(
                func.coalesce(Allegation.disposition, "pending")
            )
        ).all()
    )
    return {
        "by_status": {s: int(by_status.get(s, 0)) for s in CASE_STATUSES},
        "overdue": int(overdue),
        "by_clause": [{"clause": c, "title": t, "count": int(n)} for c, t, n in by_clause],
        "by_disposition": {k: int(v) for k, v in by_disposition.items()},
    }
