"""The database's own protection of the audit trail and the evidence, checked at every
start and put back when something is missing.

Besides the hash chain, the database itself refuses to change or delete audit rows and
evidence blobs: on SQLite with triggers (made by the first schema), on PostgreSQL with
triggers and revoked privileges (:mod:`ia_desk.db.pg`). Someone holding the file and its
key, or the server's owner or superuser account, can drop them; nothing would notice, and
a restored backup could come without them. So every start compares them with what the
migrations made, puts back what is missing or altered in one transaction, and writes an
audit event naming each (``db.guards_restored``). A PostgreSQL workstation account may
not change them: it writes ``db.guards_missing`` (outcome ``unrepaired``) instead, and the
next start with the owner account puts them back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ia_desk.db import pg

if TYPE_CHECKING:
    from ia_desk.db.engine import Database

log = logging.getLogger(__name__)

# The triggers of the first schema (20261121_0001), exactly as it wrote them.
SQLITE_TRIGGERS = {
    f"{table}_no_{action.lower()}": (
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{why}'); END"
    )
    for table, why in pg.APPEND_ONLY.items()
    for action in ("UPDATE", "DELETE")
}


@dataclass
class GuardCheck:
    """What a start found: ``problems`` (empty when all is in place) and whether they
    were put back."""

    problems: list[str] = field(default_factory=list)
    restored: bool = False


def _normal(sql: str | None) -> str:
    return " ".join((sql or "").split())


def sqlite_problems(conn: Connection) -> list[str]:
    """The append-only triggers that are missing or not as the first schema made them."""
    rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    present: dict[str, str] = {str(name): str(sql) for name, sql in rows}
    problems = []
    for name, sql in SQLITE_TRIGGERS.items():
        if name not in present:
            problems.append(f"trigger {name} is missing")
        elif _normal(present[name]) != _normal(sql):
            problems.append(f"trigger {name} was altered")
    return problems


def _restore_sqlite(conn: Connection, problems: list[str]) -> None:
    for name, sql in SQLITE_TRIGGERS.items():
        if f"trigger {name} is missing" in problems or f"trigger {name} was altered" in problems:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
            conn.execute(text(sql))


def check_guards(db: Database) -> GuardCheck:
    """Compare the guards with what the migrations made; put back what is missing and
    audit it (see the module docstring). Called by ``open_database`` at every start."""
    dialect = db.engine.dialect.name
    with db.engine.connect() as conn:
        if dialect == "sqlite":
            problems = sqlite_problems(conn)
            owner = ""
            may_restore = True
        else:
            problems, owner = pg.guard_problems(conn)
            may_restore = bool(problems) and pg.can_restore_guards(conn, owner)
    found = GuardCheck(problems)
    if not problems:
        return found
    log.warning("database guards missing: %s", "; ".join(problems))
    if not may_restore:
        with db.write(None, audit_only=True) as session:
            _audit(db, session, "db.guards_missing", "unrepaired", problems, owner)
        return found
    # Its own transaction, past the read-only guard: the protection, not the records.
    try:
        with db.engine.execution_options(ia_write=True).begin() as conn:
            if dialect == "sqlite":
                _restore_sqlite(conn, problems)
            else:
                pg.restore_guards(lambda sql: conn.execute(text(sql)), owner)
            session = db.session_on(conn)
            try:
                _audit(db, session, "db.guards_restored", "repaired", problems, owner)
                session.flush()
            finally:
                session.close()
    except OperationalError as exc:  # a full disk: reading goes on, the next start retries
        log.error("database guards could not be put back: %s", exc.orig)
        return found
    found.restored = True
    return found


def _audit(
    db: Database, session: Session, event: str, outcome: str, problems: list[str], owner: str
) -> None:
    details: dict[str, Any] = {"problems": problems}
    if owner:
        details["owner"] = owner
    db.hooks.record(session, event, details, outcome)
