"""The PostgreSQL server records every change itself: a ``psql`` edit made with the
workstation account, outside IA Desk, is named by ``audit verify`` with the database role
that made it, and that account can neither remove the record nor switch it off.

The attacks sign in as the workstation role (``ia_desk_app``, what every workstation
holds the password of), with ``psql``-style SQL: the attack of issue 20."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from ia_desk.audit.server import outside_changes, unrecorded_tables
from ia_desk.audit.trail import verify
from ia_desk.casefile.read import show_case
from ia_desk.cli import main

from .conftest import PASSWORD, PG_APP_URL

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def psql(db_url):
    """SQL as the workstation account, outside the app."""
    engine = create_engine(f"{PG_APP_URL}/{db_url.rsplit('/', 1)[1]}", poolclass=NullPool)

    def run(*statements: str, **params) -> None:
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(text(sql), params)

    yield run
    engine.dispose()


def test_what_the_app_writes_is_all_accounted_for(db, admin, make_user, open_report) -> None:
    investigator = make_user("ia_investigator")
    number = open_report(actor=investigator).case.number
    with db.read() as s:
        show_case(s, investigator, number)
    with db.read() as s:
        assert unrecorded_tables(s) == []
        assert outside_changes(s) == []
        result = verify(s)
        recorded = s.scalar(text("SELECT count(*) FROM server_change"))
    assert result.ok, result.problems
    assert recorded > 10  # the server did record the app's changes


def test_a_role_raised_in_psql_is_named_with_the_account_that_did_it(db, make_user, psql) -> None:
    cmd = make_user("command_staff")
    psql("UPDATE app_user SET role = 'ia_admin' WHERE login = :login", login=cmd.login)
    with db.read() as s:
        result = verify(s)
        (change,) = outside_changes(s)
    assert not result.ok
    assert change.db_role == "ia_desk_app" and change.changes == (("app_user", "UPDATE", 1),)
    (text_,) = [t for _, t in result.problems if "server recorded" in t]
    assert "1 row updated in app_user by database role ia_desk_app" in text_
    assert "changed outside IA Desk" in text_


def test_rows_put_in_and_deleted_in_psql_are_counted_per_table(db, open_report, psql) -> None:
    open_report()
    psql(
        "UPDATE reporter SET name = 'Someone Else'",
        "DELETE FROM case_toll",
        "INSERT INTO setting (key, value, updated_at) VALUES ('psql.note', '\"x\"', now())",
    )
    with db.read() as s:
        (change,) = outside_changes(s)
    assert ("reporter", "UPDATE", 1) in change.changes
    assert ("setting", "INSERT", 1) in change.changes
    assert "case_toll" not in change.what  # nothing was deleted: nothing recorded


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM server_change",
        "UPDATE server_change SET db_role = 'someone'",
        "TRUNCATE server_change",
        "INSERT INTO server_change (tx, table_name, operation, db_role) "
        "VALUES (1, 'x', 'INSERT', 'y')",
        "ALTER TABLE reporter DISABLE TRIGGER reporter_server_change",
        "DROP TRIGGER reporter_server_change ON reporter",
        "UPDATE audit_event SET server_tx = txid_current() WHERE seq = 1",
    ],
)
def test_the_workstation_account_cannot_remove_or_silence_the_record(db, psql, sql) -> None:
    with pytest.raises(DBAPIError, match="permission denied|must be owner"):
        psql(sql)


def test_a_forged_event_in_the_same_transaction_names_whose_key_signed_it(
    db, make_user, psql
) -> None:
    """Covering a psql edit with an audit event of its own transaction needs a signature:
    without the signer's key, the server's record and the chain both name it."""
    cmd = make_user("command_staff")
    psql(
        "UPDATE app_user SET role = 'ia_admin' WHERE login = :login",
        "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, outcome, "
        "details, prev_mac, mac) SELECT max(seq) + 1, now(), 'admin', 'x', 'user.role', "
        "'ok', '{}', 'x', 'x' FROM audit_event",
        login=cmd.login,
    )
    with db.read() as s:
        result = verify(s)
        (covered,) = outside_changes(s)
    # An unsigned event accounts for no change of a role; and the event does not hold.
    assert covered.covered_by == ("user.role",)
    assert not result.ok
    assert any("altered or put in outside IA Desk" in t for _, t in result.problems)


def test_a_table_whose_trigger_the_owner_switched_off_is_named(db) -> None:
    with db.engine.begin() as conn:  # the owner (what the tests' app signs in as)
        conn.execute(text("ALTER TABLE reporter DISABLE TRIGGER reporter_server_change"))
    with db.read() as s:
        result = verify(s)
    assert not result.ok
    assert any("does not record changes to reporter" in t for _, t in result.problems)


def test_the_command_line_lists_the_outside_change_and_warns_in_audit_list(
    db, db_url, make_user, psql, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
    assert main(["--db", db_url, "audit", "outside"]) == 0
    assert "no change made outside IA Desk" in capsys.readouterr().out
    cmd = make_user("command_staff")
    psql("UPDATE app_user SET role = 'ia_admin' WHERE login = :login", login=cmd.login)
    assert main(["--db", db_url, "audit", "outside"]) == 1
    out = capsys.readouterr().out
    assert "by ia_desk_app: 1 row updated in app_user" in out
    assert main(["--db", db_url, "audit", "list", "--limit", "5"]) == 0
    assert "recorded 1 transaction(s) that changed data outside IA Desk" in capsys.readouterr().err
    assert main(["--db", db_url, "audit", "verify"]) == 1
    assert "changed outside IA Desk" in capsys.readouterr().err


def test_a_psql_edit_covered_by_a_forged_unsigned_event_is_named(db, open_report, psql) -> None:
    """Anyone with the MAC key can write an unsigned event (a failed sign-in): one in the
    edit's own transaction does not account for a change such events never make."""
    open_report()
    psql(
        "UPDATE reporter SET name = 'Someone Else'",
        "UPDATE app_user SET failed_logins = 0",  # what a failed sign-in does change
        "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, outcome, "
        "details, prev_mac, mac) SELECT max(seq) + 1, now(), 'nobody', 'x', 'auth.sign_in', "
        "'failed', '{}', 'x', 'x' FROM audit_event",
    )
    with db.read() as s:
        (change,) = outside_changes(s)
        result = verify(s)
    assert ("reporter", "UPDATE", 1) in change.changes
    assert change.covered_by == ("auth.sign_in",)
    assert any(
        "only events are unsigned (auth.sign_in), which never make such changes" in t
        for _, t in result.problems
    ), result.problems
