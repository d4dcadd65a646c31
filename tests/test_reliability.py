"""Reliability under faults: kills mid-write, a full disk, I/O errors, tampering,
concurrent edits, backups and restore, and upgrades from the first schema."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from ia_desk.accounts import session as session_events
from ia_desk.accounts.users import authenticate
from ia_desk.audit.trail import parse_checkpoint, verify
from ia_desk.backup import before_restore_copies, check_backup, latest_backup_age
from ia_desk.casefile.read import show_case
from ia_desk.cases.intake import open_case, parse_report
from ia_desk.cases.queries import get_case
from ia_desk.cases.workflow import perform
from ia_desk.db import storage
from ia_desk.db.location import resolve_target
from ia_desk.db.models import AuditEvent, Case, User
from ia_desk.errors import (
    AuthenticationError,
    ConflictError,
    DatabaseKeyError,
    PermissionDenied,
    ReadOnlyDatabase,
    RefusedInput,
    StorageError,
)
from ia_desk.reports.summary import summary, write_pdf
from ia_desk.services.maintenance import make_backup, restore_backup
from ia_desk.settings import set_setting
from ia_desk.startup import daily_backup_if_due, open_database

from .conftest import PASSWORD, go_around_the_app, report_doc


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


HUGE = {"occurred_on": "2026-10-30", "narrative": "A long narrative. " * 5_000}


def events(db, event_type: str) -> list:
    """(outcome, details) of each audit event of a type, oldest first."""
    with db.read() as s:
        return list(
            s.execute(
                select(AuditEvent.outcome, AuditEvent.details)
                .where(AuditEvent.event_type == event_type)
                .order_by(AuditEvent.seq)
            )
        )


def fill_the_disk(db):
    """Simulate a full disk: from now on no connection may grow the database file
    (PRAGMA max_page_count, as the database's size limit). Returns make_room()."""
    with db.engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar()

    def limit(dbapi_conn, _rec):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(db.engine, "connect", limit)
    db.engine.dispose()

    def make_room() -> None:
        event.remove(db.engine, "connect", limit)
        db.engine.dispose()

    return make_room


def go_read_only(db, actor) -> None:
    """A full disk, found the way users find it: a change that does not fit."""
    with pytest.raises(ReadOnlyDatabase), db.write(actor) as s:
        open_case(s, actor, parse_report(report_doc(incident=HUGE)))
    assert db.read_only


@pytest.mark.sqlite_only
def test_a_full_disk_leaves_sign_in_reading_printing_and_backups_working_and_audited(
    db, admin, open_report, tmp_path
):
    number = open_report().case.number
    make_room = fill_the_disk(db)
    heard: list[bool] = []
    db.add_read_only_listener(heard.append)
    with pytest.raises(ReadOnlyDatabase) as refused, db.write(admin) as s:
        open_case(s, admin, parse_report(report_doc(incident=HUGE)))
    message = str(refused.value)
    assert "Nothing was saved" in message and "full" in message and "read-only" in message
    assert "reading cases, printing" in message and "backups to another disk" in message
    assert "free some space on that disk" in message
    assert db.read_only and heard == [True]
    before = case_count(db)

    # Sign-in: a wrong password still counts towards the lockout; the right one signs in.
    with pytest.raises(AuthenticationError):
        authenticate(db, "admin", "not the password")
    with db.read() as s:
        assert s.scalar(select(User.failed_logins).where(User.login == "admin")) == 1
    actor = authenticate(db, "admin", PASSWORD)
    # Reading, many times over (each read appends its audit event).
    for _ in range(200):
        with db.read() as s:
            assert show_case(s, actor, number)["case"] == number
    # Printing a summary, and backing up to another disk.
    with db.write(actor, audit_only=True) as s:
        printed = summary(s, actor, number, "command")
    write_pdf(printed, tmp_path / "summary.pdf")
    backup = tmp_path / "other-disk" / "ia.db"
    backup.parent.mkdir()
    make_backup(db, actor, backup)
    session_events.record(db, actor, "lock")

    assert [outcome for outcome, _ in events(db, "auth.sign_in")][-2:] == ["failed", "ok"]
    assert len(events(db, "case.view")) >= 200
    assert events(db, "summary.print") and events(db, "backup.create")
    assert events(db, "auth.session_lock") and events(db, "storage.read_only")
    with db.read() as s:
        assert verify(s).ok
    assert check_backup(backup, db.cipher_key, audit_key=db.audit_key).problems == []

    # A change is refused up front, with the same message, and nothing is stored.
    with pytest.raises(ReadOnlyDatabase, match="read-only"), db.write(actor) as s:
        open_case(s, actor, parse_report(report_doc()))
    assert case_count(db) == before

    # Once there is room, the next change puts the reserve back and goes through.
    make_room()
    with db.write(actor) as s:
        open_case(s, actor, parse_report(report_doc()))
    assert case_count(db) == before + 1
    assert not db.read_only and heard == [True, False]
    assert storage.reserve_rows(db.engine) == storage.RESERVE_ROWS
    assert storage.has_headroom(db.target.path)
    assert events(db, "storage.writable")
    with db.read() as s:
        assert verify(s).ok


@pytest.mark.sqlite_only
def test_while_read_only_nothing_but_audit_rows_can_be_written(db, admin, open_report):
    """The attack: work declared audit-only (or a read) that changes records anyway.
    SQLite itself refuses the statement while the database is read-only."""
    number = open_report().case.number
    fill_the_disk(db)
    go_read_only(db, admin)
    with pytest.raises(ReadOnlyDatabase), db.write(admin, audit_only=True) as s:
        perform(s, admin, number, "assign", assignee="admin")
    with pytest.raises(ReadOnlyDatabase), db.write(admin, audit_only=True) as s:
        s.execute(text("UPDATE ia_case SET status = 'closed'"))
    with pytest.raises(ReadOnlyDatabase), db.read() as s:
        s.execute(text("DELETE FROM incident"))
    with pytest.raises(ReadOnlyDatabase), db.read() as s:
        s.execute(text("UPDATE app_user SET role = 'ia_admin', active = 1"))
    with db.read() as s:
        assert get_case(s, number).status == "received"
        assert get_case(s, number).incident is not None
        assert verify(s).ok


@pytest.mark.sqlite_only
def test_a_start_on_a_full_disk_is_read_only_from_the_start(
    db, db_path, admin, open_report, monkeypatch
):
    """A real full disk (as the free space the system reports): the headroom file is
    given back before the database is opened, so signing in and reading work."""
    number = open_report().case.number
    db.dispose()
    assert storage.has_headroom(db_path)
    monkeypatch.setattr(storage, "free_bytes", lambda _path: 0)
    full = open_database(str(db_path))
    try:
        assert full.read_only and not storage.has_headroom(db_path)
        actor = authenticate(full, "admin", PASSWORD)
        with full.read() as s:
            show_case(s, actor, number)
        with pytest.raises(ReadOnlyDatabase), full.write(actor) as s:
            open_case(s, actor, parse_report(report_doc()))
        assert daily_backup_if_due(full) is None  # no copy onto the full disk
        assert not (db_path.parent / "backups").exists()
        monkeypatch.undo()  # space was freed
        with full.write(actor) as s:
            open_case(s, actor, parse_report(report_doc()))
        assert not full.read_only and storage.has_headroom(db_path)
        with full.read() as s:
            assert verify(s).ok
    finally:
        full.dispose()


@pytest.mark.sqlite_only
def test_a_daily_backup_that_would_fill_the_disk_is_skipped_and_the_cli_goes_on(
    db, db_path, monkeypatch, capsys
):
    from ia_desk.cli import main

    room = db_path.stat().st_size + 1024 * 1024  # short of a copy plus the reserves
    monkeypatch.setattr(storage, "free_bytes", lambda _path: room)
    with pytest.raises(StorageError, match="daily backup was skipped"):
        daily_backup_if_due(db)
    assert not (db_path.parent / "backups").exists()
    db.dispose()
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
    assert main(["--db", str(db_path), "case", "list"]) == 0
    assert "daily backup was skipped" in capsys.readouterr().err


def _root_can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and Path("/proc/mounts").exists()


@pytest.mark.slow
@pytest.mark.sqlite_only
@pytest.mark.skipif(not _root_can_mount(), reason="needs root to mount a small file system")
def test_on_a_real_full_file_system_reading_and_backups_go_on(tmp_path, isolated):
    """The design on a real disk: a 24 MB tmpfs, filled to the last byte by another file."""
    from ia_desk.startup.setup import initialise

    disk = tmp_path / "small-disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)])
    if mounted.returncode != 0:
        pytest.skip("this machine may not mount a tmpfs")
    try:
        path = disk / "ia-desk.db"
        db, _ = initialise(str(path), "admin", "Ada Admin", PASSWORD)
        admin = authenticate(db, "admin", PASSWORD)
        with db.write(admin) as s:
            number = open_case(s, admin, parse_report(report_doc())).case.number
        db.dispose()
        filler = disk / "someone-elses-file"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\1" * 65536)
        except OSError:
            pass
        try:
            while True:
                os.write(fd, b"\1")
        except OSError:
            pass
        os.close(fd)
        assert storage.free_bytes(path) == 0

        full = open_database(str(path))
        assert full.read_only
        actor = authenticate(full, "admin", PASSWORD)
        for _ in range(300):
            with full.read() as s:
                show_case(s, actor, number)
        with full.write(actor, audit_only=True) as s:
            printed = summary(s, actor, number, "command")
        write_pdf(printed, tmp_path / "summary.pdf")
        (tmp_path / "usb").mkdir()
        make_backup(full, actor, tmp_path / "usb" / "ia.db")
        with pytest.raises(ReadOnlyDatabase), full.write(actor) as s:
            open_case(s, actor, parse_report(report_doc()))
        with full.read() as s:
            assert verify(s).ok
        assert len(events(full, "case.view")) >= 300

        filler.unlink()  # someone frees the disk
        with full.write(actor) as s:
            open_case(s, actor, parse_report(report_doc()))
        assert not full.read_only and case_count(full) == 2
        full.dispose()
    finally:
        subprocess.run(["umount", "-l", str(disk)])


@pytest.mark.sqlite_only
def test_the_main_window_shows_a_banner_while_read_only(db, admin, qtbot):
    from ui.main_window import MainWindow

    window = MainWindow(db, admin)
    qtbot.addWidget(window)
    window.show()
    assert not window.read_only_banner.isVisible()
    # The first screen's reads finish before the disk is filled: the filling swaps the
    # engine's connect hook, which a read connecting at that moment would trip over.
    from ui.worker import pending_tasks

    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=20_000)
    make_room = fill_the_disk(db)
    go_read_only(db, admin)
    qtbot.waitUntil(window.read_only_banner.isVisible, timeout=3000)
    assert "read-only" in window.read_only_banner.text()
    assert str(db.target.path.parent) in window.read_only_banner.text()
    make_room()
    with db.write(admin) as s:
        open_case(s, admin, parse_report(report_doc()))
    qtbot.waitUntil(lambda: not window.read_only_banner.isVisible(), timeout=3000)
    window.close()


