"""IA's notes and tasks sealed to IA's key (issue 20, sealed data): what the data itself
keeps from everyone outside IA, on both backends.

The attacks are made as the insider would: reading every row of every table with the
database's own key (an embedded file, which every user of it can open) or as the
server's superuser, and trying every key a supervisor or command staff holds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.pool import NullPool

from ia_desk.accounts import iakey
from ia_desk.audit.trail import begin_signing
from ia_desk.cases.intake import open_case, parse_report
from ia_desk.db.models import AuditEvent, CaseNote, CaseTask, IaKeyGrant, User, UserKey
from ia_desk.errors import IADeskError
from ia_desk.security import crypto
from ia_desk.services import accounts, database, notes
from ia_desk.services import audit as audit_service
from ia_desk.startup import open_database
from ia_desk.startup.setup import initialise
from tests.conftest import (
    PASSWORD,
    PG_ADMIN_URL,
    as_before_signing,
    go_around_the_app,
    report_doc,
)

NOTE = "Informant Quinzel Whistlewood met me at Pelican Marina; keep her out of the file."
TITLE = "Ask Detective Amesbury about the Pelican Marina meeting"
DONE = "Amesbury confirmed the meeting."
WORDS = ("Quinzel", "Whistlewood", "Pelican", "Amesbury")


def every_value(db: Any) -> Iterator[str]:
    """Every value of every row of every table, as someone holding the database reads
    it: the embedded file opened with its key; the server as its superuser."""
    if db.engine.dialect.name == "sqlite":
        engine = db.engine
    else:
        assert PG_ADMIN_URL
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + str(db.engine.url.database)
        engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                yield from (str(v) for v in row)
    if engine is not db.engine:
        engine.dispose()


def leaks(db: Any) -> list[str]:
    """The words of the papers found anywhere in the data."""
    found: set[str] = set()
    for value in every_value(db):
        found |= {w for w in WORDS if w in value}
    return sorted(found)


@pytest.fixture
def papers(db, admin, open_report) -> str:
    """A case with a note and a task done, written by the administrator."""
    number = str(open_report().case.number)
    notes.add_note(db, admin, number, NOTE)
    task_id = notes.add_task(db, admin, number, TITLE, "admin", "2099-01-01").value
    notes.complete_task(db, admin, task_id, DONE)
    return number


def test_notes_and_tasks_are_ciphertext_to_whoever_holds_the_database(db, admin, papers):
    assert leaks(db) == []
    with db.read() as s:
        assert all(n.sealed for n in s.scalars(select(CaseNote)))
        assert all(t.sealed for t in s.scalars(select(CaseTask)))
    # IA reads them as written
    (shown,) = notes.list_notes(db, admin, papers)
    assert shown["text"] == NOTE
    (task,) = notes.list_tasks(db, admin, papers)
    assert task["title"] == TITLE and task["note"] == DONE


def test_no_key_a_supervisor_or_command_staff_holds_opens_them(db, admin, make_user, papers):
    outsiders = [make_user("supervisor"), make_user("command_staff")]
    with db.read() as s:
        grants = list(s.scalars(select(IaKeyGrant)))
        assert grants
        for outsider in outsiders:
            assert outsider.keys is not None and outsider.keys.ia_private is None
            assert outsider.keys.seal_private is not None
            for grant in grants:  # every grant, under every context it could have
                for key_id in {g.user_key_id for g in grants} | {outsider.keys.key_id}:
                    context = iakey.GRANT_CONTEXT + f"{grant.ia_key_id}|{key_id}".encode()
                    with pytest.raises(crypto.WrongKey):
                        crypto.open_sealed(
                            outsider.keys.seal_private, crypto.unb64(grant.sealed), context
                        )
        # and no grant names their keys
        theirs = select(UserKey.id).join(User).where(User.role.in_(["supervisor", "command_staff"]))
        assert not list(s.scalars(select(IaKeyGrant).where(IaKeyGrant.user_key_id.in_(theirs))))
    for outsider in outsiders:  # the application refuses them too, as before
        with pytest.raises(IADeskError):
            notes.list_notes(db, outsider, papers)


def test_a_new_investigator_reads_them_through_every_change_of_password(
    db, admin, make_user, papers
):
    colleague = make_user("ia_investigator")  # added by the admin, then their own password
    assert colleague.keys is not None and colleague.keys.ia_private is not None
    assert notes.list_notes(db, colleague, papers)[0]["text"] == NOTE
    # a reset by the administrator, then their own password again
    accounts.reset_password(db, admin, colleague.login, "Provisional-Pass-2026")
    again = accounts.change_password(db, colleague.login, "Provisional-Pass-2026", PASSWORD)
    assert notes.list_tasks(db, again, papers)[0]["title"] == TITLE
    with db.read() as s:  # one grant: to their current key; the replaced keys' are gone
        keys = list(s.scalars(select(UserKey).where(UserKey.user_id == colleague.user_id)))
        granted = {g.user_key_id for g in s.scalars(select(IaKeyGrant))}
        assert [k.id for k in keys if k.id in granted] == [again.keys.key_id]
        assert len(keys) == 4  # added, own, reset, own


def test_a_disabled_investigator_loses_the_key_and_gets_it_back_when_enabled(
    db, admin, make_user, papers
):
    colleague = make_user("ia_investigator")
    accounts.set_active(db, admin, colleague.login, False)
    with db.read() as s:
        mine = select(UserKey.id).where(UserKey.user_id == colleague.user_id)
        assert not list(s.scalars(select(IaKeyGrant).where(IaKeyGrant.user_key_id.in_(mine))))
        # what they held opens nothing in the data: their key's grant is gone
        as_signed_in = replace(colleague.keys, ia_private=None)
        opened = iakey.open_grant(s, s.get(User, colleague.user_id), as_signed_in)
        assert opened.ia_private is None
    accounts.set_active(db, admin, colleague.login, True)
    back = accounts.sign_in(db, colleague.login, PASSWORD)
    assert notes.list_notes(db, back, papers)[0]["text"] == NOTE


def test_a_sealed_note_moved_to_another_case_does_not_open_there(db, admin, open_report, papers):
    other = str(open_report().case.number)
    with db.read() as s:
        case_id = s.scalar(text("SELECT id FROM ia_case WHERE number = :n"), {"n": other})
    go_around_the_app(db, "UPDATE case_note SET case_id = :c", c=case_id)
    (shown,) = notes.list_notes(db, admin, other)  # the note says why, in its place
    assert shown["damaged"] and "moved or changed outside IA Desk" in shown["text"]
    assert "Traceback" not in shown["text"] and "Quinzel" not in shown["text"]


def test_an_ia_user_without_the_key_is_told_plainly(db, admin, make_user, papers):
    colleague = make_user("ia_investigator")
    go_around_the_app(
        db,
        "DELETE FROM ia_key_grant WHERE user_key_id = :k",
        k=colleague.keys.key_id,
    )
    fresh = accounts.sign_in(db, colleague.login, PASSWORD)  # not an administrator
    with pytest.raises(IADeskError, match="not been given IA's key") as refused:
        notes.list_notes(db, fresh, papers)
    assert "ask one to sign in" in str(refused.value)
    # an IA administrator's next sign-in gives it
    accounts.sign_in(db, "admin", PASSWORD)
    assert notes.list_notes(db, accounts.sign_in(db, colleague.login, PASSWORD), papers)


def test_an_upgraded_database_seals_its_papers_at_the_first_administrators_sign_in(
    db, admin, make_user, open_report
):
    colleague = make_user("ia_investigator")
    # as a database from before signing and sealing: no keys, no IA key, no grants
    as_before_signing(db)
    begin_signing(db)
    colleague = accounts.sign_in(db, colleague.login, PASSWORD)  # gets a key, no IA key
    number = str(open_report(colleague).case.number)
    notes.add_note(db, colleague, number, NOTE)  # no IA key yet: kept in clear for now
    with db.read() as s:
        assert [n.sealed for n in s.scalars(select(CaseNote))] == [False]
    signed_in = accounts.sign_in(db, "admin", PASSWORD)
    assert leaks(db) == []
    with db.read() as s:
        made = s.scalars(select(AuditEvent).where(AuditEvent.event_type == "ia_key.create")).all()
        given = s.scalars(select(AuditEvent).where(AuditEvent.event_type == "ia_key.grant")).all()
        assert len(made) == 1 and '"sealed":1' in made[0].details
        assert [g.user_login for g in given] == ["admin"]
        assert colleague.login in given[0].details
    again = accounts.sign_in(db, colleague.login, PASSWORD)  # records which IA key
    assert notes.list_notes(db, again, number)[0]["text"] == NOTE
    assert notes.list_notes(db, signed_in, number)[0]["text"] == NOTE
    # every step is the app's own, signed: the trail verifies (the server's record too)
    result = audit_service.verify_trail(db, accounts.sign_in(db, "admin", PASSWORD))
    assert list(result.problems) == []


def test_a_change_of_password_before_the_grant_keeps_the_account_ias(db, admin, make_user, papers):
    """Endorsed but not given IA's key yet (an upgraded account), the user changes their
    password: their old key hands over to the new one, and an administrator's next
    sign-in gives it IA's key."""
    colleague = make_user("ia_investigator")
    go_around_the_app(
        db, "DELETE FROM ia_key_grant WHERE user_key_id = :k", k=colleague.keys.key_id
    )
    changed = accounts.change_password(db, colleague.login, PASSWORD, "A-new-one-of-my-own-2026")
    assert changed.keys is not None and changed.keys.ia_private is None
    accounts.sign_in(db, "admin", PASSWORD)
    back = accounts.sign_in(db, colleague.login, "A-new-one-of-my-own-2026")
    assert notes.list_notes(db, back, papers)[0]["text"] == NOTE


