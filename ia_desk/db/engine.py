"""Opening a database: where it is, its key, the engine, and transactions.

``open_database()`` is the one door: it resolves the target (``--db``/``IA_DESK_DB``, the
workstation's saved server connection, or the embedded default under the user data
directory), refuses an SQLite file on a network share, finds the key, checks it, applies
migrations (backing up first) and returns a :class:`Database`.

A PostgreSQL target (``postgresql+psycopg://``) needs TLS when the server is on another
computer (unless an IA administrator allowed otherwise), takes its password from the URL
or the workstation's keyring, and shares one audit key among all workstations (kept in
the database wrapped with the audit passphrase; see :mod:`ia_desk.security.keys`).

Transactions: ``db.read()`` for reads, ``db.write(actor)`` for changes. A write
transaction on SQLite starts with ``BEGIN IMMEDIATE`` so two writers queue instead
of failing half-way. If a service raises :class:`PermissionDenied` or
:class:`RefusedInput`, the transaction is rolled back and the refusal is written to
the audit trail in a transaction of its own. ``db.write(actor, audit_only=True)`` marks
work that only records what was done (sign-in, prints, exports, backups): it goes on
while an embedded database is read-only because its disk is full (see
:class:`Database` and :mod:`ia_desk.db.storage`).

Every start also removes what killed backups left behind (:mod:`ia_desk.backup`), and
checks the append-only guards of the audit trail and evidence (:mod:`ia_desk.db.guards`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import QueuePool

from ia_desk import APP_NAME
from ia_desk.db import storage
from ia_desk.errors import (
    ConflictError,
    DatabaseKeyError,
    IADeskError,
    PermissionDenied,
    ReadOnlyDatabase,
    RefusedInput,
    StorageError,
)
from ia_desk.security import keys
from ia_desk.security.actor import Actor, check_standing

log = logging.getLogger(__name__)

DB_ENV = "IA_DESK_DB"
DATA_DIR_ENV = "IA_DESK_DATA_DIR"
DEFAULT_FILE = "ia-desk.db"
NETWORK_FS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "sshfs",
    "fuse.sshfs",
    "9p",
    "afs",
    "ceph",
    "glusterfs",
    "fuse.glusterfs",
    "davfs",
    "fuse.davfs2",
    "fuse.rclone",
    "ncpfs",
    "lustre",
}


def data_dir() -> Path:
    """The user data directory (``IA_DESK_DATA_DIR`` overrides it)."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def workstation_name() -> str:
    return socket.gethostname() or "unknown-workstation"


LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}
TLS_SSLMODES = {"require", "verify-ca", "verify-full"}


def is_loopback(host: str | None) -> bool:
    """True for a server on this computer (a Unix socket or a loopback address)."""
    if not host or host.startswith("/"):
        return True
    return host.lower() in LOOPBACK_HOSTS or host.startswith("127.")


def without_password(url: URL) -> URL:
    return url._replace(password=None)  # URL.set(password=None) keeps the old one


@dataclass(frozen=True)
class Target:
    """Which database to open, with no secret in it."""

    url: URL
    kind: str  # "sqlcipher" | "sqlite" | "postgresql"
    path: Path | None = None

    @property
    def ident(self) -> str:
        """A stable name for this database, used to find its secrets in the keyring."""
        if self.path:
            where = str(self.path)
        else:  # the server, port, database and user; not the password or TLS options
            where = without_password(self.url).set(query={}).render_as_string()
        return hashlib.sha256(where.encode("utf-8")).hexdigest()[:24]

    @property
    def plaintext_remote(self) -> bool:
        """A server on another computer reached without TLS (needs an admin's consent)."""
        if self.kind != "postgresql" or is_loopback(self.url.host):
            return False
        return str(self.url.query.get("sslmode", "require")) not in TLS_SSLMODES

    def describe(self) -> str:
        if self.path:
            extra = " (encrypted)" if self.kind == "sqlcipher" else " (NOT encrypted)"
            return f"{self.path}{extra}"
        return without_password(self.url).render_as_string()


