"""A security review of changing IA's key (issue 20, promise 7), as an insider attacks it.

Each test is one attack. It PASSES when the attack is defeated and FAILS when it works,
so it can be kept as a regression test. The attacker is, unless a test says otherwise,
an IA user who held IA's key (kept its private key from a session's memory), has been
disabled, and can still write the database: the embedded file and its key, or the
server with the shared workstation account and the shared audit MAC passphrase (the
library's ``append()`` on the app's own connection), or full rights over it
(``go_around_the_app``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
import unittest.mock
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from ia_desk.accounts import iakey, userkeys
from ia_desk.audit import iakeys as trail_keys
from ia_desk.audit.trail import append
from ia_desk.db.models import AuditEvent, CaseNote, IaKey, IaKeyGrant, User, UserKey
from ia_desk.errors import AuthenticationError, IADeskError, InputError
from ia_desk.security import crypto
from ia_desk.security.actor import Actor
from ia_desk.services import accounts, database, notes
from tests.conftest import PASSWORD, go_around_the_app
from tests.test_ia_key_rotation import (
    DONE,
    NOTE,
    TITLE,
    _left,
    _new_key_opens_for,
    _opened_with,
    _plant_key,
    _problems,
)


@pytest.fixture
def papers(db, admin, open_report) -> str:
    """A case with a sealed note and a sealed task (its title and what was done)."""
    number = str(open_report().case.number)
    notes.add_note(db, admin, number, NOTE)
    task_id = notes.add_task(db, admin, number, TITLE, "admin", "2099-01-01").value
    notes.complete_task(db, admin, task_id, DONE)
    return number


# -- helpers --------------------------------------------------------------------------------


def _forge(
    db,
    signer: Actor | None,
    event_type: str,
    user_id: int,
    details: dict[str, Any],
    login: str = "admin",
) -> None:
    """An account event about ``user_id`` appended by the attacker with the library's
    ``append()`` (the MAC key is every workstation's): signed with their own key
    (``signer``) or not signed at all (``login`` named as its author)."""
    with db.write(None) as s:
        append(
            s,
            signer,
            event_type,
            object_type="user",
            object_id=user_id,
            details=details,
            login=None if signer is not None else login,
        )


def _fingerprint_of(db, row_id: int) -> str:
    with db.read() as s:
        fp = s.scalar(select(UserKey.fingerprint).where(UserKey.id == row_id))
    assert fp is not None
    return str(fp)


def _current_id(db) -> int:
    with db.read() as s:
        current = iakey.current(s)
        assert current is not None
        return int(current.id)


def _keys_of(db, user_id: int) -> list[int]:
    with db.read() as s:
        return list(s.scalars(select(UserKey.id).where(UserKey.user_id == user_id)))


def _new_key_granted_to(db, user_id: int) -> bool:
    """Does any key of ``user_id`` have a grant of the current IA key?"""
    with db.read() as s:
        current = iakey.current(s)
        assert current is not None
        ids = select(UserKey.id).where(UserKey.user_id == user_id)
        return bool(
            s.scalars(
                select(IaKeyGrant.id).where(
                    IaKeyGrant.ia_key_id == current.id, IaKeyGrant.user_key_id.in_(ids)
                )
            ).all()
        )


def _successor_row(db, private: bytes, replaces_id: int, kept: bytes, grant_to: list[int]) -> int:
    """An IA key row the attacker made (``private``), replacing key ``replaces_id`` with
    a succession signed by the old key they kept, and grants of it sealed to the public
    halves of ``grant_to`` (user key ids). Returns its id."""
    with db.write(None) as s:
        old = s.get(IaKey, replaces_id)
        assert old is not None
        planted = IaKey(
            fingerprint=iakey.identity(private),
            public_key=crypto.sealing_public_of(private[: iakey.HALF]).hex(),
            sign_public=crypto.public_of(private[iakey.HALF :]).hex(),
            created_by="admin",
            replaces_id=old.id,
        )
        planted.succession = crypto.sign(
            kept[iakey.HALF :], trail_keys.succession_statement(old.fingerprint, planted)
        ).hex()
        s.add(planted)
        s.flush()
        _grants(s, planted, private, grant_to)
        return int(planted.id)


def _grants(s, ia_key: IaKey, private: bytes, grant_to: list[int]) -> None:
    for key_id in grant_to:
        row = s.get(UserKey, key_id)
        sealed = crypto.seal(
            userkeys.sealing_public(row), private, iakey._grant_context(ia_key, row.id)
        )
        s.add(
            IaKeyGrant(
                ia_key_id=ia_key.id,
                user_key_id=row.id,
                sealed=crypto.b64(sealed),
                granted_by="admin",
            )
        )
    s.flush()


def _note_opens_with(db, number: str, private: bytes, text: str) -> bool:
    """Is a note of case ``number`` saying ``text`` open to ``private`` (an IA key)?"""
    with db.read() as s:
        for n in s.scalars(select(CaseNote)):
            try:
                plain = crypto.open_sealed(
                    private[: iakey.HALF], crypto.unb64(n.text), iakey.note_context(n)
                )
            except (crypto.WrongKey, ValueError):
                continue
            if plain.decode() == text:
                return True
    return False


# -- 1. being given the new key at the change ----------------------------------------------


@pytest.mark.parametrize("signed", [True, False], ids=["signed-by-leaver", "unsigned"])
def test_a_forged_enable_event_before_the_change_does_not_get_the_new_key(
    db, admin, make_user, papers, signed
):
    """The one who left sets their account active in SQL (the test of the branch shows
    that alone is refused) and appends a ``user.enable`` event about themselves, signed
    with their own key or not at all. ``recorded_standing`` reads the standing events
    without checking who signed them."""
    leaver, _ = _left(db, admin, make_user)
    _forge(db, leaver if signed else None, "user.enable", leaver.user_id, {"login": leaver.login})
    go_around_the_app(db, "UPDATE app_user SET active = true WHERE id = :u", u=leaver.user_id)
    r = database.rotate_ia_key(db, admin).value.rotation
    assert leaver.keys is not None
    assert not _new_key_opens_for(db, leaver.keys.seal_private), (
        f"the one who left was given the new key (given: {r.given})"
    )
    assert leaver.login not in r.given


def test_an_account_made_ia_by_forged_events_is_not_given_the_new_key(db, admin, make_user, papers):
    """A supervisor's account raised to investigator in SQL, with a key row the attacker
    holds (endorsed with the IA key they kept) and a forged, unsigned ``user.add``
    naming that role and key."""
    _, kept = _left(db, admin, make_user)
    supervisor = make_user("supervisor")
    planted, attacker = _plant_key(db, supervisor.user_id, _current_id(db), kept)
    go_around_the_app(
        db, "UPDATE app_user SET role = 'ia_investigator' WHERE id = :u", u=supervisor.user_id
    )
    _forge(
        db,
        None,
        "user.add",
        supervisor.user_id,
        {
            "login": supervisor.login,
            "role": "ia_investigator",
            "name": "Test supervisor",
            "key": _fingerprint_of(db, planted),
        },
    )
    r = database.rotate_ia_key(db, admin).value.rotation
    assert not _new_key_opens_for(db, attacker), f"given: {r.given}"


def test_a_key_planted_beside_a_colleagues_with_a_forged_change_of_password_is_not_given(
    db, admin, make_user, papers
):
    """The branch's own test plants a key beside a colleague's; here the attacker also
    appends an unsigned ``user.change_password`` about the colleague naming the planted
    key, so that ``recorded_key`` (which does not check signatures) names it."""
    colleague = make_user("ia_investigator")
    _, kept = _left(db, admin, make_user)
    planted, attacker = _plant_key(db, colleague.user_id, _current_id(db), kept)
    _forge(
        db,
        None,
        "user.change_password",
        colleague.user_id,
        {"login": colleague.login, "was_required": False, "key": _fingerprint_of(db, planted)},
        login=colleague.login,
    )
    r = database.rotate_ia_key(db, admin).value.rotation
    assert not _new_key_opens_for(db, attacker), f"given: {r.given}"


def test_a_disable_at_the_same_time_as_the_change_leaves_the_new_key_with_nobody_who_left(
    db, admin, make_user, papers, backend
):
    """Two IA administrators: one changes IA's key while the other disables an
    investigator. The change reads the investigator as active and grants them the new key;
    the disable's removal of their grants runs before that grant is committed. (On SQLite
    writers are one at a time; on the server nothing orders the two.)"""
    other_admin = make_user("ia_admin")
    victim = make_user("ia_investigator")  # about to leave
    granted = threading.Event()
    real = iakey.rotate

    def slow(session, actor, recovery_public):
        done = real(session, actor, recovery_public)
        granted.set()
        time.sleep(2.0)  # the disable below runs now, before the change commits
        return done

    outcome: list[Any] = []

    def disable() -> None:
        granted.wait(20)
        try:
            accounts.set_active(db, other_admin, victim.login, False)
            outcome.append("disabled")
        except IADeskError as exc:  # refused: fine, as long as it is said
            outcome.append(exc)

    from ia_desk.startup import own_passwords

    with unittest.mock.patch.object(own_passwords.iakey, "rotate", slow):
        t = threading.Thread(target=disable)
        t.start()
        database.rotate_ia_key(db, admin)
        t.join(30)
    assert not t.is_alive() and len(outcome) == 1
    with db.read() as s:
        active = s.scalar(select(User.active).where(User.id == victim.user_id))
    if outcome[0] == "disabled":
        assert active is False
        assert victim.keys is not None
        assert not _new_key_opens_for(db, victim.keys.seal_private), (
            "disabled while the key changed, and still given the new key"
        )


# -- 2. being given the new key after the change ---------------------------------------------


def test_enabling_a_colleague_after_the_change_does_not_give_the_new_key_to_a_planted_key(
    db, admin, make_user, papers
):
    """A colleague away (disabled) while the key changes; the attacker plants a key row
    for them and an unsigned ``user.change_password`` naming it. An administrator enables
    the colleague: ``give_to_current_key`` falls back to ``_the_trails_key``, which
    believes the forged event."""
    away = make_user("ia_investigator")
    _, kept = _left(db, admin, make_user)
    accounts.set_active(db, admin, away.login, False)
    changed = database.rotate_ia_key(db, admin).value
    planted, attacker = _plant_key(db, away.user_id, _current_id(db), kept)
    _forge(
        db,
        None,
        "user.change_password",
        away.user_id,
        {"login": away.login, "was_required": False, "key": _fingerprint_of(db, planted)},
        login=away.login,
    )
    accounts.set_active(db, changed.actor, away.login, True)
    assert not _new_key_opens_for(db, attacker)


def test_one_who_left_cannot_sign_in_with_a_forged_enable_event_after_the_change(
    db, admin, make_user, papers
):
    """After the change, the one who left enables themselves in SQL with a forged
    ``user.enable`` (unsigned), signs in, and waits for an administrator's sign-in."""
    leaver, _ = _left(db, admin, make_user)
    database.rotate_ia_key(db, admin)
    _forge(db, None, "user.enable", leaver.user_id, {"login": leaver.login})
    go_around_the_app(db, "UPDATE app_user SET active = true WHERE id = :u", u=leaver.user_id)
    signed_in = None
    with contextlib.suppress(AuthenticationError):
        signed_in = accounts.sign_in(db, leaver.login, PASSWORD)
    accounts.sign_in(db, "admin", PASSWORD)
    assert leaver.keys is not None and not _new_key_opens_for(db, leaver.keys.seal_private)
    assert signed_in is None, "a disabled account signed in on a forged user.enable"


