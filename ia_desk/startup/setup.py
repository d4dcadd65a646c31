"""Setting a database up: create it (or bring it to this version), load the catalogue,
and create the first IA administrator (``ia-desk init``, the desktop's first start)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from sqlalchemy import select

from ia_desk.accounts.users import check_first_admin, count_users, create_first_admin
from ia_desk.db.engine import Database
from ia_desk.db.location import Target, resolve_target
from ia_desk.db.models import PolicyVersion
from ia_desk.security import keys
from ia_desk.security.keyfile import path_for as key_file_path
from ia_desk.startup import own_passwords
from ia_desk.startup.opening import database_exists, open_database


def initialise(
    url: str | None,
    admin_login: str,
    admin_name: str,
    admin_password: str,
    *,
    prompt: keys.PassphrasePrompt | None = None,
    credentials: own_passwords.Credentials | None = None,
) -> tuple[Database, list[str]]:
    """Create or upgrade the database, load the catalogue, create the first admin.

    On a database that already has users the admin part is skipped (an upgrade); it
    opens with ``credentials`` (a user's own login and password) where this workstation
    has no copy of its key.
    Returns the open database and a list of what was done, for the user to read. A new
    embedded database's recovery code is shown once by the caller
    (:func:`ia_desk.startup.own_passwords.take_recovery_code`).
    (Demonstration cases are the services' to add: ``services.maintenance``.)
    """
    target = resolve_target(url)
    new = not database_exists(target)
    if new:  # before anything is made or any secret asked: a refusal leaves nothing
        check_first_admin(admin_login, admin_name, admin_password)
    left = _files_beside(target)
    db: Database | None = None
    try:
        db = open_database(url, create=True, prompt=prompt, credentials=credentials)
        done = [f"database: {db.target.describe()}"]
        with db.read() as session:
            loaded = session.execute(
                select(PolicyVersion.policy_id, PolicyVersion.version).order_by(PolicyVersion.id)
            ).all()
        done.extend(f"policy catalogue: {p}@{v}" for p, v in loaded)
        user = None
        with db.write(None) as session:
            if count_users(session) == 0:
                user = create_first_admin(
                    session,
                    admin_login,
                    admin_name,
                    admin_password,
                    own_passwords.recovery_public(db),
                )
                done.append(f"administrator created: {user.login}")
            else:
                done.append("users exist already: no administrator created")
    except BaseException:
        if db is not None:
            db.dispose()
        if new:
            _discard_new_files(target, left)
        raise
    if user is not None:
        own_passwords.cached_for_user(db, user.login)
    return db, done


def _files_beside(target: Target) -> set[Path]:
    """The files named after an embedded database that are there already (its backups,
    say): a failed first start removes only what it made."""
    if target.path is None or not target.path.parent.is_dir():
        return set()
    return {p for p in target.path.parent.glob(f"{target.path.name}*") if p != target.path}


def _discard_new_files(target: Target, left: set[Path]) -> None:
    """A first start that failed (a cancelled prompt, a full disk, a refused
    administrator) leaves no half-made database: an embedded file without its first
    administrator could never be opened (its key is wrapped for the recovery code
    alone, which was never shown). A server database keeps IA Desk's tables, and its
    next start finishes the set-up, since it has no users yet."""
    if target.path is None:
        return
    made = {p for p in target.path.parent.glob(f"{target.path.name}*") if p not in left}
    made |= {target.path, key_file_path(target.path)}
    for path in made:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    keys.forget_cached_secrets(target.ident)