def test_a_full_server_disk_is_said_plainly(db):
    """PostgreSQL refuses with SQLSTATE 53100 (disk_full); the message says what it means."""
    import psycopg.errors

    from ia_desk.db.engine import storage_error

    orig = psycopg.errors.DiskFull(
        'could not extend file "base/16384/16422": No space left on device'
    )
    message = storage_error(OperationalError("INSERT", {}, orig)).message
    assert "server's disk is full" in message and "administrator" in message


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
    # No allegations: cutting off an intake that wrote some leaves them without their
    # event, which verify names on its own (tests/test_bound_records.py).
    open_report(clauses=[])
    with db.read() as s:
        checkpoint = parse_checkpoint(verify(s).checkpoint)
    _tamper(
        db,
        f"DELETE FROM audit_event WHERE seq >= {checkpoint[0] - 1}",
        f"UPDATE audit_head SET seq = {checkpoint[0] - 2}, mac = (SELECT mac FROM "
        f"audit_event WHERE seq = {checkpoint[0] - 2})",
    )
    with db.read() as s:
        alone = verify(s)
        result = verify(s, checkpoint)
    # The chain alone is consistent, but what the cut events made is still there: the
    # administrator's account and IA's key (no event made them any more) and, on the
    # server, the changes of the transactions whose events were cut
    # (tests/test_server_changes.py).
    assert not alone.ok
    made_by_cut = ("changed outside IA Desk", "no event made it", "no signed event made it")
    assert all(any(k in t for k in made_by_cut) for _, t in alone.problems), alone.problems
    assert not result.ok and "cut off" in result.problem  # the checkpoint says what


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