def test_a_handover_from_the_leavers_key_is_not_given_the_new_key(db, admin, make_user, papers):
    """The one who left plants a key for a colleague handed over from their own key
    (``handover_from`` naming a key of another account): ``_known`` must refuse it."""
    colleague = make_user("ia_investigator")
    leaver, kept = _left(db, admin, make_user)
    planted, attacker = _plant_key(db, colleague.user_id, _current_id(db), kept)
    assert leaver.keys is not None
    fp = _fingerprint_of(db, planted)
    with db.read() as s:
        pk = s.scalar(select(UserKey.public_key).where(UserKey.id == planted))
    statement = userkeys.handover_statement(colleague.user_id, fp, pk)
    signature = crypto.sign(leaver.keys.signing_private, statement)
    go_around_the_app(
        db,
        "UPDATE user_key SET ia_endorsement = NULL, handover_from = :f, handover_signature = :s "
        "WHERE id = :i",
        f=leaver.keys.key_id,
        s=signature.hex(),
        i=planted,
    )
    database.rotate_ia_key(db, admin)
    accounts.sign_in(db, "admin", PASSWORD)
    assert not _new_key_opens_for(db, attacker)


# -- 3. a successor key of the attacker's, taken at sign-in --------------------------------


def test_a_successor_signed_by_a_disabled_admin_whose_disable_was_spoiled_is_not_taken(
    db, admin, make_user, papers
):
    """The one who left was an IA administrator. Instead of removing their
    ``user.disable`` and renumbering the trail (the documented limit), they blank that
    one event's signature: the sign-in's walk no longer believes the disable, so it
    makes them an active administrator when they sign the forged ``ia_key.rotate``.
    Nothing is missing from the trail."""
    colleague = make_user("ia_investigator")
    leaver, kept = _left_admin(db, admin, make_user)
    go_around_the_app(
        db,
        "UPDATE audit_event SET signature = NULL WHERE event_type = 'user.disable' "
        "AND object_id = :u",
        u=str(leaver.user_id),
    )
    private = iakey.new_pair()
    assert colleague.keys is not None
    _successor_row(db, private, _current_id(db), kept, [colleague.keys.key_id])
    _rotate_event(db, leaver, private, kept)
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    assert again.keys is not None
    assert again.keys.ia_private is None or again.keys.ia_private != private, (
        "the colleague took a key the one who left made"
    )


