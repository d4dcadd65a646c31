"""Good-faith reporters (3.21 §V.C), the retaliation review, anonymity, deadlines."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from ia_desk.casefile.export import export_all
from ia_desk.casefile.read import show_case
from ia_desk.cases.allegations import add_allegation, record_finding
from ia_desk.cases.deadlines import record_reporter_update, toll, untoll
from ia_desk.cases.queries import get_case
from ia_desk.cases.workflow import perform
from ia_desk.db.models import AuditEvent, Reporter
from ia_desk.discipline.ladder import record
from ia_desk.errors import Blocked, InputError, PermissionDenied
from ia_desk.protection.retaliation import record_review, revoke_protection
from ia_desk.services import allegations as allegation_service
from ia_desk.services import cases as case_service

from .conftest import screen_if_speech

REPORTER = {"mode": "confidential", "name": "Pat Quill", "badge": "2001", "good_faith": True}
PAT = {"badge": "2001", "name": "Pat Quill", "department": "police"}
ROE = {"badge": "1234", "name": "John Roe", "department": "police"}


def at(day: str) -> str:
    return f"{day}T09:00:00-06:00"


def report(open_report, day, reporter, subjects, clauses=("vpd-3.21/III.J",)):
    return open_report(
        received_at=at(day),
        reporter=reporter,
        subjects=subjects,
        incident={"occurred_on": day, "narrative": "A post."},
        clauses=list(clauses),
    ).case.number


@pytest.fixture
def protected(open_report):
    """Pat (2001) is on the roster, then reports Roe (1234) in good faith on 2026-03-01."""
    report(open_report, "2026-01-05", {"mode": "anonymous"}, [PAT])  # puts Pat on the roster
    return report(open_report, "2026-03-01", REPORTER, [ROE])


def flags(db, admin, number):
    with db.read() as s:
        return show_case(s, admin, number)


def test_reporter_later_made_a_subject_gets_a_retaliation_review(db, admin, open_report, protected):
    later = report(
        open_report, "2026-06-01", {"mode": "named", "name": "Roe", "badge": "1234"}, [PAT]
    )
    data = flags(db, admin, later)
    assert "retaliation_review" in data["flags"]
    (trigger,) = data["retaliation"]["triggers"]
    assert trigger["protected_by"] == protected and trigger["complainant_was_reported"]
    assert data["retaliation"]["blocking"]


def test_a_flagged_case_cannot_close_or_take_discipline_until_reviewed(
    db, admin, open_report, protected, make_user
):
    later = report(open_report, "2026-06-01", {"mode": "anonymous"}, [PAT])
    with db.write(admin) as s:
        perform(s, admin, later, "start")
    # The complaint may be the retaliation: even a finding against Pat waits (§V.C).
    # (Through the services' door, where the protection room's rules join the case's.)
    with db.read() as s:
        allegation = get_case(s, later).allegations[0].id
    with pytest.raises(Blocked, match="retaliation review"):
        allegation_service.record_finding(db, admin, allegation, "sustained", "Seen.")
    with pytest.raises(InputError, match="retaliation review is required"):
        case_service.take_action(db, admin, later, "close")
    with pytest.raises(Blocked, match="retaliation review"), db.write(admin) as s:
        record(s, admin, later, "2001", "training")
    inv = make_user("ia_investigator")
    with pytest.raises(PermissionDenied), db.write(inv) as s:
        record_review(s, inv, later, "no_retaliation", "Looks fine.")
    with pytest.raises(InputError, match="reasoning"), db.write(admin) as s:
        record_review(s, admin, later, "no_retaliation", "")
    with db.write(admin) as s:
        record_review(
            s,
            admin,
            later,
            "no_retaliation",
            "The post was public and reported by a citizen; no link to the report.",
        )
    data = flags(db, admin, later)
    assert "retaliation_review" in data["flags"] and not data["retaliation"]["blocking"]
    assert data["retaliation"]["reviews"][0]["conclusion"] == "no_retaliation"
    with db.write(admin) as s:
        for a in get_case(s, later).allegations:
            screen_if_speech(s, admin, a)
            record_finding(s, admin, a.id, "sustained", "Seen.")
        perform(s, admin, later, "findings")
        record(s, admin, later, "2001", "training")
        perform(s, admin, later, "close")


def test_no_flag_outside_the_window_or_before_the_report(db, admin, open_report):
    report(open_report, "2023-12-01", {"mode": "anonymous"}, [PAT])
    report(open_report, "2024-01-10", REPORTER, [ROE])  # protected from 2024-01-10
    before = report(open_report, "2023-12-20", {"mode": "anonymous"}, [PAT])
    inside = report(open_report, "2025-12-01", {"mode": "anonymous"}, [PAT])
    outside = report(open_report, "2026-03-01", {"mode": "anonymous"}, [PAT])  # 25 months
    assert "retaliation_review" in flags(db, admin, inside)["flags"]
    for number in (before, outside):
        assert "retaliation_review" not in flags(db, admin, number)["flags"]


def test_a_later_report_never_hides_an_earlier_one_that_protects(db, admin, open_report):
    """The list reads one report per subject, the latest received by the case's day: a
    report after the case cannot stand in for the earlier one whose window holds it,
    and a report on the case's own day counts (the window is counted in days)."""
    from ia_desk.casefile.listing import CaseQuery, case_page

    report(open_report, "2025-01-05", {"mode": "anonymous"}, [PAT])
    report(open_report, "2025-06-01", REPORTER, [ROE])  # protects Pat to 2027-06-01
    report(open_report, "2026-05-01", REPORTER, [ROE])  # after the case below
    inside = report(open_report, "2026-03-01", {"mode": "anonymous"}, [PAT])
    # Received at 08:00 on the day of a report received at 09:00: within its window.
    same_day = open_report(
        received_at="2026-05-01T08:00:00-06:00",
        reporter={"mode": "anonymous"},
        subjects=[PAT],
        incident={"occurred_on": "2026-05-01", "narrative": "A post."},
        clauses=["vpd-3.21/III.J"],
    ).case.number
    before = report(open_report, "2025-05-31", {"mode": "anonymous"}, [PAT])
    with db.read() as s:
        listed = {r.number: r.flags for r in case_page(s, admin, CaseQuery(), 0, 50)}
    for number in (inside, same_day):
        assert "retaliation_review" in flags(db, admin, number)["flags"]
        assert "retaliation_review" in listed[number]
    assert "retaliation_review" not in flags(db, admin, before)["flags"]
    assert "retaliation_review" not in listed[before]


