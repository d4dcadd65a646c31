"""Backups and restore of the embedded database.

A backup is a consistent, encrypted copy taken while the database is in use: SQLCipher's
``sqlcipher_export`` into an attached file, inside one read transaction. It is encrypted
with the database's own key, or with a passphrase given for it (to carry it to another
computer). It is written as ``<file>.partial`` (SQLite adds ``<file>.partial-journal``)
and renamed into place once synced.

Restore checks the file first (:func:`check_backup`: it opens with the key, passes
``PRAGMA integrity_check``, holds an IA Desk schema, keeps its append-only triggers, and
its audit chain verifies with this database's audit key), then puts it in place so that
the database's path holds a whole database at every moment, keeping the current one aside
as ``<name>-before-restore-<time>.db`` (the newest ``backups_kept`` of those are kept).

Files being written (partial copies, a restore's copy) are recorded under the data folder
while the work runs (:func:`pending`); if the process is killed, the next backup or start
removes them (:func:`remove_stale_files`).

Automatic backups: before every schema migration and once a day at the first start,
in ``<data folder>/backups``, keeping the newest N (setting ``backups_kept``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, null, select, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from ia_desk import validation
from ia_desk.audit.signatures import public_keys
from ia_desk.audit.trail import CHAIN_COLUMNS, verify_rows
from ia_desk.db.guards import sqlite_problems
from ia_desk.db.models import AuditEvent, AuditHead, table_of
from ia_desk.db.paths import data_dir
from ia_desk.errors import DatabaseKeyError, InputError, StorageError
from ia_desk.security import keyfile

log = logging.getLogger(__name__)

BACKUP_DIR = "backups"
PENDING_DIR = "pending"
BEFORE_RESTORE = "before-restore"
# Only files with these endings are ever removed as another process's leftovers.
PENDING_ENDINGS = (".partial", ".partial-journal", ".restoring")


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# -- files being written ----------------------------------------------------------------


def _pending_folder() -> Path:

    return data_dir() / PENDING_DIR


@contextlib.contextmanager
def pending(*paths: Path) -> Iterator[None]:
    """Record ``paths`` as being written by this process while the block runs (a record
    and an OS file lock in the data folder's ``pending/``), so that if the process dies
    the next backup or start removes them. Best effort: on a disk with no room for the
    record the work goes on unrecorded. Each path must end in one of
    :data:`PENDING_ENDINGS`."""
    from filelock import FileLock

    assert all(p.name.endswith(PENDING_ENDINGS) for p in paths), paths
    folder = _pending_folder()
    token = secrets.token_hex(8)
    record = folder / f"{token}.json"
    lock = FileLock(folder / f"{token}.lock")
    held = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock.acquire()
        held = True
        record.write_text(json.dumps([str(p.resolve()) for p in paths]), encoding="utf-8")
    except OSError as exc:
        log.info("files being written are not recorded (%s): %s", exc.strerror, paths)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            record.unlink(missing_ok=True)
        if held:
            lock.release()
            with contextlib.suppress(OSError):
                Path(lock.lock_file).unlink(missing_ok=True)


def remove_stale_files() -> list[Path]:
    """Remove what killed backups and restores left behind (see :func:`pending`); files
    another process is still writing are left alone. Returns the files removed."""
    folder = _pending_folder()
    if not folder.is_dir():
        return []
    records = sorted(folder.glob("*.json"))
    orphans = [p for p in folder.glob("*.lock") if not p.with_suffix(".json").exists()]
    if not records and not orphans:
        return []
    from filelock import FileLock, Timeout

    removed: list[Path] = []
    for record in [*records, *orphans]:
        lock_path = record.with_suffix(".lock")
        lock = FileLock(lock_path, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            continue  # its process is still at work
        except OSError:
            continue
        try:
            if record.suffix == ".json":
                try:
                    names = json.loads(record.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    names = []
                for name in names if isinstance(names, list) else []:
                    path = Path(str(name))
                    if path.name.endswith(PENDING_ENDINGS) and path.is_file():
                        with contextlib.suppress(OSError):
                            path.unlink()
                            removed.append(path)
                record.unlink(missing_ok=True)
        finally:
            lock.release()
            with contextlib.suppress(OSError):
                lock_path.unlink(missing_ok=True)
    if removed:
        log.warning("removed %d file(s) left by a killed backup or restore", len(removed))
    return removed


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no directory handles)."""
    if sys.platform == "win32":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- backups ------------------------------------------------------------------------------


def export_copy(engine: Engine, out: Path, key: str | None) -> None:
    """Write a consistent copy of an open SQLite/SQLCipher database to ``out``.

    ``key`` is the PRAGMA key value for the copy (``x'hex'`` or a passphrase); None
    writes an unencrypted copy (only for an unencrypted source database). Leftovers of
    killed backups are removed first; a failure leaves nothing behind.
    """
    dialect = engine.dialect.name
    if dialect != "sqlite":
        raise StorageError(
            "Backups of a PostgreSQL database are made with pg_dump on the server; see the README."
        )
    out = validation.output_file(out, "file").resolve()  # its folder must exist already
    if out.exists():
        raise InputError(f"{out} exists already; choose a new file name.", field="file")
    remove_stale_files()
    partial = out.with_name(out.name + ".partial")
    journal = out.with_name(out.name + ".partial-journal")
    for leftover in (partial, journal):
        leftover.unlink(missing_ok=True)
    with pending(partial, journal):
        try:  # a folder that exists but takes no files (/proc, a read-only mount)
            partial.touch(exist_ok=False)
        except OSError as exc:
            raise InputError(
                f"file: cannot write a backup into {out.parent}: {exc.strerror}.", field="file"
            ) from None
        try:
            _export(engine, partial, key)
            with open(partial, "rb+") as f:
                os.fsync(f.fileno())
            partial.replace(out)
            _fsync_dir(out.parent)
        except OSError as exc:
            _remove(partial, journal)
            raise StorageError(
                f"The backup could not be written to {out}: {exc.strerror}."
            ) from None
        except Exception as exc:
            _remove(partial, journal)
            if "full" in str(exc).lower():
                raise StorageError(
                    f"The backup could not be written to {out}: the disk is full."
                ) from None
            raise
        finally:
            journal.unlink(missing_ok=True)


def _remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def _export(engine: Engine, partial: Path, key: str | None) -> None:
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        encrypted = engine.url.get_driver_name() == "pysqlcipher"
        try:
            if encrypted:
                key_sql = f" KEY {_quote(key)}" if key is not None else " KEY ''"
                cur.execute(f"ATTACH DATABASE {_quote(str(partial))} AS backup{key_sql}")
                try:
                    # One transaction: every table is copied from the same snapshot.
                    cur.execute("BEGIN")
                    cur.execute("SELECT sqlcipher_export('backup')")
                    version = cur.execute("PRAGMA main.user_version").fetchone()[0]
                    cur.execute(f"PRAGMA backup.user_version = {int(version)}")
                    cur.execute("COMMIT")
                except Exception:
                    cur.execute("ROLLBACK")
                    raise
                finally:
                    cur.execute("DETACH DATABASE backup")
            else:
                cur.execute(f"VACUUM INTO {_quote(str(partial))}")
        finally:
            cur.close()


@dataclass
class BackupCheck:
    """What :func:`check_backup` found in a backup that opens: the cases it holds and
    the reasons it must not be restored (none: it may be)."""

    cases: int
    problems: list[str] = field(default_factory=list)


def check_backup(
    path: Path, key: str | None, encrypted: bool = True, audit_key: bytes | None = None
) -> BackupCheck:
    """Open a backup read-only and check it.

    Raises for a file that is no usable database (wrong key, damaged, not IA Desk's).
    Otherwise reports, as ``problems``, append-only triggers that are missing or altered
    and, with ``audit_key`` (this database's), an audit chain that does not verify,
    naming the first bad row.
    """

    if not path.is_file():
        raise InputError(f"{path}: no such file.", field="file")
    url = (
        URL.create("sqlite+pysqlcipher", password=key or "", database=str(path))
        if encrypted
        else URL.create("sqlite", database=str(path))
    )
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            try:
                result = conn.execute(text("PRAGMA integrity_check")).scalar()
            except Exception:
                raise DatabaseKeyError(
                    f"{path} does not open with this key or passphrase, or is not a database."
                ) from None
            if result != "ok":
                raise StorageError(f"{path} is damaged: {result}.")
            try:
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
                cases = int(conn.execute(text("SELECT count(*) FROM ia_case")).scalar() or 0)
            except Exception:
                raise StorageError(f"{path} is not an IA Desk database.") from None
            found = BackupCheck(cases, sqlite_problems(conn))
            if audit_key is not None:
                events, heads = table_of(AuditEvent), table_of(AuditHead)
                head_row = conn.execute(select(heads.c.seq, heads.c.mac)).first()
                head = (int(head_row[0]), str(head_row[1])) if head_row else None
                # A backup from before the trail was signed has no signature columns:
                # its chain is checked alone.
                present = {r[1] for r in conn.execute(text("PRAGMA table_info(audit_event)"))}
                rows = conn.execute(
                    select(
                        *(
                            events.c[name] if name in present else null().label(name)
                            for name in CHAIN_COLUMNS
                        )
                    ).order_by(events.c.seq)
                )
                keys = None
                if "signature" in present:
                    with Session(bind=conn) as keyed:
                        keys = public_keys(keyed)
                chain = verify_rows(rows, audit_key, head=head, public_keys=keys)
                if not chain.ok:
                    found.problems.append(
                        f"its audit trail does not verify with this database's audit key at "
                        f"row {chain.first_bad_seq}: {chain.problem} (the backup was altered, "
                        "or was made from another IA Desk database)"
                    )
            return found
    finally:
        engine.dispose()


def copy_key_file(key_file: Path, out: Path) -> Path | None:
    """Put a copy of the database's key file beside the backup ``out`` (its wrappings:
    the backup opens with the passwords that opened the database then). None when the
    database has no key file (a server; one from before per-user wrapping)."""
    if not key_file.exists():
        return None
    dest = keyfile.path_for(out)
    keyfile.KeyFile(dest, keyfile.KeyFile.load(key_file).doc).save()
    return dest


def automatic_backup(
    engine: Engine, db_path: Path, key: str | None, reason: str, keep: int = 10
) -> Path:
    """A backup into the data folder's backups/ (named by time and reason); prunes old ones."""
    folder = db_path.parent / BACKUP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    out = folder / f"{db_path.stem}-{stamp}-{reason}.db"
    n = 1
    while out.exists():
        out = folder / f"{db_path.stem}-{stamp}-{reason}-{n}.db"
        n += 1
    export_copy(engine, out, key)
    copy_key_file(keyfile.path_for(db_path), out)
    backups = sorted(folder.glob(f"{db_path.stem}-*.db"), key=lambda p: p.stat().st_mtime)
    for old in backups[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
        keyfile.path_for(old).unlink(missing_ok=True)
    return out


def latest_backup_age(db_path: Path) -> dt.timedelta | None:
    folder = db_path.parent / BACKUP_DIR
    times = [p.stat().st_mtime for p in folder.glob(f"{db_path.stem}-*.db")]
    if not times:
        return None
    return dt.datetime.now() - dt.datetime.fromtimestamp(max(times))


# -- restore ------------------------------------------------------------------------------


def restore_file(backup: Path, db_path: Path) -> Path:
    """Put a checked backup in place of the database; return where the old one was kept.

    The database's path holds a whole database at every moment: the backup is copied
    beside it (and synced) first, the current file is kept aside by a hard link (a copy
    where the file system has none), and one rename puts the new one in place. A copy
    cut short by a kill is removed by the next start (:func:`pending`).
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
    aside = db_path.with_name(f"{db_path.stem}-{BEFORE_RESTORE}-{stamp}{db_path.suffix}")
    tmp = db_path.with_name(db_path.name + ".restoring")
    with pending(tmp):
        try:
            shutil.copyfile(backup, tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            try:
                os.link(db_path, aside)
            except OSError:
                shutil.copy2(db_path, aside)
            for suffix in ("-wal", "-shm"):
                current = Path(str(db_path) + suffix)
                if current.exists():
                    shutil.move(str(current), str(aside) + suffix)
            tmp.replace(db_path)
            _fsync_dir(db_path.parent)
        except BaseException:
            _remove(tmp)
            raise
    return aside


def before_restore_copies(db_path: Path) -> list[Path]:
    """The copies restores kept aside of this database, oldest first."""
    pattern = f"{db_path.stem}-{BEFORE_RESTORE}-*{db_path.suffix}"
    return sorted(db_path.parent.glob(pattern))  # the names sort by time


def prune_before_restore(db_path: Path, keep: int) -> list[Path]:
    """Keep the newest ``keep`` before-restore copies (with their -wal/-shm); returns
    those removed."""
    copies = before_restore_copies(db_path)
    removed = copies[:-keep] if keep > 0 else copies
    for old in removed:
        _remove(old, Path(str(old) + "-wal"), Path(str(old) + "-shm"))
    return removed
