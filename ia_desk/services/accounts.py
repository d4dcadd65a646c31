"""Accounts: sign-in, one's own password, the administrators' account management, the
session events of the desktop (lock, sign-out), and what a role may use.

``MIN_LENGTH`` is the passwords' minimum (the forms say it; the core checks it).
:func:`screens` says which of the desktop's screens a role may use, each by the
permission its services check; :func:`allowed` what a door may offer (the services still
check every call).
"""

from __future__ import annotations

from typing import Any

from ia_desk.accounts import iakey
from ia_desk.accounts import session as _session
from ia_desk.accounts import users as u
from ia_desk.db.engine import Database
from ia_desk.db.models import ROLES
from ia_desk.discipline.brady import flag_earlier_findings
from ia_desk.security.actor import Actor, SessionEnded
from ia_desk.security.passwords import MIN_LENGTH
from ia_desk.security.roles import ROLE_LABELS, SCREENS, allowed, require
from ia_desk.services import Changes, Done
from ia_desk.startup import own_passwords

__all__ = [
    "MIN_LENGTH",
    "ROLES",
    "ROLE_LABELS",
    "SCREENS",
    "SessionEnded",
    "add_user",
    "allowed",
    "change_password",
    "record_lock",
    "record_sign_out",
    "reset_password",
    "screens",
    "set_active",
    "sign_in",
    "users",
]
CHANGED = Changes(accounts=True)


def screens(actor: Actor) -> list[str]:
    """The names of the screens (:data:`SCREENS`) the actor's role may use, in order."""
    return [name for name, permission in SCREENS if allowed(actor, permission)]


def sign_in(db: Database, login: str, password: str) -> Actor:
    """Check a sign-in (one answer for every failure; audited with the real reason).

    On an embedded database the same password keeps the key file in step: the first
    sign-in after the upgrade moves the database to per-user wrapping (a backup first;
    :func:`ia_desk.services.database.take_recovery_code` then gives the recovery code to
    show once), and a user with no wrapping yet gets theirs."""
    actor = u.authenticate(db, login, password)
    own_passwords.after_sign_in(db, actor, password)
    # Brady/Giglio flags owed to findings made before the flags existed: raised, and
    # signed, by the first IA administrator who signs in (ia_desk.discipline.brady).
    flag_earlier_findings(db, actor)
    return actor


def change_password(db: Database, login: str, old: str, new: str) -> Actor:
    """A user's own new password, proving the old one; returns the session's actor."""
    return u.change_own_password(db, login, old, new)


def users(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """All accounts (IA administrators)."""
    with db.read(actor) as s:
        return u.list_users(s, actor)


def add_user(
    db: Database, actor: Actor, login: str, role: str, name: str, password: str
) -> Done[str]:
    """A new account; its user chooses their own password at first sign-in."""
    with db.write(actor) as s:
        return Done(u.add_user(s, actor, login, role, name, password).login, CHANGED)


def reset_password(db: Database, actor: Actor, login: str, password: str) -> Done[None]:
    """A new password set by an administrator (to be replaced at the next sign-in)."""
    with db.write(actor) as s:
        u.reset_password(s, actor, login, password)
    return Done(None, CHANGED)


KEY_HELD = (
    "{login} held IA's key. Their password opens nothing now, but what they read while "
    "they held it they could have kept, with IA's key itself: change IA's key so that "
    "nothing sealed from now on opens with it ('ia-desk db change-ia-key', or "
    "Administration > Change IA's key…)."
)


def set_active(db: Database, actor: Actor, login: str, active: bool) -> Done[bool]:
    """Disable or re-enable an account (an open session of it stops at its next action).
    The value: a disabled account held IA's key, which should now be changed."""
    with db.write(actor) as s:
        held = u.set_active(s, actor, login, active)
    return Done(held, CHANGED)


def ia_key_state(db: Database, actor: Actor) -> dict[str, object] | None:
    """IA's key, when it was made and by whom, and the IA users who left while holding
    it (IA administrators; a read of the accounts, audited when refused)."""
    with db.read(actor) as s:
        require(actor, "user.manage", "ia_key.state")
        return iakey.state(s)


def record_lock(db: Database, actor: Actor) -> None:
    _session.record(db, actor, "lock")


def record_sign_out(db: Database, actor: Actor, **details: object) -> None:
    _session.record(db, actor, "sign_out", **details)
