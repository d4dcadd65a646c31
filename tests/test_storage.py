"""The embedded database: encrypted at rest, opened only with its key, set up safely."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ia_desk import startup
from ia_desk.db import engine as engine_mod
from ia_desk.db import location, storage
from ia_desk.db.location import resolve_target
from ia_desk.db.migrate import current_revision, head_revision
from ia_desk.db.models import AuditEvent
from ia_desk.errors import DatabaseKeyError, StorageError
from ia_desk.startup import open_database
from ia_desk.startup.setup import initialise

from .conftest import AUDIT_PASSPHRASE, PASSWORD, PG_APP_URL, go_around_the_app

SECRET_NARRATIVE = "Zanzibar-unique-narrative-marker posted the squad car photo"


@pytest.mark.sqlite_only
def test_database_file_is_not_readable_without_the_key(db, admin, open_report, db_path) -> None:
    open_report(incident={"occurred_on": "2026-10-30", "narrative": SECRET_NARRATIVE})
    db.dispose()
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob("ia-desk.db*"))
    assert SECRET_NARRATIVE.encode() not in raw
    assert b"SQLite format 3" not in raw[:16]
    conn = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()


@pytest.mark.sqlite_only
def test_key_lives_in_the_keyring_and_only_wrapped_beside_the_database(
    db, db_path, isolated
) -> None:
    """A secure keyring keeps this workstation's copy; beside the database there is only
    the key file, whose every value fails to open it (own passwords wrap the key:
    tests/test_own_password.py)."""
    from .test_own_password import everything_in, opens

    names = [name for (_service, name) in isolated.store]
    assert any(n.startswith("db-key:") for n in names)
    assert any(n.startswith("audit-key:") for n in names)
    beside = sorted(p.name for p in db_path.parent.iterdir() if "key" in p.name.lower())
    assert beside == ["ia-desk.db.keys"]
    doc = json.loads((db_path.parent / beside[0]).read_text())
    assert [t for t in everything_in(doc) if opens(db_path, t)] == []


@pytest.mark.sqlite_only
def test_wrong_key_gives_a_clear_error_not_a_traceback(db, db_path, isolated) -> None:
    db.dispose()
    for k in list(isolated.store):
        if k[1].startswith("db-key:"):
            isolated.store[k] = "00" * 32
    with pytest.raises(DatabaseKeyError, match="key or passphrase is wrong"):
        open_database(str(db_path))


@pytest.mark.sqlite_only
def test_missing_key_and_no_sign_in_is_refused(db, db_path, isolated) -> None:
    db.dispose()
    isolated.store.clear()
    with pytest.raises(DatabaseKeyError, match="IA_DESK_USER and IA_DESK_PASSWORD"):
        open_database(str(db_path))


def test_own_password_mode_when_no_secure_keyring(tmp_path, monkeypatch) -> None:
    """No secure keyring: setup asks no passphrase (there is none to share); every start
    opens with the user's own password; a wrong one is refused."""
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    path = tmp_path / "pp.db"
    monkeypatch.delenv("IA_DESK_PASSPHRASE", raising=False)
    db, _ = initialise(str(path), "admin", "Ada", PASSWORD)
    db.dispose()
    with pytest.raises(DatabaseKeyError, match="IA_DESK_USER"):
        open_database(str(path))
    reopened = open_database(str(path), credentials=lambda: ("admin", PASSWORD))
    with reopened.read() as s:
        from ia_desk.audit.trail import verify

        assert verify(s).ok  # the same audit key, unwrapped with the password
    # Connections get the raw key: nothing is stretched per pooled connection.
    assert (reopened.engine.url.password or "").startswith("x'")
    conns = [reopened.engine.connect() for _ in range(3)]
    assert all(c.execute(text("SELECT count(*) FROM app_user")).scalar() == 1 for c in conns)
    for c in conns:
        c.close()
    reopened.dispose()
    with pytest.raises(DatabaseKeyError):
        open_database(str(path), credentials=lambda: ("admin", "the wrong password!"))