def _left_admin(db, admin, make_user) -> tuple[Actor, bytes]:
    leaver = make_user("ia_admin")
    assert leaver.keys is not None and leaver.keys.ia_private is not None
    assert accounts.set_active(db, admin, leaver.login, False).value is True
    return leaver, leaver.keys.ia_private


def _rotate_event(db, signer: Actor, private: bytes, replaced: bytes) -> None:
    with db.write(None) as s:
        append(
            s,
            signer,
            "ia_key.rotate",
            object_type="ia_key",
            object_id=iakey.identity(private),
            details={"ia_key": iakey.identity(private), "replaces": iakey.identity(replaced)},
        )


def test_a_rotate_event_signed_while_still_an_admin_makes_no_successor_after_leaving(
    db, admin, make_user, papers
):
    """An IA administrator about to leave signs an ``ia_key.rotate`` naming a key of
    their own as IA's key's successor while still active (a valid signature, nothing
    forged), and puts the key row in only after they were disabled and the key was
    changed. A colleague who has not signed in since the change still commits to the old
    key, and the check asks only whether the signer was an administrator *then*."""
    colleague = make_user("ia_investigator")
    leaver = make_user("ia_admin")
    assert leaver.keys is not None and leaver.keys.ia_private is not None
    kept = leaver.keys.ia_private
    old_id = _current_id(db)
    private = iakey.new_pair()
    _rotate_event(db, leaver, private, kept)  # while active
    accounts.set_active(db, admin, leaver.login, False)
    changed = database.rotate_ia_key(db, admin).value  # what the department should do
    assert colleague.keys is not None
    _successor_row(db, private, old_id, kept, [colleague.keys.key_id])
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    assert again.keys is not None
    written = "Written after the change."
    with contextlib.suppress(IADeskError):
        notes.add_note(db, again, papers, written)
    assert not _note_opens_with(db, papers, private, written), (
        "the colleague took a successor the one who left made, and sealed a note to it"
    )
    assert again.keys.ia_private != private
    assert changed.rotation.fingerprint != iakey.identity(private)


