"""User accounts: the first administrator, adding users, sign-in with lockout."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import time
from dataclasses import replace
from typing import Any, NoReturn

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ia_desk.accounts import iakey, userkeys, wrappings
from ia_desk.audit import signatures
from ia_desk.audit.standing import walk
from ia_desk.audit.trail import append
from ia_desk.db.engine import Database
from ia_desk.db.models import ROLES, User, utcnow
from ia_desk.errors import AuthenticationError, IADeskError, InputError, NotFound
from ia_desk.security import passwords
from ia_desk.security.actor import Actor, UnlockedKeys
from ia_desk.security.roles import IA, require

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=10)
LOGIN_RE = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")


def actor_of(user: User, keys: UnlockedKeys | None = None) -> Actor:
    """The actor of a user as they sign in now (their password's date pinned: a reset
    or change elsewhere ends the session; see :func:`check_standing`), signing with
    ``keys`` (opened with their password: :mod:`ia_desk.accounts.userkeys`)."""
    return Actor(
        user_id=user.id,
        login=user.login,
        name=user.name,
        role=user.role,
        password_changed_at=user.password_changed_at,
        must_change_password=bool(user.must_change_password),
        keys=keys,
    )


SIGN_IN_FAILED = (
    "Sign-in failed: the login or password is wrong, or the account is locked or disabled. "
    f"{MAX_FAILURES} failures in a row lock an account for {LOCKOUT.seconds // 60} minutes; "
    "an IA administrator can unlock it sooner."
)


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


def _give_password(
    session: Session,
    user: User,
    password: str,
    *,
    by_owner: bool,
    ia_key: str | None = None,
    handed_over_by: UnlockedKeys | None = None,
) -> UnlockedKeys:
    """Set an account's password and make the signing key it opens (the previous key is
    retired). A password someone else chose (an administrator adding or resetting the
    account) knows no secret of the user's: it must be changed at the next sign-in, and
    its key is provisional, signing that sign-in and the change and nothing else
    (ia_desk.audit.signatures). The database's secrets are wrapped for the user under
    the new password (ia_desk.accounts.wrappings)."""
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = not by_owner
    session.flush()
    wrappings.wrap_for(session, user.login, password)  # the database's key, for them
    keys = userkeys.new_key(
        session,
        user,
        password,
        provisional=not by_owner,
        ia_key=ia_key,
        handed_over_by=handed_over_by,
    )
    iakey.drop_retired(session, user)  # IA's key sealed to the replaced key goes with it
    return keys


def check_first_admin(login: str, name: str, password: str) -> tuple[str, str]:
    """The first administrator's login and name in their normal form, or InputError
    naming the field that is wrong. Checked before a new database is made, so that a
    refused first start leaves nothing behind and asks no secret first."""
    login, _, name = _validate(login, "ia_admin", name)
    passwords.check_password_rules(password, login)
    return login, name


def create_first_admin(
    session: Session, login: str, name: str, password: str, recovery_public: bytes | None = None
) -> User:
    """Create the first IA administrator of an empty database (no actor exists yet),
    and IA's sealing key, given to them and (``recovery_public``: an embedded database's
    recovery code) sealed to the recovery code."""
    if count_users(session) > 0:
        raise InputError("This database already has users; an administrator adds new ones.")
    login, name = check_first_admin(login, name, password)
    role = "ia_admin"
    user = User(login=login, name=name, role=role)
    session.add(user)
    private = iakey.new_pair()  # IA's key, which their key holds from the start
    keys = _give_password(session, user, password, by_owner=True, ia_key=iakey.identity(private))
    keys, ia_key = iakey.store(session, user, keys, private, recovery_public)
    append(
        session,
        None,
        "user.create_first_admin",
        object_type="user",
        object_id=user.id,
        details={
            "login": login,
            "role": role,
            "key": keys.fingerprint,
            "ia_key": ia_key.fingerprint,
            "recovery": recovery_public is not None,
        },
        login=login,
        keys=keys,
    )
    return user


def add_user(
    session: Session,
    actor: Actor,
    login: str,
    role: str,
    name: str,
    password: str,
) -> User:
    """Create an account (IA administrators). The administrator chose its password, so
    the new user must choose their own at first sign-in."""
    require(actor, "user.manage", "user.add", "user", login)
    login, role, name = _validate(login, role, name)
    if role in IA:
        iakey.begin_account_change(session, actor)
    passwords.check_password_rules(password, login)
    if session.scalar(select(User).where(User.login == login)) is not None:
        raise InputError(f"login: a user '{login}' already exists.", field="login")
    # A new account the administrator makes IA's: IA's key is given to it at once.
    commitment = iakey.commitment_for(actor, session) if role in IA else None
    user = User(login=login, name=name, role=role)
    session.add(user)
    keys = _give_password(session, user, password, by_owner=False, ia_key=commitment)
    _, given = iakey.give(session, actor, user, keys, endorsed_before=True)
    append(
        session,
        actor,
        "user.add",
        object_type="user",
        object_id=user.id,
        details={
            "login": login,
            "role": role,
            "name": name,
            "key": keys.fingerprint,
            **given,
        },
    )
    return user


def get_user(session: Session, login: str) -> User:
    user = session.scalar(select(User).where(User.login == login.strip().lower()))
    if user is None:
        raise NotFound(f"There is no user '{login}'.", field="login")
    return user


def sign_in_name(login: str) -> str:
    """A login as typed at sign-in, in the normal form logins are stored in (a
    full-width "ａｄｍｉｎ" is admin); text that cannot be a login is kept as typed
    and simply matches no account (the answer is the one every failure gets)."""
    from ia_desk import validation

    try:
        return (validation.identifier(login, "login") or "").lower()
    except InputError:
        return (login or "").strip().lower()[:40]


def authenticate(db: Database, login: str, password: str) -> Actor:
    """Check a sign-in; every attempt is audited with its real reason, but every failure
    answers with the same message after the same work (a password hash is always
    verified), so neither the message nor the time tells a wrong password from a
    disabled or locked account or an unknown login.

    Locks after :data:`MAX_FAILURES` failures for :data:`LOCKOUT`. An attempt is counted
    before its password is checked, in a short transaction holding the account's row,
    so parallel attempts cannot check more than :data:`MAX_FAILURES` passwords between
    two lockouts; the slow hash runs outside any transaction.
    """
    started = time.monotonic()
    login = sign_in_name(login)
    # 1. Claim an attempt (or find that none may be made). Sign-in goes on while the
    # disk is full (audit-only: the counter and the trail).
    with db.write(None, audit_only=True) as session:
        user = session.scalar(select(User).where(User.login == login).with_for_update())
        now = utcnow()
        reason: str | None = None
        if user is None:
            reason = "unknown login"
        elif not user.active:
            reason = "account disabled"
        elif (user.locked_until is not None and user.locked_until > now) or (
            user.failed_logins or 0
        ) >= MAX_FAILURES:
            reason = "account locked"
        if reason is not None:
            _failed(session, user, login, {"reason": reason})
            stored_hash = None
        else:
            assert user is not None
            user.failed_logins = (user.failed_logins or 0) + 1
            stored_hash = user.password_hash
            user_id = user.id
    # 2. The slow part, the same for every attempt.
    ok = passwords.verify_password(stored_hash or passwords.dummy_hash(), password)
    if stored_hash is None:
        _answer_failure_at_a_quantum(started)
        raise AuthenticationError(SIGN_IN_FAILED)
    # 3. Settle the claimed attempt.
    with db.write(None, audit_only=True) as session:
        user = session.get(User, user_id, with_for_update=True)
        assert user is not None
        now = utcnow()
        if ok and user.active:
            _refuse_account_changed_outside(session, user)
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = now
            if passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(password)
            keys = _open_keys(session, user, password)
            append(
                session,
                None,
                "auth.sign_in",
                object_type="user",
                object_id=user.id,
                login=login,
                keys=keys,
            )
            signed_in: Actor | None = actor_of(user, keys)
        else:
            signed_in = None
            _settle_failure(session, user, login, ok)
    if signed_in is not None:
        return _with_ia_key(db, signed_in)
    _answer_failure_at_a_quantum(started)
    raise AuthenticationError(SIGN_IN_FAILED)


def _with_ia_key(db: Database, actor: Actor) -> Actor:
    """The signed-in actor holding IA's key when they were given it. What is pending
    (their key's commitment to IA's key; for an IA administrator, IA's key to make or
    to give: :func:`iakey.settle`) is done in a transaction of its own, and only when
    there is something to do and the database is not read-only."""
    if actor.role not in IA or actor.keys is None:
        return actor
    keys = actor.keys
    with db.read() as session:
        user = session.get(User, actor.user_id)
        assert user is not None
        opened = iakey.settle(session, user, keys, pending=False)
        commit = iakey.needs_commitment(opened) and not opened.provisional
        due = commit or iakey.pending(session, user, opened)
    if due and not db.read_only:  # a write only when something is to be done
        try:
            with db.write(None) as session:
                user = session.get(User, actor.user_id)
                assert user is not None
                opened = iakey.settle(session, user, keys)
        except (IADeskError, SQLAlchemyError) as exc:
            # The sign-in stands: what was pending is done at a later one.
            log.warning(
                "what was pending of IA's key at %s's sign-in is left for later: %s",
                actor.login,
                type(exc).__name__,
            )
    return replace(actor, keys=opened)


def _settle_failure(session: Session, user: User, login: str, ok: bool) -> None:
    """A sign-in that checked its password and failed: record it, lock when due."""
    now = utcnow()
    details: dict[str, object] = {
        "reason": "wrong password" if not ok else "account disabled",
        "failures_in_a_row": user.failed_logins,
    }
    already_locked = user.locked_until is not None and user.locked_until > now
    if not ok and not already_locked and (user.failed_logins or 0) >= MAX_FAILURES:
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
    _failed(session, user, login, details)


# A failed sign-in answers at a whole number of these after it began: the paths differ
# by a transaction or two (milliseconds), the hash dominates (~0.2 s with the real
# parameters), and the quantum swallows the difference.
FAILURE_QUANTUM = 0.5


def _answer_failure_at_a_quantum(started: float) -> None:
    elapsed = time.monotonic() - started
    time.sleep(math.ceil(max(elapsed, 1e-6) / FAILURE_QUANTUM) * FAILURE_QUANTUM - elapsed)


KEY_DOES_NOT_OPEN = (
    "Your password is right, but your signing key does not open with it: it was changed "
    "outside IA Desk. Nothing was done. Ask an IA administrator to reset your password "
    "(that makes you a new key) and to check the audit trail."
)


ACCOUNT_CHANGED_OUTSIDE = (
    "Your password is right, but your account is not what IA Desk recorded (its role, or "
    "being enabled, was changed outside IA Desk). Nothing was done. Ask an IA "
    "administrator to check the audit trail."
)


def _refuse_account_changed_outside(session: Session, user: User) -> None:
    """Refuse a sign-in whose account's role or standing differs from what the trail's
    own events about it say: a role raised, or a disabled account enabled, by someone
    holding the database. The refusal is audited (and committed) first."""
    role, active = signatures.recorded_standing(session, user.id)
    if role is not None and role == user.role and active:
        # What the events as stored say holds; what their signers could sign must too
        # (an enable or a role written into the trail by someone holding the database).
        person = walk(session).person(user.login)
        if person is None or person.role is None or (person.role == role and person.active):
            return
        role, active = person.role, person.active
    if role is None:
        return  # (no event names the account: audit verify says so)
    _refuse_sign_in(
        session,
        user,
        ACCOUNT_CHANGED_OUTSIDE,
        reason="account changed outside IA Desk",
        role=user.role,
    )


def _refuse_sign_in(session: Session, user: User, message: str, **details: Any) -> NoReturn:
    """A right password refused for what its account's records say: the failed sign-in
    is audited and committed, then the person is told ``message``."""
    append(
        session,
        None,
        "auth.sign_in",
        object_type="user",
        object_id=user.id,
        outcome="failed",
        details=details,
        login=user.login,
    )
    session.commit()
    raise AuthenticationError(message)


def _open_keys(session: Session, user: User, password: str) -> UnlockedKeys:
    """The user's keys, opened with their (checked) password. An account from before
    the trail was signed gets its first key now, introduced by a signed event."""
    try:
        keys = userkeys.unlock(session, user, password)
        if keys is None and signatures.key_introduced(session, user.id):
            raise userkeys.KeyDoesNotOpen  # their key row is gone or was retired
    except userkeys.KeyDoesNotOpen:
        _refuse_sign_in(session, user, KEY_DOES_NOT_OPEN, reason="signing key does not open")
    if keys is None:
        # A password an administrator set (a reset before the upgrade) makes a
        # provisional key, as a reset does now.
        provisional = bool(user.must_change_password)
        keys = userkeys.new_key(session, user, password, provisional=provisional)
        append(
            session,
            None,
            "user.key_created",
            object_type="user",
            object_id=user.id,
            details={"login": user.login, "key": keys.fingerprint, "provisional": provisional},
            login=user.login,
            keys=keys,
        )
    return keys


def unlock_actor(session: Session, login: str, password: str) -> Actor:
    """The actor of a user whose password the caller already knows to be right, with
    their keys opened and no sign-in audited: for tools that act as a known user (the
    demo data, tests). What is pending of IA's key is done as at a sign-in (and those
    events are audited). A wrong password raises :class:`AuthenticationError`."""
    user = get_user(session, login)
    if not passwords.verify_password(user.password_hash, password):
        raise AuthenticationError(SIGN_IN_FAILED)
    keys = iakey.settle(session, user, _open_keys(session, user, password))
    return actor_of(user, keys)


def _failed(session: Session, user: User | None, login: str, details: dict[str, object]) -> None:
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


def change_own_password(db: Database, login: str, old: str, new: str) -> Actor:
    """A user sets their own password, proving the old one: it is a sign-in, with its
    lockout and its one answer for every failure (an administrator's reset leaves a
    password that must be changed this way before anything else). Returns the actor of
    the session that goes on; other sessions of the user end. Audited."""
    if new == old:
        raise InputError("The new password must differ from the old one.", field="password")
    passwords.check_password_rules(new, sign_in_name(login))
    signed_in = authenticate(db, login, old)
    with db.write(None) as session:
        iakey.begin_account_change(session, signed_in)
        user = session.get(User, signed_in.user_id, with_for_update=True)
        assert user is not None
        # A new key only this user can open: whoever knew the old password (an
        # administrator after a reset) cannot sign as them from now on. The event is
        # signed with the old key, which hands over to the new one.
        # IA's key, which they held with the old key, is given to the new one.
        holds = signed_in.keys is not None and signed_in.keys.ia_private is not None
        commitment = iakey.commitment_for(signed_in, session)
        # The old key hands over to the new one: an endorsement it had passes on (an
        # administrator's next sign-in gives IA's key then, if they do not hold it now).
        keys = _give_password(
            session, user, new, by_owner=True, ia_key=commitment, handed_over_by=signed_in.keys
        )
        keys, given = iakey.give(session, signed_in, user, keys, endorsed_before=holds)
        append(
            session,
            signed_in,
            "user.change_password",
            object_type="user",
            object_id=user.id,
            details={
                "login": user.login,
                "was_required": signed_in.must_change_password,
                "key": keys.fingerprint,
                **given,
            },
        )
        return actor_of(user, keys)


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
    """Set a new password for a user and lift any lockout (IA administrators). The user
    must choose their own at the next sign-in, and any session they have open ends.
    Audited."""
    require(actor, "user.manage", "user.reset_password", "user", login)
    user = get_user(session, login)
    if user.role in IA:
        iakey.begin_account_change(session, actor)
    passwords.check_password_rules(password, user.login)
    user.failed_logins = 0
    user.locked_until = None
    # IA's key goes to the new key only if the account's key was IA's (endorsed):
    # never to an account whose role was raised outside IA Desk.
    endorsed = iakey.endorsed_now(session, actor, user)
    commitment = iakey.commitment_for(actor, session) if endorsed else None
    keys = _give_password(session, user, password, by_owner=False, ia_key=commitment)
    _, given = iakey.give(session, actor, user, keys, endorsed_before=endorsed)
    append(
        session,
        actor,
        "user.reset_password",
        object_type="user",
        object_id=user.id,
        details={"login": user.login, "key": keys.fingerprint, **given},
    )


def set_active(session: Session, actor: Actor, login: str, active: bool) -> bool:
    """Disable or re-enable an account (IA administrators; not one's own). Audited.
    Returns whether a disabled account held IA's key (then IA's key should be changed:
    :func:`ia_desk.accounts.iakey.rotate`)."""
    require(actor, "user.manage", "user.disable" if not active else "user.enable", "user", login)
    user = get_user(session, login)
    if user.role in IA:
        iakey.begin_account_change(session, actor)
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
    given: dict[str, object] = {}
    if not active:
        wrappings.unwrap_for(session, user.login)  # their password opens nothing now
        if iakey.withdraw(session, user):  # nor IA's key
            given = {"ia_key": None}
    else:
        given = iakey.give_to_current_key(session, actor, user)
    append(
        session,
        actor,
        "user.enable" if active else "user.disable",
        object_type="user",
        object_id=user.id,
        details={"login": user.login, **given},
    )
    return not active and "ia_key" in given


def recover_admin(
    session: Session, login: str, password: str, recovery_key: bytes | None = None
) -> None:
    """Give an IA administrator a new password with the recovery code (which opened the
    database: nobody signed in). Like a reset, the password must be changed at the next
    sign-in and its key is provisional. Audited as ``user.recover``; ``audit verify``
    names every recovery (ia_desk.audit.signatures)."""
    user = get_user(session, login)
    if user.role != "ia_admin" or not user.active:
        raise InputError(
            f"{user.login} is not an active IA administrator: recovery gives a password "
            "to an administrator only, who then manages the other accounts.",
            field="login",
        )
    passwords.check_password_rules(password, user.login)
    user.failed_logins = 0
    user.locked_until = None
    keys = _give_password(session, user, password, by_owner=False)
    # IA's key, sealed to the recovery code, is given to the administrator's new key.
    granted = iakey.recovered(session, user, keys, recovery_key)
    append(
        session,
        None,
        "user.recover",
        object_type="user",
        object_id=user.id,
        details={"login": user.login, "key": keys.fingerprint, "ia_key": granted},
        login=user.login,
        keys=keys,
    )
