"""The recovery code on both backends, and a new one made by an administrator (issue 20).

An embedded database's recovery code opens the database itself; a server database has
no key of its own to open, so there the code holds IA's key alone and proves a
recovery by opening it. Before this, a PostgreSQL database had no recovery code at
all: with every IA administrator's password lost, IA's sealed notes and tasks were lost
too. A new code replaces the old one (a code lost, or seen by someone it was not for).

The attacks are made as the insider would: a code guessed or mistyped, IA's key
planted beside the real one with a copy sealed to the attacker's own code, the real
key's recovery copy swapped for one the attacker can open.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, text

from ia_desk.accounts import iakey
from ia_desk.audit import iakeys
from ia_desk.cases.intake import open_case, parse_report
from ia_desk.cli import main
from ia_desk.db.models import AuditEvent, IaKey
from ia_desk.errors import DatabaseKeyError, IADeskError, InputError, PermissionDenied
from ia_desk.security import crypto
from ia_desk.security.keyfile import new_recovery_key
from ia_desk.services import accounts, database, notes
from ia_desk.services import audit as audit_service
from ia_desk.startup import open_database
from ia_desk.startup.setup import initialise
from tests.conftest import (
    AUDIT_PASSPHRASE,
    PASSWORD,
    drop_server_database,
    go_around_the_app,
    new_server_database,
    report_doc,
)

NOTE = "Met Sergeant Ravensworth at the Bellhaven depot; keep it out of the file."
NEW = "Out-of-the-safe-2026"


@pytest.fixture
def fresh_url(
    backend: str, db_path: Path, isolated: object, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty place for a new database: a file path, or a new server database (whose
    workstations share the audit passphrase, as the server's setup asks)."""
    if backend == "sqlite":
        yield str(db_path)
        return
    monkeypatch.setenv("IA_DESK_PASSPHRASE", AUDIT_PASSPHRASE)
    url = new_server_database()
    yield url
    drop_server_database(url)


def _set_up(url: str) -> tuple[str, str]:
    """A new database with a case and a sealed note on it; (its recovery code, case)."""
    db, _ = initialise(url, "admin", "Ada Admin", PASSWORD)
    try:
        code = database.take_recovery_code(db)
        assert code is not None
        assert database.take_recovery_code(db) is None  # shown once
        admin = accounts.sign_in(db, "admin", PASSWORD)
        with db.write(admin) as s:
            number = str(open_case(s, admin, parse_report(report_doc())).case.number)
        notes.add_note(db, admin, number, NOTE)
    finally:
        db.dispose()
    return code, number


def _reopen(url: str, password: str) -> object:
    if url.startswith("postgresql"):
        return open_database(url)
    return open_database(url, credentials=lambda: ("admin", password))


def _reads_the_note(url: str, password: str, number: str) -> None:
    db = _reopen(url, password)
    try:
        accounts.change_password(db, "admin", password, "Back-in-hand-2026!")
        actor = accounts.sign_in(db, "admin", "Back-in-hand-2026!")
        assert notes.list_notes(db, actor, number)[0]["text"] == NOTE
        # The trail verifies; it names each recovery, for the department to check
        # against its record of the safe being opened.
        problems = [p for _, p in audit_service.verify_trail(db, actor).problems]
        assert problems and all("with the recovery code" in p for p in problems), problems
    finally:
        db.dispose()


def _events(url: str, event_type: str) -> int:
    """How many events of the type the trail holds (opened as the administrator, whose
    password still stands when nothing was changed)."""
    db = _reopen(url, PASSWORD)
    try:
        with db.read() as s:
            found = s.scalars(select(AuditEvent.seq).where(AuditEvent.event_type == event_type))
            return len(found.all())
    finally:
        db.dispose()


def test_every_database_gets_a_recovery_code_that_recovers_ias_papers(fresh_url):
    """Every administrator password lost: the code gives a new (provisional) password,
    and with it IA's key, on a server as on an embedded file."""
    code, number = _set_up(fresh_url)
    database.recover(fresh_url, code, "admin", NEW).dispose()
    _reads_the_note(fresh_url, NEW, number)


@pytest.mark.postgresql_only
def test_on_a_server_a_wrong_code_recovers_nobody(fresh_url):
    code, _ = _set_up(fresh_url)
    _, another = new_recovery_key()
    for wrong in (another, code[:-1] + ("Z" if code[-1] != "Z" else "Y"), "not a code"):
        with pytest.raises(DatabaseKeyError, match="does not open this database"):
            database.recover(fresh_url, wrong, "admin", NEW)
    assert _events(fresh_url, "user.recover") == 0
    db = open_database(fresh_url)
    try:
        accounts.sign_in(db, "admin", PASSWORD)  # the password stands
    finally:
        db.dispose()