def test_a_successor_signed_by_an_active_investigator_is_not_taken(db, admin, make_user, papers):
    """The rotate event signed by an active IA user who is not an administrator (a
    colleague in league, or a key of theirs the attacker signs with)."""
    colleague = make_user("ia_investigator")
    accomplice = make_user("ia_investigator")
    _, kept = _left(db, admin, make_user)
    private = iakey.new_pair()
    assert colleague.keys is not None
    _successor_row(db, private, _current_id(db), kept, [colleague.keys.key_id])
    _rotate_event(db, accomplice, private, kept)
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    assert again.keys is not None and again.keys.ia_private != private


def test_a_chain_of_two_planted_successions_is_not_taken(db, admin, make_user, papers):
    """Two successions, the second replacing the first (signed by the first key, which
    the attacker made), each with a rotate event signed with the leaver's key."""
    colleague = make_user("ia_investigator")
    leaver, kept = _left(db, admin, make_user)
    first, second = iakey.new_pair(), iakey.new_pair()
    assert colleague.keys is not None
    first_id = _successor_row(db, first, _current_id(db), kept, [colleague.keys.key_id])
    _successor_row(db, second, first_id, first, [colleague.keys.key_id])
    _rotate_event(db, leaver, first, kept)
    _rotate_event(db, leaver, second, first)
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    assert again.keys is not None and again.keys.ia_private not in (first, second)
    assert any(leaver.login in p for p in _problems(db))


