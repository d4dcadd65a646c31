"""Backup and restore as services: who may, what is checked, what is audited.

A backup is audit-only work: it goes on while the database is read-only (a full disk),
to another disk.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from ia_desk.audit.trail import append
from ia_desk.backup import check_backup, export_copy, restore_file
from ia_desk.db.engine import Database, open_database
from ia_desk.errors import InputError, StorageError
from ia_desk.security.actor import Actor
from ia_desk.security.keys import check_passphrase
from ia_desk.security.roles import require


def make_backup(db: Database, actor: Actor, out: Path, passphrase: str | None = None) -> str:
    """A consistent encrypted copy (IA administrators). Returns the file's SHA-256."""
    with db.write(actor, audit_only=True) as s:
        require(actor, "settings.manage", "backup.create", "file", out.name)
    if db.target.path is None:
        raise StorageError("Back a PostgreSQL database up on the server (pg_dump).")
    if passphrase is not None:
        check_passphrase(passphrase)
    key = passphrase if passphrase is not None else db.cipher_key
    export_copy(db.engine, out, key)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    with db.write(actor, audit_only=True) as s:
        append(
            s,
            actor,
            "backup.create",
            object_type="file",
            object_id=out.name,
            details={"sha256": digest, "own_passphrase": passphrase is not None},
        )
    return digest


def restore_backup(db: Database, actor: Actor, backup: Path, passphrase: str | None = None) -> Path:
    """Replace the database by a checked backup (IA administrators); the current file is
    kept aside and its path returned. ``db`` is closed by this call."""
    with db.write(actor) as s:
        require(actor, "settings.manage", "backup.restore", "file", backup.name)
    path = db.target.path
    if path is None:
        raise StorageError("Restore a PostgreSQL database on the server (pg_restore).")
    encrypted = db.target.kind == "sqlcipher"
    key = passphrase if passphrase is not None else db.cipher_key
    cases = check_backup(backup, key, encrypted)
    source = backup
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        if passphrase is not None and encrypted:
            # Re-encrypt with this database's own key before it takes its place.
            from sqlalchemy import create_engine
            from sqlalchemy.engine import URL

            other = create_engine(
                URL.create("sqlite+pysqlcipher", password=passphrase, database=str(backup))
            )
            source = Path(tmp) / "rekeyed.db"
            try:
                export_copy(other, source, db.cipher_key)
            finally:
                other.dispose()
        db.dispose()
        aside = restore_file(source, path)
    restored = open_database(str(path))
    with restored.write(actor) as s:
        append(
            s,
            actor,
            "backup.restore",
            object_type="file",
            object_id=backup.name,
            details={"cases": cases, "previous_kept_at": aside.name},
        )
    restored.dispose()
    if not path.exists():
        raise InputError("The restore did not complete.")
    return aside
