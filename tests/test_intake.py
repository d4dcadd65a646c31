"""Report intake: a good report opens a case; a bad one is refused naming the field,
and nothing at all is stored."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from ia_desk.casefile.read import show_case
from ia_desk.cases.intake import open_case, parse_json, parse_report
from ia_desk.cases.tracking import code_hash, normalise
from ia_desk.db.models import Allegation, AuditEvent, Case, Employee, Incident, Reporter
from ia_desk.errors import InputError, PermissionDenied

from .conftest import report_doc


def counts(db) -> tuple[int, ...]:
    with db.read() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m)) or 0
            for m in (Case, Reporter, Incident, Allegation, Employee, AuditEvent)
        )


def test_report_opens_a_case_with_subjects_incident_and_allegations(db, admin, open_report):
    result = open_report()
    assert result.case.number == "IA-2026-0001"
    with db.read() as s:
        data = show_case(s, admin, "IA-2026-0001")
    assert data["status"] == "received"
    assert data["received_at"] == "2026-11-02T09:15:00-06:00"
    assert data["deadline"] == "2027-01-31"  # 90 days from receipt
    assert data["subjects"][0]["badge"] == "1234" and data["subjects"][0]["unit"] == "Patrol"
    assert [(a["employee"], a["clause"]) for a in data["allegations"]] == [
        ("1234", "vpd-3.21/III.M")
    ]
    assert data["reporter"]["name"] == "Pat Quill"  # IA may see a confidential identity


def test_case_numbers_are_sequential_per_year(open_report):
    assert open_report().case.number == "IA-2026-0001"
    assert open_report().case.number == "IA-2026-0002"
    assert (
        open_report(
            received_at="2025-12-31T23:59:00-06:00",
            incident={"occurred_on": "2025-12-30", "narrative": "x"},
        ).case.number
        == "IA-2025-0001"
    )
    assert open_report().case.number == "IA-2026-0003"


def test_anonymous_report_stores_no_identity_and_returns_a_tracking_code(db, admin, open_report):
    result = open_report(reporter={"mode": "anonymous"})
    assert normalise(result.tracking_code) == result.tracking_code
    with db.read() as s:
        rep = s.scalar(select(Reporter))
        assert (rep.name, rep.badge, rep.phone, rep.email, rep.employee_id) == (
            None,
            None,
            None,
            None,
            None,
        )
        assert rep.tracking_hash == code_hash(result.tracking_code)
        assert result.tracking_code not in json.dumps(
            [e.details for e in s.scalars(select(AuditEvent))]
        )
        assert show_case(s, admin, result.case.number)["reporter"] == {"mode": "anonymous"}


def test_anonymous_report_with_an_identity_is_refused(db, open_report):
    before = counts(db)
    with pytest.raises(InputError, match="reporter.name: an anonymous report carries no identity"):
        open_report(reporter={"mode": "anonymous", "name": "Someone"})
    assert counts(db) == before


def test_repeat_anonymous_report_links_by_tracking_code(open_report):
    first = open_report(reporter={"mode": "anonymous"})
    second = open_report(
        reporter={"mode": "anonymous", "tracking_code": first.tracking_code.lower()}
    )
    assert second.linked_cases == [first.case.number]
    assert second.tracking_code == first.tracking_code


def test_unknown_tracking_code_is_refused(db, open_report):
    with pytest.raises(InputError, match="reporter.tracking_code: no earlier report"):
        open_report(reporter={"mode": "anonymous", "tracking_code": "AAAA-BBBB-CCCC"})


def test_unknown_subject_is_added_to_the_roster_and_known_one_reused(db, open_report):
    open_report()
    open_report(subjects=[{"badge": "1234"}])
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Employee)) == 1


BAD = [
    ({"channel": "carrier pigeon"}, "channel: must be one of"),
    ({"received_at": "yesterday"}, "received_at: 'yesterday' is not a date-time"),
    ({"received_at": "2026-11-02T09:15:00"}, "received_at: give the UTC offset"),
    ({"received_at": "2099-01-01T00:00:00+00:00"}, "received_at: lies in the future"),
    ({"reporter": {"mode": "secret"}}, "reporter.mode: must be one of"),
    ({"reporter": {"mode": "named"}}, "reporter.name: required"),
    ({"reporter": {"mode": "named", "name": "A", "email": "nope"}}, "reporter.email"),
    ({"reporter": {"mode": "named", "name": "A", "good_faith": "yes"}}, "reporter.good_faith"),
    ({"subjects": []}, "subjects: a list of at least one"),
    ({"subjects": [{"badge": "9"}]}, r"subjects\[0\].name: badge 9 is not on the roster"),
    ({"subjects": [{"badge": "9", "name": "N"}]}, r"subjects\[0\].department"),
    ({"subjects": [{"badge": 12}]}, r"subjects\[0\].badge: must be text"),
    (
        {"subjects": [{"badge": "1", "name": "A", "department": "fire"}]},
        r"subjects\[0\].department: must be one of",
    ),
    ({"incident": {"narrative": "x"}}, "incident.occurred_on: required"),
    ({"incident": {"occurred_on": "30/10/2026", "narrative": "x"}}, "incident.occurred_on"),
    ({"incident": {"occurred_on": "2026-10-30"}}, "incident.narrative: required"),
    (
        {"incident": {"occurred_on": "2026-10-30", "narrative": "x", "url": "javascript:alert(1)"}},
        "incident.url: must be a web address",
    ),
    (
        {"incident": {"occurred_on": "2026-12-30", "narrative": "x"}},
        "incident.occurred_on: after the report was received",
    ),
    (
        {"incident": {"occurred_on": "2026-10-30", "narrative": "a\x00b"}},
        "incident.narrative: contains control characters",
    ),
    ({"clauses": ["vpd-3.21/III.ZZ"]}, r"clauses\[0\]: Unknown clause 'vpd-3.21/III.ZZ'"),
    ({"clauses": ["nonsense"]}, r"clauses\[0\]: 'nonsense' is not a clause id"),
    ({"clauses": "vpd-3.21/III.M"}, "clauses: a list of clause ids"),
    (
        {
            "clauses": ["city-sn/procedure.7"],
            "subjects": [{"badge": "1", "name": "A", "department": "police"}],
        },
        None,
    ),  # city policy binds police
    (
        {
            "subjects": [{"badge": "1", "name": "A", "department": "city"}],
            "clauses": ["vpd-3.21/III.M"],
        },
        r"clauses\[0\]: vpd-3.21/III.M does not apply",
    ),
    ({"surprise": 1}, "surprise: unknown field"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_report_is_refused_naming_the_field_and_nothing_is_stored(db, admin, change, message):
    before = counts(db)
    if message is None:  # the control case: valid
        with db.write(admin) as s:
            open_case(s, admin, parse_report(report_doc(**change)))
        assert counts(db) != before
        return
    with pytest.raises(InputError, match=message), db.write(admin) as s:
        open_case(s, admin, parse_report(report_doc(**change)))
    assert counts(db) == before


@pytest.mark.parametrize("raw", [b"", b"{", b"[1, 2]", b"\xff\xfe", b"null", b'"text"'])
def test_malformed_json_is_refused(raw):
    with pytest.raises(InputError):
        parse_report(parse_json(raw))


def test_command_staff_may_not_submit_reports_and_the_denial_is_audited(db, make_user):
    chief = make_user("command_staff")
    before = counts(db)
    with pytest.raises(PermissionDenied), db.write(chief) as s:
        open_case(s, chief, parse_report(report_doc()))
    after = counts(db)
    assert after[:5] == before[:5] and after[5] == before[5] + 1
    with db.read() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (last.event_type, last.outcome, last.user_login) == (
            "case.intake",
            "denied",
            chief.login,
        )


def test_intake_is_audited_without_identity(db, open_report):
    result = open_report()
    with db.read() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.event_type == "case.intake")).one()
        assert ev.case_number == result.case.number and ev.outcome == "ok"
        details = json.loads(ev.details)
        assert details["reporter_mode"] == "confidential"
        assert "Pat Quill" not in ev.details and "601-555-0199" not in ev.details