# -- 4. papers sealed to the old key or to an attacker's --------------------------------------


def test_the_old_key_moved_to_the_newest_row_is_not_sealed_to(db, admin, make_user, papers):
    """After the change the attacker gives the old key's row a higher id than the new
    one (so it is ``current`` again), points the new key's ``replaces_id`` at it (the
    succession signs fingerprints, not ids, so it still holds) and grants the old key to
    a colleague who has not signed in since the change (their key still commits to the
    old one). Nothing of the trail is touched, nothing is missing."""
    colleague = make_user("ia_investigator")
    _, kept = _left(db, admin, make_user)
    old_id = _current_id(db)
    database.rotate_ia_key(db, admin)
    new_id = _current_id(db)
    go_around_the_app(
        db,
        "UPDATE ia_key SET id = :moved WHERE id = :old",
        "UPDATE ia_key SET replaces_id = :moved WHERE id = :new",
        moved=new_id + 100,
        old=old_id,
        new=new_id,
    )
    assert colleague.keys is not None
    with db.write(None) as s:
        old = iakey.current(s)
        assert old is not None and old.fingerprint == iakey.identity(kept)
        _grants(s, old, kept, [colleague.keys.key_id])
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    written = "Informant moved to the Harbor Lights motel, room 12."
    with contextlib.suppress(IADeskError):
        notes.add_note(db, again, papers, written)
    assert not _note_opens_with(db, papers, kept, written), (
        "a note written after the change was sealed to the old key"
        + ("" if _problems(db) else " (and audit verify names nothing)")
    )


def test_the_old_key_restored_in_place_of_the_new_is_not_sealed_to(db, admin, make_user, papers):
    """The same by deleting the new key's row and its grants and giving the old key back
    to the colleague (verify names the missing key; the colleague must not seal to it)."""
    colleague = make_user("ia_investigator")
    _, kept = _left(db, admin, make_user)
    database.rotate_ia_key(db, admin)
    new_id = _current_id(db)
    go_around_the_app(
        db,
        "DELETE FROM ia_key_grant WHERE ia_key_id = :n",
        "DELETE FROM ia_key WHERE id = :n",
        n=new_id,
    )
    assert colleague.keys is not None
    with db.write(None) as s:
        old = iakey.current(s)
        assert old is not None and old.fingerprint == iakey.identity(kept)
        _grants(s, old, kept, [colleague.keys.key_id])
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    written = "Informant moved to the Harbor Lights motel, room 12."
    with contextlib.suppress(IADeskError):
        notes.add_note(db, again, papers, written)
    assert not _note_opens_with(db, papers, kept, written), (
        "a note written after the change was sealed to the old key"
    )


