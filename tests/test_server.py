"""Several workstations on one database: PostgreSQL's own guarantees (grants, TLS, the
shared audit key, moving an embedded database over), and what every backend must do
when workstations work at once (gap-free numbers, conflicts, seeing others' changes)."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from ia_desk.accounts.users import get_user, unlock_actor
from ia_desk.audit.trail import verify
from ia_desk.casefile.read import show_case
from ia_desk.cases.intake import open_case, parse_report
from ia_desk.cases.queries import get_case
from ia_desk.cases.search import filter_by_text
from ia_desk.cases.workflow import perform
from ia_desk.db.changes import SOMETHING, ChangeFeed
from ia_desk.db.connection import ServerConnection, saved_connection
from ia_desk.db.location import resolve_target
from ia_desk.db.models import AuditEvent, Base, Case
from ia_desk.errors import ConflictError, DatabaseKeyError, InputError, StorageError
from ia_desk.settings import set_setting
from ia_desk.startup import database_exists, open_database
from ia_desk.startup.connection import save_connection
from ia_desk.startup.opening import _refuse_unapproved_plaintext

from .conftest import (
    AUDIT_PASSPHRASE,
    PASSWORD,
    PG_APP_URL,
    changed_by_another_program,
    drop_server_database,
    new_server_database,
    report_doc,
)

# ---------------------------------------------------------------- every backend


def _intake_worker(url: str, ring: dict, start, count: int, out) -> None:  # forked child
    import keyring

    from .conftest import MemoryKeyring

    mem = MemoryKeyring()
    mem.store.update(ring)
    keyring.set_keyring(mem)
    db = open_database(url)
    with db.read() as s:
        actor = unlock_actor(s, "admin", PASSWORD)
    start.wait(30)
    numbers = []
    for _ in range(count):
        with db.write(actor) as s:
            numbers.append(open_case(s, actor, parse_report(report_doc())).case.number)
    db.dispose()
    out.put(numbers)


@pytest.mark.slow
def test_case_numbers_stay_unique_and_gap_free_under_concurrent_intake(db, db_url, isolated):
    """Four processes take reports at the same moment, five each."""
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    db.dispose()
    procs = [
        ctx.Process(target=_intake_worker, args=(db_url, dict(isolated.store), start, 5, out))
        for _ in range(4)
    ]
    for p in procs:
        p.start()
    start.set()
    numbers = [n for _ in procs for n in out.get(timeout=120)]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    assert sorted(numbers) == [f"IA-2026-{i:04d}" for i in range(1, 21)]
    again = open_database(db_url)
    with again.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 20
        assert verify(s).ok
    again.dispose()


def test_a_conflict_names_who_changed_the_case_and_how(db, db_url, admin, open_report):
    number = open_report().case.number
    with db.read() as s:
        seen = get_case(s, number).version_id
    other = open_database(db_url)  # a second workstation
    try:
        with other.write(admin) as s:
            perform(s, admin, number, "assign", assignee="admin")
    finally:
        other.dispose()
    with pytest.raises(ConflictError) as err, db.write(admin) as s:
        perform(s, admin, number, "start", expected_version=seen)
    assert "admin (case: assign" in err.value.message and "reload" in err.value.message
    with db.read() as s:
        assert get_case(s, number).status == "assigned"  # the refused action left nothing


def test_other_workstations_changes_reach_an_open_case_list(db, db_url, admin, open_report):
    feed = ChangeFeed(db)
    try:
        assert feed.poll() == set()
        other = open_database(db_url)
        try:
            with other.write(admin) as s:
                number = open_case(s, admin, parse_report(report_doc())).case.number
        finally:
            other.dispose()
        import time

        for _ in range(50):  # notices travel through the server: give them a moment
            changed = feed.poll()
            if changed:
                break
            time.sleep(0.05)
        assert changed == ({number} if db.engine.dialect.name == "postgresql" else {SOMETHING})
        assert feed.poll() == set()

        # Reading a case elsewhere commits only its audit event: no case changed, and the
        # list is not reloaded for it (on SQLite every read used to reload it).
        other = open_database(db_url)
        try:
            with other.write(admin) as s:
                show_case(s, admin, number)
        finally:
            other.dispose()
        time.sleep(0.2)
        with db.read() as s:
            assert s.scalar(
                select(func.count()).where(
                    AuditEvent.case_number == number, AuditEvent.event_type == "case.view"
                )
            )
        assert feed.poll() == set()
    finally:
        feed.close()


def test_one_poll_hears_every_change_that_has_arrived(db, db_url, admin):
    """Three cases taken in at another workstation, then one poll: all three are heard
    (the feed read one notice a poll, falling behind a busy office)."""
    import time

    feed = ChangeFeed(db)
    try:
        other = open_database(db_url)
        try:
            numbers = set()
            for _ in range(3):
                with other.write(admin) as s:
                    numbers.add(open_case(s, admin, parse_report(report_doc())).case.number)
        finally:
            other.dispose()
        time.sleep(0.3)  # notices travel through the server on a connection of their own
        assert feed.poll() == (numbers if db.engine.dialect.name == "postgresql" else {SOMETHING})
        assert feed.poll() == set()
    finally:
        feed.close()


def _settled(feed) -> set[str]:
    """What the feed hears once the database's notices have had time to arrive."""
    import time

    time.sleep(0.3)  # notices travel through the server on a connection of their own
    return feed.poll() | feed.poll()


