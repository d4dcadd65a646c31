"""The storage room's door: where a database is, its engine, and its transactions.

It knows no domain and no secret store: :mod:`ia_desk.startup` finds the keys, opens
the database through :func:`sqlite_engine` or :func:`server_engine`, brings its schema
to head and installs the :class:`TransactionHooks` through which the storage room asks
the rooms above it to check an actor's standing and to record refusals and its own
events in the audit trail.

Transactions: ``db.read(actor)`` for reads, ``db.write(actor)`` for changes. A write
transaction on SQLite starts with ``BEGIN IMMEDIATE`` so two writers queue instead
of failing half-way. If a service raises :class:`PermissionDenied` or
:class:`RefusedInput`, the transaction is rolled back and the refusal is recorded (by
the hooks) in a transaction of its own. ``db.write(actor, audit_only=True)`` marks
work that only records what was done (sign-in, prints, exports, backups): it goes on
while an embedded database is read-only because its disk is full (see
:class:`Database` and :mod:`ia_desk.db.storage`). Watchers added with
``db.watch_own_writes`` are told when each write transaction (not an audit-only one)
begins and just before it commits: the change feed, so it does not hear this process's
own writes back (:mod:`ia_desk.db.changes`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import QueuePool

from ia_desk.db import storage
from ia_desk.db.location import Target
from ia_desk.db.paths import workstation_name
from ia_desk.errors import (
    ConflictError,
    DatabaseKeyError,
    IADeskError,
    PermissionDenied,
    ReadOnlyDatabase,
    RefusedInput,
    StorageError,
)

log = logging.getLogger(__name__)

# SQLCipher 4's defaults, with which IA Desk's databases are made.
SQLCIPHER_KDF_ITER = 256_000
SQLCIPHER_SALT_BYTES = 16


def connection_key(path: Path, key: str | None) -> str | None:
    """The key each new connection is given.

    With a passphrase, SQLCipher derives the page key on every new connection (PBKDF2,
    256,000 rounds: about 0.2 s each, and the pool opens several). The same derivation is
    done once here, from the passphrase and the salt SQLCipher keeps in the file's first
    16 bytes, and connections get the raw key. A key that does not open the file (another
    SQLCipher's settings) falls back to the passphrase.
    """
    if key is None or key.startswith("x'") or not path.exists():
        return key
    started = _STRETCHING.pop((path, key), None)
    raw = started.result() if started is not None else _stretch(path, key)
    if raw is None:
        return key
    import sqlcipher3

    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f'PRAGMA key = "{raw}"')
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        return key
    finally:
        conn.close()
    return raw


def _stretch(path: Path, passphrase: str) -> str | None:
    """SQLCipher's raw key for a passphrase and the file's salt (None: no salt)."""
    with path.open("rb") as f:
        salt = f.read(SQLCIPHER_SALT_BYTES)
    if len(salt) < SQLCIPHER_SALT_BYTES:
        return None
    derived = hashlib.pbkdf2_hmac(
        "sha512", passphrase.encode("utf-8"), salt, SQLCIPHER_KDF_ITER, 32
    )
    return f"x'{derived.hex()}{salt.hex()}'"


_STRETCHING: dict[tuple[Path, str], Future[str | None]] = {}


def start_stretching(path: Path, passphrase: str) -> None:
    """Start deriving the key of an existing encrypted file from its passphrase on
    another core, so the desktop app's start-up goes on meanwhile;
    :func:`connection_key` picks the result up."""
    if path.is_file():
        _STRETCHING[(path, passphrase)] = background.submit(_stretch, path, passphrase)


def sqlite_engine(target: Target, key: str | None) -> Engine:
    """A pool of connections to an SQLite/SQLCipher file (``key``: SQLCipher's)."""
    assert target.path is not None
    if target.kind == "sqlcipher":
        key = connection_key(target.path, key)
        url = URL.create("sqlite+pysqlcipher", password=key or "", database=str(target.path))
    else:
        url = URL.create("sqlite", database=str(target.path))
    # A queue of connections any thread may borrow, one thread at a time. (The SQLCipher
    # dialect's default, one connection per thread, closes connections of other threads
    # once more threads have come and gone than its size: a worker could lose its own.)
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        pool_timeout=60,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # SQLAlchemy issues BEGIN itself (below); the driver must not.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        # The read-only guard (see ia_desk.db.storage): set or cleared only when it changes,
        # since setting it makes SQLite compile the connection's statements again.
        guarded = options.get("ia_guard", False)
        pooled = conn.connection
        if pooled.info.get("ia_guard", False) != guarded:
            pooled.dbapi_connection.set_authorizer(
                storage.audit_only_authorizer if guarded else None
            )
            pooled.info["ia_guard"] = guarded
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("ia_write", False) else "BEGIN")

    return engine


def server_engine(target: Target, password: str | None = None) -> Engine:
    """A pool of server connections. The password comes from the URL, else ``password``
    (the workstation's keyring, found by the caller), else libpq's own sources
    (PGPASSWORD, ~/.pgpass)."""
    from ia_desk import __version__

    url = target.url
    if url.password is None and password:
        url = url.set(password=password)
    return create_engine(
        url,
        pool_size=4,
        max_overflow=4,
        pool_timeout=60,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10, "application_name": f"IA Desk {__version__}"},
    )


