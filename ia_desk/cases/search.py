"""Full-text search over case text, one small adapter per backend, one interface.

SQLite: the FTS5 table ``case_fts`` (rowid = case id, unicode61 tokenizer without
diacritics). PostgreSQL: the table ``case_search`` holding a ``tsvector`` per case with a
GIN index. Both are kept in step by :func:`index_case` whenever a case's text changes, and
both match the same way: every word the user typed, the last one as a prefix, case and
accents ignored. For PostgreSQL the words are cut here (as FTS5 cuts them) and stored as
exact lexemes, so the two backends find the same cases. The reporter's identity is never
indexed as such.

Readers outside IA search what they may read: a case whose free text holds something it
withholds from them (text marked to withhold, a confidential reporter's name in the
narrative: :mod:`ia_desk.cases.redaction`) has a second, withheld entry
(``case_fts_public``; on PostgreSQL ``case_search.public_document``), and their search
runs against that one instead, so withheld words find nothing.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Protocol

from sqlalchemy import Integer, Select, column, literal_column, or_, select, text
from sqlalchemy.orm import Session

from ia_desk.db.models import Case, CaseSubject, Employee, Incident

_TOKEN = re.compile(r"\w+", re.UNICODE)
FTS_COLUMNS = ("number", "narrative", "platform", "url", "subjects", "clauses")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(value: str) -> list[str]:
    """Lower-case words without accents: what FTS5's unicode61 tokenizer makes of text."""
    folded = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORD.findall(plain)


def ts_query(user_text: str) -> str | None:
    """User words as a PostgreSQL tsquery literal: all words, the last one as a prefix."""
    tokens = words(user_text)[:20]
    if not tokens:
        return None
    return " & ".join([f"'{t}'" for t in tokens[:-1]] + [f"'{tokens[-1]}':*"])


def fts_query(user_text: str) -> str | None:
    """User words as an FTS5 query: every word must match, the last one as a prefix."""
    tokens = _TOKEN.findall(user_text)[:20]
    if not tokens:
        return None
    parts = [f'"{t}"' for t in tokens[:-1]] + [f'"{tokens[-1]}"*']
    return " ".join(parts)


# Free text that may hold what a reader outside IA must not find (see
# ia_desk.cases.redaction); the other columns are the case's structured facts.
WITHHELD_COLUMNS = ("narrative", "platform", "url")
_PG_ORDER = ("number", "subjects", "clauses", "narrative", "platform", "url")


class Withholds(Protocol):
    """What :class:`ia_desk.cases.redaction.Withholding` offers the index."""

    @property
    def empty(self) -> bool: ...

    def text(self, value: str | None, replacement: str = ...) -> str: ...


def case_columns(case: Case) -> dict[str, str]:
    """A case's texts, one per :data:`FTS_COLUMNS` name."""
    inc = case.incident
    return {
        "number": case.number,
        "narrative": inc.narrative if inc else "",
        "platform": (inc.platform or "") if inc else "",
        "url": (inc.url or "") if inc else "",
        "subjects": " ".join(f"{s.employee.badge} {s.employee.name}" for s in case.subjects),
        "clauses": " ".join(f"{a.clause.clause_id} {a.clause.title}" for a in case.allegations),
    }


def index_case(session: Session, case: Case, *, public: Withholds, new: bool = False) -> None:
    """Put the case's text in the search index (``new``: it has no entry yet).
    ``public``: what the case withholds outside IA
    (:func:`ia_desk.cases.redaction.withholding_for`)."""
    index_text(session, case.id, new=new, public=public, **case_columns(case))


def index_text(
    session: Session, case_id: int, *, new: bool, public: Withholds, **columns: str
) -> None:
    """Index one case from its texts (one per :data:`FTS_COLUMNS` name): in full for IA,
    and, only when withholding changes them, as readers outside IA may find them.
    (Most cases withhold nothing that their text contains; they have one entry.)"""
    shown = public_columns(columns, public)
    if session.info.get("dialect") == "postgresql":
        index_document(
            session,
            case_id,
            " ".join(columns[k] for k in _PG_ORDER),
            None if shown is None else " ".join(shown[k] for k in _PG_ORDER),
        )
        return
    if not new:
        session.execute(_FTS_DELETE, {"id": case_id})
        session.execute(_FTS_PUBLIC_DELETE, {"id": case_id})
    session.execute(_FTS_INSERT, {"id": case_id, **{k: columns[k] for k in FTS_COLUMNS}})
    if shown is not None:
        session.execute(_FTS_PUBLIC_INSERT, {"id": case_id, **shown})


def public_columns(columns: dict[str, str], public: Withholds) -> dict[str, str] | None:
    """The columns as a reader outside IA may search them; None when that is all of them."""
    if public.empty:
        return None
    shown = dict(columns)
    for k in WITHHELD_COLUMNS:
        shown[k] = public.text(columns[k], " ")
    return None if shown == columns else shown


_FTS_INSERT = text(
    "INSERT INTO case_fts(rowid, number, narrative, platform, url, subjects, clauses) "
    "VALUES (:id, :number, :narrative, :platform, :url, :subjects, :clauses)"
)
_FTS_PUBLIC_INSERT = text(
    "INSERT INTO case_fts_public(rowid, number, narrative, platform, url, subjects, clauses) "
    "VALUES (:id, :number, :narrative, :platform, :url, :subjects, :clauses)"
)
_FTS_DELETE = text("DELETE FROM case_fts WHERE rowid = :id")
_FTS_PUBLIC_DELETE = text("DELETE FROM case_fts_public WHERE rowid = :id")