def test_an_account_added_by_a_stale_administrator_does_not_take_a_planted_key(
    db, admin, make_user, papers
):
    """An administrator signed in before the change (another changed it) adds an
    investigator: their key commits to no IA key, so at their first sign-in they take
    whatever IA key the database holds. The attacker puts one in, with a grant to them."""
    other_admin = make_user("ia_admin")  # signed in before the change
    _left(db, admin, make_user)
    database.rotate_ia_key(db, admin)
    # That session is refused in plain words (what it gave would be the old key) ...
    with pytest.raises(InputError, match="changed since you signed in"):
        accounts.add_user(
            db, other_admin, "newhire", "ia_investigator", "New Hire", "Given-by-the-admin-2026"
        )
    # ... and signed in again it adds the account, committed to the new key.
    other_admin = accounts.sign_in(db, other_admin.login, PASSWORD)
    accounts.add_user(
        db, other_admin, "newhire", "ia_investigator", "New Hire", "Given-by-the-admin-2026"
    )
    newhire = accounts.change_password(db, "newhire", "Given-by-the-admin-2026", PASSWORD)
    assert newhire.keys is not None
    private = iakey.new_pair()
    with db.write(None) as s:
        planted = IaKey(
            fingerprint=iakey.identity(private),
            public_key=crypto.sealing_public_of(private[: iakey.HALF]).hex(),
            sign_public=crypto.public_of(private[iakey.HALF :]).hex(),
            created_by="admin",
        )
        s.add(planted)
        s.flush()
        _grants(s, planted, private, [newhire.keys.key_id])
    again = accounts.sign_in(db, "newhire", PASSWORD)
    assert again.keys is not None
    assert again.keys.ia_private != private, "an IA user took a key the attacker made"


def test_a_stale_session_says_the_key_changed_rather_than_tampering(db, admin, make_user, papers):
    """A session opened before the change reads the papers: it must be told IA's key
    changed, not that the papers were altered outside IA Desk (a false alarm)."""
    colleague = make_user("ia_investigator")
    database.rotate_ia_key(db, admin)
    with pytest.raises(IADeskError) as caught:
        notes.list_notes(db, colleague, papers)
    assert "changed since you signed in" in str(caught.value)


# -- 5. denial of service and what verify names -------------------------------------------


def test_verify_names_a_change_cut_from_the_key_it_replaced(db, admin, make_user, papers):
    """The attacker clears the new key's ``replaces_id``: every IA user whose key still
    commits to the old key is refused ('audit verify names the change'); verify must then
    name something."""
    colleague = make_user("ia_investigator")
    database.rotate_ia_key(db, admin)
    go_around_the_app(db, "UPDATE ia_key SET replaces_id = NULL, succession = NULL")
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    assert again.keys is not None and again.keys.ia_private is None
    assert "verify" in str(again.keys.ia_problem)
    assert _problems(db), "the user is told verify names the change, and it names nothing"


def test_verify_names_a_second_key_replacing_the_same_old_key(db, admin, make_user, papers):
    """A fork: two keys replace the old one (the attacker's made with the kept key, and a
    rotate event signed with the leaver's key). Verify names the forgery."""
    colleague = make_user("ia_investigator")
    leaver, kept = _left(db, admin, make_user)
    old_id = _current_id(db)
    database.rotate_ia_key(db, admin)
    private = iakey.new_pair()
    assert colleague.keys is not None
    _successor_row(db, private, old_id, kept, [colleague.keys.key_id])
    _rotate_event(db, leaver, private, kept)
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    assert again.keys is not None and again.keys.ia_private != private
    assert any(leaver.login in p for p in _problems(db))


# -- 6. the recovery code ----------------------------------------------------------------------


def test_the_new_recovery_code_is_nowhere_but_in_what_the_administrator_is_shown(
    db, admin, make_user, papers, caplog
):
    """The code is shown once: not in the log, the trail, the key rows or the return of
    ``db ia-key``."""
    import logging

    caplog.set_level(logging.DEBUG)
    _left(db, admin, make_user)
    changed = database.rotate_ia_key(db, admin).value
    code = changed.code
    bare = code.replace("-", "")
    assert code not in caplog.text and bare not in caplog.text
    with db.read() as s:
        for (details,) in s.execute(select(AuditEvent.details)):
            assert bare not in (details or "").replace("-", "")
        for row in s.scalars(select(IaKey)):
            assert bare not in str(row.recovery_sealed)
    state = accounts.ia_key_state(db, changed.actor)
    assert bare not in str(state).replace("-", "")
    assert _opened_with(db, changed.actor.keys.ia_private) == 3
    assert NOTE


