"""Accounts: password rules, argon2id hashes, sign-in with lockout, all audited."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from sqlalchemy import select

from ia_desk.accounts.users import MAX_FAILURES, add_user, authenticate
from ia_desk.audit.trail import verify
from ia_desk.db.models import AuditEvent, User
from ia_desk.errors import AuthenticationError, InputError, PermissionDenied
from ia_desk.security import passwords

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
    with pytest.raises(AuthenticationError, match="the login or password is wrong"):
        authenticate(db, "admin", "not-the-password")
    with pytest.raises(AuthenticationError, match="the login or password is wrong"):
        authenticate(db, "nobody", "not-the-password")


def test_five_failures_lock_the_account_for_ten_minutes(db, monkeypatch) -> None:
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AuthenticationError, match="wrong"):
            authenticate(db, "admin", "bad-password-123")
    with pytest.raises(AuthenticationError, match="lock an account for 10 minutes"):
        authenticate(db, "admin", "bad-password-123")
    with pytest.raises(AuthenticationError, match="locked"):
        authenticate(db, "admin", PASSWORD)  # even the right password
    with db.read() as s:
        types = [e.event_type for e in s.scalars(select(AuditEvent))]
        assert types.count("auth.lockout") == 1
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert last.outcome == "failed" and "account locked" in last.details
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=11)
    monkeypatch.setattr("ia_desk.accounts.users.utcnow", lambda: later)
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


def _attacker(url: str, ring: dict, start, attempts: int) -> None:  # a forked process
    import keyring

    from ia_desk.startup import open_database

    from .conftest import MemoryKeyring

    mem = MemoryKeyring()
    mem.store.update(ring)
    keyring.set_keyring(mem)
    db = open_database(url)
    start.wait(30)
    for _ in range(attempts):
        with contextlib.suppress(AuthenticationError):
            authenticate(db, "admin", "a-wrong-guess-of-mine")
    db.dispose()


@pytest.mark.slow
def test_parallel_wrong_passwords_check_no_more_than_the_lockout_allows(db, db_url, isolated):
    """200 wrong passwords from 8 processes at once: at most 5 are checked, then locked."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    db.dispose()
    procs = [
        ctx.Process(target=_attacker, args=(db_url, dict(isolated.store), start, 25))
        for _ in range(8)
    ]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    from ia_desk.startup import open_database

    again = open_database(db_url)
    with again.read() as s:
        failed = [
            e.details
            for e in s.scalars(
                select(AuditEvent).where(
                    AuditEvent.event_type == "auth.sign_in", AuditEvent.outcome == "failed"
                )
            )
        ]
        lockouts = s.scalars(
            select(AuditEvent.seq).where(AuditEvent.event_type == "auth.lockout")
        ).all()
        admin = s.scalars(select(User).where(User.login == "admin")).one()
        locked = admin.locked_until is not None
    again.dispose()
    assert len(failed) == 200
    assert sum("wrong password" in d for d in failed) == MAX_FAILURES
    assert len(lockouts) == 1 and locked


def test_every_failed_sign_in_says_the_same_and_takes_the_same_time(
    db, admin, make_user, monkeypatch
) -> None:
    import statistics
    import time

    from ia_desk.accounts import users
    from ia_desk.accounts.users import set_active

    monkeypatch.setattr(users, "FAILURE_QUANTUM", 0.1)
    gone = make_user("ia_investigator")
    with db.write(admin) as s:
        set_active(s, admin, gone.login, False)
    locked = make_user("supervisor")
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthenticationError):
            authenticate(db, locked.login, "wrong-wrong-wrong")
    cases = {
        "wrong password": ("admin", "not-the-password-1"),
        "unknown login": ("nobody", "not-the-password-1"),
        "disabled": (gone.login, PASSWORD),
        "locked": (locked.login, PASSWORD),
    }
    messages, medians = set(), {}
    for what, (login, password) in cases.items():
        times = []
        for _ in range(5):
            began = time.monotonic()
            with pytest.raises(AuthenticationError) as failed:
                authenticate(db, login, password)
            times.append(time.monotonic() - began)
            messages.add(failed.value.message)
        medians[what] = statistics.median(times)
    assert len(messages) == 1, messages
    assert max(medians.values()) - min(medians.values()) < 0.03, medians
    with db.read() as s:  # the trail keeps the real reasons
        reasons = " ".join(
            e.details for e in s.scalars(select(AuditEvent).where(AuditEvent.outcome == "failed"))
        )
    for reason in ("wrong password", "unknown login", "account disabled", "account locked"):
        assert reason in reasons