def test_the_trail_verifies_after_sealing_and_granting(db, admin, make_user, papers):
    make_user("ia_investigator")
    make_user("supervisor")
    result = audit_service.verify_trail(db, accounts.sign_in(db, "admin", PASSWORD))
    assert list(result.problems) == []


def test_the_recovery_code_opens_the_sealed_papers_too(db_path):
    db, _ = initialise(str(db_path), "admin", "Ada Admin", PASSWORD)
    code = database.take_recovery_code(db)
    assert code is not None
    admin = accounts.sign_in(db, "admin", PASSWORD)
    with db.write(admin) as s:
        number = str(open_case(s, admin, parse_report(report_doc())).case.number)
    notes.add_note(db, admin, number, NOTE)
    db.dispose()
    # every administrator password is lost: the recovery code gives a new one, and
    # with it IA's key
    database.recover(str(db_path), code, "admin", "Out-of-the-safe-2026").dispose()
    db = open_database(str(db_path), credentials=lambda: ("admin", "Out-of-the-safe-2026"))
    try:
        accounts.change_password(db, "admin", "Out-of-the-safe-2026", "Back-in-hand-2026!")
        actor = accounts.sign_in(db, "admin", "Back-in-hand-2026!")
        assert notes.list_notes(db, actor, number)[0]["text"] == NOTE
    finally:
        db.dispose()