def test_the_report_keeps_the_time_it_was_received_beside_the_reporter(db, admin, open_report):
    """The protection window runs from the report's receipt, kept on the reporter's row
    for the list's lookup: the case's own time, in UTC, for every kind of reporter."""
    numbers = [
        report(open_report, "2026-02-03", REPORTER, [ROE]),
        report(open_report, "2026-02-04", {"mode": "anonymous"}, [PAT]),
    ]
    with db.read() as s:
        for number in numbers:
            case = get_case(s, number)
            assert case.reporter.received_at == case.received_at
            assert case.received_at.hour == 15  # 09:00 at UTC-6


def test_anonymous_or_not_in_good_faith_reporters_are_not_protected(db, admin, open_report):
    report(open_report, "2026-01-05", {"mode": "anonymous"}, [PAT])
    report(open_report, "2026-03-01", dict(REPORTER, good_faith=False), [ROE])
    later = report(open_report, "2026-06-01", {"mode": "anonymous"}, [PAT])
    assert "retaliation_review" not in flags(db, admin, later)["flags"]


def test_revoking_protection_needs_an_admin_and_a_reason(
    db, admin, open_report, protected, make_user
):
    later = report(open_report, "2026-06-01", {"mode": "anonymous"}, [PAT])
    inv = make_user("ia_investigator")
    with pytest.raises(PermissionDenied), db.write(inv) as s:
        revoke_protection(s, inv, protected, "False report")
    with pytest.raises(InputError, match="reason"), db.write(admin) as s:
        revoke_protection(s, admin, protected, " ")
    with db.write(admin) as s:
        revoke_protection(s, admin, protected, "Found knowingly false after interviews.")
    assert "retaliation_review" not in flags(db, admin, later)["flags"]
    with db.read() as s:
        ev = s.scalars(
            select(AuditEvent).where(
                AuditEvent.event_type == "protection.revoke", AuditEvent.outcome == "ok"
            )
        ).one()
        assert ev.case_number == protected and ev.user_login == "admin"


