"""Reliability under faults: kills mid-write, a full disk, I/O errors, tampering,
concurrent edits, backups and restore, and upgrades from the first schema."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from ia_desk.audit.trail import parse_checkpoint, verify
from ia_desk.backup import latest_backup_age
from ia_desk.cases.intake import open_case, parse_report
from ia_desk.cases.queries import get_case
from ia_desk.db.engine import daily_backup_if_due, open_database
from ia_desk.db.models import AuditEvent, Case
from ia_desk.errors import (
    ConflictError,
    DatabaseKeyError,
    PermissionDenied,
    StorageError,
)
from ia_desk.maintenance import make_backup, restore_backup

from .conftest import go_around_the_app, report_doc


def case_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Case)) or 0


# ---------------------------------------------------------------- crash


def _writer(path: str, actor, conn) -> None:  # runs in the forked child
    db = open_database(path)
    while True:
        with db.write(actor) as s:
            number = open_case(s, actor, parse_report(report_doc())).case.number
        conn.send(number)  # only after the commit returned


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_killed_mid_write_loses_no_committed_case(db, admin, db_path):
    """A child writes cases and is killed with SIGKILL at random moments, 200 times.
    After each kill the database passes integrity_check and holds every case the child
    had reported committed."""
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(2026)
    reported: set[str] = set()
    db.dispose()
    key = db.cipher_key
    raw_url = URL.create("sqlite+pysqlcipher", password=key or "", database=str(db_path))
    deadline = time.monotonic() + 240
    kills = 0
    while kills < 200 and time.monotonic() < deadline:
        parent_end, child_end = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_writer, args=(str(db_path), admin, child_end))
        proc.start()
        child_end.close()
        time.sleep(rng.uniform(0.01, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        while parent_end.poll():
            try:
                reported.add(parent_end.recv())
            except EOFError:
                break
        parent_end.close()
        kills += 1
        # Checked as the app would after a crash: a fresh start, a fresh connection.
        checker = create_engine(raw_url)
        with checker.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            present = set(conn.execute(text("SELECT number FROM ia_case")).scalars())
        checker.dispose()
        assert reported <= present
    assert kills == 200, f"only {kills} kills in the time allowed"
    assert reported, "the child never committed anything"
    reopened = open_database(str(db_path))
    with reopened.read() as s:
        assert verify(s).ok  # the audit chain survived every kill
    reopened.dispose()


# ---------------------------------------------------------------- disk full, I/O errors


@pytest.mark.sqlite_only
def test_a_full_disk_fails_clearly_and_leaves_the_database_intact(db, admin):
    with db.engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar()
    before = case_count(db)

    @__import__("sqlalchemy").event.listens_for(db.engine, "connect")
    def _limit(dbapi_conn, _rec):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 2}")

    db.engine.dispose()
    huge = "A long narrative. " * 5_000
    with pytest.raises(StorageError, match="full"), db.write(admin) as s:
        open_case(
            s,
            admin,
            parse_report(report_doc(incident={"occurred_on": "2026-10-30", "narrative": huge})),
        )
    assert case_count(db) == before
    with db.read() as s:
        assert verify(s).ok
    __import__("sqlalchemy").event.remove(db.engine, "connect", _limit)
    db.engine.dispose()
    with db.write(admin) as s:  # usable again once there is room
        open_case(s, admin, parse_report(report_doc()))
    assert case_count(db) == before + 1


def test_an_io_error_at_commit_saves_nothing_and_says_so(db, admin, monkeypatch):
    from sqlalchemy.orm import Session

    before = case_count(db)
    real_commit = Session.commit

    def failing_commit(self):
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Session, "commit", failing_commit)
    with pytest.raises(StorageError, match="input/output error"), db.write(admin) as s:
        open_case(s, admin, parse_report(report_doc()))
    monkeypatch.setattr(Session, "commit", real_commit)
    assert case_count(db) == before
    with db.read() as s:
        assert verify(s).ok


# ---------------------------------------------------------------- tampering


def _tamper(db, *statements: str) -> None:
    go_around_the_app(db, *statements)


@pytest.mark.parametrize(
    ("statements", "first_bad"),
    [
        (["UPDATE audit_event SET details = '{}' WHERE seq = 3"], 3),
        (["DELETE FROM audit_event WHERE seq = 3"], 3),
        (
            [
                "UPDATE audit_event SET seq = -1 WHERE seq = 3",
                "UPDATE audit_event SET seq = 3 WHERE seq = 4",
                "UPDATE audit_event SET seq = 4 WHERE seq = -1",
            ],
            3,
        ),
        (["DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)"], None),
    ],
)
def test_each_kind_of_tampering_is_detected(db, admin, open_report, statements, first_bad):
    for _ in range(3):
        open_report()
    with db.read() as s:
        head = verify(s)
    _tamper(db, *statements)
    with db.read() as s:
        result = verify(s)
    assert not result.ok
    if first_bad is not None:
        assert result.first_bad_seq == first_bad
    else:
        assert result.first_bad_seq == head.head_seq and "cut off" in result.problem


def test_truncation_with_the_head_rewritten_is_caught_by_a_checkpoint(db, open_report):
    open_report()
    with db.read() as s:
        checkpoint = parse_checkpoint(verify(s).checkpoint)
    _tamper(
        db,
        f"DELETE FROM audit_event WHERE seq >= {checkpoint[0] - 1}",
        f"UPDATE audit_head SET seq = {checkpoint[0] - 2}, mac = (SELECT mac FROM "
        f"audit_event WHERE seq = {checkpoint[0] - 2})",
    )
    with db.read() as s:
        assert verify(s).ok  # consistent on its own...
        result = verify(s, checkpoint)
    assert not result.ok and "cut off" in result.problem  # ...but not with the checkpoint


# ---------------------------------------------------------------- concurrent edits


def test_two_people_editing_the_same_case_get_a_conflict(db, admin, open_report):
    number = open_report().case.number
    first = db._session(write=False)
    second = db._session(write=False)
    try:
        a = get_case(first, number)
        b = get_case(second, number)
        second.commit()  # b was read and shown; the person edits it a while later
        a.status = "assigned"
        first.commit()
        b.status = "investigating"
        with pytest.raises(Exception) as info:
            second.commit()
        assert type(info.value).__name__ == "StaleDataError"
    finally:
        first.close()
        second.close()
    from ia_desk.cases.workflow import perform

    with db.read() as s:
        seen = get_case(s, number).version_id
    with db.write(admin) as s:
        get_case(s, number).status = "received"
    with pytest.raises(ConflictError), db.write(admin) as s:
        perform(s, admin, number, "start", expected_version=seen)


# ---------------------------------------------------------------- backups


@pytest.mark.sqlite_only
def test_backup_and_restore_round_trip(db, admin, open_report, tmp_path, db_path):
    open_report()
    backup = tmp_path / "b" / "ia.db"
    backup.parent.mkdir()  # a backup goes into a folder that exists (test_hostile_input)
    digest = make_backup(db, admin, backup)
    assert backup.exists() and len(digest) == 64
    raw = backup.read_bytes()
    assert b"SQLite format 3" not in raw[:16] and b"Officer posted" not in raw
    open_report()
    assert case_count(db) == 2
    aside = restore_backup(db, admin, backup)
    assert aside.exists()
    restored = open_database(str(db_path))
    assert case_count(restored) == 1
    with restored.read() as s:
        assert verify(s).ok
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert last.event_type == "backup.restore"
    restored.dispose()


@pytest.mark.sqlite_only
def test_backup_with_its_own_passphrase(db, admin, open_report, tmp_path, db_path):
    open_report()
    backup = tmp_path / "carry.db"
    make_backup(db, admin, backup, passphrase="a passphrase for the courier")
    with pytest.raises(DatabaseKeyError):
        restore_backup(db, admin, backup, passphrase="not the right passphrase")
    restore_backup(db, admin, backup, passphrase="a passphrase for the courier")
    restored = open_database(str(db_path))  # opens with the database's own key again
    assert case_count(restored) == 1
    restored.dispose()


def test_a_damaged_backup_is_refused_and_the_database_kept(db, admin, open_report, tmp_path):
    open_report()
    bad = tmp_path / "bad.db"
    bad.write_bytes(os.urandom(8192))
    with pytest.raises((DatabaseKeyError, StorageError)):
        restore_backup(db, admin, bad)
    assert case_count(db) == 1


def test_only_an_admin_backs_up(db, make_user, tmp_path):
    inv = make_user("ia_investigator")
    with pytest.raises(PermissionDenied):
        make_backup(db, inv, tmp_path / "x.db")
    assert not (tmp_path / "x.db").exists()


@pytest.mark.sqlite_only
def test_a_daily_backup_is_made_once_a_day(db, db_path):
    assert latest_backup_age(db_path) is None
    first = daily_backup_if_due(db)
    assert first is not None and first.exists()
    assert daily_backup_if_due(db) is None


# ---------------------------------------------------------------- migration


def test_a_database_of_the_first_schema_upgrades_with_every_row(tmp_path, isolated):
    """Build a database at the first released revision, fill it the way that release
    did, then open it with this release."""
    from alembic import command

    from ia_desk.db.engine import resolve_target
    from ia_desk.db.migrate import alembic_config, head_revision
    from ia_desk.security import keys

    path = tmp_path / "old.db"
    target = resolve_target(str(path))
    secrets_ = keys.secrets_for_new_database(target.ident, True)
    engine = create_engine(
        URL.create("sqlite+pysqlcipher", password=secrets_.sqlcipher_key, database=str(path))
    )
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "20261121_0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO app_user (id, login, name, role, password_hash, active, "
                "failed_logins, password_changed_at, created_at) VALUES (1, 'old', "
                "'Old Admin', 'ia_admin', 'x', 1, 0, '2026-01-01', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO employee (id, badge, name, department, active, "
                "created_at) VALUES (1, '77', 'Old Subject', 'police', 1, "
                "'2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO ia_case (id, number, status, received_at, "
                "received_offset_min, channel, deadline_on, created_at, updated_at, "
                "created_by_id, version_id) VALUES (1, 'IA-2026-0001', 'received', "
                "'2026-01-02 10:00:00', -360, 'phone', '2026-04-02', '2026-01-02', "
                "'2026-01-02', 1, 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO incident (case_id, occurred_on, narrative) VALUES "
                "(1, '2026-01-01', 'An old narrative.')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO reporter (case_id, mode, good_faith, tracking_hash) "
                "VALUES (1, 'anonymous', 0, 'abc')"
            )
        )
        conn.execute(text("INSERT INTO case_subject (case_id, employee_id) VALUES (1, 1)"))
    engine.dispose()

    db = open_database(str(path))
    from ia_desk.db.migrate import current_revision

    assert current_revision(db.engine) == head_revision()
    with db.read() as s:
        case = get_case(s, "IA-2026-0001")
        assert case.incident.narrative == "An old narrative."
        assert case.subjects[0].employee.badge == "77" and case.tolled_since is None
    assert list((path.parent / "backups").glob("old-*-before-migration.db"))
    db.dispose()