def _backup_killed_mid_copy(db_path: Path, actor, out: Path, ready) -> None:  # forked child
    """Back up, stopping for good once the copy and its journal are on disk (to be killed)."""
    from ia_desk import startup

    db = startup.open_database(str(db_path))
    partial = out.with_name(out.name + ".partial")
    journal = out.with_name(out.name + ".partial-journal")

    def stall() -> int:
        if partial.exists() and journal.exists():
            ready.send("stalled")
            time.sleep(600)
        return 0

    @event.listens_for(db.engine, "checkout")
    def _slow(dbapi_conn, _rec, _proxy):
        dbapi_conn.set_progress_handler(stall, 200)

    make_backup(db, actor, out)
    ready.send("finished")  # not reached when the test kills it in time


def _kill_a_backup(db, db_path: Path, actor, out: Path) -> list[Path]:
    db.dispose()
    ctx = multiprocessing.get_context("fork")
    parent_end, child_end = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_backup_killed_mid_copy, args=(db_path, actor, out, child_end))
    child.start()
    child_end.close()
    assert parent_end.poll(60) and parent_end.recv() == "stalled"
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    left = sorted(out.parent.glob(out.name + ".partial*"))
    assert [p.name for p in left] == [out.name + ".partial", out.name + ".partial-journal"]
    return left


