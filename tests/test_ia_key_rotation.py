"""Changing IA's key (issue 20): after an IA user who held it leaves, an IA
administrator changes it, so that nothing sealed from then on, nor anything sealed
before (sealed again), opens with the key the one who left could have kept.

The attacks are made as the insider would: someone who held IA's key, has left, and can
still write the database (its file and key, or the server's superuser), trying to be
given the new key, to plant a key of their own as its successor, or to have a paper
sealed to the old key while it is being changed."""

from __future__ import annotations

import json
import re
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from ia_desk.accounts import iakey, userkeys
from ia_desk.audit.trail import append
from ia_desk.cli import main
from ia_desk.db.models import AuditEvent, CaseNote, CaseTask, IaKey, IaKeyGrant, User, UserKey
from ia_desk.errors import IADeskError, InputError, PermissionDenied
from ia_desk.security import crypto
from ia_desk.security.actor import Actor
from ia_desk.services import accounts, database, notes
from ia_desk.services import audit as audit_service
from tests.conftest import PASSWORD, go_around_the_app

NOTE = "Informant Quinzel Whistlewood met me at Pelican Marina; keep her out of the file."
TITLE = "Ask Detective Amesbury about the Pelican Marina meeting"
DONE = "Amesbury confirmed the meeting."


@pytest.fixture
def papers(db, admin, open_report) -> str:
    number = str(open_report().case.number)
    notes.add_note(db, admin, number, NOTE)
    task_id = notes.add_task(db, admin, number, TITLE, "admin", "2099-01-01").value
    notes.complete_task(db, admin, task_id, DONE)
    return number


def _left(db, admin, make_user) -> tuple[Actor, bytes]:
    """An investigator who held IA's key and was disabled; and the key they kept."""
    leaver = make_user("ia_investigator")
    assert leaver.keys is not None and leaver.keys.ia_private is not None
    assert accounts.set_active(db, admin, leaver.login, False).value is True
    return leaver, leaver.keys.ia_private


def _sealed_values(db) -> list[tuple[str, bytes]]:
    """Every sealed value of IA's papers with the context it opens under."""
    with db.read() as s:
        out = [(n.text, iakey.note_context(n)) for n in s.scalars(select(CaseNote))]
        for t in s.scalars(select(CaseTask)):
            out.append((t.title, iakey.task_context(t, "title")))
            if t.note is not None:
                out.append((t.note, iakey.task_context(t, "note")))
    return out


def _opened_with(db, private: bytes) -> int:
    opened = 0
    for sealed, context in _sealed_values(db):
        try:
            crypto.open_sealed(private[: iakey.HALF], crypto.unb64(sealed), context)
            opened += 1
        except (crypto.WrongKey, ValueError):
            pass
    return opened


def _problems(db) -> list[str]:
    result = audit_service.verify_trail(db, accounts.sign_in(db, "admin", PASSWORD))
    return [text for _, text in result.problems]


def test_after_the_change_nothing_sealed_opens_with_the_key_the_one_who_left_kept(
    db, admin, make_user, papers
):
    colleague = make_user("ia_investigator")
    leaver, kept = _left(db, admin, make_user)
    assert _opened_with(db, kept) == 3  # the note, the task's title and what was done

    changed = database.rotate_ia_key(db, admin).value
    new_admin = changed.actor
    r = changed.rotation
    assert r.resealed == 2 and r.not_opened == 0
    assert r.given == [colleague.login] and leaver.login not in r.not_given + r.given_later
    assert r.replaces == iakey.identity(kept) and r.fingerprint != r.replaces

    assert _opened_with(db, kept) == 0
    assert new_admin.keys is not None and _opened_with(db, new_admin.keys.ia_private) == 3
    assert notes.list_notes(db, new_admin, papers)[0]["text"] == NOTE
    notes.add_note(db, new_admin, papers, "Written after the change.")
    assert _opened_with(db, kept) == 0

    # A session opened before the change seals nothing more (to either key).
    with pytest.raises(IADeskError, match="changed since you signed in"):
        notes.add_note(db, colleague, papers, "with the old key")
    # Signed in again, the colleague takes the new key: the old one's change, signed
    # by an IA administrator, is followed, and their own key records the new one.
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    assert {n["text"] for n in notes.list_notes(db, again, papers)} >= {NOTE}
    assert again.keys is not None and again.keys.ia_commitment == r.fingerprint
    with db.read() as s:
        old = s.scalar(select(IaKey).where(IaKey.fingerprint == r.replaces))
        assert old is not None and old.recovery_sealed is None
        assert not s.scalars(select(IaKeyGrant).where(IaKeyGrant.ia_key_id == old.id)).all()
        commits = s.scalars(
            select(AuditEvent.details).where(
                AuditEvent.event_type == "ia_key.commit",
                AuditEvent.user_login == colleague.login,
            )
        ).all()
        assert json.loads(commits[-1])["ia_key"] == r.fingerprint
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.event_type == "ia_key.rotate"))
        assert event.user_login == "admin" and changed.code.replace("-", "") not in event.details
    assert _problems(db) == []