def test_a_disabled_users_open_session_stops_at_its_next_action(db, admin, make_user) -> None:
    from ia_desk.accounts.users import set_active
    from ia_desk.casefile.listing import CaseQuery, case_page
    from ia_desk.security.actor import SessionEnded

    make_user("ia_investigator")  # an account
    with db.read() as s:
        login = s.scalars(select(User.login).where(User.role == "ia_investigator")).one()
    signed_in = authenticate(db, login, PASSWORD)
    with db.read(signed_in) as s:
        case_page(s, signed_in, CaseQuery())
    with db.write(admin) as s:
        set_active(s, admin, login, False)
    with pytest.raises(SessionEnded, match="no longer active"), db.read(signed_in) as s:
        case_page(s, signed_in, CaseQuery())
    with pytest.raises(SessionEnded), db.write(signed_in) as s:
        pass


def test_users_change_their_own_password_and_a_reset_forces_a_change(db, admin, make_user):
    from ia_desk.accounts.users import change_own_password, reset_password
    from ia_desk.security.actor import SessionEnded

    make_user("command_staff")
    with db.read() as s:
        login = s.scalars(select(User.login).where(User.role == "command_staff")).one()
    me = authenticate(db, login, PASSWORD)
    other_session = authenticate(db, login, PASSWORD)
    with pytest.raises(InputError, match="differ"):
        change_own_password(db, login, PASSWORD, PASSWORD)
    with pytest.raises(InputError, match="at least 12"):
        change_own_password(db, login, PASSWORD, "short-1A")
    with pytest.raises(AuthenticationError):
        change_own_password(db, login, "not-my-password-1", "A-brand-new-one-2026")
    me = change_own_password(db, login, PASSWORD, "A-brand-new-one-2026")
    with db.read(me):
        pass  # this session goes on...
    with pytest.raises(SessionEnded, match="password"), db.read(other_session):
        pass  # ...another one of the same user ends
    with pytest.raises(AuthenticationError):
        authenticate(db, login, PASSWORD)
    # An administrator's reset: the new password opens nothing but the change.
    with db.write(admin) as s:
        reset_password(s, admin, login, "Set-by-the-admin-2026")
    with pytest.raises(SessionEnded), db.read(me):
        pass
    reset_actor = authenticate(db, login, "Set-by-the-admin-2026")
    assert reset_actor.must_change_password
    with pytest.raises(SessionEnded, match="new password"), db.read(reset_actor):
        pass
    mine = change_own_password(db, login, "Set-by-the-admin-2026", "Mine-and-only-mine-9")
    assert not mine.must_change_password
    with db.read(mine):
        pass
    with db.read() as s:
        events = [
            e.event_type
            for e in s.scalars(select(AuditEvent).where(AuditEvent.user_login == login))
        ]
    # The two above, after the one of the account's first sign-in (make_user).
    assert events.count("user.change_password") == 3
    with db.read() as s:
        assert verify(s).ok  # every one signed by the user's key of the moment


def test_a_login_typed_in_full_width_signs_in_as_itself(db) -> None:
    assert authenticate(db, "ａｄｍｉｎ", PASSWORD).login == "admin"
    with pytest.raises(AuthenticationError, match="the login or password is wrong"):
        authenticate(db, "ad\u202emin", PASSWORD)  # a direction control: no such login