def resolve_target(url: str | None = None) -> Target:
    """``url`` (or ``IA_DESK_DB``), else this workstation's saved server connection, else
    the encrypted default file in the data directory.

    Accepted: a path to a file (encrypted), ``sqlite+pysqlcipher:///path`` (encrypted),
    ``sqlite:///path`` (NOT encrypted: tests and diagnostics only),
    ``postgresql+psycopg://...``.
    """
    raw = url or os.environ.get(DB_ENV)
    if not raw:
        from ia_desk.db.connection import saved_connection

        server = saved_connection()
        if server is not None:
            return resolve_target(server.url())
        path = data_dir() / DEFAULT_FILE
        return Target(URL.create("sqlite+pysqlcipher", database=str(path)), "sqlcipher", path)
    if "://" not in raw:
        path = Path(raw).expanduser().resolve()
        return Target(URL.create("sqlite+pysqlcipher", database=str(path)), "sqlcipher", path)
    try:
        parsed = make_url(raw)
    except Exception as exc:  # noqa: BLE001
        raise StorageError(f"The database URL is not valid: {exc}") from None
    backend = parsed.get_backend_name()
    driver = parsed.get_driver_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StorageError("An in-memory database cannot hold IA records; give a file path.")
        path = Path(parsed.database).expanduser().resolve()
        if driver == "pysqlcipher":
            clean = URL.create("sqlite+pysqlcipher", database=str(path))
            return Target(clean, "sqlcipher", path)
        return Target(URL.create("sqlite", database=str(path)), "sqlite", path)
    if backend == "postgresql":
        if driver not in ("psycopg", "psycopg2", ""):
            raise StorageError(
                f"PostgreSQL driver '{driver}' is not supported: use postgresql+psycopg://..."
            )
        parsed = parsed.set(drivername="postgresql+psycopg")
        if not parsed.database:
            raise StorageError("The PostgreSQL URL names no database: add /DATABASE at its end.")
        if not is_loopback(parsed.host) and "sslmode" not in parsed.query:
            # Another computer: TLS unless an administrator has said otherwise.
            parsed = parsed.update_query_dict({"sslmode": "require"})
        return Target(parsed, "postgresql")
    raise StorageError(
        f"Database type '{backend}' is not supported: use an SQLite/SQLCipher file or PostgreSQL."
    )


def _mount_fstype(path: Path) -> str | None:
    """The file system type holding ``path`` on Linux (from /proc/mounts)."""
    mounts = Path("/proc/mounts")
    if not mounts.exists():
        return None
    best: tuple[int, str] | None = None
    target = str(path)
    for line in mounts.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mnt = parts[1].replace("\\040", " ")
        if (target == mnt or target.startswith(mnt.rstrip("/") + "/")) and (
            best is None or len(mnt) > best[0]
        ):
            best = (len(mnt), parts[2])
    return best[1] if best else None


def refuse_network_share(path: Path) -> None:
    """SQLite's WAL needs shared memory, which network file systems do not provide."""
    msg = (
        f"The database {path} is on a network share. SQLite cannot be shared safely over a "
        "network drive; keep the file on this computer, or use a PostgreSQL server for "
        "several workstations."
    )
    raw = str(path)
    if raw.startswith(("\\\\", "//")):
        raise StorageError(msg)
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        drive = os.path.splitdrive(raw)[0] + "\\"
        if ctypes.windll.kernel32.GetDriveTypeW(drive) == 4:  # DRIVE_REMOTE
            raise StorageError(msg)
        return
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    fstype = _mount_fstype(existing.resolve())
    if fstype and fstype in NETWORK_FS:
        raise StorageError(msg)


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


def start_stretching(url: str | None) -> None:
    """Start deriving the key of an existing encrypted file from a passphrase given in
    the environment, on another core, so the desktop app's start-up goes on meanwhile.
    (Nothing happens otherwise: a keyring key needs no stretching, a prompted
    passphrase is not known yet.) :func:`connection_key` picks the result up."""
    passphrase = os.environ.get(keys.PASSPHRASE_ENV)
    if not passphrase:
        return
    try:
        target = resolve_target(url)
    except StorageError:
        return
    if target.kind != "sqlcipher" or target.path is None or not target.path.is_file():
        return
    _STRETCHING[(target.path, passphrase)] = _BACKGROUND.submit(_stretch, target.path, passphrase)


def _sqlite_engine(target: Target, key: str | None) -> Engine:
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