@pytest.mark.postgresql_only
def test_on_a_server_a_planted_ia_key_with_the_attackers_own_recovery_copy_is_refused(
    fresh_url,
):
    """Someone who can write the server puts in an IA key of their own, sealed to a
    recovery code of their own, to become an administrator holding "IA's key" (every
    note sealed by that account afterwards would be theirs to read)."""
    _set_up(fresh_url)
    db = open_database(fresh_url)
    try:
        recovery_key, code = new_recovery_key()
        private = iakey.new_pair()
        planted = IaKey(
            fingerprint=iakey.identity(private),
            public_key=crypto.sealing_public_of(private[: iakey.HALF]).hex(),
            sign_public=crypto.public_of(private[iakey.HALF :]).hex(),
            created_by="admin",
        )
        with db.write(None) as s:
            s.add(planted)
            s.flush()
            planted.recovery_sealed = crypto.b64(
                crypto.seal(
                    crypto.recovery_sealing_pair(recovery_key)[1],
                    private,
                    iakey.RECOVERY_CONTEXT + str(planted.id).encode(),
                )
            )
        with db.read() as s:  # the newest key is theirs, but not the key the trail names
            assert iakey.open_with_recovery(s, recovery_key) is None
        with pytest.raises(DatabaseKeyError, match="not the one IA Desk made"):
            database.recover(fresh_url, code, "admin", NEW)
        # And with an event of their own naming it as made, its signature column filled
        # with anything: they cannot give it the trail's MAC.
        with db.read() as s:
            seq, mac = s.execute(text("SELECT seq, mac FROM audit_head")).one()
        go_around_the_app(
            db,
            "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, "
            "object_type, object_id, case_number, outcome, details, prev_mac, mac, "
            "signer_key, signature) VALUES (:seq, now(), 'admin', 'ws', 'ia_key.create', "
            "NULL, NULL, NULL, 'ok', :details, :prev, :prev, 'k', 'x')",
            "UPDATE audit_head SET seq = :seq, mac = :prev",
            seq=seq + 1,
            prev=mac,
            details=json.dumps({"ia_key": planted.fingerprint}),
        )
        with db.read() as s:
            assert iakeys.problems(s) == []  # the rows alone look made by the trail
        with pytest.raises(DatabaseKeyError, match="not the one IA Desk made"):
            database.recover(fresh_url, code, "admin", NEW)
    finally:
        db.dispose()
    assert _events(fresh_url, "user.recover") == 0


@pytest.mark.postgresql_only
def test_on_a_server_set_up_before_it_had_a_code_recovery_says_how_to_get_one(fresh_url):
    """A server whose IA key has no recovery copy (set up before servers had a code):
    refused in words that name the way to make one, nothing changed."""
    code, _ = _set_up(fresh_url)
    db = open_database(fresh_url)
    try:
        go_around_the_app(db, "UPDATE ia_key SET recovery_sealed = NULL")
    finally:
        db.dispose()
    with pytest.raises(DatabaseKeyError, match="keeps no recovery copy.*db recovery-code"):
        database.recover(fresh_url, code, "admin", NEW)
    assert _events(fresh_url, "user.recover") == 0


@pytest.mark.postgresql_only
def test_on_a_server_a_swapped_recovery_copy_opens_nothing(fresh_url):
    """The real key's recovery copy replaced by one the attacker sealed to their own
    code: what it opens is not IA's key, so no recovery."""
    _set_up(fresh_url)
    recovery_key, code = new_recovery_key()
    db = open_database(fresh_url)
    try:
        with db.read() as s:
            row = iakey.current(s)
            assert row is not None
            ia_id = row.id
        fake = crypto.b64(
            crypto.seal(
                crypto.recovery_sealing_pair(recovery_key)[1],
                iakey.new_pair(),
                iakey.RECOVERY_CONTEXT + str(ia_id).encode(),
            )
        )
        go_around_the_app(db, "UPDATE ia_key SET recovery_sealed = :v", v=fake)
    finally:
        db.dispose()
    with pytest.raises(DatabaseKeyError, match="does not open this database"):
        database.recover(fresh_url, code, "admin", NEW)
    assert _events(fresh_url, "user.recover") == 0