@pytest.mark.sqlite_only
@pytest.mark.parametrize("next_", ["backup", "start"])
def test_a_killed_backup_leaves_nothing_after_the_next_backup_or_start(
    db, admin, db_path, tmp_path, next_
):
    out = tmp_path / "usb" / "monday.db"
    out.parent.mkdir()
    left = _kill_a_backup(db, db_path, admin, out)
    again = open_database(str(db_path)) if next_ == "start" else None
    if again is None:
        again = db  # the engine reconnects
        make_backup(db, admin, tmp_path / "usb" / "tuesday.db")
    assert not any(p.exists() for p in left)
    assert not out.exists()
    assert list((db_path.parent / "pending").iterdir()) == []
    if again is not db:
        again.dispose()


@pytest.mark.sqlite_only
def test_a_backup_running_elsewhere_keeps_its_files(db, admin, db_path, tmp_path):
    """Only a dead process's files are removed: a start meanwhile leaves a live one be."""
    from ia_desk.backup import pending, remove_stale_files

    live = tmp_path / "usb" / "running.db.partial"
    live.parent.mkdir()
    live.write_bytes(b"a copy being written")
    with pending(live):
        other = open_database(str(db_path))  # another start while the copy is written
        other.dispose()
        assert remove_stale_files() == [] and live.exists()
    assert live.exists()  # its writer removes or renames it itself