def test_the_result_of_the_change_does_not_show_the_code_in_its_repr(db, admin, make_user, papers):
    """What the change returns carries the code to the one dialog that shows it; a log
    line, a crash report or a debugger's view of it (its repr) must not show it too."""
    _left(db, admin, make_user)
    changed = database.rotate_ia_key(db, admin)
    code = changed.value.code
    assert code not in repr(changed) and code.replace("-", "") not in repr(changed)


# -- 7. who left, as the Administration screen and 'db ia-key' tell it ---------------------


def test_one_who_left_cannot_hide_from_the_list_of_those_who_left_holding_the_key(
    db, admin, make_user, papers
):
    """The change is offered because the screen and 'db ia-key' name who left holding
    the key. The one who left sets their account active again in SQL (their sign-in is
    still refused: the trail says disabled); they must still be named."""
    leaver, _ = _left(db, admin, make_user)
    assert accounts.ia_key_state(db, admin)["left"] == [leaver.login]
    go_around_the_app(db, "UPDATE app_user SET active = true WHERE id = :u", u=leaver.user_id)
    with pytest.raises(AuthenticationError):
        accounts.sign_in(db, leaver.login, PASSWORD)
    assert accounts.ia_key_state(db, admin)["left"] == [leaver.login], (
        "the one who left is no longer named, so no change of IA's key is offered"
    )


# -- 8. races on the server ---------------------------------------------------------------


def test_two_administrators_changing_the_key_at_once_make_one_change(db, admin, make_user, papers):
    """Two IA administrators change IA's key at the same moment: one change is made, the
    other is refused (it holds the key that was just replaced); no fork of two keys
    replacing the same one, and both the papers and the colleague follow the one made."""
    other_admin = make_user("ia_admin")
    colleague = make_user("ia_investigator")
    started = threading.Event()
    real = iakey.rotate

    def slow(session, actor, recovery_public):
        done = real(session, actor, recovery_public)
        started.set()
        time.sleep(1.5)
        return done

    outcome: list[Any] = []

    def second() -> None:
        started.wait(20)
        try:
            outcome.append(real_rotate(db, other_admin))
        except IADeskError as exc:
            outcome.append(exc)

    from ia_desk.startup import own_passwords

    real_rotate = database.rotate_ia_key
    with unittest.mock.patch.object(own_passwords.iakey, "rotate", slow):
        t = threading.Thread(target=second)
        t.start()
        first = database.rotate_ia_key(db, admin).value
        t.join(30)
    assert not t.is_alive() and len(outcome) == 1
    with db.read() as s:
        keys = list(s.scalars(select(IaKey).order_by(IaKey.id)))
        replaced = [k.replaces_id for k in keys if k.replaces_id is not None]
    assert len(replaced) == len(set(replaced)), "two keys replace the same key"
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    assert again.keys is not None and again.keys.ia_private is not None
    assert notes.list_notes(db, again, papers)[0]["text"] == NOTE
    assert first.rotation.fingerprint


# -- 9. denial of service by the app's own flows ------------------------------------------


def test_a_colleague_enabled_by_an_administrator_signed_in_before_the_change_reads_again(
    db, admin, make_user, papers
):
    """A colleague away (disabled) while the key changes is enabled by an administrator
    whose session opened before the change (it holds the old key). That session is
    refused in plain words and nothing changes (what it gave would be the old key); the
    same administrator signed in again enables them, and they read again."""
    stale_admin = make_user("ia_admin")
    away = make_user("ia_investigator")
    accounts.set_active(db, admin, away.login, False)
    database.rotate_ia_key(db, admin)
    with pytest.raises(InputError, match="changed since you signed in"):
        accounts.set_active(db, stale_admin, away.login, True)
    with db.read() as s:
        assert s.scalar(select(User.active).where(User.id == away.user_id)) is False
    fresh = accounts.sign_in(db, stale_admin.login, PASSWORD)
    accounts.set_active(db, fresh, away.login, True)
    back = accounts.sign_in(db, away.login, PASSWORD)
    assert notes.list_notes(db, back, papers)[0]["text"] == NOTE


# -- 10. an administrator made up for the check at sign-in ----------------------------------


