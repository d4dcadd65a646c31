"""Inserts that meet a concurrent twin without failing: ``INSERT ... ON CONFLICT``.

On SQLite writers take turns (``BEGIN IMMEDIATE``); on PostgreSQL two workstations can
add the same new employee or the same screenshot at the same moment. Read-then-insert
would let one of them fail on the unique key; these statements let the database decide.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def dialect_insert(session: Session, model: Any) -> Any:
    """An INSERT for ``model`` that knows ``ON CONFLICT`` on the session's backend.
    (Each dialect is imported when first used: the PostgreSQL one alone took ~80 ms of
    the embedded app's start.)"""
    if session.info.get("dialect") == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(model)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(model)


def insert_unless_present(session: Session, model: Any, key: str, values: dict[str, Any]) -> bool:
    """Insert the row unless one with the same ``key`` exists (or is being committed by
    another workstation, which is waited for). True when this call inserted it."""
    stmt = (
        dialect_insert(session, model).values(**values).on_conflict_do_nothing(index_elements=[key])
    )
    result: Any = session.execute(stmt)
    return bool(result.rowcount)