def server_engine(target: Target) -> Engine:
    """A pool of server connections. The password comes from the URL, else from this
    workstation's keyring, else libpq's own sources (PGPASSWORD, ~/.pgpass)."""
    from ia_desk import __version__

    url = target.url
    if url.password is None:
        remembered = keys.server_password(target.ident)
        if remembered:
            url = url.set(password=remembered)
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
    _read_only: bool = field(default=False, init=False, repr=False)
    _switching: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    _listeners: list[Callable[[bool], None]] = field(default_factory=list, init=False, repr=False)

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
    def read(self, actor: Actor | None = None) -> Iterator[Session]:
        """A session for reading. Anything it would write is rolled back, except the audit
        events of what was read, which are committed (on a read-only database too). With
        ``actor``, it first checks they still stand where they signed in
        (:func:`ia_desk.security.actor.check_standing`)."""
        self._check_room(change=False)
        session = self._session(write=False)
        try:
            if actor is not None:
                check_standing(session, actor)
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
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def write(self, actor: Actor | None, *, audit_only: bool = False) -> Iterator[Session]:
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
        try:
            if actor is not None:
                check_standing(session, actor)
            yield session
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
            refusal = exc.refusal
            if refusal is not None:
                self._audit_refusal(actor, refusal, exc)
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _audit_refusal(self, actor: Actor | None, refusal: Any, exc: Exception) -> None:
        from ia_desk.audit.trail import append, case_number_or_none

        outcome = "denied" if isinstance(exc, PermissionDenied) else "refused"
        session = self._session(write=True)
        try:
            details = dict(refusal.details)
            details["reason"] = str(exc)
            number = refusal.case_number or details.get("case")
            if number is None and refusal.object_type == "case":
                number = refusal.object_id
            append(
                session,
                actor,
                refusal.event_type,
                object_type=refusal.object_type,
                object_id=refusal.object_id,
                case_number=case_number_or_none(number),
                outcome=outcome,
                details=details,
            )
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
        from ia_desk.audit.trail import append

        try:
            with self.write(None, audit_only=True) as s:
                append(s, None, event_type, object_type="database", details=details)
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


def database_exists(target: Target) -> bool:
    """Is there an IA Desk database here already (a non-empty file; a server database
    with IA Desk's tables)?"""
    if target.path is not None:
        return target.path.exists() and target.path.stat().st_size > 0
    from ia_desk.db.migrate import current_revision

    engine = server_engine(target)
    try:
        check_server(engine, target)
        return current_revision(engine) is not None
    finally:
        engine.dispose()


def open_database(
    url: str | None = None,
    *,
    create: bool = False,
    prompt: keys.PassphrasePrompt | None = None,
    migrate: bool = True,
) -> Database:
    """Open (or with ``create=True`` create) the database and bring its schema to head.

    Raises :class:`StorageError` when it does not exist and ``create`` is false, or when
    it sits on a network share; :class:`DatabaseKeyError` for a missing or wrong key.
    """
    from ia_desk.db.migrate import upgrade_to_head

    target = resolve_target(url)
    if target.kind == "postgresql":
        return _open_server_database(target, create=create, prompt=prompt, migrate=migrate)
    exists = database_exists(target)
    assert target.path is not None
    refuse_network_share(target.path)
    if not exists and not create:
        raise StorageError(
            f"There is no IA Desk database at {target.path}. Create one with "
            "'ia-desk init --admin LOGIN' or start the desktop app."
        )
    target.path.parent.mkdir(parents=True, exist_ok=True)
    from ia_desk.backup import remove_stale_files

    remove_stale_files()  # what killed backups and restores left behind
    # A nearly full disk: give the headroom back before anything opens the database
    # (even reading needs room for SQLite's shared-memory file).
    low_on_disk = exists and migrate and storage.low_on_disk(target.path)
    if low_on_disk:
        storage.release_headroom(target.path)
    if target.kind == "sqlite":
        warnings.warn(
            f"{target.path} is a plain SQLite database: NOT encrypted. Use it for tests "
            "and diagnostics only.",
            stacklevel=2,
        )
        log.warning("opening an unencrypted database at %s", target.path)
    encrypted = target.kind == "sqlcipher"
    if exists:
        secrets_ = keys.secrets_for_existing_database(target.ident, encrypted, prompt)
    else:
        secrets_ = keys.secrets_for_new_database(target.ident, encrypted, prompt)
    engine = _sqlite_engine(target, secrets_.sqlcipher_key)
    _check_key(engine, target, low_on_disk)
    if migrate:
        from ia_desk.db.migrate import current_revision, head_revision

        if exists and current_revision(engine) not in (None, head_revision()):
            from ia_desk.backup import automatic_backup

            automatic_backup(engine, target.path, secrets_.sqlcipher_key, "before-migration")
        upgrade_to_head(engine, target)
    audit_key = _resolve_audit_key(engine, secrets_)
    db = Database(
        engine=engine,
        target=target,
        audit_key_source=audit_key,
        cipher_key=secrets_.sqlcipher_key,
    )
    if migrate:
        db.start_storage(low_on_disk)
        _check_guards(db)
        _load_reference_data(db)
    return db


