"""The trail says who wrote each event: attacks by someone who holds everything one
workstation holds (the database, its key, the audit MAC key), but not another person's
password. Each attack writes straight into the database, around the app."""

from __future__ import annotations

import hashlib
import hmac
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from ia_desk.accounts.users import authenticate, get_user, reset_password, unlock_actor
from ia_desk.audit.signatures import sign
from ia_desk.audit.trail import GENESIS, canonical_details, canonical_form, verify
from ia_desk.casefile.read import show_case
from ia_desk.db.models import AuditEvent, AuditHead, UserKey, utcnow
from ia_desk.errors import AuthenticationError
from ia_desk.security import crypto

from .conftest import PASSWORD, as_before_signing, go_around_the_app


def forge(
    db,
    login: str,
    event_type: str,
    *,
    details: dict | None = None,
    signer: tuple[str, bytes] | None = None,
    seq: int | None = None,
    prev_mac: str | None = None,
    move_head: bool = True,
) -> int:
    """Append an event with a MAC that holds (the attacker has the MAC key), optionally
    signed with a key the attacker holds; returns its number."""
    with db.read() as s:
        head = s.get(AuditHead, 1)
        head_seq, head_mac = head.seq, head.mac
        last = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    number = seq if seq is not None else max(head_seq, last or 0) + 1
    row = {
        "seq": number,
        "at": utcnow(),
        "user_login": login,
        "workstation": "somewhere",
        "event_type": event_type,
        "object_type": "case",
        "object_id": "1",
        "case_number": "IA-2026-0001",
        "outcome": "ok",
        "details": canonical_details(details or {}),
        "prev_mac": prev_mac if prev_mac is not None else head_mac,
    }
    canonical = canonical_form(**row)
    row["mac"] = hmac.new(db.audit_key, canonical, hashlib.sha256).hexdigest()
    row["signer_key"] = row["signature"] = None
    if signer is not None:
        row["signer_key"], row["signature"] = signer[0], sign(signer[1], canonical)
    statements = [
        "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, object_type, "
        "object_id, case_number, outcome, details, prev_mac, mac, signer_key, signature) "
        "VALUES (:seq, :at, :user_login, :workstation, :event_type, :object_type, :object_id, "
        ":case_number, :outcome, :details, :prev_mac, :mac, :signer_key, :signature)"
    ]
    if move_head:
        statements.append("UPDATE audit_head SET seq = :seq, mac = :mac WHERE id = 1")
    go_around_the_app(db, *statements, **row)
    return number


def remac(db, e: AuditEvent, seq: int, details: str, prev: str) -> str:
    """The MAC an event would have at ``seq`` with these details after ``prev``: what the
    attacker, who holds the MAC key, writes when re-chaining the trail."""
    canonical = canonical_form(
        seq,
        e.at,
        e.user_login,
        e.workstation,
        e.event_type,
        e.object_type,
        e.object_id,
        e.case_number,
        e.outcome,
        details,
        prev,
    )
    return hmac.new(db.audit_key, canonical, hashlib.sha256).hexdigest()


def own_key(db, login: str) -> tuple[str, bytes]:
    """The attacker's own key: they know their own password."""
    with db.write(None) as s:
        keys = unlock_actor(s, login, PASSWORD).keys
    assert keys is not None
    return keys.fingerprint, keys.signing_private


def trail(db) -> list[SimpleNamespace]:
    """Every event, as plain values."""
    with db.read() as s:
        return [
            SimpleNamespace(**{c.key: getattr(e, c.key) for c in AuditEvent.__table__.columns})
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        ]


def problems(db) -> list[tuple[int, str]]:
    with db.read() as s:
        return list(verify(s).problems)