def test_anonymity_holds_through_every_output(db, admin, open_report, make_user, tmp_path):
    result = open_report(reporter={"mode": "anonymous"})
    number = result.case.number
    for role in ("ia_investigator", "command_staff"):
        who = make_user(role)
        with db.read() as s:
            assert show_case(s, who, number)["reporter"] == {"mode": "anonymous"}
    with db.read() as s:
        rep = s.scalar(select(Reporter))
        assert [rep.name, rep.badge, rep.phone, rep.email, rep.employee_id] == [None] * 5
    out = tmp_path / "all.json"
    with db.write(admin) as s:
        export_all(s, admin, out)
    exported = json.loads(out.read_text())["cases"][0]["reporter"]
    assert exported == {"mode": "anonymous"}
    with db.read() as s:
        trail = " ".join(e.details for e in s.scalars(select(AuditEvent)))
    assert result.tracking_code not in trail and result.tracking_code not in out.read_text()


def test_tolling_pauses_the_deadline_and_moves_it(db, admin, open_report):
    number = open_report(
        received_at=at("2026-01-05"), incident={"occurred_on": "2026-01-02", "narrative": "x"}
    ).case.number
    assert "overdue" in flags(db, admin, number)["flags"]  # due 2026-04-05
    with db.write(admin) as s:
        toll(s, admin, number, "Criminal investigation takes precedence.", on=dt.date(2026, 3, 1))
    data = flags(db, admin, number)
    assert "tolled" in data["flags"] and "overdue" not in data["flags"]
    with pytest.raises(InputError, match="already tolled"), db.write(admin) as s:
        toll(s, admin, number, "again")
    with db.write(admin) as s:
        new = untoll(s, admin, number, on=dt.date(2026, 3, 11))
    assert new == dt.date(2026, 4, 15)  # ten days later


def test_reporter_update_reminder_after_thirty_days(db, admin, open_report, make_user):
    old = open_report(
        received_at=at("2026-01-05"), incident={"occurred_on": "2026-01-02", "narrative": "x"}
    ).case.number
    assert "reporter_update_due" in flags(db, admin, old)["flags"]
    with db.write(admin) as s:
        record_reporter_update(s, admin, old, "Told the reporter (tracking code) it is open.")
    assert "reporter_update_due" not in flags(db, admin, old)["flags"]
    chief = make_user("command_staff")
    with pytest.raises(PermissionDenied), db.write(chief) as s:
        toll(s, chief, old, "no")


def test_protection_follows_the_badge_of_a_reporter_not_yet_on_the_roster(db, admin, open_report):
    # Quinn (7001) is not on the roster when reporting; a month later Quinn is named.
    first = report(
        open_report,
        "2026-03-01",
        {"mode": "confidential", "name": "Quinn Whistle", "badge": "7001", "good_faith": True},
        [ROE],
    )
    later = report(
        open_report,
        "2026-04-01",
        {"mode": "anonymous"},
        [{"badge": "7001", "name": "Quinn Whistle", "department": "police"}],
    )
    data = flags(db, admin, later)
    assert "retaliation_review" in data["flags"]
    assert data["retaliation"]["triggers"][0]["protected_by"] == first


def test_the_good_faith_report_itself_is_never_alleged_as_misconduct(
    db, admin, open_report, protected
):
    with db.read() as s:
        assert get_case(s, protected).reporter.badge == "2001"
    # Pat reported in good faith in `protected`: alleging against Pat there is refused.
    with pytest.raises(InputError, match="3.21 §V.C"), db.write(admin) as s:
        add_allegation(s, admin, protected, "2001", "vpd-3.21/III.K")
    with db.read() as s:
        assert [a.employee.badge for a in get_case(s, protected).allegations] == ["1234"]
    # Once the protection is revoked (knowingly false), IA may allege.
    with db.write(admin) as s:
        revoke_protection(s, admin, protected, "Interviews show the report was invented.")
    with db.write(admin) as s:
        add_allegation(s, admin, protected, "2001", "vpd-3.21/III.K")
