"""Noticing cases changed by other workstations (or other programs) while the app runs.

PostgreSQL: a trigger on ``ia_case`` sends ``NOTIFY ia_desk_cases, '<number>'`` for every
insert and update (see :mod:`ia_desk.db.pg`); the feed LISTENs on a connection of its
own and reads what arrived without waiting. SQLite: ``PRAGMA data_version`` changes when
another connection commits; only then the cases' signature (the newest case id and the
newest change time, both read off an index) says whether a case was added or changed, so
the audit trail's own writes (every read of a case, every print) do not reload the list.
It says *that* a case changed, not which.

Never this process's own writes: the desktop announces those on its own bus the moment
they commit, so hearing them again from the database read every listening screen twice
(issue 24). Both backends hear them otherwise: the server notifies every listener,
this process's too, and SQLite's ``data_version`` moves for the commits of the pool's
other connections. So the feed watches the database's write transactions
(:meth:`Database.watch_own_writes`) and each tells it, just before it commits, what it
will be heard saying:

- PostgreSQL: the backend pid of its connection (the pid a notice carries) and the cases
  it inserted or updated, as the server itself says: the rows whose version this
  transaction made (their ``xmin``), among those changed since it began (every write of a
  case sets its change time, and the time has an index). A notice is dropped only when it
  matches one of these, pid and number, once; every other notice is heard, that of another
  workstation on the same case at the same moment too (another pid). A server reuses a
  pid once its backend has gone (quickly on Windows), so what is not heard within two
  polls is no longer expected, rather than kept to swallow a stranger's notice later.
- SQLite: the cases' signature before it and after it. A change of signature is dropped
  only when this process's own transactions lead, one after the other, from the
  signature last seen to the one now; a commit of anyone else between them breaks the
  chain, and the change is heard. (The signature holds a change time to the microsecond:
  another's change never takes the very signature one of ours made.)

It costs a query in each write transaction while a feed is open (the desktop's): two on
SQLite, read off indexes; one round trip to the server, using the index of change times.
The command line opens no feed and pays nothing.

What is not watched is heard, as before: a write outside :meth:`Database.write` (an
audited read, IA Desk's own upkeep, another ``Database`` in the same process), an
audit-only one, or a case written inside a savepoint (another ``xmin``). At worst a
screen reads once more; it is never left behind. Every write of a case this process
makes through :meth:`Database.write` comes from a service whose result names that case,
and the desktop publishes it on its bus as it commits (:mod:`ui.ops`); so no screen
misses one because the feed keeps quiet about it.

``poll()`` never blocks on the network: the desktop calls it from a timer.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from ia_desk.db.models.base import utcnow

if TYPE_CHECKING:
    from ia_desk.db.engine import Database

log = logging.getLogger(__name__)

SOMETHING = "*"  # in a poll's result: something changed, unknown which case
MAX_READS = 1000  # reads of arrived notices in one poll (the rest wait for the next)

# Two subqueries: SQLite reads a lone max() off its index, but scans the table for two in
# one SELECT (25-55 ms at 100,000 cases, on the GUI's timer).
SIGNATURE_SQL = "SELECT (SELECT max(id) FROM ia_case), (SELECT max(updated_at) FROM ia_case)"

_BEFORE = "ia_cases_before"  # session.info: SQLite's signature when it began
_SINCE = "ia_cases_since"  # session.info: when it began (PostgreSQL), less a margin

# The server's own answer to "which cases did this transaction insert or update?": the
# rows whose version it made (xmin is its transaction id, without the epoch), looked up
# among the recent ones by the change time's index; and who is asking (the pid NOTIFY
# carries). No transaction id yet: it wrote nothing, so no case.
_WRITTEN_HERE = text(
    "SELECT pg_backend_pid(), ARRAY(SELECT number FROM ia_case WHERE updated_at >= :since "
    "AND xmin::text::bigint = txid_current_if_assigned() % 4294967296)"
)


class OwnWrites:
    """What this process's write transactions will be heard saying, told by each just
    before it commits (from any thread) and taken off by one :class:`ChangeFeed`'s
    polls. Expectations older than the poll before last are forgotten."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self._lock = threading.Lock()
        self._poll = 0  # how many polls so far: the age of an expectation
        # (pid, number) -> the polls by which each such notice was expected
        self._notices: dict[tuple[int, str], list[int]] = {}
        self._steps: dict[tuple[Any, ...], tuple[tuple[Any, ...], int]] = {}  # before -> after

    # -- told by the write transactions (ia_desk.db.engine.Database.write)

    def began(self, session: Session) -> None:
        """A write transaction begins (it holds SQLite's write lock from here)."""
        if self.dialect == "postgresql":
            # Every write of a case sets its change time, from this clock: a second's
            # margin for the clock's own corrections.
            session.info[_SINCE] = utcnow() - dt.timedelta(seconds=1)
        else:
            session.info[_BEFORE] = _signature(session)

    def committing(self, session: Session) -> None:
        """Its last flush is done and it commits next: what it wrote is expected."""
        if self.dialect == "postgresql":
            since = session.info[_SINCE]
            pid, numbers = session.connection().execute(_WRITTEN_HERE, {"since": since}).one()
            self.expect(pid, numbers)
        else:
            before = session.info.get(_BEFORE)
            if before is not None:
                self.stepped(before, _signature(session))

    def expect(self, pid: int, numbers: list[str]) -> None:
        """PostgreSQL: backend ``pid`` is committing changes of these cases (the server
        sends one notice for each case a transaction wrote, however often it wrote it)."""
        with self._lock:
            for number in numbers:
                self._notices.setdefault((pid, number), []).append(self._poll)

    def stepped(self, before: tuple[Any, ...], after: tuple[Any, ...]) -> None:
        """SQLite: a transaction is committing that takes the signature from ``before``
        to ``after`` (no step when it changed no case)."""
        if after != before:
            with self._lock:
                self._steps[before] = (after, self._poll)

    # -- taken off by the feed

    def strangers(self, notices: list[tuple[int, str]]) -> set[str]:
        """The case numbers of the notices (pid, number) that are not this process's."""
        heard: set[str] = set()
        with self._lock:
            for pid, number in notices:
                expected = self._notices.get((pid, number))
                if expected:
                    expected.pop(0)
                else:
                    heard.add(number)
        return heard

    def led_to(self, seen: tuple[Any, ...] | None, now: tuple[Any, ...]) -> bool:
        """Whether this process's own transactions alone took the signature from ``seen``
        to ``now``."""
        with self._lock:
            at = seen
            while at != now and at in self._steps:
                at = self._steps.pop(at)[0]
            return at == now

    def polled(self) -> None:
        """A poll is done: what was expected before the poll before last and is still
        unmet is forgotten (at least two of the feed's intervals have passed)."""
        with self._lock:
            self._poll += 1
            oldest = self._poll - 2
            self._notices = {
                k: kept
                for k, at in self._notices.items()
                if (kept := [p for p in at if p >= oldest])
            }
            self._steps = {k: step for k, step in self._steps.items() if step[1] >= oldest}