def test_the_feed_never_hears_this_workstations_own_changes_but_always_anothers(
    db, db_url, admin, open_report
):
    """The desktop announces its own changes on its bus: the feed, which hears what
    changed elsewhere, never tells them again (issue 24), on either backend. Another
    workstation's change is heard, on the very case just changed here as well, and so is
    another program's SQL."""

    from ia_desk.services import cases, notes

    number = open_report().case.number

    def said(*numbers: str) -> set[str]:  # what the feed says of these cases' change
        return set(numbers) if db.engine.dialect.name == "postgresql" else {SOMETHING}

    feed = ChangeFeed(db)
    try:
        cases.take_action(db, admin, number, "assign", assignee="admin")
        notes.add_task(db, admin, number, "Call the platform", "admin", "2099-01-01")
        with db.write(admin) as s:  # a new case, written here
            mine = open_case(s, admin, parse_report(report_doc())).case.number
        assert _settled(feed) == set()

        # Here, then at another workstation, on the same case, before the feed polls.
        cases.take_action(db, admin, number, "start")
        other = open_database(db_url)
        try:
            notes.add_task(other, admin, number, "Pull the footage", "admin", "2099-01-01")
        finally:
            other.dispose()
        assert _settled(feed) == said(number)

        # Another program's SQL on its own connection, between two changes made here.
        cases.take_action(db, admin, mine, "assign", assignee="admin")
        changed_by_another_program(db, number)
        cases.take_action(db, admin, mine, "start")
        assert _settled(feed) == said(number)
        assert _settled(feed) == set()
    finally:
        feed.close()
    # A closed feed watches the database's writes no more.
    assert db._own_write_watchers == []


