"""User accounts: the first administrator, adding users, sign-in with lockout."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ia_desk.audit.trail import append
from ia_desk.db.engine import Database
from ia_desk.db.models import ROLES, User, utcnow
from ia_desk.errors import AuthenticationError, InputError, NotFound
from ia_desk.security import passwords
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=10)
LOGIN_RE = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, login=user.login, name=user.name, role=user.role)


def _validate(login: str, role: str, name: str) -> tuple[str, str, str]:
    from ia_desk import validation

    # The normal form first, so that a full-width login is the same login, not a twin.
    login = (validation.identifier(login, "login") or "").lower()
    name = validation.person_name(name, "name") or ""
    if not LOGIN_RE.match(login):
        raise InputError(
            "login: 2 to 40 characters, starting with a letter; letters, digits, '.', '_', '-'.",
            field="login",
        )
    if role not in ROLES:
        raise InputError(f"role: must be one of {', '.join(ROLES)}.", field="role")
    if not name or len(name) > 120 or any(ord(c) < 32 for c in name):
        raise InputError(
            "name: required, at most 120 characters, no control characters.", field="name"
        )
    return login, role, name


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def create_first_admin(session: Session, login: str, name: str, password: str) -> User:
    """Create the first IA administrator of an empty database (no actor exists yet)."""
    if count_users(session) > 0:
        raise InputError("This database already has users; an administrator adds new ones.")
    login, role, name = _validate(login, "ia_admin", name)
    passwords.check_password_rules(password, login)
    user = User(login=login, name=name, role=role, password_hash=passwords.hash_password(password))
    session.add(user)
    session.flush()
    append(
        session,
        None,
        "user.create_first_admin",
        object_type="user",
        object_id=user.id,
        details={"login": login, "role": role},
        login=login,
    )
    return user


def add_user(
    session: Session, actor: Actor, login: str, role: str, name: str, password: str
) -> User:
    require(actor, "user.manage", "user.add", "user", login)
    login, role, name = _validate(login, role, name)
    passwords.check_password_rules(password, login)
    if session.scalar(select(User).where(User.login == login)) is not None:
        raise InputError(f"login: a user '{login}' already exists.", field="login")
    user = User(login=login, name=name, role=role, password_hash=passwords.hash_password(password))
    session.add(user)
    session.flush()
    append(
        session,
        actor,
        "user.add",
        object_type="user",
        object_id=user.id,
        details={"login": login, "role": role, "name": name},
    )
    return user


def get_user(session: Session, login: str) -> User:
    user = session.scalar(select(User).where(User.login == login.strip().lower()))
    if user is None:
        raise NotFound(f"There is no user '{login}'.", field="login")
    return user


def authenticate(db: Database, login: str, password: str) -> Actor:
    """Check a sign-in; every attempt is audited. Locks after 5 failures for 10 minutes.

    Runs its own transactions: a failed attempt is committed (counter and audit row)
    before the error is raised.
    """
    login = (login or "").strip().lower()
    now = utcnow()
    with db.write(None) as session:
        user = session.scalar(select(User).where(User.login == login))
        details: dict[str, object]
        if user is None:
            passwords.verify_password(passwords.dummy_hash(), password)  # same time either way
            details = {"reason": "unknown login"}
            failure = "The login or password is wrong."
        elif not user.active:
            details = {"reason": "account disabled"}
            failure = "This account is disabled. Ask an IA administrator."
        elif user.locked_until is not None and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            details = {"reason": "account locked"}
            failure = (
                f"This account is locked after {MAX_FAILURES} failed sign-ins; "
                f"try again in {minutes} minute(s) or ask an IA administrator."
            )
        elif not passwords.verify_password(user.password_hash, password):
            user.failed_logins = (user.failed_logins or 0) + 1
            details = {"reason": "wrong password", "failures_in_a_row": user.failed_logins}
            failure = "The login or password is wrong."
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
                append(
                    session,
                    None,
                    "auth.lockout",
                    object_type="user",
                    object_id=user.id,
                    outcome="locked",
                    details={"minutes": LOCKOUT.seconds // 60},
                    login=login,
                )
                failure = (
                    f"The password is wrong. After {MAX_FAILURES} failures in a row "
                    f"the account is locked for {LOCKOUT.seconds // 60} minutes."
                )
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = now
            if passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(password)
            append(
                session, None, "auth.sign_in", object_type="user", object_id=user.id, login=login
            )
            return actor_of(user)
        append(
            session,
            None,
            "auth.sign_in",
            object_type="user" if user else None,
            object_id=user.id if user else None,
            outcome="failed",
            details=details,
            login=login[:40] or "(empty)",
        )
    raise AuthenticationError(failure)


def list_users(session: Session, actor: Actor) -> list[dict[str, object]]:
    """All accounts (IA administrators only)."""
    require(actor, "user.manage", "user.list")
    now = utcnow()
    return [
        {
            "login": u.login,
            "name": u.name,
            "role": u.role,
            "active": u.active,
            "locked": bool(u.locked_until and u.locked_until > now),
            "last_login_at": u.last_login_at.isoformat() + "Z" if u.last_login_at else None,
        }
        for u in session.scalars(select(User).order_by(User.login))
    ]


def investigators(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(login, name) of active IA users, for assigning cases (IA roles only)."""
    require(actor, "allegation.add", "user.list_investigators")
    rows = session.execute(
        select(User.login, User.name)
        .where(User.active.is_(True), User.role.in_(("ia_admin", "ia_investigator")))
        .order_by(User.name)
    )
    return [(login, name) for login, name in rows]


def reset_password(session: Session, actor: Actor, login: str, password: str) -> None:
    """Set a new password for a user and lift any lockout (IA administrators). Audited."""
    require(actor, "user.manage", "user.reset_password", "user", login)
    user = get_user(session, login)
    passwords.check_password_rules(password, user.login)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    append(
        session,
        actor,
        "user.reset_password",
        object_type="user",
        object_id=user.id,
        details={"login": user.login},
    )


def set_active(session: Session, actor: Actor, login: str, active: bool) -> None:
    """Disable or re-enable an account (IA administrators; not one's own). Audited."""
    require(actor, "user.manage", "user.disable" if not active else "user.enable", "user", login)
    user = get_user(session, login)
    if user.id == actor.user_id and not active:
        raise InputError("You cannot disable your own account.", field="login")
    if not active and user.role == "ia_admin":
        others = (
            session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.role == "ia_admin", User.active.is_(True), User.id != user.id)
            )
            or 0
        )
        if others == 0:
            raise InputError("The last active IA administrator cannot be disabled.", field="login")
    user.active = active
    session.flush()
    append(
        session,
        actor,
        "user.enable" if active else "user.disable",
        object_type="user",
        object_id=user.id,
        details={"login": user.login},
    )