def test_the_new_recovery_code_opens_the_new_key_and_the_old_code_nothing(db, admin, papers):
    with db.read() as s:
        before = iakey.current(s)
        assert before is not None and before.recovery_sealed is not None
    changed = database.rotate_ia_key(db, admin).value
    with db.read() as s:
        opened = iakey.open_with_recovery(s, crypto.parse_recovery_code(changed.code))
        assert opened is not None and iakey.identity(opened) == changed.rotation.fingerprint


def test_only_an_ia_administrator_holding_ias_key_changes_it(db, admin, make_user, papers):
    for role in ("ia_investigator", "supervisor", "command_staff"):
        with pytest.raises(PermissionDenied):
            database.rotate_ia_key(db, make_user(role))
    from dataclasses import replace

    assert admin.keys is not None
    stripped = replace(admin, keys=replace(admin.keys, ia_private=None))
    with pytest.raises(InputError, match="not been given IA's key"):
        database.rotate_ia_key(db, stripped)
    with db.read() as s:
        assert len(s.scalars(select(IaKey)).all()) == 1
        assert not s.scalars(
            select(AuditEvent).where(
                AuditEvent.event_type == "ia_key.rotate", AuditEvent.outcome == "ok"
            )
        ).all()


def _plant_key(db, user_id: int, ia_key_id: int, ia_private: bytes) -> tuple[int, bytes]:
    """A key row for ``user_id`` whose sealing half the attacker holds, endorsed with
    the IA key ``ia_private`` (which the attacker kept). Returns (row id, its private)."""
    sign_private, sign_public = crypto.new_signing_pair()
    seal_private, seal_public = crypto.new_sealing_pair()
    fp = crypto.fingerprint(sign_public)
    row = SimpleNamespace(user_id=user_id, fingerprint=fp, public_key=sign_public.hex())
    endorsement = crypto.sign(ia_private[iakey.HALF :], iakey._endorsement(ia_key_id, row))
    seal_signature = crypto.sign(sign_private, userkeys.seal_statement(user_id, fp, seal_public))
    with db.read() as s:
        template = s.scalars(select(UserKey).where(UserKey.user_id == user_id)).first()
        assert template is not None
        wrapped, salt, kdf = template.wrapped, template.salt, template.kdf
    go_around_the_app(
        db,
        "INSERT INTO user_key (user_id, fingerprint, public_key, wrapped, salt, kdf, "
        "provisional, seal_public, seal_wrapped, seal_signature, ia_endorsement, created_at) "
        "VALUES (:u, :fp, :pk, :w, :salt, :kdf, false, :sp, :w, :ss, :e, :at)",
        u=user_id,
        fp=fp,
        pk=sign_public.hex(),
        w=wrapped,
        salt=salt,
        kdf=kdf,
        sp=seal_public.hex(),
        ss=seal_signature.hex(),
        e=endorsement.hex(),
        at="2026-12-04 12:00:00",
    )
    with db.read() as s:
        planted = s.scalar(select(UserKey.id).where(UserKey.fingerprint == fp))
    assert planted is not None
    return planted, seal_private


