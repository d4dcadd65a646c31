"""Accounts: password rules, argon2id hashes, sign-in with lockout, all audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from ia_desk.db.models import AuditEvent, User
from ia_desk.errors import AuthenticationError, InputError, PermissionDenied
from ia_desk.security import passwords
from ia_desk.security.users import MAX_FAILURES, add_user, authenticate

from .conftest import PASSWORD, REAL_HASHER


def test_real_hashes_are_argon2id() -> None:
    h = REAL_HASHER.hash("Some-long-password-1")
    assert h.startswith("$argon2id$")
    assert REAL_HASHER.verify(h, "Some-long-password-1")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1A", "at least 12"),
        ("xxjdoe-is-my-name", "must not contain the login"),
        ("Password12345", "common passwords"),
        ("aaaaaaaaaaab", "too few different"),
    ],
)
def test_weak_passwords_are_refused(db, admin, password, message) -> None:
    with pytest.raises(InputError, match=message), db.write(admin) as s:
        add_user(s, admin, "jdoe", "ia_investigator", "J Doe", password)
    with db.read() as s:
        assert s.scalar(select(User).where(User.login == "jdoe")) is None


def test_sign_in_succeeds_and_is_audited(db) -> None:
    actor = authenticate(db, "ADMIN ", PASSWORD)
    assert (actor.login, actor.role) == ("admin", "ia_admin")
    with db.read() as s:
        ev = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (ev.event_type, ev.outcome, ev.user_login) == ("auth.sign_in", "ok", "admin")


def test_wrong_password_gives_a_plain_message(db) -> None:
    with pytest.raises(AuthenticationError, match="The login or password is wrong"):
        authenticate(db, "admin", "not-the-password")
    with pytest.raises(AuthenticationError, match="The login or password is wrong"):
        authenticate(db, "nobody", "not-the-password")


def test_five_failures_lock_the_account_for_ten_minutes(db, monkeypatch) -> None:
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AuthenticationError, match="wrong"):
            authenticate(db, "admin", "bad-password-123")
    with pytest.raises(AuthenticationError, match="locked for 10 minutes"):
        authenticate(db, "admin", "bad-password-123")
    with pytest.raises(AuthenticationError, match="locked"):
        authenticate(db, "admin", PASSWORD)  # even the right password
    with db.read() as s:
        types = [e.event_type for e in s.scalars(select(AuditEvent))]
        assert types.count("auth.lockout") == 1
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=11)
    monkeypatch.setattr("ia_desk.security.users.utcnow", lambda: later)
    assert authenticate(db, "admin", PASSWORD).login == "admin"


def test_only_an_admin_adds_users(db, make_user) -> None:
    investigator = make_user("ia_investigator")
    with pytest.raises(PermissionDenied), db.write(investigator) as s:
        add_user(s, investigator, "newbie", "ia_admin", "New Admin", PASSWORD)
    with db.read() as s:
        assert s.scalar(select(User).where(User.login == "newbie")) is None
        ev = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (ev.event_type, ev.outcome) == ("user.add", "denied")


def test_duplicate_login_and_bad_role_are_refused(db, admin) -> None:
    with pytest.raises(InputError, match="already exists"), db.write(admin) as s:
        add_user(s, admin, "admin", "ia_admin", "Again", PASSWORD)
    with pytest.raises(InputError, match="role: must be one of"), db.write(admin) as s:
        add_user(s, admin, "someone", "chief", "Chief", PASSWORD)


def test_password_hash_never_holds_the_password(db) -> None:
    with db.read() as s:
        user = s.scalar(select(User).where(User.login == "admin"))
        assert PASSWORD not in user.password_hash
        assert passwords.verify_password(user.password_hash, PASSWORD)