def test_a_key_put_into_the_database_is_never_given_ias_key(db, admin, make_user, papers):
    """An account made to look like IA's by someone holding the database (here: a real
    investigator's key stripped of its grant and of IA's endorsement, as a planted key
    would be) is not given IA's key at an administrator's sign-in."""
    planted = make_user("ia_investigator")
    go_around_the_app(
        db,
        "DELETE FROM ia_key_grant WHERE user_key_id = :k",
        "UPDATE user_key SET ia_endorsement = NULL, handover_from = NULL, "
        "handover_signature = NULL WHERE id = :k",
        k=planted.keys.key_id,
    )
    accounts.sign_in(db, "admin", PASSWORD)
    with db.read() as s:
        assert not s.scalars(
            select(IaKeyGrant).where(IaKeyGrant.user_key_id == planted.keys.key_id)
        ).all()
    with pytest.raises(IADeskError, match="not been given IA's key"):
        notes.list_notes(db, accounts.sign_in(db, planted.login, PASSWORD), papers)
    # an endorsement copied from another key does not pass either
    with db.read() as s:
        other = s.scalar(select(UserKey.ia_endorsement).where(UserKey.ia_endorsement.is_not(None)))
    go_around_the_app(
        db, "UPDATE user_key SET ia_endorsement = :e WHERE id = :k", e=other, k=planted.keys.key_id
    )
    accounts.sign_in(db, "admin", PASSWORD)
    with pytest.raises(IADeskError, match="not been given IA's key"):
        notes.list_notes(db, accounts.sign_in(db, planted.login, PASSWORD), papers)
    # nor a hand-over said to come from another user's key IA knows (the admin's)
    with db.read() as s:
        admins = s.scalar(select(UserKey.id).where(UserKey.user_id == admin.user_id))
    go_around_the_app(
        db,
        "UPDATE user_key SET ia_endorsement = NULL, handover_from = :a, "
        "handover_signature = :sig WHERE id = :k",
        a=admins,
        sig="00" * 64,
        k=planted.keys.key_id,
    )
    accounts.sign_in(db, "admin", PASSWORD)
    with pytest.raises(IADeskError, match="not been given IA's key"):
        notes.list_notes(db, accounts.sign_in(db, planted.login, PASSWORD), papers)
    # nor does a routine reset: only a key IA endorsed is given IA's key again (an
    # account IA never knew is added anew by an administrator, who endorses it)
    accounts.reset_password(db, admin, planted.login, "Provisional-Pass-2026")
    back = accounts.change_password(db, planted.login, "Provisional-Pass-2026", PASSWORD)
    with pytest.raises(IADeskError, match="not been given IA's key"):
        notes.list_notes(db, back, papers)
