"""Backup and restore as services: who may, what is checked, what is audited.

A backup is audit-only work: it goes on while the database is read-only (a full disk),
to another disk. A restore is a change; it refuses a backup whose append-only triggers
are missing or whose audit chain does not verify with this database's audit key, and
that refusal is itself audited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from ia_desk.audit.trail import append
from ia_desk.backup import (
    check_backup,
    copy_key_file,
    export_copy,
    pending,
    prune_before_restore,
    restore_file,
)
from ia_desk.casefile.export import export_all
from ia_desk.db.engine import Database
from ia_desk.errors import AuditedRefusal, InputError, RefusedInput, StorageError
from ia_desk.security.actor import Actor
from ia_desk.security.keys import check_passphrase
from ia_desk.security.roles import require
from ia_desk.services.bulk import generate
from ia_desk.services.demo import add_demo_data
from ia_desk.settings import get_setting
from ia_desk.startup import open_database
from ia_desk.startup.own_passwords import key_file_path, put_backup_key_file_in_place


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


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
    if passphrase is None and db.target.kind == "sqlcipher":
        # Under the database's key: its wrappings go beside it, or it opens for nobody.
        copy_key_file(key_file_path(db.target.path), out)
    digest = _sha256(out)
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
    kept aside and its path returned (the newest ``backups_kept`` such copies are kept).
    ``db`` is closed by this call, unless the backup is refused.

    Refused (:class:`RefusedInput`, audited, the database kept as it was): a backup whose
    append-only triggers are missing or altered, or whose audit chain does not verify
    with this database's audit key (the message names the first bad row).
    """
    with db.write(actor) as s:
        require(actor, "settings.manage", "backup.restore", "file", backup.name)
        keep = int(get_setting(s, "backups_kept"))
    path = db.target.path
    if path is None:
        raise StorageError("Restore a PostgreSQL database on the server (pg_restore).")
    encrypted = db.target.kind == "sqlcipher"
    key = passphrase if passphrase is not None else db.cipher_key
    found = check_backup(backup, key, encrypted, audit_key=db.audit_key)
    if found.problems:
        with db.write(actor):
            raise RefusedInput(
                f"The backup {backup.name} was not restored: "
                + "; ".join(found.problems)
                + ". The database was kept as it was.",
                AuditedRefusal("backup.restore", "file", backup.name, {"problems": found.problems}),
                field="file",
            )
    source = backup
    rekeyed = path.with_name(path.name + ".rekeyed.restoring")
    with pending(rekeyed):
        try:
            if passphrase is not None and encrypted:
                # Re-encrypt with this database's own key before it takes its place.
                from sqlalchemy import create_engine
                from sqlalchemy.engine import URL

                other = create_engine(
                    URL.create("sqlite+pysqlcipher", password=passphrase, database=str(backup))
                )
                rekeyed.unlink(missing_ok=True)
                try:
                    export_copy(other, rekeyed, db.cipher_key)
                finally:
                    other.dispose()
                source = rekeyed
            db.dispose()
            aside = restore_file(source, path)
            if source is backup:
                put_backup_key_file_in_place(backup, path, aside)
        finally:
            rekeyed.unlink(missing_ok=True)
    restored = open_database(str(path), known_keys=db.key_file)
    with restored.write(actor) as s:
        append(
            s,
            actor,
            "backup.restore",
            object_type="file",
            object_id=backup.name,
            details={"cases": found.cases, "previous_kept_at": aside.name},
        )
    restored.dispose()
    if not path.exists():
        raise InputError("The restore did not complete.")
    prune_before_restore(path, keep)
    return aside


def export_everything(db: Database, actor: Actor, out: Path) -> str:
    """Every case (with the identities IA may see) into one JSON file (IA
    administrators); the export is audited with the file's SHA-256, returned."""
    with db.write(actor, audit_only=True) as s:
        return export_all(s, actor, out)


def add_demo_cases(db: Database, actor: Actor) -> int:
    """Realistic invented cases, through the same services as real work (a first start
    may ask for them); returns how many."""
    with db.write(actor) as s:
        require(actor, "settings.manage", "demo.add")
        return add_demo_data(s, actor)


def generate_synthetic(
    db: Database,
    actor: Actor,
    cases: int,
    events_per_case: int = 24,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Fill an empty database with a synthetic department (for load tests: ``demo``)."""
    with db.write(actor, audit_only=True):
        require(actor, "settings.manage", "demo.generate")
    return generate(db, actor, cases, events_per_case, progress=progress)
