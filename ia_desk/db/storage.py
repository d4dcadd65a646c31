"""Keeping an embedded database usable when its disk fills up.

A full disk must not lock everyone out: signing in writes (the failure counter, an audit
event) and so does every case read (its audit event). So an embedded database keeps two
reserves, both made at start-up when missing, and gives them up when the disk is full:

- the **headroom file** ``<database>-reserve`` beside the database (2 MiB of random
  bytes, so no file system can compress it away). SQLite needs room on the disk outside
  the database file: its shared-memory file (32 KiB) just to open the database, even
  for reading, and its write-ahead log for every commit. Measured on a full tmpfs: with
  no room the open fails ("disk I/O error") and so does every commit, whatever free
  pages the database file holds. Deleting this file gives that room back.
- the **reserve rows**: 32 rows of 128 KiB filler in ``storage_reserve`` (4 MiB inside
  the database file). Deleted, their pages go to the file's free list, where new audit
  rows are written without the file growing (the database's size limit, or a disk that
  another program keeps filling, cannot take them). They are deleted with SQLite's
  ``secure_delete`` off for that one transaction: SQLCipher turns it on, and zeroing
  1,000 freed pages would need 4 MiB of write-ahead log, which a full disk does not
  have. The filler holds nothing worth erasing.

Between them they hold some 14,000 audit events (7,000 case reads under the database's
size limit; 10,000 on a full tmpfs, where the headroom file adds its 2 MiB); after that,
reads are refused (each read must be audited) until space is freed.

The headroom file also tells other processes on the same database that it is read-only:
it exists exactly while the database is writable (it is made after the rows are filled
and deleted before they are).

While read-only the :class:`ia_desk.db.engine.Database` lets only audit-only work
through, and :func:`audit_only_authorizer` makes SQLite itself refuse anything else
those transactions might try to change.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

RESERVE_ROWS = 32
RESERVE_ROW_BYTES = 128 * 1024
RESERVE_BYTES = RESERVE_ROWS * RESERVE_ROW_BYTES
HEADROOM_BYTES = 2 * 1024 * 1024
HEADROOM_SUFFIX = "-reserve"
# Below this much free space the database goes read-only before it fails (a commit or
# an open needs some tens of KiB outside the file; a case with screenshots, far more).
LOW_WATER = 1024 * 1024
# What leaving read-only needs: both reserves back, and still some room to work in.
ROOM_TO_LEAVE = RESERVE_BYTES + HEADROOM_BYTES + LOW_WATER

_SQLITE_FULL = 13
_SQLITE_AUTH = 23
_COUNT = "SELECT count(*) FROM storage_reserve"
_FILL = "INSERT INTO storage_reserve (id, filler) VALUES (?, zeroblob(?))"
_HAVE_TABLE = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'storage_reserve'"


def headroom_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + HEADROOM_SUFFIX)


# These three run before every transaction of an embedded database: plain os calls on
# the path's string, no Path objects (about 3 us in all).


def free_bytes(db_path: Path) -> int | None:
    """Free space (for this user) on the disk holding the database; None if unknown."""
    try:
        return shutil.disk_usage(os.path.dirname(db_path)).free
    except OSError:
        return None


def low_on_disk(db_path: Path) -> bool:
    """Is the disk holding the database nearly full (less than :data:`LOW_WATER`)?"""
    free = free_bytes(db_path)
    return free is not None and free < LOW_WATER


def has_headroom(db_path: Path) -> bool:
    try:
        return os.stat(os.fspath(db_path) + HEADROOM_SUFFIX).st_size >= HEADROOM_BYTES
    except OSError:
        return False


def ensure_headroom(db_path: Path) -> bool:
    """Make the headroom file when it is missing or short. False when the disk has no
    room for it (nothing is left behind then)."""
    if has_headroom(db_path):
        return True
    path = headroom_path(db_path)
    tmp = path.with_name(path.name + ".partial")
    try:
        with open(tmp, "wb") as f:
            f.write(os.urandom(HEADROOM_BYTES))
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
        return True
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            log.warning("the disk reserve %s could not be made: %s", path, exc.strerror)
        return False


def release_headroom(db_path: Path) -> bool:
    """Delete the headroom file; True when there was one."""
    try:
        headroom_path(db_path).unlink()
        return True
    except FileNotFoundError:
        return False


def has_reserve_table(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.exec_driver_sql(_HAVE_TABLE).first() is not None


def reserve_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(_COUNT).scalar() or 0)


def fill_reserve(engine: Engine) -> bool:
    """Put the missing reserve rows back, in one transaction. False (and nothing
    written) when the disk or the database's size limit has no room for them."""
    try:
        with engine.execution_options(ia_write=True).begin() as conn:
            have = {int(r[0]) for r in conn.exec_driver_sql("SELECT id FROM storage_reserve")}
            missing = [{"id": i} for i in range(RESERVE_ROWS) if i not in have]
            if missing:
                conn.exec_driver_sql(_FILL, [(m["id"], RESERVE_ROW_BYTES) for m in missing])
        return True
    except DBAPIError as exc:
        if is_full(exc):
            return False
        raise


