"""Full-text search over case text, one small adapter per backend.

SQLite: the FTS5 table ``case_fts`` (rowid = case id), kept in step by
:func:`index_case` whenever a case's text changes. Other backends fall back to a
case-insensitive substring match until their own adapter exists. The reporter's
identity is never indexed.
"""

from __future__ import annotations

import re

from sqlalchemy import Integer, Select, column, or_, select, text
from sqlalchemy.orm import Session

from ia_desk.db.models import Case, CaseSubject, Employee, Incident

_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_query(user_text: str) -> str | None:
    """User words as an FTS5 query: every word must match, the last one as a prefix."""
    tokens = _TOKEN.findall(user_text)[:20]
    if not tokens:
        return None
    parts = [f'"{t}"' for t in tokens[:-1]] + [f'"{tokens[-1]}"*']
    return " ".join(parts)


def index_case(session: Session, case: Case) -> None:
    if session.info.get("dialect") != "sqlite":
        return
    subjects = " ".join(f"{s.employee.badge} {s.employee.name}" for s in case.subjects)
    clauses = " ".join(f"{a.clause.clause_id} {a.clause.title}" for a in case.allegations)
    inc = case.incident
    session.execute(text("DELETE FROM case_fts WHERE rowid = :id"), {"id": case.id})
    session.execute(
        text(
            "INSERT INTO case_fts(rowid, number, narrative, platform, url, subjects, clauses) "
            "VALUES (:id, :number, :narrative, :platform, :url, :subjects, :clauses)"
        ),
        {
            "id": case.id,
            "number": case.number,
            "narrative": inc.narrative if inc else "",
            "platform": (inc.platform or "") if inc else "",
            "url": (inc.url or "") if inc else "",
            "subjects": subjects,
            "clauses": clauses,
        },
    )


def filter_by_text(session: Session, stmt: Select, user_text: str) -> Select:
    """Restrict a ``select(Case...)`` statement to cases matching the words."""
    if session.info.get("dialect") == "sqlite":
        query = fts_query(user_text)
        if query is None:
            return stmt
        ids = text("SELECT rowid FROM case_fts WHERE case_fts MATCH :q").bindparams(q=query)
        return stmt.where(Case.id.in_(ids.columns(column("rowid", Integer))))
    like = f"%{user_text.strip()}%"
    matching_subjects = (
        select(CaseSubject.case_id)
        .join(Employee)
        .where(or_(Employee.name.ilike(like), Employee.badge.ilike(like)))
    )
    return stmt.where(
        or_(
            Case.number.ilike(like),
            Case.id.in_(select(Incident.case_id).where(Incident.narrative.ilike(like))),
            Case.id.in_(matching_subjects),
        )
    )