def index_document(
    session: Session, case_id: int, document: str, public_document: str | None
) -> None:
    """PostgreSQL: store a case's words as its tsvector (replacing the old one), and
    its withheld twin when it has one (NULL: the same words)."""
    session.execute(
        text(
            "INSERT INTO case_search(case_id, document, public_document) "
            "VALUES (:id, array_to_tsvector(CAST(:words AS text[])), "
            "CASE WHEN CAST(:public AS text[]) IS NULL THEN NULL "
            "ELSE array_to_tsvector(CAST(:public AS text[])) END) "
            "ON CONFLICT (case_id) DO UPDATE SET document = EXCLUDED.document, "
            "public_document = EXCLUDED.public_document"
        ),
        {
            "id": case_id,
            "words": sorted(set(words(document))),
            "public": None if public_document is None else sorted(set(words(public_document))),
        },
    )


def document_rows(
    rows: list[dict[str, Any]], public: dict[int, dict[str, Any]] | None = None
) -> tuple[Any, list[dict[str, Any]]]:
    """PostgreSQL: a statement and parameters indexing many cases at once, from rows
    shaped like the FTS5 table's (id, number, narrative, platform, url, subjects,
    clauses), and ``public``, the same shape by id, for cases whose text is withheld
    outside IA."""

    def doc(r: dict[str, Any]) -> list[str]:
        return sorted(set(words(" ".join(str(r.get(k) or "") for k in FTS_COLUMNS))))

    stmt = text(
        "INSERT INTO case_search(case_id, document, public_document) "
        "VALUES (:id, array_to_tsvector(CAST(:words AS text[])), "
        "CASE WHEN CAST(:public AS text[]) IS NULL THEN NULL "
        "ELSE array_to_tsvector(CAST(:public AS text[])) END)"
    )
    params = [
        {
            "id": r["id"],
            "words": doc(r),
            "public": doc(public[r["id"]]) if public and r["id"] in public else None,
        }
        for r in rows
    ]
    return stmt, params


FEW = 2000


# The matching case ids, for IA (the full text) and for readers outside IA (the
# withheld twin where a case has one, the full text where it has none).
_SQLITE_MATCHES = {
    False: "SELECT rowid FROM case_fts WHERE case_fts MATCH :q",
    True: "SELECT rowid FROM case_fts WHERE case_fts MATCH :q "
    "AND rowid NOT IN (SELECT rowid FROM case_fts_public) "
    "UNION ALL SELECT rowid FROM case_fts_public WHERE case_fts_public MATCH :q",
}
_PG_MATCHES = {
    False: "SELECT case_id FROM case_search WHERE document @@ CAST(:q AS tsquery)",
    True: "SELECT case_id FROM case_search WHERE (public_document IS NULL AND "
    "document @@ CAST(:q AS tsquery)) OR public_document @@ CAST(:q AS tsquery)",
}


def few_matches(session: Session, query: str, public: bool) -> bool:
    """Does the FTS5 query match at most FEW cases? (It stops counting there, or asks
    the count this session already made.)"""
    counted = session.info.get("fts_counts", {}).get((query, public))
    if counted is not None:
        return bool(counted <= FEW)
    stmt = text(f"SELECT count(*) FROM ({_SQLITE_MATCHES[public]} LIMIT :n)")  # noqa: S608
    return int(session.execute(stmt, {"q": query, "n": FEW + 1}).scalar_one()) <= FEW


def count_text_matches(session: Session, user_text: str, public: bool) -> int | None:
    """How many cases match the words, straight from the index (every case has exactly
    one index row, and a withheld twin at most); None when the words make no query.
    ``public``: as a reader outside IA searches (withheld text finds nothing)."""
    dialect = session.info.get("dialect")
    if dialect == "sqlite":
        query = fts_query(user_text)
        if query is None:
            return None
        stmt = text(f"SELECT count(*) FROM ({_SQLITE_MATCHES[public]})")  # noqa: S608
        n = int(session.execute(stmt, {"q": query}).scalar_one())
        # The page query that follows picks its plan by this count: kept for the
        # session (one transaction, one snapshot).
        session.info.setdefault("fts_counts", {})[(query, public)] = n
        return n
    if dialect == "postgresql":
        tsq = ts_query(user_text)
        if tsq is None:
            return None
        stmt = text(f"SELECT count(*) FROM ({_PG_MATCHES[public]}) AS m")  # noqa: S608
        return int(session.execute(stmt, {"q": tsq}).scalar_one())
    return None


def filter_by_text(session: Session, stmt: Select, user_text: str, public: bool) -> Select:
    """Restrict a ``select(Case...)`` statement to cases matching the words (``public``:
    as a reader outside IA may find them)."""
    dialect = session.info.get("dialect")
    if dialect == "sqlite":
        query = fts_query(user_text)
        if query is None:
            return stmt
        ids = text(_SQLITE_MATCHES[public]).bindparams(q=query)
        matches = ids.columns(column("rowid", Integer))
        if few_matches(session, query, public):
            return stmt.where(Case.id.in_(matches))  # fetch the few by key, sort them
        # Many matches: "+id" keeps SQLite from fetching every match by key and sorting
        # them all; it walks the sort column's index instead and keeps the rows that
        # match (a Bloom filter), stopping at the page's end. A common word at 100,000
        # cases: ~110 ms -> ~5 ms.
        return stmt.where(literal_column(f"+{Case.__tablename__}.id").in_(matches))
    if dialect == "postgresql":
        tsq = ts_query(user_text)
        if tsq is None:
            return stmt
        ids = text(_PG_MATCHES[public]).bindparams(q=tsq)
        return stmt.where(Case.id.in_(ids.columns(column("case_id", Integer))))
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