def release_reserve(engine: Engine) -> int:
    """Delete the reserve rows, their pages going to the file's free list (with
    ``secure_delete`` off, so no freed page is written). Returns the rows deleted."""
    with engine.execution_options(ia_write=True).begin() as conn:
        conn.exec_driver_sql("PRAGMA secure_delete = OFF")
        try:
            deleted = conn.exec_driver_sql("DELETE FROM storage_reserve").rowcount
        finally:
            conn.exec_driver_sql("PRAGMA secure_delete = ON")
    return int(deleted or 0)


def checkpoint(engine: Engine) -> None:
    """Copy the write-ahead log into the database file (PASSIVE: waits for no one), so
    the next commit starts the log from its beginning instead of growing it."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA wal_checkpoint(PASSIVE)")
        cur.close()
    except Exception as exc:  # noqa: BLE001 - a checkpoint left for later is no harm
        log.info("checkpoint skipped: %s", exc)
    finally:
        raw.close()


def is_full(exc: BaseException) -> bool:
    """Did the database refuse because the disk or its size limit is full? (SQLite's
    SQLITE_FULL, PostgreSQL's disk_full; not any message that happens to say "full".)"""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == _SQLITE_FULL)
    text = str(orig).lower()
    return (
        getattr(orig, "sqlstate", None) == "53100"
        or "database or disk is full" in text
        or "no space left on device" in text
    )


def is_unauthorised(exc: BaseException) -> bool:
    """Did SQLite's authorizer (the read-only guard) refuse a statement?"""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == _SQLITE_AUTH)
    return "not authorized" in str(orig).lower()


# -- the read-only guard ------------------------------------------------------------------
#
# SQLite calls the authorizer while compiling each statement (setting one expires the
# statements compiled before). While the database is read-only, the transactions let
# through (reads and audit-only writes) may add audit events, move the audit head, and
# keep sign-in's own bookkeeping on the account; nothing else in the main database.

_SQLITE_INSERT = 18
_SQLITE_PRAGMA = 19
_SQLITE_READ = 20
_SQLITE_SELECT = 21
_SQLITE_TRANSACTION = 22
_SQLITE_UPDATE = 23
_SQLITE_ATTACH = 24
_SQLITE_DETACH = 25
_SQLITE_FUNCTION = 31
_SQLITE_SAVEPOINT = 32
_SQLITE_RECURSIVE = 33
_ALWAYS = {
    _SQLITE_PRAGMA,
    _SQLITE_READ,
    _SQLITE_SELECT,
    _SQLITE_TRANSACTION,
    _SQLITE_ATTACH,
    _SQLITE_DETACH,
    _SQLITE_FUNCTION,
    _SQLITE_SAVEPOINT,
    _SQLITE_RECURSIVE,
}
AUDIT_INSERTS = frozenset({"audit_event", "audit_head"})
AUDIT_UPDATES = frozenset(
    {
        ("audit_head", "seq"),
        ("audit_head", "mac"),
        # Sign-in: the failure counter and lockout must hold while read-only too.
        ("app_user", "failed_logins"),
        ("app_user", "locked_until"),
        ("app_user", "last_login_at"),
        ("app_user", "password_hash"),  # a hash upgraded at sign-in, same size
        # A key from before sealing gets its sealing pair at sign-in (a few hundred bytes).
        ("user_key", "seal_public"),
        ("user_key", "seal_wrapped"),
        ("user_key", "seal_signature"),
    }
)
_OK = 0
_DENY = 1


def audit_only_authorizer(
    action: int, arg1: str | None, arg2: str | None, db_name: str | None, _trigger: Any
) -> int:
    """SQLite authorizer of a read-only database's transactions (see above). Other
    attached databases (a backup being written) are not restricted."""
    if action in _ALWAYS or db_name not in ("main", None):
        return _OK
    if action == _SQLITE_INSERT and arg1 in AUDIT_INSERTS:
        return _OK
    if action == _SQLITE_UPDATE and (arg1, arg2) in AUDIT_UPDATES:
        return _OK
    return _DENY