@pytest.mark.sqlite_only
def test_restores_keep_only_the_configured_number_of_before_restore_copies(
    db, admin, open_report, tmp_path, db_path
):
    open_report()
    with db.write(admin) as s:
        set_setting(s, admin, "backups_kept", 3)
    backup = tmp_path / "b.db"
    make_backup(db, admin, backup)
    kept = []
    for _ in range(5):
        kept.append(restore_backup(db, admin, backup))
        db = open_database(str(db_path))
    db.dispose()
    assert before_restore_copies(db_path) == kept[-3:]
    assert not any(p.exists() for p in kept[:2])


@pytest.mark.sqlite_only
def test_a_restore_killed_half_way_leaves_the_database_in_place(
    db, admin, open_report, tmp_path, db_path, monkeypatch
):
    import shutil

    from ia_desk import backup as backup_mod

    number = open_report().case.number
    backup = tmp_path / "b.db"
    make_backup(db, admin, backup)

    def cut_short(src, dst, *args, **kwargs):
        Path(dst).write_bytes(Path(src).read_bytes()[:4096])
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(backup_mod.shutil, "copyfile", cut_short)
    with pytest.raises(OSError):
        restore_backup(db, admin, backup)
    monkeypatch.setattr(backup_mod.shutil, "copyfile", shutil.copyfile)
    assert not list(db_path.parent.glob("*.restoring"))
    reopened = open_database(str(db_path))
    with reopened.read() as s:
        assert get_case(s, number) is not None and verify(s).ok
    reopened.dispose()


def _open_copy(db, isolated, path: Path):
    """Open a backup of ``db`` as a database of its own (the same keys)."""
    source, copy = resolve_target(str(db.target.path)).ident, resolve_target(str(path)).ident
    for (service, name), value in list(isolated.store.items()):
        if name.endswith(source):
            isolated.set_password(service, name.replace(source, copy), value)
    return open_database(str(path))


@pytest.mark.sqlite_only
def test_a_backup_with_an_edited_audit_trail_is_refused_naming_the_row(
    db, admin, open_report, tmp_path, isolated
):
    open_report()
    open_report()
    backup = tmp_path / "edited.db"
    make_backup(db, admin, backup)
    copy = _open_copy(db, isolated, backup)
    go_around_the_app(copy, "UPDATE audit_event SET details = '{}' WHERE seq = 3")
    copy.dispose()
    _open_copy(db, isolated, backup).dispose()  # its start puts the triggers back
    with pytest.raises(RefusedInput, match="row 3") as refused:
        restore_backup(db, admin, backup)
    assert "audit trail does not verify" in str(refused.value)
    assert "kept as it was" in str(refused.value)
    assert case_count(db) == 2  # the database is kept, and still in use
    outcome, details = events(db, "backup.restore")[-1]
    assert outcome == "refused" and "row 3" in details
    with db.read() as s:
        assert verify(s).ok


@pytest.mark.sqlite_only
def test_a_backup_without_its_append_only_triggers_is_refused(
    db, admin, open_report, tmp_path, isolated
):
    open_report()
    backup = tmp_path / "unguarded.db"
    make_backup(db, admin, backup)
    copy = _open_copy(db, isolated, backup)
    go_around_the_app(copy)  # drops the triggers; the chain is left intact
    copy.dispose()
    with pytest.raises(RefusedInput, match="audit_event_no_update is missing") as refused:
        restore_backup(db, admin, backup)
    assert "evidence_blob_no_delete is missing" in str(refused.value)
    assert "does not verify" not in str(refused.value)
    assert case_count(db) == 1
    assert events(db, "backup.restore")[-1][0] == "refused"


# ---------------------------------------------------------------- migration


def test_a_database_of_the_first_schema_upgrades_with_every_row(tmp_path, isolated):
    """Build a database at the first released revision, fill it the way that release
    did, then open it with this release."""
    from alembic import command

    from ia_desk.db.location import resolve_target
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
        # The report's time of receipt is kept beside the reporter (issue 24), filled
        # from the case on upgrade.
        assert case.reporter.received_at == case.received_at
    assert list((path.parent / "backups").glob("old-*-before-migration.db"))
    db.dispose()