def _signature(session: Session) -> tuple[Any, ...]:
    row = session.connection().exec_driver_sql(SIGNATURE_SQL).one()
    return tuple(row)


class ChangeFeed:
    """What changed elsewhere since the last :meth:`poll`. Not thread-safe: one owner
    polls. Watches ``db``'s write transactions until :meth:`close`."""

    def __init__(self, db: Database) -> None:
        self.dialect = db.engine.dialect.name
        self._db = db
        self._raw: Any = db.engine.raw_connection()
        self._conn: Any = self._raw.driver_connection
        assert self._conn is not None
        self._last: int | None = None
        self._cases: tuple[Any, ...] | None = None
        self._own = OwnWrites(self.dialect)
        if self.dialect == "postgresql":
            from ia_desk.db.pg import CHANGE_CHANNEL

            # A connection of its own, out of the pool, in autocommit: LISTEN lasts as
            # long as the session, and notices arrive between transactions.
            self._raw.detach()
            assert self._conn is not None
            self._conn.rollback()
            self._conn.autocommit = True
            self._conn.execute(f"LISTEN {CHANGE_CHANNEL}")
            db.watch_own_writes(self._own)
        else:
            # Watched first, then the signature read: a write in between is expected from
            # a signature not yet seen, so it is heard (once more), never missed.
            db.watch_own_writes(self._own)
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
            cur.execute(SIGNATURE_SQL)
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
        try:
            return self._changed()
        finally:
            self._own.polled()

    def _changed(self) -> set[str]:
        if self.dialect == "postgresql":
            return self._own.strangers([(n.pid, n.payload) for n in self._arrived()])
        version = self._data_version()
        if version == self._last:
            return set()
        self._last = version
        cases = self._case_signature()
        if cases == self._cases:
            return set()
        ours = self._own.led_to(self._cases, cases)
        self._cases = cases
        return set() if ours else {SOMETHING}

    def close(self) -> None:
        self._db.unwatch_own_writes(self._own)
        try:
            self._raw.close()
        except Exception:  # noqa: BLE001 - closing a dead connection is not an error
            log.debug("closing the change feed's connection failed", exc_info=True)
