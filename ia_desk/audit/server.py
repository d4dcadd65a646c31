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


# What a transaction whose events are all unsigned may change. Unsigned by design are a
# failed sign-in or a lockout (the attempt counter and lock), and the database's own
# events (ia_desk.audit.signatures): each of those kinds writes only these tables. Any
# other change beside only unsigned events is reported: an unsigned event is what anyone
# with the MAC key can write, so it vouches for nothing more. (``audit_head`` moves with
# every event.)
@dataclass(frozen=True)
class Allow:
    """What an unsigned event's transaction may do to one table: these operations and,
    for an update, only these columns (None: any)."""

    ops: frozenset[str] = frozenset({"INSERT", "UPDATE", "DELETE"})
    columns: frozenset[str] | None = None


_COUNTER = Allow(frozenset({"UPDATE"}), frozenset({"failed_logins", "locked_until"}))
_INSERTS = Allow(frozenset({"INSERT"}))
UNSIGNED_MAY_CHANGE: dict[str, dict[str, Allow]] = {
    "auth.sign_in": {"app_user": _COUNTER},
    "auth.lockout": {"app_user": _COUNTER},
    "db.audit_key_installed": {"setting": _INSERTS},
    "catalogue.load": {"policy": _INSERTS, "policy_version": _INSERTS, "clause": _INSERTS},
    "discipline.matrix_load": {"discipline_matrix_version": _INSERTS},
    # the withheld index rebuilt once, and the setting that says it was
    "search.reindex_withheld": {"case_search": Allow(), "setting": _INSERTS},
    "storage.": {"storage_reserve": Allow()},
}
ALWAYS: dict[str, Allow] = {"audit_head": Allow()}


def _unsigned_may(event_types: list[str], table: str, op: str, columns: str) -> bool:
    """Whether unsigned events of these kinds make this change (``columns``: the
    changed columns of each updated row, ``;``-separated)."""
    for event_type in event_types:
        for prefix, tables in (("", ALWAYS), *UNSIGNED_MAY_CHANGE.items()):
            matches = (
                prefix == ""
                or event_type == prefix
                or (prefix.endswith(".") and event_type.startswith(prefix))
            )
            allow = tables.get(table) if matches else None
            if allow is None or op not in allow.ops:
                continue
            if op != "UPDATE" or allow.columns is None:
                return True
            if all(
                set(filter(None, cols.split(","))) <= allow.columns for cols in columns.split(";")
            ):
                return True
    return False


@dataclass(frozen=True)
class OutsideChange:
    """One transaction's changes that no audit event accounts for: none was written in
    it (``covered_by`` empty), or only unsigned events that never make such changes."""

    tx: int
    db_role: str
    at: dt.datetime
    changes: tuple[tuple[str, str, int], ...]  # (table, operation, rows)
    covered_by: tuple[str, ...] = ()  # the unsigned events of its transaction, if any

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
        where = (
            "in a transaction that wrote no audit event"
            if not self.covered_by
            else "in a transaction whose only events are unsigned ("
            + ", ".join(self.covered_by)
            + "), which never make such changes"
        )
        return (
            f"the server recorded {self.what} by database role {self.db_role} at "
            f"{self.at:%Y-%m-%d %H:%M:%S} UTC {where}: changed outside IA Desk"
        )


_PAST = {"INSERT": "inserted into", "UPDATE": "updated in", "DELETE": "deleted from"}


def _on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def outside_changes(session: Session, limit: int | None = OUTSIDE_LIMIT) -> list[OutsideChange]:
    """Every transaction, oldest first, that changed data and that no audit event
    accounts for: it wrote none (the sign-in attempt counter aside: BOOKKEEPING), or only
    unsigned events and changed what those never change (UNSIGNED_MAY_CHANGE). A signed
    event accounts for its transaction: it names who did it."""
    if not _on_server(session):
        return []
    rows = session.execute(  # server_change: pg.SERVER_CHANGE_TABLE
        text(
            "WITH ev AS (SELECT e.server_tx AS tx, bool_or(e.signature IS NOT NULL) AS signed, "
            "string_agg(DISTINCT e.event_type, ',') AS types FROM audit_event e "
            "WHERE e.server_tx IN (SELECT DISTINCT tx FROM server_change) GROUP BY e.server_tx) "
            "SELECT c.tx, c.db_role, min(c.at) AS at, c.table_name, c.operation, count(*), "
            "string_agg(DISTINCT coalesce(c.changed_columns, ''), ';'), ev.signed, ev.types "
            "FROM server_change c LEFT JOIN ev ON ev.tx = c.tx "
            "WHERE ev.signed IS NOT TRUE "
            "GROUP BY c.tx, c.db_role, c.table_name, c.operation, ev.signed, ev.types "
            "ORDER BY min(c.at), c.tx"
        )
    ).all()
    # The transaction of the first event made the database's content: a new server
    # database, or the copy of an embedded one (ia_desk.startup.transfer), whose events
    # may all be from before signing. Nothing can be added to it afterwards (event 1 is
    # never removed on the server, and a row numbered below it is named by the chain).
    first_tx = session.execute(
        text("SELECT server_tx FROM audit_event WHERE seq >= 1 ORDER BY seq LIMIT 1")
    ).scalar()
    accounted: dict[int, bool] = {} if first_tx is None else {int(first_tx): True}
    for tx, _role, _at, table, op, _count, columns, _signed, types in rows:
        if first_tx is not None and int(tx) == int(first_tx):
            continue
        if types is None:  # no event at all: only the attempt counter is IA Desk's
            ok = op == "UPDATE" and all(
                (table, cols) in BOOKKEEPING for cols in str(columns).split(";")
            )
        else:
            ok = _unsigned_may(str(types).split(","), table, op, str(columns))
        accounted[int(tx)] = accounted.get(int(tx), True) and ok
    found: dict[tuple[int, str], OutsideChange] = {}
    for tx, role, at, table, op, count, _columns, _signed, types in rows:
        if accounted[int(tx)]:
            continue
        key = (int(tx), str(role))
        old = found.get(key)
        at_utc = at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at
        covered = tuple(sorted(str(types).split(","))) if types else ()
        change = (table, op, int(count))
        if old is None:
            found[key] = OutsideChange(key[0], key[1], at_utc, (change,), covered)
        else:
            found[key] = OutsideChange(
                old.tx, old.db_role, min(old.at, at_utc), (*old.changes, change), covered
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