def _new_key_opens_for(db, seal_private: bytes) -> bool:
    """Does any grant of the current key open with ``seal_private``?"""
    with db.read() as s:
        current = iakey.current(s)
        assert current is not None
        for grant in s.scalars(select(IaKeyGrant).where(IaKeyGrant.ia_key_id == current.id)):
            context = iakey._grant_context(current, grant.user_key_id)
            try:
                crypto.open_sealed(seal_private, crypto.unb64(grant.sealed), context)
                return True
            except (crypto.WrongKey, ValueError):
                continue
    return False


def test_a_key_planted_beside_a_colleagues_own_is_not_given_the_new_key(
    db, admin, make_user, papers
):
    colleague = make_user("ia_investigator")
    _, kept = _left(db, admin, make_user)
    with db.read() as s:
        old_id = iakey.current(s).id
    planted, attacker = _plant_key(db, colleague.user_id, old_id, kept)
    changed = database.rotate_ia_key(db, admin).value
    r = changed.rotation
    assert colleague.login in r.not_given  # said to the administrator, not given
    with db.read() as s:
        assert not s.scalars(select(IaKeyGrant).where(IaKeyGrant.user_key_id == planted)).all()
    assert not _new_key_opens_for(db, attacker)
    # Nor at an administrator's sign-in afterwards, nor by a routine reset (the person
    # is added anew by an administrator, who endorses them).
    accounts.sign_in(db, "admin", PASSWORD)
    assert not _new_key_opens_for(db, attacker)
    accounts.reset_password(db, changed.actor, colleague.login, "Provisional-Pass-2026")
    back = accounts.change_password(db, colleague.login, "Provisional-Pass-2026", PASSWORD)
    with pytest.raises(IADeskError, match="not been given IA's key"):
        notes.list_notes(db, back, papers)
    assert not _new_key_opens_for(db, attacker)


def test_an_account_enabled_outside_ia_desk_is_not_given_the_new_key(db, admin, make_user, papers):
    leaver, _ = _left(db, admin, make_user)
    go_around_the_app(db, "UPDATE app_user SET active = true WHERE id = :u", u=leaver.user_id)
    r = database.rotate_ia_key(db, admin).value.rotation
    assert leaver.login in r.not_given and leaver.login not in r.given
    assert leaver.keys is not None and not _new_key_opens_for(db, leaver.keys.seal_private)
    # Nor at an administrator's sign-in afterwards, nor after a second change.
    accounts.sign_in(db, "admin", PASSWORD)
    with db.read() as s:
        theirs = select(UserKey.id).where(UserKey.user_id == leaver.user_id)
        assert not s.scalars(select(IaKeyGrant).where(IaKeyGrant.user_key_id.in_(theirs))).all()


def test_one_who_left_is_never_endorsed_by_the_new_key_and_is_given_it_only_when_enabled(
    db, admin, make_user, papers
):
    leaver, _ = _left(db, admin, make_user)
    changed = database.rotate_ia_key(db, admin).value
    new_admin = changed.actor
    with db.read() as s:
        current = iakey.current(s)
        theirs = s.scalars(select(UserKey).where(UserKey.user_id == leaver.user_id)).all()
        assert not any(iakey._known(s, current, new_admin.keys.ia_private, k) for k in theirs)
    # Enabled in the database behind IA Desk's back, then an administrator signs in:
    # not given it (the trail still says the account is disabled).
    go_around_the_app(db, "UPDATE app_user SET active = true WHERE id = :u", u=leaver.user_id)
    again = accounts.sign_in(db, "admin", PASSWORD)
    assert leaver.keys is not None and not _new_key_opens_for(db, leaver.keys.seal_private)
    # Enabled by an administrator, in a signed event: given it, and reads again.
    go_around_the_app(db, "UPDATE app_user SET active = false WHERE id = :u", u=leaver.user_id)
    accounts.set_active(db, again, leaver.login, True)
    back = accounts.sign_in(db, leaver.login, PASSWORD)
    assert notes.list_notes(db, back, papers)[0]["text"] == NOTE