def test_an_old_passphrase_database_opens_with_its_passphrase(tmp_path, monkeypatch) -> None:
    """A database from before own passwords (no secure keyring: a shared passphrase) opens
    as it did until its first sign-in moves it (tests/test_own_password.py)."""
    import keyring
    from keyring.backends import fail

    from .test_own_password import old_passphrase_database

    keyring.set_keyring(fail.Keyring())
    path = tmp_path / "pp.db"
    old_passphrase_database(path, monkeypatch, "a long enough passphrase")
    reopened = open_database(str(path))  # same passphrase, same audit key
    with reopened.read() as s:
        from ia_desk.audit.trail import verify

        assert verify(s).ok
    assert (reopened.engine.url.password or "").startswith("x'")
    conns = [reopened.engine.connect() for _ in range(3)]
    assert all(c.execute(text("SELECT count(*) FROM app_user")).scalar() == 3 for c in conns)
    for c in conns:
        c.close()
    reopened.dispose()
    monkeypatch.setenv("IA_DESK_PASSPHRASE", "the wrong passphrase!")
    with pytest.raises(DatabaseKeyError):
        open_database(str(path))
    monkeypatch.delenv("IA_DESK_PASSPHRASE")
    with pytest.raises(DatabaseKeyError, match="passphrase"):
        open_database(str(path))


def test_a_passphrase_stretched_early_opens_the_same_database(tmp_path, monkeypatch) -> None:
    """The desktop app starts stretching an environment passphrase before its screens
    load; the open uses that result, and a wrong passphrase is refused all the same."""
    import keyring
    from keyring.backends import fail

    from .test_own_password import old_passphrase_database

    keyring.set_keyring(fail.Keyring())
    path = tmp_path / "early.db"
    # (A database from before own passwords: the only kind a passphrase opens.)
    old_passphrase_database(path, monkeypatch, "a long enough passphrase")
    startup.start_stretching(str(path))
    assert len(engine_mod._STRETCHING) == 1
    reopened = open_database(str(path))
    assert engine_mod._STRETCHING == {}  # taken, not derived a second time
    with reopened.read() as s:
        from ia_desk.audit.trail import verify

        assert verify(s).ok  # the audit key (derived in the background) is the same
    reopened.dispose()
    monkeypatch.setenv("IA_DESK_PASSPHRASE", "the wrong passphrase!")
    startup.start_stretching(str(path))
    with pytest.raises(DatabaseKeyError):
        open_database(str(path))
    assert engine_mod._STRETCHING == {}
    monkeypatch.delenv("IA_DESK_PASSPHRASE")
    startup.start_stretching(str(path))  # nothing to stretch without a passphrase
    startup.start_stretching(str(tmp_path / "absent.db"))
    assert engine_mod._STRETCHING == {}


@pytest.mark.sqlite_only
def test_sqlite_is_opened_with_wal_full_sync_and_foreign_keys(db) -> None:
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_schema_is_at_the_newest_migration(db) -> None:
    from alembic.runtime.migration import MigrationContext

    from ia_desk.db.migrate import alembic_head_revision

    # The quick head (newest migration file) is Alembic's head: one line of history.
    assert head_revision() == alembic_head_revision()
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()


def test_a_file_on_a_network_share_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(location, "_mount_fstype", lambda _p: "cifs")
    with pytest.raises(StorageError, match="network share"):
        open_database(str(tmp_path / "x.db"), create=True)
    with pytest.raises(StorageError, match="network share"):
        location.refuse_network_share(Path("//server/share/ia.db"))


def test_opening_a_database_that_does_not_exist_says_how_to_create_one(tmp_path) -> None:
    with pytest.raises(StorageError, match="ia-desk init"):
        open_database(str(tmp_path / "none.db"))


def test_plain_sqlite_url_warns_that_it_is_not_encrypted(tmp_path) -> None:
    with pytest.warns(UserWarning, match="NOT encrypted"):
        db, _ = initialise(f"sqlite:///{tmp_path / 'plain.db'}", "admin", "Ada", PASSWORD)
    db.dispose()


def test_default_database_lives_in_the_data_folder(tmp_path) -> None:
    target = resolve_target(None)
    assert target.kind == "sqlcipher"
    assert target.path == tmp_path / "data" / "ia-desk.db"


