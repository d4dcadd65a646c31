"""What the PostgreSQL server recorded of changes made outside IA Desk.

The server itself writes a row in ``server_change`` for every row inserted, updated or
deleted in a data table (and each truncate), with the database role that signed in and
its transaction's number (:func:`ia_desk.db.pg.create_server_change_log`); it also
stamps each audit event with its transaction's number. IA Desk writes the audit event of
a change in the change's own transaction, so a transaction that changed data and wrote
no event was not IA Desk's: someone with a database account changed rows by hand. No
client role can write, change or remove the server's record, nor switch its triggers
off (only the tables' owner and a superuser can; see docs/security.md).

On SQLite there is no server: nothing here applies and every function returns nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from ia_desk.db import pg

OUTSIDE_LIMIT = 1000  # transactions one listing shows
# What IA Desk changes without an event of its own, as (table, the columns changed):
# sign-in counts an attempt against the account before the password is checked, in a
# short transaction of its own (ia_desk.accounts.users.authenticate), and the attempt's
# event follows once the (slow) check is done. The server records these like every
# change; a transaction that changed nothing else is not reported.
BOOKKEEPING = {("app_user", "failed_logins")}


@dataclass(frozen=True)
class OutsideChange:
    """One transaction's changes that no audit event accounts for."""

    tx: int
    db_role: str
    at: dt.datetime
    changes: tuple[tuple[str, str, int], ...]  # (table, operation, rows)

    @property
    def what(self) -> str:
        parts = [
            f"{rows} {'row' if rows == 1 else 'rows'} {_PAST[op]} {table}"
            if op != "TRUNCATE"
            else f"{table} truncated"
            for table, op, rows in self.changes
        ]
        return ", ".join(parts)

    def sentence(self) -> str:
        return (
            f"the server recorded {self.what} by database role {self.db_role} at "
            f"{self.at:%Y-%m-%d %H:%M:%S} UTC in a transaction that wrote no audit event: "
            "changed outside IA Desk"
        )


_PAST = {"INSERT": "inserted into", "UPDATE": "updated in", "DELETE": "deleted from"}


def _on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def outside_changes(session: Session, limit: int | None = OUTSIDE_LIMIT) -> list[OutsideChange]:
    """Every transaction, oldest first, that changed data and wrote no audit event."""
    if not _on_server(session):
        return []
    rows = session.execute(  # server_change: pg.SERVER_CHANGE_TABLE
        text(
            "SELECT c.tx, c.db_role, min(c.at) AS at, c.table_name, c.operation, count(*), "
            "string_agg(DISTINCT coalesce(c.changed_columns, ''), ';') "
            "FROM server_change c WHERE NOT EXISTS "
            "(SELECT 1 FROM audit_event e WHERE e.server_tx = c.tx) "
            "GROUP BY c.tx, c.db_role, c.table_name, c.operation ORDER BY min(c.at), c.tx"
        )
    ).all()
    bookkeeping: dict[int, bool] = {}
    for tx, _role, _at, table, op, _count, columns in rows:
        kept = op == "UPDATE" and all(
            (table, cols) in BOOKKEEPING for cols in str(columns).split(";")
        )
        bookkeeping[int(tx)] = bookkeeping.get(int(tx), True) and kept
    found: dict[tuple[int, str], OutsideChange] = {}
    for tx, role, at, table, op, count, _columns in rows:
        if bookkeeping[int(tx)]:
            continue
        key = (int(tx), str(role))
        old = found.get(key)
        at_utc = at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at
        if old is None:
            found[key] = OutsideChange(key[0], key[1], at_utc, ((table, op, int(count)),))
        else:
            found[key] = OutsideChange(
                old.tx, old.db_role, min(old.at, at_utc), (*old.changes, (table, op, int(count)))
            )
    out = sorted(found.values(), key=lambda c: (c.at, c.tx))
    return out[:limit] if limit is not None else out


def unrecorded_tables(session: Session) -> list[str]:
    """Data tables whose changes the server does not record (a trigger missing or
    switched off): a new table without its trigger, or the owner's doing."""
    if not _on_server(session):
        return []
    conn = session.connection()
    enabled = {
        str(table)
        for (table,) in conn.execute(
            text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal "
                "AND p.proname = :fn AND t.tgenabled IN ('O', 'A') AND t.tgname = "
                "c.relname || '_server_change'"
            ),
            {"fn": pg.SERVER_CHANGE_FUNCTION},
        )
    }
    if conn.execute(text("SELECT to_regclass(:t)"), {"t": pg.SERVER_CHANGE_TABLE}).scalar() is None:
        return ["(all: the server's change log is missing)"]
    return [t for t in pg.recorded_tables(conn) if t not in enabled]


def problems(session: Session) -> list[str]:
    """What ``audit verify`` reports of the server's record, in people's words."""
    found = [
        f"the server does not record changes to {table}: its trigger is missing or switched off"
        for table in unrecorded_tables(session)
    ]
    found += [c.sentence() for c in outside_changes(session, limit=None)]
    return found