def test_what_the_feed_expects_of_its_own_writes_swallows_no_strangers_change():
    """PostgreSQL: a server reuses a backend's pid once it has gone, so what this process
    expected to hear of its own write, and did not within two polls, swallows no later
    notice; each expected notice is taken once. SQLite: only an unbroken chain of this
    process's own steps from the signature last seen is its own."""
    from ia_desk.db.changes import OwnWrites

    own = OwnWrites("postgresql")
    own.expect(4242, ["IA-2026-0001", "IA-2026-0002"])
    own.polled()
    own.polled()
    assert own.strangers([(4242, "IA-2026-0001")]) == set()  # ours, two polls late
    assert own.strangers([(4243, "IA-2026-0002")]) == {"IA-2026-0002"}  # another pid
    own.polled()
    assert own.strangers([(4242, "IA-2026-0002")]) == {"IA-2026-0002"}  # forgotten
    own.expect(4242, ["IA-2026-0003"])
    assert own.strangers([(4242, "IA-2026-0003"), (4242, "IA-2026-0003")]) == {
        "IA-2026-0003"  # expected once, heard twice: the second is not ours
    }

    own = OwnWrites("sqlite")
    own.stepped((1, "a"), (1, "b"))
    own.stepped((1, "b"), (2, "c"))
    assert own.led_to((1, "a"), (2, "c"))  # two steps of ours
    own.stepped((2, "c"), (2, "d"))
    assert not own.led_to((2, "x"), (2, "d"))  # someone else's change came first
    own.stepped((3, "e"), (3, "f"))
    own.polled()
    own.polled()
    own.polled()
    assert not own.led_to((3, "e"), (3, "f"))  # a step whose commit never came, forgotten


# ---------------------------------------------------------------- PostgreSQL


def _server_engine(url: str):
    return create_engine(url, poolclass=NullPool)


@pytest.mark.postgresql_only
def test_the_workstation_role_may_add_audit_rows_but_never_change_them(db, db_url, monkeypatch):
    name = db_url.rsplit("/", 1)[1]
    app_url = f"{PG_APP_URL}/{name}"
    engine = _server_engine(app_url)
    with engine.connect() as conn:
        for privilege, expected in [
            ("SELECT", True),
            ("INSERT", True),
            ("UPDATE", False),
            ("DELETE", False),
            ("TRUNCATE", False),
        ]:
            has = conn.execute(
                text("SELECT has_table_privilege('audit_event', :p)"), {"p": privilege}
            ).scalar()
            assert has is expected, privilege
    for sql in (
        "UPDATE audit_event SET details = '{}' WHERE seq = 1",
        "DELETE FROM audit_event WHERE seq = 1",
        "TRUNCATE audit_event",
        "UPDATE evidence_blob SET size = 0",
    ):
        with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
            conn.execute(text(sql))
    engine.dispose()
    # The owner account is refused as well (privileges revoked, and a trigger).
    with pytest.raises(DBAPIError, match="permission denied|append-only"), db.engine.begin() as c:
        c.execute(text("UPDATE audit_event SET details = '{}' WHERE seq = 1"))
    # The same role runs the whole app: a second workstation with the audit passphrase.
    monkeypatch.setenv("IA_DESK_PASSPHRASE", AUDIT_PASSPHRASE)
    station = open_database(app_url)
    monkeypatch.delenv("IA_DESK_PASSPHRASE")
    try:
        with station.read() as s:
            actor = unlock_actor(s, "admin", PASSWORD)
        with station.write(actor) as s:
            number = open_case(s, actor, parse_report(report_doc())).case.number
        with station.read() as s:
            assert number in s.scalars(
                filter_by_text(s, select(Case.number), "patrol car", public=False)
            )
            assert verify(s).ok
    finally:
        station.dispose()
    again = open_database(app_url)  # the key is in this workstation's keyring now
    again.dispose()


@pytest.mark.postgresql_only
def test_a_new_workstation_needs_the_audit_passphrase_once(db, db_url, isolated, monkeypatch):
    isolated.store.clear()  # a workstation that has never connected
    with pytest.raises(DatabaseKeyError, match="audit passphrase"):
        open_database(db_url)
    monkeypatch.setenv("IA_DESK_PASSPHRASE", "not the right passphrase")
    with pytest.raises(DatabaseKeyError, match="wrong"):
        open_database(db_url)
    monkeypatch.setenv("IA_DESK_PASSPHRASE", AUDIT_PASSPHRASE)
    station = open_database(db_url)
    with station.read() as s:
        assert verify(s).ok
    station.dispose()
    monkeypatch.delenv("IA_DESK_PASSPHRASE")
    open_database(db_url).dispose()