def test_every_persons_event_is_signed_and_the_trail_verifies(db, admin, make_user, open_report):
    investigator = make_user("ia_investigator")
    case = open_report(actor=investigator).case.number
    with db.read() as s:
        show_case(s, investigator, case)
    with db.read() as s:
        result = verify(s)
        unsigned = s.scalars(
            select(AuditEvent).where(
                AuditEvent.signature.is_(None), AuditEvent.user_login != "system"
            )
        ).all()
    assert result.ok, result.problems
    assert result.signed > 5 and result.before_signing == 0
    # Unsigned: only what no person does (the database's own events).
    assert unsigned == []


def test_an_event_forged_for_another_person_is_named_with_whose_signature_is_missing(
    db, make_user
) -> None:
    victim = make_user("ia_investigator")
    make_user("command_staff")
    seq = forge(db, victim.login, "case.close")  # MAC right, no signature
    found = problems(db)
    assert found == [
        (seq, f"event {seq} (case.close by {victim.login}) is not signed by {victim.login}")
    ]


def test_signing_for_another_person_with_ones_own_key_is_caught(db, make_user) -> None:
    victim = make_user("ia_investigator")
    insider = make_user("command_staff")
    seq = forge(db, victim.login, "case.close", signer=own_key(db, insider.login))
    ((bad, text),) = problems(db)
    assert bad == seq and "which the trail does not give" in text and victim.login in text


def test_a_key_swapped_into_the_key_table_does_not_make_a_forgery_hold(db, make_user) -> None:
    victim = make_user("ia_investigator")
    insider = make_user("command_staff")
    fp, private = own_key(db, insider.login)
    with db.read() as s:
        victims = s.scalars(
            select(UserKey).where(UserKey.user_id == victim.user_id, UserKey.retired_at.is_(None))
        ).one()
        victims = SimpleNamespace(id=victims.id, fingerprint=victims.fingerprint)
    # Put the insider's public key on the victim's row under the victim's fingerprint,
    # then sign as the victim with the insider's private key.
    go_around_the_app(
        db,
        "UPDATE user_key SET public_key = :pub WHERE id = :id",
        pub=crypto.public_of(private).hex(),
        id=victims.id,
    )
    seq = forge(db, victim.login, "case.close", signer=(victims.fingerprint, private))
    ((bad, text),) = problems(db)
    assert bad == seq and "is missing" in text


def test_changing_a_persons_event_and_rewriting_the_chain_breaks_the_next_signatures(
    db, admin, make_user, open_report
) -> None:
    investigator = make_user("ia_investigator")
    open_report(actor=investigator)
    events = trail(db)
    target = next(e for e in events if e.event_type == "case.intake")
    # The attacker changes the event and recomputes every MAC after it, so the chain
    # itself holds again.
    statements, params = [], {}
    prev = next(e for e in events if e.seq == target.seq - 1).mac
    for e in [e for e in events if e.seq >= target.seq]:
        details = '{"rewritten":true}' if e.seq == target.seq else e.details
        mac = remac(db, e, e.seq, details, prev)
        statements.append(
            f"UPDATE audit_event SET details = :d{e.seq}, prev_mac = :p{e.seq}, "
            f"mac = :m{e.seq} WHERE seq = {e.seq}"
        )
        params.update({f"d{e.seq}": details, f"p{e.seq}": prev, f"m{e.seq}": mac})
        prev = mac
    statements.append("UPDATE audit_head SET mac = :head WHERE id = 1")
    go_around_the_app(db, *statements, head=prev, **params)
    found = problems(db)
    assert found, "a rewritten chain must not verify"
    assert found[0][0] == target.seq and "does not hold" in found[0][1]
    assert investigator.login in found[0][1]


def test_a_junk_row_never_stops_sign_in_and_is_the_only_problem(db, admin) -> None:
    with db.read() as s:
        head = s.get(AuditHead, 1).seq
    go_around_the_app(
        db,
        "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, outcome, "
        "details, prev_mac, mac) VALUES (:seq, :at, 'x', 'x', 'junk', 'ok', '{}', :z, :z)",
        seq=head + 1,
        at=utcnow(),
        z=GENESIS,
    )
    actor = authenticate(db, "admin", PASSWORD)  # the next event goes past the junk row
    with db.read() as s:
        result = verify(s)
        last = s.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        assert last.event_type == "auth.sign_in" and last.user_login == actor.login
    assert [seq for seq, _ in result.problems] == [head + 1]
    assert "put in outside IA Desk" in result.problems[0][1]


