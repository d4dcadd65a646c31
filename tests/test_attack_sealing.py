"""Attacks on IA's sealed papers (promise 6), made as the insider of the threat model
would: a supervisor or command staff with their own password and the whole database
(the embedded file with its key, or the server as its superuser), changing rows
outside IA Desk (``go_around_the_app``) and computing with their own keys.

Each test performs an attack and asserts the secure outcome: all of them succeeded
against the first version of the sealing, and are defended now (see
ia_desk/accounts/iakey.py). tests/test_sealed_papers.py covers the rest."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from ia_desk.accounts import iakey, userkeys
from ia_desk.db.models import CaseNote, IaKey, IaKeyGrant, User, UserKey
from ia_desk.errors import IADeskError
from ia_desk.security import crypto
from ia_desk.services import accounts, notes
from ia_desk.services import audit as audit_service
from tests.conftest import FIRST_PASSWORD, PASSWORD, go_around_the_app

NOTE = "Informant Quinzel Whistlewood met me at Pelican Marina; keep her out of the file."
TITLE = "Ask Detective Amesbury about the Pelican Marina meeting"
DONE = "Amesbury confirmed the meeting."
WORDS = ("Quinzel", "Whistlewood", "Pelican", "Amesbury")


def _clear_words(db: Any) -> list[str]:
    """The papers' words found in clear in the papers' own tables."""
    found: set[str] = set()
    with db.read() as s:
        for table in ("case_note", "case_task"):
            for row in s.execute(text(f"SELECT * FROM {table}")):
                for value in row:
                    found |= {w for w in WORDS if w in str(value)}
    return sorted(found)


def _ia_key_id(db: Any) -> int:
    with db.read() as s:
        ia_key = iakey.current(s)
        assert ia_key is not None
        return ia_key.id


def _open_grant_with(db: Any, user_key_id: int, seal_private: bytes) -> bytes | None:
    """IA's private key, if a grant to ``user_key_id`` opens with ``seal_private`` (what
    the attacker holds: their own key's pair, opened with their own password, or a pair
    they made)."""
    with db.read() as s:
        for grant in s.scalars(select(IaKeyGrant).where(IaKeyGrant.user_key_id == user_key_id)):
            context = iakey.GRANT_CONTEXT + f"{grant.ia_key_id}|{user_key_id}".encode()
            try:
                return crypto.open_sealed(seal_private, crypto.unb64(grant.sealed), context)
            except (crypto.WrongKey, ValueError):
                continue
    return None


def _notes_opened_with(db: Any, seal_private: bytes) -> list[str]:
    """Every sealed note that opens with ``seal_private`` (an IA key's sealing half)."""
    opened = []
    with db.read() as s:
        for note in s.scalars(select(CaseNote).where(CaseNote.sealed.is_(True))):
            try:
                blob = crypto.unb64(note.text)
                opened.append(
                    crypto.open_sealed(seal_private, blob, iakey.note_context(note)).decode()
                )
            except (crypto.WrongKey, ValueError):
                continue
    return opened


def _plant_ia_key(db: Any) -> tuple[bytes, int]:
    """Put an IA key of the attacker's making into the database, as the current one,
    with a grant of it sealed to every current user key (public halves, signed, are
    readable by all). Returns the attacker's private IA key (sealing half first)."""
    seal_private, seal_public = crypto.new_sealing_pair()
    sign_private, sign_public = crypto.new_signing_pair()
    go_around_the_app(
        db,
        "INSERT INTO ia_key (fingerprint, public_key, sign_public, created_by, created_at) "
        "VALUES (:f, :p, :sp, 'admin', CURRENT_TIMESTAMP)",
        f=crypto.fingerprint(seal_public),
        p=seal_public.hex(),
        sp=sign_public.hex(),
    )
    private = seal_private + sign_private
    ia_key_id = _ia_key_id(db)
    with db.read() as s:
        rows = [
            (row.id, userkeys.sealing_public(row))
            for row in s.scalars(select(UserKey).where(UserKey.retired_at.is_(None)))
        ]
    for key_id, public in rows:
        if public is None:
            continue
        context = iakey.GRANT_CONTEXT + f"{ia_key_id}|{key_id}".encode()
        go_around_the_app(
            db,
            "INSERT INTO ia_key_grant (ia_key_id, user_key_id, sealed, granted_by, created_at) "
            "VALUES (:i, :k, :s, 'admin', CURRENT_TIMESTAMP)",
            i=ia_key_id,
            k=key_id,
            s=crypto.b64(crypto.seal(public, private, context)),
        )
    return private, ia_key_id


# -- taking IA's key, or making IA seal to the attacker ---------------------------------


def test_a_planted_ia_key_is_not_taken_by_an_investigator(db, admin, make_user, open_report):
    investigator = make_user("ia_investigator")
    make_user("supervisor")  # the attacker: only their own password, and the data
    number = str(open_report().case.number)
    private, _ = _plant_ia_key(db)
    fresh = accounts.sign_in(db, investigator.login, PASSWORD)
    with pytest.raises(IADeskError, match="not the one your account holds"):
        notes.add_note(db, fresh, number, NOTE)  # refused: the planted key was noticed
    assert _notes_opened_with(db, private[: crypto.KEY_BYTES]) == []


def test_an_ia_key_swapped_in_place_is_not_taken(db, admin, make_user, open_report):
    investigator = make_user("ia_investigator")
    number = str(open_report().case.number)
    seal_private, seal_public = crypto.new_sealing_pair()
    sign_private, sign_public = crypto.new_signing_pair()
    private = seal_private + sign_private
    ia_key_id = _ia_key_id(db)
    with db.read() as s:
        row = s.get(UserKey, investigator.keys.key_id)
        public = userkeys.sealing_public(row)
    assert public is not None
    context = iakey.GRANT_CONTEXT + f"{ia_key_id}|{investigator.keys.key_id}".encode()
    go_around_the_app(
        db,
        "UPDATE ia_key SET public_key = :p, sign_public = :sp WHERE id = :i",
        "UPDATE ia_key_grant SET sealed = :s WHERE ia_key_id = :i AND user_key_id = :k",
        p=seal_public.hex(),
        sp=sign_public.hex(),
        i=ia_key_id,
        k=investigator.keys.key_id,
        s=crypto.b64(crypto.seal(public, private, context)),
    )
    fresh = accounts.sign_in(db, investigator.login, PASSWORD)
    with pytest.raises(IADeskError, match="not the one your account holds"):
        notes.add_note(db, fresh, number, NOTE)
    assert _notes_opened_with(db, seal_private) == []


def test_a_grant_replaced_alone_is_not_taken(db, admin, make_user, open_report):
    """Only the grant row replaced (an attacker's key sealed to the investigator's
    public half): it does not match the database's IA key, so it is not used."""
    investigator = make_user("ia_investigator")
    number = str(open_report().case.number)
    seal_private, _ = crypto.new_sealing_pair()
    sign_private, _ = crypto.new_signing_pair()
    ia_key_id = _ia_key_id(db)
    with db.read() as s:
        public = userkeys.sealing_public(s.get(UserKey, investigator.keys.key_id))
    context = iakey.GRANT_CONTEXT + f"{ia_key_id}|{investigator.keys.key_id}".encode()
    go_around_the_app(
        db,
        "UPDATE ia_key_grant SET sealed = :s WHERE user_key_id = :k",
        k=investigator.keys.key_id,
        s=crypto.b64(crypto.seal(public, seal_private + sign_private, context)),
    )
    fresh = accounts.sign_in(db, investigator.login, PASSWORD)
    assert fresh.keys is not None and fresh.keys.ia_private is None
    with pytest.raises(IADeskError, match="not the one your account holds"):
        notes.add_note(db, fresh, number, NOTE)


def test_an_endorsed_key_with_its_halves_swapped_is_not_given_ias_key(db, admin, make_user):
    investigator = make_user("ia_investigator")
    key_id = investigator.keys.key_id
    with db.read() as s:
        row = s.get(UserKey, key_id)
        assert row.ia_endorsement  # IA endorsed the investigator's real key
        user_id, fp = row.user_id, row.fingerprint
    sign_private, sign_public = crypto.new_signing_pair()
    seal_private, seal_public = crypto.new_sealing_pair()
    signature = crypto.sign(sign_private, userkeys.seal_statement(user_id, fp, seal_public))
    go_around_the_app(
        db,
        "DELETE FROM ia_key_grant WHERE user_key_id = :k",
        "UPDATE user_key SET public_key = :p, seal_public = :sp, seal_signature = :sig "
        "WHERE id = :k",
        k=key_id,
        p=sign_public.hex(),
        sp=seal_public.hex(),
        sig=signature.hex(),
    )
    accounts.sign_in(db, "admin", PASSWORD)  # an IA administrator's ordinary sign-in
    assert _open_grant_with(db, key_id, seal_private) is None


def test_a_supervisor_raised_to_ia_before_a_new_ia_key_is_not_given_it(db, admin, make_user):
    supervisor = make_user("supervisor")
    go_around_the_app(
        db,
        "DELETE FROM ia_key_grant",
        "UPDATE user_key SET ia_endorsement = NULL",
        "DELETE FROM ia_key",  # as a database from before sealing looks
        "UPDATE app_user SET role = 'ia_investigator' WHERE id = :u",
        u=supervisor.user_id,
    )
    accounts.sign_in(db, "admin", PASSWORD)
    go_around_the_app(
        db, "UPDATE app_user SET role = 'supervisor' WHERE id = :u", u=supervisor.user_id
    )
    with db.read() as s:  # the trail names IA's key: no second one is made to give out
        assert iakey.current(s) is None and not s.scalars(select(IaKeyGrant)).all()
    assert supervisor.keys is not None and supervisor.keys.seal_private is not None
    assert _open_grant_with(db, supervisor.keys.key_id, supervisor.keys.seal_private) is None


def test_a_supervisor_raised_to_ia_is_not_given_it_at_an_admins_sign_in(db, admin, make_user):
    """The supervisor's own, real key, role raised in the database: not endorsed, so an
    IA administrator's sign-in does not grant it (the planted-key test uses an IA key)."""
    supervisor = make_user("supervisor")
    go_around_the_app(
        db,
        "UPDATE app_user SET role = 'ia_investigator' WHERE id = :u",
        u=supervisor.user_id,
    )
    accounts.sign_in(db, "admin", PASSWORD)
    assert supervisor.keys is not None and supervisor.keys.seal_private is not None
    assert _open_grant_with(db, supervisor.keys.key_id, supervisor.keys.seal_private) is None
    with pytest.raises(IADeskError, match="not what IA Desk recorded"):  # nor may they sign in
        accounts.sign_in(db, supervisor.login, PASSWORD)


@pytest.mark.parametrize("act", ["reset", "enable"])
def test_an_admins_routine_act_on_a_raised_supervisor_does_not_give_ias_key(
    db, admin, make_user, act
):
    supervisor = make_user("supervisor")
    if act == "enable":
        accounts.set_active(db, admin, supervisor.login, False)
    go_around_the_app(
        db,
        "UPDATE app_user SET role = 'ia_investigator' WHERE id = :u",
        u=supervisor.user_id,
    )
    password = PASSWORD
    if act == "reset":  # "I am locked out, please reset me"
        accounts.reset_password(db, admin, supervisor.login, FIRST_PASSWORD)
        password = FIRST_PASSWORD
    else:
        accounts.set_active(db, admin, supervisor.login, True)
    go_around_the_app(
        db, "UPDATE app_user SET role = 'supervisor' WHERE id = :u", u=supervisor.user_id
    )
    # offline, with the password they know: their key's sealing half, then the grant
    with db.read() as s:
        keys = userkeys.unlock(s, s.get(User, supervisor.user_id), password)
    assert keys is not None and keys.seal_private is not None
    assert _open_grant_with(db, keys.key_id, keys.seal_private) is None


# -- making IA write in clear ------------------------------------------------------------


def test_deleting_ias_key_does_not_make_ia_write_in_clear(db, admin, make_user, open_report):
    investigator = make_user("ia_investigator")  # signed in, holding IA's key
    number = str(open_report().case.number)
    go_around_the_app(db, "DELETE FROM ia_key_grant", "DELETE FROM ia_key")
    for actor in (investigator, accounts.sign_in(db, investigator.login, PASSWORD)):
        with pytest.raises(IADeskError, match="missing from the database"):
            notes.add_note(db, actor, number, NOTE)
        with pytest.raises(IADeskError, match="missing from the database"):
            notes.add_task(db, actor, number, TITLE, investigator.login, "2099-01-01")
    assert _clear_words(db) == []
    with db.read() as s:  # and no IA key of anyone's choosing was made meanwhile
        assert iakey.current(s) is None


def test_a_task_flipped_to_unsealed_does_not_get_what_was_done_in_clear(db, admin, open_report):
    number = str(open_report().case.number)
    task_id = notes.add_task(db, admin, number, "Call the witness", "admin", "2099-01-01").value
    go_around_the_app(db, "UPDATE case_task SET sealed = :f WHERE id = :t", f=False, t=task_id)
    with pytest.raises(IADeskError, match="stored in clear although"):
        notes.complete_task(db, admin, task_id, DONE)
    assert _clear_words(db) == []


# -- forging or moving what IA reads -----------------------------------------------------


def test_a_forged_clear_note_is_not_shown_as_ias(db, admin, open_report):
    number = str(open_report().case.number)
    notes.add_note(db, admin, number, NOTE)
    go_around_the_app(
        db, "UPDATE case_note SET sealed = :f, text = 'Case is weak; close it.'", f=False
    )
    (shown,) = notes.list_notes(db, admin, number)  # not shown as IA's: says why
    assert shown["damaged"] and "stored in clear although" in shown["text"]
    assert "Case is weak" not in shown["text"]


def test_a_sealed_note_copied_onto_another_note_of_the_case_does_not_open(db, admin, open_report):
    number = str(open_report().case.number)
    first = notes.add_note(db, admin, number, NOTE).value
    second = notes.add_note(db, admin, number, "Routine: the report was logged.").value
    go_around_the_app(
        db,
        "UPDATE case_note SET text = (SELECT text FROM case_note WHERE id = :a) WHERE id = :b",
        a=first,
        b=second,
    )
    shown = {n["id"]: n for n in notes.list_notes(db, admin, number)}
    assert shown[second]["damaged"] and f"Note {second} does not open" in shown[second]["text"]
    assert "Quinzel" not in shown[second]["text"]
    assert shown[first]["text"] == NOTE and not shown[first]["damaged"]  # the rest reads


def test_a_sealed_task_title_copied_onto_another_task_does_not_open(db, admin, open_report):
    number = str(open_report().case.number)
    first = notes.add_task(db, admin, number, TITLE, "admin", "2099-01-01").value
    second = notes.add_task(db, admin, number, "File the report", "admin", "2099-01-02").value
    go_around_the_app(
        db,
        "UPDATE case_task SET title = (SELECT title FROM case_task WHERE id = :a) WHERE id = :b",
        a=first,
        b=second,
    )
    shown = {t["id"]: t for t in notes.list_tasks(db, admin, number)}
    assert shown[second]["damaged"] and f"Task {second} does not open" in shown[second]["title"]
    assert not shown[second]["completable"] and shown[first]["title"] == TITLE


def test_a_task_title_moved_into_what_was_done_does_not_open(db, admin, open_report):
    number = str(open_report().case.number)
    task_id = notes.add_task(db, admin, number, TITLE, "admin", "2099-01-01").value
    notes.complete_task(db, admin, task_id, "Done.")
    go_around_the_app(db, "UPDATE case_task SET note = title WHERE id = :t", t=task_id)
    (shown,) = notes.list_tasks(db, admin, number)
    assert shown["damaged"] and shown["title"] == TITLE
    assert "does not open" in shown["note"] and "Amesbury" not in shown["note"]


# -- sessions ---------------------------------------------------------------------------


def test_a_disabled_investigators_open_session_reads_nothing_more(
    db, admin, make_user, open_report
):
    """Their session still holds IA's key in memory; the application refuses its next
    action (what they copied out of memory is the documented limit)."""
    investigator = make_user("ia_investigator")
    assert investigator.keys is not None and investigator.keys.ia_private is not None
    number = str(open_report().case.number)
    notes.add_note(db, admin, number, NOTE)
    accounts.set_active(db, admin, investigator.login, False)
    with pytest.raises(IADeskError, match="no longer active"):
        notes.list_notes(db, investigator, number)
    with pytest.raises(IADeskError, match="no longer active"):
        notes.add_note(db, investigator, number, "after I left")
    with db.read() as s:  # no grant is left for any of their keys
        theirs = select(UserKey.id).where(UserKey.user_id == investigator.user_id)
        assert not s.scalars(select(IaKeyGrant).where(IaKeyGrant.user_key_id.in_(theirs))).all()


def test_a_stale_session_after_ias_key_changed_writes_nothing(db, admin, open_report):
    """A session that opened IA's key before it was swapped in the database seals
    nothing to the swapped one (STALE)."""
    number = str(open_report().case.number)
    _plant_ia_key(db)
    with pytest.raises(IADeskError, match="changed since you signed in"):
        notes.add_note(db, admin, number, NOTE)
    with db.read() as s:
        assert s.scalar(select(IaKey.id).order_by(IaKey.id.desc())) is not None
        assert not s.scalars(select(CaseNote)).all()


# -- what audit verify says ---------------------------------------------------------------


def _verify_problems(db: Any) -> list[str]:
    result = audit_service.verify_trail(db, accounts.sign_in(db, "admin", PASSWORD))
    return [text for _, text in result.problems]


def test_verify_names_a_planted_ias_key(db, admin, make_user):
    make_user("ia_investigator")
    assert not [p for p in _verify_problems(db) if "IA's key" in p]
    _plant_ia_key(db)
    found = [p for p in _verify_problems(db) if "IA's key" in p]
    assert len(found) == 1 and "no signed event made it" in found[0]


def test_verify_names_ias_key_removed_or_changed(db, admin):
    with db.read() as s:
        made = iakey.current(s)
        assert made is not None
        fingerprint = made.fingerprint
    _, other = crypto.new_signing_pair()
    go_around_the_app(db, "UPDATE ia_key SET sign_public = :p", p=other.hex())
    (changed,) = [p for p in _verify_problems(db) if "IA's key" in p]
    assert fingerprint in changed and "changed outside IA Desk" in changed
    go_around_the_app(db, "DELETE FROM ia_key_grant", "DELETE FROM ia_key")
    (missing,) = [p for p in _verify_problems(db) if "IA's key" in p]
    assert fingerprint in missing and "missing from the database" in missing