def test_a_new_recovery_code_replaces_the_old_one(fresh_url):
    old, number = _set_up(fresh_url)
    db = _reopen(fresh_url, PASSWORD)
    try:
        admin = accounts.sign_in(db, "admin", PASSWORD)
        new = database.new_recovery_code(db, admin).value
        assert new != old and re.fullmatch(r"[0-9A-Z]{4}(?:-[0-9A-Z]{1,4})+", new)
        with db.read() as s:
            (event,) = s.scalars(
                select(AuditEvent).where(AuditEvent.event_type == "database.recovery_code")
            ).all()
            assert event.user_login == "admin" and new not in event.details
            # The code is in no row of any table, in no form.
            compact = new.replace("-", "")
            conn = s.connection()
            for table in ("audit_event", "ia_key", "app_user", "user_key", "setting"):
                for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                    assert not any(compact in str(v).replace("-", "") for v in row)
    finally:
        db.dispose()
    # The old code recovers nothing now; the new one does.
    with pytest.raises(IADeskError, match="recovery code does not open"):
        database.recover(fresh_url, old, "admin", NEW)
    database.recover(fresh_url, new, "admin", NEW).dispose()
    _reads_the_note(fresh_url, NEW, number)


def test_only_an_ia_administrator_holding_ias_key_makes_a_new_code(db, admin, make_user):
    for role in ("ia_investigator", "supervisor", "command_staff"):
        with pytest.raises(PermissionDenied):
            database.new_recovery_code(db, make_user(role))
    # An administrator whose key was not given IA's key (a reset by someone else, say):
    # told why, nothing changed.
    with db.read() as s:
        before = iakey.current(s).recovery_sealed
    assert admin.keys is not None
    stripped = replace(admin, keys=replace(admin.keys, ia_private=None))
    with pytest.raises(InputError, match="not been given IA's key"):
        database.new_recovery_code(db, stripped)
    with db.read() as s:
        assert iakey.current(s).recovery_sealed == before
        assert not s.scalars(
            select(AuditEvent).where(
                AuditEvent.event_type == "database.recovery_code", AuditEvent.outcome == "ok"
            )
        ).all()


def test_the_command_shows_the_new_code_once_and_nowhere_else(
    db_url, db, admin, make_user, monkeypatch, capsys, caplog
):
    import logging

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
    assert main(["--db", db_url, "db", "recovery-code"]) == 0
    out = capsys.readouterr()
    (code,) = re.findall(r"\n\s+([0-9A-Z]{4}(?:-[0-9A-Z]{1,4})+)\n", out.err)
    assert out.err.count(code) == 1 and code not in out.out
    assert "destroy the old one" in out.err and "Traceback" not in out.err
    assert code not in "\n".join(r.getMessage() for r in caplog.records)
    # Refused for anyone else, in words, with no code made.
    monkeypatch.setenv("IA_DESK_USER", make_user("ia_investigator").login)
    assert main(["--db", db_url, "db", "recovery-code"]) != 0
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "Permission denied" in out.err
    assert not re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-", out.err)


def test_the_administration_screen_makes_one_after_asking_and_shows_it_once(
    qtbot, db, admin, monkeypatch
):
    from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton

    from ui.dialogs import recovery_code
    from ui.screens.administration import AdminPage
    from ui.worker import pending_tasks

    shown: list[tuple[str, str]] = []

    def written_down(self) -> int:
        intro = self.findChildren(QLabel)[0].text()
        shown.append((self.code.text(), intro))
        return 1

    monkeypatch.setattr(recovery_code.RecoveryCodeDialog, "exec", written_down)
    page = AdminPage(db, admin)
    qtbot.addWidget(page)
    offered = [b.text() for b in page.findChildren(QPushButton)]
    assert "New recovery code…" in offered
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: next(answers)))
    with db.read() as s:
        before = iakey.current(s).recovery_sealed
    page._new_recovery_code()  # asked, and the administrator said no: nothing made
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)
    assert shown == []
    with db.read() as s:
        assert iakey.current(s).recovery_sealed == before
    page._new_recovery_code()
    qtbot.waitUntil(lambda: bool(shown) and pending_tasks() == 0, timeout=10_000)
    ((code, intro),) = shown
    assert re.fullmatch(r"[0-9A-Z]{4}(?:-[0-9A-Z]{1,4})+", code)
    assert "destroy the old one" in intro
    with db.read() as s:
        assert iakey.current(s).recovery_sealed != before
        assert iakey.open_with_recovery(s, crypto.parse_recovery_code(code)) is not None