def _plant_successor(db, kept: bytes, leaver: Actor, colleague: Actor) -> bytes:
    """What someone who kept IA's old key and can write the database would do to have
    IA seal to a key of theirs: a new IA key signed over by the old one, granted to the
    colleague's key, and an ``ia_key.rotate`` event signed with their own key (the
    MAC key is every workstation's). Returns the planted key's private key."""
    private = iakey.new_pair()
    with db.write(None) as s:
        old = iakey.current(s)
        assert old is not None
        planted = IaKey(
            fingerprint=iakey.identity(private),
            public_key=crypto.sealing_public_of(private[: iakey.HALF]).hex(),
            sign_public=crypto.public_of(private[iakey.HALF :]).hex(),
            created_by="admin",
            replaces_id=old.id,
        )
        from ia_desk.audit import iakeys as trail_keys

        planted.succession = crypto.sign(
            kept[iakey.HALF :], trail_keys.succession_statement(old.fingerprint, planted)
        ).hex()
        s.add(planted)
        s.flush()
        row = s.get(UserKey, colleague.keys.key_id)
        sealed = crypto.seal(
            userkeys.sealing_public(row), private, iakey._grant_context(planted, row.id)
        )
        s.add(
            IaKeyGrant(
                ia_key_id=planted.id,
                user_key_id=row.id,
                sealed=crypto.b64(sealed),
                granted_by="admin",
            )
        )
        append(
            s,
            leaver,
            "ia_key.rotate",
            object_type="ia_key",
            object_id=planted.fingerprint,
            details={"ia_key": planted.fingerprint, "replaces": old.fingerprint},
        )
    return private


def test_a_successor_planted_by_one_who_kept_the_old_key_is_not_taken(db, admin, make_user, papers):
    colleague = make_user("ia_investigator")
    leaver, kept = _left(db, admin, make_user)
    _plant_successor(db, kept, leaver, colleague)
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    assert again.keys is not None and again.keys.ia_private is None
    assert "not the one your account holds" in str(again.keys.ia_problem)
    with pytest.raises(IADeskError, match="not the one your account holds"):
        notes.add_note(db, again, papers, "sealed to whose key?")
    problems = _problems(db)
    assert any("was signed after" in p and leaver.login in p for p in problems), problems


def test_a_successor_with_no_event_is_not_taken_and_verify_names_a_broken_succession(
    db, admin, make_user, papers
):
    colleague = make_user("ia_investigator")
    database.rotate_ia_key(db, admin)
    # The change's signature altered: the colleague does not follow it; verify says so.
    go_around_the_app(
        db, "UPDATE ia_key SET succession = :x WHERE replaces_id IS NOT NULL", x="00" * 64
    )
    again = accounts.sign_in(db, colleague.login, PASSWORD)
    assert again.keys is not None and again.keys.ia_private is None
    assert any("succession" in p and "does not hold" in p for p in _problems(db))


def test_a_paper_sealed_while_the_key_changes_is_sealed_to_the_new_key_or_refused(
    db, admin, make_user, open_report, backend
):
    """The change holds the trail's head from its start: a note written meanwhile waits,
    then is refused as written with the old key (its session must sign in again)."""
    number = str(open_report().case.number)
    colleague = make_user("ia_investigator")
    from ia_desk.startup import own_passwords

    rotated = threading.Event()
    real = iakey.rotate

    def slow(session, actor, recovery_public):
        done = real(session, actor, recovery_public)
        rotated.set()
        time.sleep(1.5)  # the note below is written now, before the change commits
        return done

    outcome: list[Any] = []

    def write_note() -> None:
        rotated.wait(20)
        try:
            notes.add_note(db, colleague, number, NOTE)
            outcome.append("written")
        except IADeskError as exc:
            outcome.append(exc)

    import unittest.mock

    with unittest.mock.patch.object(own_passwords.iakey, "rotate", slow):
        writer = threading.Thread(target=write_note)
        writer.start()
        changed = database.rotate_ia_key(db, admin).value
        writer.join(30)
    assert not writer.is_alive() and len(outcome) == 1
    assert isinstance(outcome[0], IADeskError), outcome
    assert "changed since you signed in" in str(outcome[0])
    assert colleague.keys is not None and _opened_with(db, colleague.keys.ia_private) == 0
    assert changed.actor.keys is not None
    with db.read() as s:
        assert not s.scalars(select(CaseNote)).all()  # nothing was half-written either