def _check_guards(db: Database) -> None:
    from ia_desk.db.guards import check_guards

    check_guards(db)


def _load_reference_data(db: Database) -> None:
    from ia_desk.cases.redaction import ensure_withheld_index
    from ia_desk.discipline.matrix import ensure_matrix
    from ia_desk.policy.catalogue import ensure_catalogue

    ensure_catalogue(db)
    ensure_matrix(db)
    ensure_withheld_index(db)


def _open_server_database(
    target: Target,
    *,
    create: bool,
    prompt: keys.PassphrasePrompt | None,
    migrate: bool,
) -> Database:
    """A PostgreSQL database: reach the server, bring the schema to head, find the
    shared audit key, and refuse a plaintext connection an admin has not allowed."""
    from ia_desk.db.migrate import current_revision, upgrade_to_head

    engine = server_engine(target)
    check_server(engine, target)
    try:
        current = current_revision(engine)
        if current is None and not create:
            raise StorageError(
                f"The database {target.describe()} holds no IA Desk tables yet. Set it up "
                "with 'ia-desk --db URL init --admin LOGIN' (see the README's server section)."
            )
        # Before anything is written over the connection, migrations included.
        _refuse_unapproved_plaintext(engine, target, has_schema=current is not None)
        if migrate:
            upgrade_to_head(engine, target)
        audit_key = _server_audit_key(engine, target, prompt)
    except BaseException:
        engine.dispose()
        raise
    db = Database(engine=engine, target=target, audit_key_source=audit_key)
    if migrate:
        _check_guards(db)
        _load_reference_data(db)
    return db


def new_audit_passphrase(prompt: keys.PassphrasePrompt | None) -> str:
    """The audit passphrase of a new server database (checked for length)."""
    passphrase = keys.passphrase_from_env_or_prompt(prompt, confirm=True)
    if not passphrase:
        raise DatabaseKeyError(
            "A new server database needs an audit passphrase, which every workstation gives "
            f"once when it first connects: set {keys.PASSPHRASE_ENV} or start the desktop "
            "app to be asked for one."
        )
    keys.check_passphrase(passphrase)
    return passphrase


def install_audit_key(session: Session, key: bytes, passphrase: str) -> None:
    """Keep a server database's audit key in it, wrapped with its audit passphrase."""
    from ia_desk.db.models import Setting
    from ia_desk.settings import audit_salt

    salt = audit_salt(session)
    session.add(Setting(key="audit_key_wrapped", value=keys.wrap_audit_key(key, passphrase, salt)))
    session.add(Setting(key="audit_key_check", value=keys.audit_key_check(key)))
    session.flush()


def _refuse_unapproved_plaintext(engine: Engine, target: Target, has_schema: bool = True) -> None:
    """A server on another computer without TLS: only where an IA administrator said so
    (a database without IA Desk's tables has no administrator yet: refused)."""
    if not target.plaintext_remote:
        return
    from ia_desk.settings import get_setting

    allowed = False
    if has_schema:
        with Session(engine) as session:
            allowed = bool(get_setting(session, "allow_unencrypted_server_connections"))
    if not allowed:
        raise StorageError(
            f"The connection to {target.url.host} is not encrypted (sslmode="
            f"{target.url.query.get('sslmode')}). Connections to another computer must use "
            "TLS unless an IA administrator has allowed unencrypted connections "
            "(setting allow_unencrypted_server_connections)."
        )


