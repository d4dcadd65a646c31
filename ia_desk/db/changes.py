"""Noticing cases changed by other workstations (or other programs) while the app runs.

PostgreSQL: a trigger on ``ia_case`` sends ``NOTIFY ia_desk_cases, '<number>'`` for every
insert and update (see :mod:`ia_desk.db.pg`); the feed LISTENs on a connection of its
own and reads what arrived without waiting. SQLite: ``PRAGMA data_version`` changes when
another connection commits; only then the cases' signature (the newest case id and the
newest change time, both read off an index) says whether a case was added or changed, so
the audit trail's own writes (every read of a case, every print) do not reload the list.
It says *that* a case changed, not which.

``poll()`` never blocks on the network: the desktop calls it from a timer.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ia_desk.db.engine import Database

log = logging.getLogger(__name__)

SOMETHING = "*"  # in a poll's result: something changed, unknown which case
MAX_READS = 1000  # reads of arrived notices in one poll (the rest wait for the next)


class ChangeFeed:
    """What changed since the last :meth:`poll`. Not thread-safe: one owner polls."""

    def __init__(self, db: Database) -> None:
        self.dialect = db.engine.dialect.name
        self._raw: Any = db.engine.raw_connection()
        self._conn: Any = self._raw.driver_connection
        assert self._conn is not None
        self._last: int | None = None
        self._cases: tuple[Any, ...] | None = None
        if self.dialect == "postgresql":
            from ia_desk.db.pg import CHANGE_CHANNEL

            # A connection of its own, out of the pool, in autocommit: LISTEN lasts as
            # long as the session, and notices arrive between transactions.
            self._raw.detach()
            assert self._conn is not None
            self._conn.rollback()
            self._conn.autocommit = True
            self._conn.execute(f"LISTEN {CHANGE_CHANNEL}")
        else:
            self._last = self._data_version()
            self._cases = self._case_signature()

    def _arrived(self) -> list[Any]:
        """Every notice that has arrived. One ``notifies(timeout=0)`` reads the socket once
        and gives what that read brought, often a single notice: asked again until it
        brings none, so a poll is not left one notice behind each of many changes."""
        arrived: list[Any] = []
        for _ in range(MAX_READS):
            batch = list(self._conn.notifies(timeout=0.0))
            if not batch:
                break
            arrived += batch
        return arrived

    def _case_signature(self) -> tuple[Any, ...]:
        cur = self._conn.cursor()
        try:
            # Two subqueries: SQLite reads a lone max() off its index, but scans the table
            # for two in one SELECT (25-55 ms at 100,000 cases, on the GUI's timer).
            cur.execute(
                "SELECT (SELECT max(id) FROM ia_case), (SELECT max(updated_at) FROM ia_case)"
            )
            return tuple(cur.fetchone())
        finally:
            cur.close()

    def _data_version(self) -> int:
        cur = self._conn.cursor()
        try:
            cur.execute("PRAGMA data_version")
            return int(cur.fetchone()[0])
        finally:
            cur.close()

    def poll(self) -> set[str]:
        """Case numbers changed elsewhere since the last poll ({SOMETHING} when the
        backend cannot say which); empty when nothing changed."""
        if self.dialect == "postgresql":
            return {n.payload for n in self._arrived()}
        version = self._data_version()
        if version == self._last:
            return set()
        self._last = version
        cases = self._case_signature()
        changed = cases != self._cases
        self._cases = cases
        return {SOMETHING} if changed else set()

    def close(self) -> None:
        try:
            self._raw.close()
        except Exception:  # noqa: BLE001 - closing a dead connection is not an error
            log.debug("closing the change feed's connection failed", exc_info=True)
