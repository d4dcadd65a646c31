"""Setting a database up: create it (or bring it to this version), load the catalogue,
and create the first IA administrator (``ia-desk init``, the desktop's first start)."""

from __future__ import annotations

from sqlalchemy import select

from ia_desk.accounts.users import count_users, create_first_admin
from ia_desk.db.engine import Database
from ia_desk.db.models import PolicyVersion
from ia_desk.security import keys
from ia_desk.startup import own_passwords
from ia_desk.startup.opening import open_database


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
            user = create_first_admin(session, admin_login, admin_name, admin_password)
            done.append(f"administrator created: {user.login}")
        else:
            done.append("users exist already: no administrator created")
    if user is not None:
        own_passwords.cached_for_user(db, user.login)
    return db, done
