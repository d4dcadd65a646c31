"""Each user's wrapping of the database's secrets, kept in step with their password.

Setting a password (:func:`ia_desk.accounts.users._give_password`: the first
administrator, a new account, a reset, one's own change) wraps the database's secrets
for the user under it; disabling a user removes their wrapping, and this workstation's
cached copy if it was theirs. (See :mod:`ia_desk.security.keyfile`.)

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
from sqlalchemy.orm import Session

from ia_desk.security import keys
from ia_desk.security.keyfile import DatabaseKeys, KeyFile

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
    stage(session, lambda kf: kf.wrap_for_user(login, password, value))


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