def test_unsupported_url_is_refused() -> None:
    with pytest.raises(StorageError, match="not supported"):
        resolve_target("mysql://x/y")


@pytest.mark.sqlite_only
def test_the_storage_reserve_is_made_at_start_up(db, db_path) -> None:
    assert storage.reserve_rows(db.engine) == storage.RESERVE_ROWS
    assert storage.headroom_path(db_path).stat().st_size == storage.HEADROOM_BYTES
    db.dispose()
    storage.release_headroom(db_path)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM storage_reserve WHERE id < 5"))
    db.engine.dispose()
    again = open_database(str(db_path))  # a start puts back what is missing
    assert storage.reserve_rows(again.engine) == storage.RESERVE_ROWS
    assert storage.has_headroom(db_path) and not again.read_only
    again.dispose()


def _guard_events(db) -> list[tuple[str, str, dict]]:
    with db.read() as s:
        rows = s.execute(
            select(AuditEvent.event_type, AuditEvent.outcome, AuditEvent.details)
            .where(AuditEvent.event_type.like("db.guards%"))
            .order_by(AuditEvent.seq)
        )
        return [(event, outcome, json.loads(details)) for event, outcome, details in rows]


def test_dropped_guards_are_put_back_at_the_next_start_and_audited(db, db_url, backend) -> None:
    """The attack: someone with full rights over the database takes its append-only
    protection away (and on SQLite leaves a look-alike trigger that does nothing)."""
    if backend == "sqlite":
        go_around_the_app(
            db,
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            "WHEN 0 BEGIN SELECT 1; END",
        )
        expected = {
            "trigger audit_event_no_update was altered",
            "trigger audit_event_no_delete is missing",
            "trigger evidence_blob_no_update is missing",
            "trigger evidence_blob_no_delete is missing",
        }
    else:
        go_around_the_app(
            db,
            "DROP TRIGGER audit_event_append_only ON audit_event",
            "ALTER TABLE evidence_blob DISABLE TRIGGER evidence_blob_no_truncate",
            "GRANT UPDATE, DELETE ON audit_event TO ia_desk_app",
        )
        expected = {
            "trigger audit_event_append_only is missing",
            "trigger evidence_blob_no_truncate is disabled",
            "ia_desk_app may UPDATE audit_event",
            "ia_desk_app may DELETE audit_event",
        }
    assert _guard_events(db) == []
    db.dispose()
    again = open_database(db_url)
    try:
        [(event, outcome, details)] = _guard_events(again)
        assert event == "db.guards_restored" and outcome == "repaired"
        assert set(details["problems"]) == expected
        # The attack made again fails: the protection is back.
        for sql in (
            "UPDATE audit_event SET details = '{}' WHERE seq = 1",
            "DELETE FROM audit_event WHERE seq = 1",
        ):
            refused = pytest.raises(DBAPIError, match="append-only|permission denied")
            with refused, again.engine.begin() as conn:
                conn.execute(text(sql))
    finally:
        again.dispose()
    third = open_database(db_url)  # nothing missing now: nothing more to record
    assert len(_guard_events(third)) == 1
    third.dispose()


@pytest.mark.postgresql_only
def test_a_workstation_account_records_guards_it_may_not_put_back(db, db_url, monkeypatch) -> None:
    go_around_the_app(db, "DROP TRIGGER audit_event_no_truncate ON audit_event")
    station_url = f"{PG_APP_URL}/{db_url.rsplit('/', 1)[1]}"
    monkeypatch.setenv("IA_DESK_PASSPHRASE", AUDIT_PASSPHRASE)
    station = open_database(station_url)
    monkeypatch.delenv("IA_DESK_PASSPHRASE")
    try:
        [(event, outcome, details)] = _guard_events(station)
        assert event == "db.guards_missing" and outcome == "unrepaired"
        assert details["problems"] == ["trigger audit_event_no_truncate is missing"]
    finally:
        station.dispose()
    db.dispose()
    owner = open_database(db_url)  # the owner's next start puts it back
    assert [e[:2] for e in _guard_events(owner)][-1] == ("db.guards_restored", "repaired")
    owner.dispose()