def _signing_key_row(db, user_id: int) -> SimpleNamespace:
    """A signing key the attacker holds, put in the key table (retired, under any
    account: ``public_keys`` reads every row by fingerprint). Its ``fingerprint`` and
    ``signing_private`` are what ``append()`` signs with."""
    private, public = crypto.new_signing_pair()
    fp = crypto.fingerprint(public)
    with db.write(None) as s:
        s.add(
            UserKey(
                user_id=user_id,
                fingerprint=fp,
                public_key=public.hex(),
                wrapped="AA==",
                salt="AA==",
                kdf="{}",
                provisional=False,
                retired_at=dt.datetime(2026, 1, 1),
            )
        )
    return SimpleNamespace(fingerprint=fp, signing_private=private)


def test_a_forged_recovery_of_an_active_administrator_does_not_sign_a_successor(
    db, admin, make_user, papers
):
    """The one who left (an investigator, not an administrator) writes, with the shared
    MAC key alone, a ``user.recover`` of the active administrator "admin" introducing a
    key of theirs (a recovery's key introduces itself: nobody is signed in), then a
    ``user.change_password`` signed by it naming a second key, and signs the forged
    ``ia_key.rotate`` as "admin" with that. Nothing is removed or renumbered; the walk at
    sign-in believes every event whose own signature holds."""
    colleague = make_user("ia_investigator")
    leaver, kept = _left(db, admin, make_user)
    provisional = _signing_key_row(db, leaver.user_id)
    own = _signing_key_row(db, leaver.user_id)
    with db.read() as s:
        admin_id = s.scalar(select(User.id).where(User.login == "admin"))
    with db.write(None) as s:
        append(
            s,
            None,
            "user.recover",
            object_type="user",
            object_id=admin_id,
            details={"login": "admin", "key": provisional.fingerprint, "ia_key": None},
            login="admin",
            keys=provisional,
        )
        append(
            s,
            None,
            "user.change_password",
            object_type="user",
            object_id=admin_id,
            details={"login": "admin", "was_required": True, "key": own.fingerprint},
            login="admin",
            keys=provisional,
        )
    private = iakey.new_pair()
    assert colleague.keys is not None
    _successor_row(db, private, _current_id(db), kept, [colleague.keys.key_id])
    with db.write(None) as s:
        append(
            s,
            None,
            "ia_key.rotate",
            object_type="ia_key",
            object_id=iakey.identity(private),
            details={"ia_key": iakey.identity(private), "replaces": iakey.identity(kept)},
            login="admin",
            keys=own,
        )
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    written = "Written to whose key?"
    with contextlib.suppress(IADeskError):
        notes.add_note(db, again, papers, written)
    assert not _note_opens_with(db, papers, private, written), (
        "the colleague took the successor a made-up administrator signed, and sealed to it"
    )
    assert any("recovery code" in p for p in _problems(db))  # verify names the recovery


@pytest.mark.postgresql_only
def test_after_the_change_the_old_key_does_not_recover_an_administrator_on_the_server(
    db, admin, make_user, papers
):
    """On a server a recovery code proves itself by opening IA's key. After the change,
    the one who left moves the old key's row back to the newest (as above: verify names
    nothing), seals the old key they kept to a code of their own, and recovers the
    administrator "admin" with it: a password of their choosing for an IA administrator."""
    from ia_desk.startup import own_passwords

    _, kept = _left(db, admin, make_user)
    old_id = _current_id(db)
    database.rotate_ia_key(db, admin)
    new_id = _current_id(db)
    go_around_the_app(
        db,
        "UPDATE ia_key SET id = :moved WHERE id = :old",
        "UPDATE ia_key SET replaces_id = :moved WHERE id = :new",
        moved=new_id + 100,
        old=old_id,
        new=new_id,
    )
    key, code = own_passwords._new_recovery_key()
    with db.write(None) as s:
        old = iakey.current(s)
        assert old is not None and old.fingerprint == iakey.identity(kept)
        old.recovery_sealed = crypto.b64(
            crypto.seal(crypto.recovery_sealing_pair(key)[1], kept, iakey._recovery_context(old))
        )
    chosen = "Chosen-by-the-one-who-left-2026"
    with contextlib.suppress(IADeskError):
        own_passwords.recover(db, "admin", chosen, code)
    with pytest.raises(AuthenticationError):
        accounts.sign_in(db, "admin", chosen)
