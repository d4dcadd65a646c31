"""Backups and restore of the embedded database.

A backup is a consistent, encrypted copy taken while the database is in use: SQLCipher's
``sqlcipher_export`` into an attached file, inside one read transaction. It is encrypted
with the database's own key, or with a passphrase given for it (to carry it to another
computer). Restore checks the file first (it opens with the key, passes
``PRAGMA integrity_check`` and holds an IA Desk schema), keeps the current database aside,
then puts the backup in its place.

Automatic backups: before every schema migration and once a day at the first start,
in ``<data folder>/backups``, keeping the newest N (setting ``backups_kept``).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL

from ia_desk import validation
from ia_desk.errors import DatabaseKeyError, InputError, StorageError

BACKUP_DIR = "backups"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def export_copy(engine: Engine, out: Path, key: str | None) -> None:
    """Write a consistent copy of an open SQLite/SQLCipher database to ``out``.

    ``key`` is the PRAGMA key value for the copy (``x'hex'`` or a passphrase); None
    writes an unencrypted copy (only for an unencrypted source database).
    """
    dialect = engine.dialect.name
    if dialect != "sqlite":
        raise StorageError(
            "Backups of a PostgreSQL database are made with pg_dump on the server; see the README."
        )
    out = validation.output_file(out, "file").resolve()  # its folder must exist already
    if out.exists():
        raise InputError(f"{out} exists already; choose a new file name.", field="file")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:  # a folder that exists but takes no files (/proc, a read-only mount)
        partial.touch(exist_ok=False)
    except OSError as exc:
        raise InputError(
            f"file: cannot write a backup into {out.parent}: {exc.strerror}.", field="file"
        ) from None
    try:
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
        with open(partial, "rb+") as f:
            os.fsync(f.fileno())
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"The backup could not be written to {out}: {exc.strerror}.") from None
    except Exception as exc:
        partial.unlink(missing_ok=True)
        if "full" in str(exc).lower():
            raise StorageError(
                f"The backup could not be written to {out}: the disk is full."
            ) from None
        raise


def check_backup(path: Path, key: str | None, encrypted: bool = True) -> int:
    """Open a backup read-only and check it; returns how many cases it holds."""
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
                return int(conn.execute(text("SELECT count(*) FROM ia_case")).scalar() or 0)
            except Exception:
                raise StorageError(f"{path} is not an IA Desk database.") from None
    finally:
        engine.dispose()


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
    backups = sorted(folder.glob(f"{db_path.stem}-*.db"), key=lambda p: p.stat().st_mtime)
    for old in backups[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
    return out


def latest_backup_age(db_path: Path) -> dt.timedelta | None:
    folder = db_path.parent / BACKUP_DIR
    times = [p.stat().st_mtime for p in folder.glob(f"{db_path.stem}-*.db")]
    if not times:
        return None
    return dt.datetime.now() - dt.datetime.fromtimestamp(max(times))


def restore_file(backup: Path, db_path: Path) -> Path:
    """Put a checked backup in place of the database; return where the old one was kept."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    aside = db_path.with_name(f"{db_path.stem}-before-restore-{stamp}{db_path.suffix}")
    for suffix in ("", "-wal", "-shm"):
        current = Path(str(db_path) + suffix)
        if current.exists():
            shutil.move(str(current), str(aside) + suffix)
    tmp = db_path.with_name(db_path.name + ".restoring")
    shutil.copyfile(backup, tmp)
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    tmp.replace(db_path)
    return aside