def test_the_commands_change_it_show_the_code_once_and_say_who_left(
    db_url, db, admin, make_user, papers, monkeypatch, capsys
):
    leaver = make_user("ia_investigator")
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
    assert main(["--db", db_url, "user", "disable", leaver.login]) == 0
    out = capsys.readouterr()
    assert "held IA's key" in out.err and "change-ia-key" in out.err
    assert main(["--db", db_url, "db", "ia-key"]) == 0
    out = capsys.readouterr()
    assert f"left since, while holding it: {leaver.login}" in out.out
    assert main(["--db", db_url, "db", "change-ia-key"]) == 0
    out = capsys.readouterr()
    (code,) = re.findall(r"\n\s+([0-9A-Z]{4}(?:-[0-9A-Z]{1,4})+)\n", out.err)
    assert out.err.count(code) == 1 and code not in out.out and "Traceback" not in out.err
    assert "sealed again to the new key: 2" in out.out
    assert main(["--db", db_url, "db", "ia-key", "--json"]) == 0
    state = json.loads(capsys.readouterr().out)
    assert state["changed"] is True and state["left"] == []
    monkeypatch.setenv("IA_DESK_USER", make_user("supervisor").login)
    assert main(["--db", db_url, "db", "change-ia-key"]) != 0
    out = capsys.readouterr()
    assert "Permission denied" in out.err and "Traceback" not in out.err


def test_the_administration_screen_offers_the_change_when_a_key_holder_is_disabled(
    qtbot, db, admin, make_user, papers, monkeypatch, message_boxes
):
    from PySide6.QtWidgets import QMessageBox, QPushButton

    from ui.dialogs import recovery_code
    from ui.screens.administration import AdminPage
    from ui.worker import pending_tasks

    leaver = make_user("ia_investigator")
    shown: list[str] = []
    monkeypatch.setattr(
        recovery_code.RecoveryCodeDialog, "exec", lambda self: shown.append(self.code.text()) or 1
    )
    asked: list[str] = []

    def question(_parent, _title, text, *a, **k):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    page = AdminPage(db, admin)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: pending_tasks() == 0 and page.user_rows != [], timeout=10_000)
    assert "Change IA's key…" in [b.text() for b in page.findChildren(QPushButton)]
    assert "was made on" in page.ia_key.text()
    row = [u["login"] for u in page.user_rows].index(leaver.login)
    page.users.setCurrentCell(row, 0)
    page._set_active(False)
    qtbot.waitUntil(lambda: bool(shown) and pending_tasks() == 0, timeout=20_000)
    assert asked and "held IA's key" in asked[0]
    assert message_boxes and "IA's key is changed" in message_boxes[-1]
    # the screen acts with the new key from now on
    assert page.actor.keys is not None
    assert notes.list_notes(db, page.actor, papers)[0]["text"] == NOTE
    page.refresh()
    qtbot.waitUntil(lambda: "was changed on" in page.ia_key.text(), timeout=10_000)


def test_verify_accepts_a_change_and_each_users_sign_in_after_it(db, admin, make_user, papers):
    users = [make_user("ia_investigator"), make_user("ia_admin")]
    database.rotate_ia_key(db, admin)
    second = database.rotate_ia_key(db, accounts.sign_in(db, "admin", PASSWORD)).value
    for u in users:  # two changes since they last signed in: both followed
        again = accounts.sign_in(db, u.login, PASSWORD)
        assert again.keys is not None and again.keys.ia_commitment == second.rotation.fingerprint
        assert notes.list_notes(db, again, papers)[0]["text"] == NOTE
    assert _problems(db) == []
    with db.read() as s:
        assert s.scalar(select(User.active).where(User.login == users[0].login)) is True
