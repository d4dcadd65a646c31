"""Every write leaves an audit event in the same transaction; the chain verifies."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from ia_desk.audit.trail import parse_checkpoint, verify
from ia_desk.casefile.read import show_case
from ia_desk.cases.allegations import add_allegation, record_finding
from ia_desk.cases.workflow import perform
from ia_desk.db.models import AuditEvent
from ia_desk.errors import InputError

from .conftest import go_around_the_app


def events(db) -> list[tuple[str, str, str | None]]:
    with db.read() as s:
        return [
            (e.event_type, e.outcome, e.case_number)
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        ]


def test_each_write_appends_its_event(db, admin, open_report) -> None:
    n = len(events(db))
    case = open_report().case.number
    with db.write(admin) as s:
        a = add_allegation(s, admin, case, "1234", "vpd-3.21/III.N.2")
    with db.write(admin) as s:
        perform(s, admin, case, "start")
        record_finding(s, admin, a.id, "sustained", "Screenshot shows the post.")
    with db.read() as s:
        show_case(s, admin, case)
    new = events(db)[n:]
    assert [(t, o) for t, o, _ in new] == [
        ("case.intake", "ok"),
        ("allegation.add", "ok"),
        ("case.start", "ok"),
        ("allegation.find", "ok"),
        ("reporter.identity.view", "ok"),
        ("case.view", "ok"),
    ]
    assert all(c == case for _, _, c in new)


def test_failed_write_leaves_no_event(db, admin, open_report) -> None:
    case = open_report().case.number
    n = len(events(db))
    with pytest.raises(InputError), db.write(admin) as s:
        add_allegation(s, admin, case, "1234", "vpd-3.21/III.M")  # already alleged
    assert len(events(db)) == n


def test_chain_verifies_and_detects_an_edited_row(db, admin, open_report) -> None:
    open_report()
    with db.read() as s:
        result = verify(s)
    assert result.ok and result.checked == result.head_seq
    go_around_the_app(db, "UPDATE audit_event SET details = '{}' WHERE seq = 2")
    with db.read() as s:
        broken = verify(s)
    assert not broken.ok and broken.first_bad_seq == 2


def test_the_database_refuses_to_update_or_delete_audit_rows(db, open_report) -> None:
    open_report()
    with pytest.raises(Exception, match="append-only|permission denied"), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq = 1"))


def test_checkpoint_detects_rows_cut_off(db, open_report) -> None:
    open_report()
    with db.read() as s:
        head = verify(s)
    cp = parse_checkpoint(head.checkpoint)
    go_around_the_app(
        db,
        "DELETE FROM audit_event WHERE seq = :s",
        "UPDATE audit_head SET seq = seq - 1",
        s=cp[0],
    )
    with db.read() as s:
        result = verify(s, cp)
    assert not result.ok and "cut off" in result.problem


def test_audit_details_are_canonical_json(db, open_report) -> None:
    open_report()
    with db.read() as s:
        for e in s.scalars(select(AuditEvent)):
            assert (
                json.dumps(
                    json.loads(e.details), sort_keys=True, separators=(",", ":"), ensure_ascii=False
                )
                == e.details
            )