@pytest.mark.postgresql_only
def test_a_stale_write_from_another_workstation_is_a_conflict(db, db_url, admin, open_report):
    number = open_report().case.number
    other = open_database(db_url)
    try:
        with pytest.raises(ConflictError, match="admin \\(case: assign"), db.write(admin) as s:
            loaded = get_case(s, number)  # this workstation has the case loaded...
            with other.write(admin) as s2:  # ...when another one changes it
                perform(s2, admin, number, "assign", assignee="admin")
            perform(s, admin, number, "start")
            assert loaded is None  # not reached
    finally:
        other.dispose()


@pytest.mark.postgresql_only
def test_an_empty_server_database_says_how_to_set_it_up(db):
    url = new_server_database()
    try:
        assert not database_exists(resolve_target(url))
        with pytest.raises(StorageError, match="holds no IA Desk tables"):
            open_database(url)
    finally:
        drop_server_database(url)


@pytest.mark.postgresql_only
def test_a_remote_server_needs_tls_unless_an_admin_allows_plaintext(db, admin):
    remote = resolve_target("postgresql+psycopg://ia_desk_app@db.example.org/ia_desk")
    assert remote.url.query["sslmode"] == "require" and not remote.plaintext_remote
    plain = resolve_target("postgresql+psycopg://u@10.1.2.3/ia_desk?sslmode=disable")
    assert plain.plaintext_remote
    assert not resolve_target("postgresql+psycopg://u@127.0.0.1/x?sslmode=disable").plaintext_remote
    with pytest.raises(StorageError, match="not encrypted"):
        _refuse_unapproved_plaintext(db.engine, plain)
    with db.write(admin) as s:
        set_setting(s, admin, "allow_unencrypted_server_connections", 1)
    _refuse_unapproved_plaintext(db.engine, plain)  # now allowed by an admin


@pytest.mark.postgresql_only
def test_a_saved_connection_keeps_its_password_in_the_keyring_only(db, db_url, isolated, tmp_path):
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    with pytest.raises(InputError, match="port"):
        save_connection(ServerConnection(url.host, url.database, url.username, 0), "x")
    save_connection(
        ServerConnection(url.host, url.database, url.username, url.port, "disable"), url.password
    )
    saved = (tmp_path / "data" / "connection.json").read_text()
    assert url.password not in saved and json.loads(saved)["host"] == url.host
    assert url.password in isolated.store.values()
    assert saved_connection() is not None
    target = resolve_target(None)
    assert target.kind == "postgresql" and target.url.password is None
    assert target.ident == resolve_target(db_url).ident  # the same keyring entries
    station = open_database()  # no URL: the saved connection, password from the keyring
    with station.read() as s:
        assert get_user(s, "admin") is not None
    station.dispose()


def _table_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }


@pytest.mark.postgresql_only
@pytest.mark.slow
def test_migrate_to_copies_everything_and_the_chain_still_verifies(db, tmp_path, monkeypatch):
    from ia_desk.evidence.store import verify_all
    from ia_desk.services.database import create as initialise
    from ia_desk.startup import transfer

    source, _ = initialise(str(tmp_path / "embedded.db"), "chief", "Chief", PASSWORD, demo=True)
    with source.read() as s:
        actor = unlock_actor(s, "chief", PASSWORD)
        before = verify(s)
        found = sorted(s.scalars(filter_by_text(s, select(Case.number), "facebook", public=False)))
    counts = _table_counts(source.engine)
    url = new_server_database()
    try:
        monkeypatch.setenv("IA_DESK_PASSPHRASE", AUDIT_PASSPHRASE)
        # A failure half-way leaves the server database empty.
        real = transfer.reset_sequences
        monkeypatch.setattr(
            transfer, "reset_sequences", lambda _c: (_ for _ in ()).throw(OSError("cut"))
        )
        with pytest.raises(OSError):
            transfer.migrate_to(source, actor, url)
        probe = _server_engine(url)
        assert inspect(probe).get_table_names() == []
        monkeypatch.setattr(transfer, "reset_sequences", real)
        result = transfer.migrate_to(source, actor, url)
        assert result.audit_events_verified >= before.checked
        server = open_database(url)
        try:
            moved = _table_counts(server.engine)
            # The server notes the move in its trail and keeps its wrapped audit key.
            extra = {"audit_event": 1, "setting": len(transfer.LOCAL_SETTINGS)}
            for table, n in counts.items():
                if Base.metadata.tables[table].info.get("embedded_only"):
                    assert moved[table] == 0, table  # the file's disk reserve stays behind
                    continue
                assert moved[table] == n + extra.get(table, 0), table
            with server.read() as s:
                assert verify(s).ok
                assert (
                    sorted(
                        s.scalars(filter_by_text(s, select(Case.number), "facebook", public=False))
                    )
                    == found
                )
                assert all(r["verified"] for r in verify_all(s, actor))
            with server.write(actor) as s:
                nxt = open_case(s, actor, parse_report(report_doc())).case.number
            assert nxt == "IA-2026-0025"  # numbering and ids continue after the copy
            with pytest.raises(StorageError, match="not empty"):
                transfer.migrate_to(source, actor, url)
        finally:
            server.dispose()
        probe.dispose()
    finally:
        drop_server_database(url)
        source.dispose()
    assert not os.environ.get("IA_DESK_DB")


@pytest.mark.postgresql_only
def test_sslmode_require_really_encrypts_the_connection(db, db_url):
    if not os.environ.get("IA_DESK_TEST_PG_TLS"):
        pytest.skip("the test server was started without TLS (no openssl)")
    station = open_database(db_url + "?sslmode=require")
    try:
        with station.engine.connect() as conn:
            query = text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            assert conn.execute(query).scalar() is True
    finally:
        station.dispose()


@pytest.mark.postgresql_only
def test_the_upgrade_that_keeps_a_reports_time_on_its_reporter_is_no_outside_change(
    isolated, monkeypatch
):
    """Migration 0022 fills ``reporter.received_at`` from the cases on a server that
    holds reports: filled, and not one of the rows it fills stands in the server's
    record as changed outside IA Desk (which every later audit verify would name)."""
    from alembic import command

    from ia_desk.audit import server
    from ia_desk.db.migrate import alembic_config, head_revision
    from ia_desk.services import accounts
    from ia_desk.startup.setup import initialise

    monkeypatch.setenv("IA_DESK_PASSPHRASE", AUDIT_PASSPHRASE)
    url = new_server_database()
    try:
        db, _ = initialise(url, "admin", "Ada Admin", PASSWORD)
        admin = accounts.sign_in(db, "admin", PASSWORD)
        with db.write(admin) as s:
            open_case(s, admin, parse_report(report_doc()))
            late = report_doc(received_at="2026-11-03T23:30:00-06:00")
            open_case(s, admin, parse_report(late))
        db.dispose()
        engine = create_engine(url, poolclass=NullPool)
        cfg = alembic_config()
        with engine.begin() as conn:  # the database as the release before left it
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "20261203_0021")
        engine.dispose()
        db = open_database(url)  # this release upgrades it
        try:
            with db.read() as s:
                assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                    head_revision()
                )
                pairs = s.execute(
                    text(
                        "SELECT r.received_at, c.received_at FROM reporter r "
                        "JOIN ia_case c ON c.id = r.case_id"
                    )
                ).all()
                assert len(pairs) == 2 and all(mine == theirs for mine, theirs in pairs)
                outside = [
                    change
                    for found in server.outside_changes(s, None)
                    for change in found.changes
                    if change[0] == "reporter"
                ]
                assert outside == []
                assert "reporter" not in server.unrecorded_tables(s)  # the log runs again
        finally:
            db.dispose()
    finally:
        drop_server_database(url)