def check_server(engine: Engine, target: Target) -> None:
    """Reach the server once, so a wrong password or host is said plainly and early."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar()
    except SADatabaseError as exc:
        engine.dispose()
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if "password" in first or "authentication" in first:
            raise DatabaseKeyError(
                f"The server refused the sign-in for {target.describe()}: {first}"
            ) from None
        raise StorageError(
            f"The database server {target.describe()} cannot be reached: {first}"
        ) from None


class TransactionHooks(Protocol):
    """What the storage room asks of the rooms above it (installed by
    :mod:`ia_desk.startup`; ``actor`` is an :class:`ia_desk.security.actor.Actor`)."""

    def standing(self, session: Session, actor: Any) -> None:
        """Refuse (raise) a transaction of an actor whose account changed."""

    def refused(self, session: Session, actor: Any, exc: PermissionDenied | RefusedInput) -> None:
        """Record a refused operation, in a transaction of its own (``session``)."""

    def record(
        self, session: Session, event_type: str, details: dict[str, Any], outcome: str = "ok"
    ) -> None:
        """Record an event of the database itself (a guard put back, read-only mode)."""


class OwnWriteWatcher(Protocol):
    """Told of each write transaction of a :class:`Database` (the change feed's
    :class:`ia_desk.db.changes.OwnWrites`, so that it does not hear them back)."""

    def began(self, session: Session) -> None:
        """The transaction begins: nothing of it is written yet."""

    def committing(self, session: Session) -> None:
        """Everything of it is flushed; it commits next."""


class NoHooks:
    """Hooks that check and record nothing: a database not opened by the start-up."""

    def standing(self, session: Session, actor: Any) -> None:
        return None

    def refused(self, session: Session, actor: Any, exc: PermissionDenied | RefusedInput) -> None:
        return None

    def record(
        self, session: Session, event_type: str, details: dict[str, Any], outcome: str = "ok"
    ) -> None:
        return None


@dataclass
class Database:
    """An open IA Desk database. Thread-safe to share; sessions are not.

    ``audit_key_source`` may be a future: in passphrase mode the audit key is stretched
    in the background while the app goes on (sign-in's own hash runs at the same time);
    ``audit_key`` and the first audit event wait for it.

    An embedded database whose disk (or size limit) is full goes **read-only** instead of
    locking everyone out (see :mod:`ia_desk.db.storage`): it gives up its reserves, then
    refuses every change up front with :class:`ReadOnlyDatabase`, while reads and writes
    opened with ``audit_only=True`` (sign-in, lock and sign-out, prints, exports,
    backups: transactions that only record what was done) go on, each still audited.
    The next change tried once there is room puts the reserves back and goes through.
    ``read_only`` says which; listeners added with :meth:`add_read_only_listener` hear
    of every switch (called from whichever thread noticed it).
    """

    engine: Engine
    target: Target
    audit_key_source: bytes | Future[bytes] = field(repr=False)
    workstation: str = field(default_factory=workstation_name)
    cipher_key: str | None = field(default=None, repr=False)  # for consistent backups
    hooks: TransactionHooks = field(default_factory=NoHooks, repr=False)
    # What opened an embedded database and where its wrappings are (an
    # ia_desk.security.keyfile.DatabaseKeys; None on a server): the account rooms wrap
    # the database's secrets for a user through the session (session.info["db_keys"]).
    key_file: Any = field(default=None, repr=False)
    # A server database's recovery code made by this process (setup), until it is shown
    # once (an ia_desk.startup.own_passwords.ServerRecovery): IA's key is sealed to it.
    server_recovery: Any = field(default=None, repr=False)
    _read_only: bool = field(default=False, init=False, repr=False)
    _switching: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    _listeners: list[Callable[[bool], None]] = field(default_factory=list, init=False, repr=False)
    _own_write_watchers: list[OwnWriteWatcher] = field(default_factory=list, init=False, repr=False)

    @property
    def audit_key(self) -> bytes:
        source = self.audit_key_source
        if isinstance(source, Future):
            source = self.audit_key_source = source.result()
        return source

    @property
    def read_only(self) -> bool:
        """True while the embedded database's disk is full (see the class docstring)."""
        return self._read_only

    @property
    def _embedded_path(self) -> Path | None:
        return self.target.path if self.engine.dialect.name == "sqlite" else None

    def add_read_only_listener(self, listener: Callable[[bool], None]) -> None:
        """``listener(read_only)`` is called at every switch, from any thread."""
        self._listeners.append(listener)

    def remove_read_only_listener(self, listener: Callable[[bool], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def watch_own_writes(self, watcher: OwnWriteWatcher) -> None:
        """Tell ``watcher`` of every write transaction from now on (not of audit-only
        ones: they record what was done, they change no case)."""
        self._own_write_watchers.append(watcher)

    def unwatch_own_writes(self, watcher: OwnWriteWatcher) -> None:
        with contextlib.suppress(ValueError):
            self._own_write_watchers.remove(watcher)

    def _session(self, write: bool) -> Session:
        conn_opts: dict[str, bool] = {"ia_write": True} if write else {}
        if self._read_only:
            conn_opts["ia_guard"] = True
        session = Session(
            bind=self.engine.execution_options(**conn_opts),
            expire_on_commit=False,
            autoflush=True,
        )
        session.info["audit_key"] = self.audit_key_source  # see audit.trail.audit_key
        session.info["workstation"] = self.workstation
        session.info["dialect"] = self.engine.dialect.name
        session.info["db_keys"] = self.key_file
        return session

    def session_on(self, conn: Connection) -> Session:
        """A session in a transaction the caller holds on ``conn`` (IA Desk's own upkeep,
        e.g. :mod:`ia_desk.db.guards`): it flushes there, the caller commits."""
        session = Session(bind=conn, expire_on_commit=False, autoflush=True)
        session.info["audit_key"] = self.audit_key_source
        session.info["workstation"] = self.workstation
        session.info["dialect"] = self.engine.dialect.name
        return session

    @contextlib.contextmanager
    def read(self, actor: Any = None) -> Iterator[Session]:
        """A session for reading. Anything it would write is rolled back, except the audit
        events of what was read, which are committed (on a read-only database too). With
        ``actor``, it first checks they still stand where they signed in (the hooks). A
        refused read (permission denied) is audited after the rollback, as a refused
        write is."""
        self._check_room(change=False)
        session = self._session(write=False)
        try:
            if actor is not None:
                self.hooks.standing(session, actor)
            yield session
            # Reads that append audit events (case views, prints) commit them.
            if session.info.get("audited") or session.new or session.dirty:
                session.commit()
                self._after_commit()
            else:
                session.rollback()
        except SADatabaseError as exc:
            session.rollback()
            mapped = self._refused_by_storage(exc, change=False)
            if mapped is None:
                raise
            raise mapped from None
        except (PermissionDenied, RefusedInput) as exc:
            session.rollback()
            session.close()
            if exc.refusal is not None:
                self._audit_refusal(actor, exc)
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def write(self, actor: Any, *, audit_only: bool = False) -> Iterator[Session]:
        """A write transaction: commit on success, nothing on failure.

        A refusal (permission denied, hostile input) is audited after the rollback. With
        ``actor``, it first checks they still stand where they signed in.
        ``audit_only=True`` declares a transaction that only records what was done
        (sign-in, a print, an export, a backup's event, lock and sign-out): it goes on
        while the database is read-only, where anything else is refused before it starts
        (and SQLite itself refuses an audit-only transaction any other change).
        """
        self._check_room(change=not audit_only)
        session = self._session(write=True)
        watchers = [] if audit_only else list(self._own_write_watchers)
        try:
            for watcher in watchers:
                watcher.began(session)
            if actor is not None:
                self.hooks.standing(session, actor)
            yield session
            if watchers:
                session.flush()
                for watcher in watchers:
                    watcher.committing(session)
            session.commit()
            self._after_commit()
        except StaleDataError:
            session.rollback()
            raise ConflictError(
                "Someone else changed this record since you opened it; nothing was saved. "
                "Reload it and try again."
            ) from None
        except SADatabaseError as exc:
            session.rollback()
            mapped = self._refused_by_storage(exc, change=not audit_only)
            if mapped is None:
                raise
            raise mapped from None
        except (PermissionDenied, RefusedInput) as exc:
            session.rollback()
            session.close()
            if exc.refusal is not None:
                self._audit_refusal(actor, exc)
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _audit_refusal(self, actor: Any, exc: PermissionDenied | RefusedInput) -> None:
        session = self._session(write=True)
        try:
            self.hooks.refused(session, actor, exc)
            session.commit()
            self._after_commit()
        finally:
            session.close()

    # -- a full disk (embedded databases only) ---------------------------------------------

    def _check_room(self, change: bool) -> None:
        """Before a transaction. A nearly full disk makes the database read-only first; a
        missing headroom file (another process found the disk full and gave it up, or
        someone deleted it) is made again, or the database goes read-only too. A change
        on a read-only database first tries to put the reserves back, and is refused
        when there is still no room."""
        path = self._embedded_path
        if path is None:
            return
        if not self._read_only:
            if storage.low_on_disk(path):
                self.enter_read_only("the disk is nearly full")
            elif not storage.has_headroom(path) and not self._leave_read_only(path, quiet=True):
                self.enter_read_only("the disk reserve is gone (another process found it full)")
        if change and self._read_only and not self._leave_read_only(path):
            raise ReadOnlyDatabase(read_only_message(path))

    def _after_commit(self) -> None:
        # Read-only: keep the write-ahead log from growing into space the disk lacks.
        if self._read_only and self._embedded_path is not None:
            storage.checkpoint(self.engine)

    def _refused_by_storage(self, exc: SADatabaseError, change: bool) -> IADeskError | None:
        """What to raise for a transaction the database refused (already rolled back),
        None for an error that is not about storage. A full disk makes an embedded
        database read-only, and says so."""
        path = self._embedded_path
        if path is not None and self._read_only and storage.is_unauthorised(exc):
            return ReadOnlyDatabase(read_only_message(path))
        if path is not None and storage.is_full(exc):
            was_read_only = self._read_only
            self.enter_read_only("a write failed: the disk or the database's size limit is full")
            if change:
                return ReadOnlyDatabase(read_only_message(path))
            if was_read_only:
                return StorageError(
                    f"The disk that holds the database ({path.parent}) is full and the room "
                    "IA Desk keeps for the audit trail is used up. Every read and sign-in is "
                    "recorded there, so nothing more can be shown until some space is freed "
                    "on that disk."
                )
            return StorageError(
                f"The disk that holds the database ({path.parent}) is full, so this could not "
                "be recorded in the audit trail and was not done. IA Desk has switched to "
                "read-only and made room for the audit trail: try again. Reading, printing "
                "and backing up to another disk work; free space on that disk to make changes "
                "again."
            )
        if isinstance(exc, OperationalError):
            return storage_error(exc)
        return None

    def enter_read_only(self, why: str) -> None:
        """Give up the reserves (the headroom file, then the reserve rows) and refuse
        changes from now on. Audited the first time (``storage.read_only``)."""
        path = self._embedded_path
        if path is None:
            return
        with self._switching:
            was = self._read_only
            self._read_only = True
            freed = storage.release_headroom(path)
            try:
                rows = storage.release_reserve(self.engine)
            except SADatabaseError as exc:  # e.g. the disk too full even for that
                log.warning("the storage reserve could not be released: %s", exc.orig)
                rows = 0
            storage.checkpoint(self.engine)
            if was:
                return
            log.warning("database %s is read-only: %s", path, why)
            details = {
                "why": why,
                "free_bytes": storage.free_bytes(path),
                "reserve_rows_released": rows,
                "headroom_released": freed,
            }
            self._record_switch("storage.read_only", details)
        self._tell(True)

    def _leave_read_only(self, path: Path, quiet: bool = False) -> bool:
        """Put both reserves back (the rows, then the headroom file) if the disk has room
        for them and some to spare; True when the database is writable (again)."""
        with self._switching:
            if not self._read_only and storage.has_headroom(path):
                return True
            free = storage.free_bytes(path)
            if free is not None and free < storage.ROOM_TO_LEAVE:
                return False
            try:
                if not storage.fill_reserve(self.engine):
                    return False
                if not storage.ensure_headroom(path):
                    storage.release_reserve(self.engine)
                    return False
            except SADatabaseError as exc:  # busy, or an I/O error: try again later
                log.warning("the storage reserve could not be put back: %s", exc.orig)
                return False
            was = self._read_only
            self._read_only = False
            if not was:
                return True
            self._record_switch("storage.writable", {"free_bytes": free})
        if not quiet:
            log.warning("database %s is writable again", path)
        self._tell(False)
        return True

    def _record_switch(self, event_type: str, details: dict[str, Any]) -> None:
        try:
            with self.write(None, audit_only=True) as s:
                self.hooks.record(s, event_type, details)
        except IADeskError as exc:  # the disk too full even for this one row
            log.warning("%s could not be audited: %s", event_type, exc.message)

    def _tell(self, read_only: bool) -> None:
        for listener in list(self._listeners):
            try:
                listener(read_only)
            except Exception:  # noqa: BLE001 - a listener's failure is not the database's
                log.exception("read-only listener failed")

    def start_storage(self, low_on_disk: bool) -> None:
        """At start-up: make the reserves when missing; a disk found nearly full (or with
        no room for them) starts the database read-only."""
        path = self._embedded_path
        if path is None or not storage.has_reserve_table(self.engine):
            return
        if low_on_disk:
            self.enter_read_only("the disk was nearly full at start-up")
            return
        rows = storage.reserve_rows(self.engine)
        if rows >= storage.RESERVE_ROWS and storage.has_headroom(path):
            return
        if not self._leave_read_only(path, quiet=True):
            self.enter_read_only("no room for the storage reserve at start-up")

    def dispose(self) -> None:
        self.engine.dispose()


def read_only_message(path: Path) -> str:
    """What a refused change says while the database is read-only."""
    return (
        f"Nothing was saved: the disk that holds the database ({path.parent}) is full, so "
        "IA Desk is read-only for now. Signing in, reading cases, printing, exports and "
        "backups to another disk still work, and each is recorded in the audit trail as "
        "always. To get out of it, free some space on that disk (or move the database to a "
        "larger one): the next change you save after that makes IA Desk writable again."
    )


def storage_error(exc: OperationalError) -> StorageError:
    """A clear message for the database refusing a write (disk full, I/O error, locked)."""
    text_ = str(exc.orig).lower() if exc.orig else str(exc).lower()
    if "no space left" in text_ or getattr(exc.orig, "sqlstate", None) == "53100":
        # PostgreSQL: a full disk is the server's to handle (see the README).
        return StorageError(
            "The database server's disk is full: nothing was saved. Until space is freed "
            "there the server takes no changes and shows no cases either (every read and "
            "sign-in is recorded in the audit trail). Tell the server's administrator; "
            "IA Desk works as before once there is room."
        )
    if "full" in text_:
        why = "the disk (or the database's size limit) is full"
    elif "disk i/o" in text_ or "i/o error" in text_:
        why = "the disk reported an input/output error"
    elif "locked" in text_ or "busy" in text_:
        why = "another program kept the database busy too long"
    elif "readonly" in text_ or "read-only" in text_:
        why = "the database file cannot be written (read-only)"
    else:
        why = f"the database refused the change ({exc.orig})"
    return StorageError(f"Nothing was saved: {why}. The database is as it was before.")


def _check_key(engine: Engine, target: Target, low_on_disk: bool = False) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar()
    except SADatabaseError as exc:
        engine.dispose()
        if "not a database" in str(exc.orig) or "encrypted" in str(exc.orig):
            raise DatabaseKeyError(
                f"The database {target.path} could not be opened: the key or passphrase is "
                "wrong, or the file is not an IA Desk database."
            ) from None
        assert target.path is not None
        if low_on_disk or storage.low_on_disk(target.path):
            raise StorageError(
                f"The database {target.path} could not be opened: the disk that holds it is "
                "full, and even reading needs a little room there (for SQLite's shared-memory "
                "file, 32 KB). Free some space on that disk and start IA Desk again."
            ) from None
        raise StorageError(f"The database {target.path} could not be opened: {exc.orig}") from None


def database_exists(target: Target, password: str | None = None) -> bool:
    """Is there an IA Desk database here already (a non-empty file; a server database
    with IA Desk's tables)? ``password``: the server's, as for :func:`server_engine`."""
    if target.path is not None:
        return target.path.exists() and target.path.stat().st_size > 0
    from ia_desk.db.migrate import current_revision

    engine = server_engine(target, password)
    try:
        check_server(engine, target)
        return current_revision(engine) is not None
    finally:
        engine.dispose()


background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ia-desk-kdf")
"""One thread for key stretching (PBKDF2 releases the GIL: another core works on it)."""
