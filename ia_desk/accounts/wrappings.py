"""Each user's wrapping of the database's secrets, kept in step with their password.

Setting a password (:func:`ia_desk.accounts.users._give_password`: the first
administrator, a new account, a reset, one's own change) wraps the database's secrets
for the user under it; disabling a user removes their wrapping, and this workstation's
cached copy if it was theirs, and from the key files of the backups beside the database
once the change is committed (the key itself does not change). (See
:mod:`ia_desk.security.keyfile`.)

The key file changes with the transaction that changes the account: it is written just
before the commit (a write transaction holds SQLite's write lock, so no other IA Desk
process changes it meanwhile) and put back as it was if the commit then fails; a
transaction that rolls back before that never touches it. A server database has no key
file and nothing here does anything there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ia_desk.errors import DatabaseKeyError
from ia_desk.security import keys
from ia_desk.security.keyfile import SUFFIX, DatabaseKeys, KeyFile

# Where ia_desk.backup keeps a database's automatic backups (a room above this one:
# tests/test_attack_own_password.py checks the two agree by scrubbing real backups).
BACKUP_DIR = "backups"

Change = Callable[[KeyFile], object]


def _db_keys(session: Session) -> DatabaseKeys | None:
    db_keys: DatabaseKeys | None = session.info.get("db_keys")
    if db_keys is None or db_keys.legacy:
        return None  # a server, or a database the first sign-in moves (startup)
    return db_keys


def stage(session: Session, change: Change) -> None:
    """Apply ``change`` to the key file when ``session`` commits."""
    db_keys = _db_keys(session)
    if db_keys is None:
        return
    pending: list[Change] | None = session.info.get("key_file_changes")
    if pending is None:
        pending = session.info["key_file_changes"] = []
        event.listen(session, "before_commit", _apply)
        event.listen(session, "after_rollback", _undo)
    pending.append(change)


def _apply(session: Session) -> None:
    changes: list[Change] = session.info.pop("key_file_changes", [])
    db_keys = _db_keys(session)
    if not changes or db_keys is None:
        return
    kf = KeyFile.load(db_keys.path)
    session.info["key_file_before"] = (db_keys.path, kf.raw())
    for change in changes:
        change(kf)
    kf.save()
    session.info["key_file_written"] = True


def scrub_backups(session: Session, change: Change) -> None:
    """Apply ``change`` also to the key files of this database's backups (in its
    backups/ folder) once ``session`` has committed: what disabling a user or retiring
    the passphrase takes away must not stay beside the backups, where it would unwrap
    the same (unchanged) key. Best effort: a backup elsewhere is out of reach."""
    if _db_keys(session) is None:
        return
    pending: list[Change] | None = session.info.get("backup_changes")
    if pending is None:
        pending = session.info["backup_changes"] = []
        event.listen(session, "after_commit", _apply_to_backups)
    pending.append(change)


def _apply_to_backups(session: Session) -> None:
    changes: list[Change] = session.info.pop("backup_changes", [])
    db_keys = _db_keys(session)
    if not changes or db_keys is None:
        return
    try:
        ours = KeyFile.load(db_keys.path).doc["database"]
    except DatabaseKeyError:
        return
    folder = db_keys.path.parent / BACKUP_DIR
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []:
        with contextlib.suppress(DatabaseKeyError, OSError):
            kf = KeyFile.load(path)
            if kf.doc.get("database") != ours:
                continue
            before = kf.raw()
            for change in changes:
                change(kf)
            if kf.raw() != before:
                kf.save()


def _undo(session: Session) -> None:
    session.info.pop("key_file_changes", None)
    before: tuple[Path, bytes] | None = session.info.pop("key_file_before", None)
    if before is not None and session.info.pop("key_file_written", False):
        path, raw = before
        import json

        with contextlib.suppress(OSError, ValueError):
            KeyFile(path, json.loads(raw)).save()


def wrap_for(session: Session, login: str, password: str) -> None:
    """Wrap the database's secrets for ``login`` under ``password`` (replacing theirs)."""
    db_keys = _db_keys(session)
    if db_keys is None:
        return
    value = db_keys.secrets

    def wrap(kf: KeyFile) -> None:
        kf.keep_previous(login)  # until the commit is known (_settle)
        kf.wrap_for_user(login, password, value)

    stage(session, wrap)
    settling: list[str] | None = session.info.get("key_file_settle")
    if settling is None:
        settling = session.info["key_file_settle"] = []
        event.listen(session, "after_commit", _settle)
    settling.append(login)


def _settle(session: Session) -> None:
    """The new passwords are committed: their previous entries go (in a write
    transaction of its own, so under SQLite's write lock like every change of the key
    file). If this does not happen (a kill), the user's next sign-in does it."""
    logins: list[str] = session.info.pop("key_file_settle", [])
    db_keys = _db_keys(session)
    if not logins or db_keys is None:
        return
    engine = session.get_bind().engine
    with (
        contextlib.suppress(DatabaseKeyError, OSError, SQLAlchemyError),
        engine.connect() as conn,
        conn.execution_options(ia_write=True).begin(),
    ):
        kf = KeyFile.load(db_keys.path)
        if [login for login in logins if kf.drop_previous(login)]:
            kf.save()


def unwrap_for(session: Session, login: str) -> None:
    """Remove ``login``'s wrapping, and this workstation's cache if it was theirs."""
    db_keys = _db_keys(session)
    if db_keys is None:
        return

    def remove(kf: KeyFile) -> None:
        kf.remove_user(login)
        if db_keys.ident:
            keys.forget_cached_secrets(db_keys.ident, login)

    stage(session, remove)
    scrub_backups(session, lambda kf: kf.remove_user(login))