def _server_audit_key(
    engine: Engine,
    target: Target,
    prompt: keys.PassphrasePrompt | None,
) -> bytes:
    """The audit key every workstation of a server database shares (see keys.py).

    A new database gets a random key, wrapped with an audit passphrase chosen now. A
    workstation that does not have the key yet asks that passphrase once and keeps the
    key in its keyring.
    """
    import secrets as random_bytes

    from ia_desk.db.models import Setting
    from ia_desk.settings import stored_audit_salt

    with Session(engine) as session:
        wrapped = session.get(Setting, "audit_key_wrapped")
        if wrapped is None:
            passphrase = new_audit_passphrase(prompt)
            key = random_bytes.token_bytes(32)
            install_audit_key(session, key, passphrase)
            session.commit()
        else:
            check_row = session.get(Setting, "audit_key_check")
            check = check_row.value if check_row else None
            cached = keys.stored_audit_key(target.ident)
            if cached is not None and keys.audit_key_check(cached) == check:
                key = cached
            else:
                given = keys.passphrase_from_env_or_prompt(prompt, confirm=False)
                if not given:
                    raise DatabaseKeyError(
                        "This workstation does not have the audit key of this server database "
                        f"yet: give the database's audit passphrase ({keys.PASSPHRASE_ENV}, or "
                        "the desktop app asks for it) once."
                    )
                salt = stored_audit_salt(session)
                if salt is None or check is None:
                    raise DatabaseKeyError(
                        "This server database's audit key record is incomplete (salt or check "
                        "value missing); restore it from a backup before using it."
                    )
                key = keys.unwrap_audit_key(str(wrapped.value), given, salt)
                if keys.audit_key_check(key) != check:
                    raise DatabaseKeyError("The audit passphrase of this database is wrong.")
    keys.remember_audit_key(target.ident, key)
    return key


def _resolve_audit_key(engine: Engine, secrets_: keys.DatabaseSecrets) -> bytes | Future[bytes]:
    if secrets_.audit_key is not None:
        return secrets_.audit_key
    if secrets_.passphrase is None:
        raise DatabaseKeyError(
            "The audit-trail key of this database is not in this computer's keyring; give the "
            f"passphrase ({keys.PASSPHRASE_ENV}) or restore the key."
        )
    from ia_desk.settings import audit_salt, stored_audit_salt

    with Session(engine) as session:  # read: it exists but for the first start
        salt = stored_audit_salt(session)
    if salt is None:
        with Session(engine.execution_options(ia_write=True)) as session:
            salt = audit_salt(session)
            session.commit()
    # PBKDF2 releases the GIL: stretched on another core while the app goes on.
    return _BACKGROUND.submit(keys.derive_audit_key, secrets_.passphrase, salt)


_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ia-desk-kdf")


def daily_backup_if_due(db: Database) -> Path | None:
    """The first start of a day backs the embedded database up (keeps the newest N).

    Not while the database is read-only (the backup would take the room kept for the
    audit trail); and refused up front (:class:`StorageError`, nothing written) when the
    disk lacks room for a copy of the database with some to spare, rather than filling
    the disk under everyone's feet.
    """
    if db.target.path is None:
        return None
    import datetime as dt

    from ia_desk.backup import automatic_backup, latest_backup_age
    from ia_desk.settings import get_setting

    age = latest_backup_age(db.target.path)
    if age is not None and age < dt.timedelta(days=1):
        return None
    if db.read_only:
        log.warning("daily backup skipped: the database is read-only (its disk is full)")
        return None
    free = storage.free_bytes(db.target.path)
    needed = db.target.path.stat().st_size + storage.ROOM_TO_LEAVE
    if free is not None and free < needed:
        mb = 1024 * 1024
        raise StorageError(
            f"The daily backup was skipped: the disk that holds {db.target.path.parent} has "
            f"{free // mb} MB free and the backup needs about {needed // mb} MB. Free some "
            "space there, or back up to another disk (Administration, or 'ia-desk backup')."
        )
    with db.read() as s:
        keep = int(get_setting(s, "backups_kept"))
    return automatic_backup(db.engine, db.target.path, db.cipher_key, "daily", keep)