def test_verify_reports_every_problem_and_goes_on(db, make_user) -> None:
    a = make_user("ia_investigator")
    b = make_user("supervisor")
    first = forge(db, a.login, "case.close")
    second = forge(db, b.login, "case.close")
    assert [seq for seq, _ in problems(db)] == [first, second]


def test_a_key_an_administrator_made_signs_only_the_first_sign_in(db, admin) -> None:
    from ia_desk.accounts.users import add_user

    with db.write(admin) as s:
        add_user(s, admin, "newbie", "ia_investigator", "New Bie", "Chosen-by-admin-2026")
    # The administrator knows that password, opens the provisional key and signs as
    # the new user with it, skipping the change of password.
    with db.write(None) as s:
        keys = unlock_actor(s, "newbie", "Chosen-by-admin-2026").keys
    seq = forge(db, "newbie", "case.view", signer=(keys.fingerprint, keys.signing_private))
    ((bad, text),) = problems(db)
    assert bad == seq and "signs only a sign-in and a change of password" in text


def test_after_a_reset_the_old_key_signs_nothing(db, admin, make_user) -> None:
    victim = make_user("ia_investigator")
    old = own_key(db, victim.login)
    with db.write(admin) as s:
        reset_password(s, admin, victim.login, "Reset-by-the-admin-2026")
    seq = forge(db, victim.login, "case.view", signer=old)
    ((bad, text),) = problems(db)
    assert bad == seq and "does not give" in text


def test_a_disabled_users_key_signs_nothing_more(db, admin, make_user) -> None:
    from ia_desk.accounts.users import set_active

    victim = make_user("supervisor")
    key = own_key(db, victim.login)
    with db.write(admin) as s:
        set_active(s, admin, victim.login, False)
    seq = forge(db, victim.login, "case.view", signer=key)
    ((bad, text),) = problems(db)
    assert bad == seq and "disabled" in text


def test_an_altered_key_row_stops_its_owners_sign_in_with_a_clear_message(db, make_user):
    victim = make_user("ia_investigator")
    go_around_the_app(
        db,
        "UPDATE user_key SET wrapped = :w WHERE user_id = :u",
        w=crypto.b64(b"\0" * 60),
        u=victim.user_id,
    )
    with pytest.raises(AuthenticationError, match="signing key does not open"):
        authenticate(db, victim.login, PASSWORD)


def test_a_system_event_of_a_kind_only_people_make_is_caught(db) -> None:
    seq = forge(db, "system", "case.close")
    ((bad, text),) = problems(db)
    assert bad == seq and "database's own" in text


def test_a_trail_from_before_signing_verifies_by_its_chain_and_users_get_keys(db, admin):
    """An upgraded database: its old events have no signatures, its users no keys."""
    with db.read() as s:
        count = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    # Make it look as it did before this version: no keys, no start-of-signing event
    # (the rows after it re-chained by its MAC key, as the old version wrote them).
    seq, persons = as_before_signing(db)
    assert seq == count - 1
    from ia_desk.audit.trail import begin_signing

    begin_signing(db)  # what the first start of this version does
    actor = authenticate(db, "admin", PASSWORD)  # gets a key, in a signed event
    with db.read(actor) as s:
        result = verify(s)
        made = s.scalars(select(AuditEvent).where(AuditEvent.event_type == "user.key_created"))
        assert [json.loads(e.details)["login"] for e in made] == ["admin"]
        assert get_user(s, "admin").id == actor.user_id
    assert result.ok, result.problems
    # Before: the old events of people; signed: the new key, the sign-in and IA's key,
    # made at this first administrator's sign-in (ia_key.create).
    assert result.before_signing == persons > 0 and result.signed == 3
