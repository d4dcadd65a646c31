"""The case workflow: explicit, audited actions; illegal moves refused and not offered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ia_desk.casefile.listing import CaseQuery, case_page, count_matching
from ia_desk.casefile.read import cases_citing, employee_history, timeline
from ia_desk.cases.allegations import record_finding
from ia_desk.cases.queries import get_case
from ia_desk.cases.workflow import available_actions, perform
from ia_desk.db.models import AuditEvent
from ia_desk.errors import ConflictError, InputError, PermissionDenied


def actions(db, actor, number):
    with db.read() as s:
        return [a.name for a in available_actions(get_case(s, number), actor)]


def test_a_case_moves_through_its_workflow(db, admin, make_user, open_report):
    inv = make_user("ia_investigator")
    number = open_report().case.number
    assert actions(db, admin, number) == ["assign", "start"]
    with db.write(admin) as s:
        perform(s, admin, number, "assign", assignee=inv.login)
    with db.write(inv) as s:
        perform(s, inv, number, "start")
    assert "findings" not in actions(db, inv, number)  # allegation has no finding yet
    with db.write(inv) as s, pytest.raises(InputError, match="1 allegation"):
        perform(s, inv, number, "findings")
    with db.write(inv) as s:
        a = get_case(s, number).allegations[0]
        record_finding(s, inv, a.id, "sustained", "The post is on the screenshot.")
    with db.write(inv) as s:
        perform(s, inv, number, "findings")
    with db.write(inv) as s:
        case = perform(s, inv, number, "close")
        assert case.status == "closed" and case.closed_at is not None
    assert actions(db, inv, number) == []  # only an admin reopens
    with db.write(admin) as s:
        perform(s, admin, number, "reopen", reason="New screenshot came in.")
    with db.read() as s:
        kinds = [
            e.event_type
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.case_number == number).order_by(AuditEvent.seq)
            )
        ]
    assert kinds == [
        "case.intake",
        "case.assign",
        "case.start",
        "allegation.find",
        "case.findings",
        "case.close",
        "case.reopen",
    ]


def test_illegal_transitions_are_refused(db, admin, open_report):
    number = open_report().case.number
    with pytest.raises(InputError, match="the case is received"), db.write(admin) as s:
        perform(s, admin, number, "close")
    with pytest.raises(InputError, match="action: must be one of"), db.write(admin) as s:
        perform(s, admin, number, "teleport")


def test_investigators_work_only_on_their_own_or_unassigned_cases(
    db, admin, make_user, open_report
):
    mine, other = make_user("ia_investigator"), make_user("ia_investigator")
    number = open_report().case.number
    with db.write(mine) as s:
        perform(s, mine, number, "start")  # takes the unassigned case
    assert actions(db, other, number) == []
    with pytest.raises(PermissionDenied), db.write(other) as s:
        perform(s, other, number, "assign", assignee=other.login)
    another = get_case_number(open_report())
    with pytest.raises(PermissionDenied), db.write(mine) as s:
        perform(s, mine, another, "assign", assignee=other.login)


def get_case_number(result):
    return result.case.number


def test_supervisors_and_command_staff_cannot_move_cases(db, make_user, open_report):
    number = open_report().case.number
    for role in ("supervisor", "command_staff"):
        who = make_user(role)
        assert actions(db, who, number) == []
        with pytest.raises(PermissionDenied), db.write(who) as s:
            perform(s, who, number, "start")


def test_a_stale_version_is_a_conflict(db, admin, open_report):
    number = open_report().case.number
    with db.read() as s:
        seen = get_case(s, number).version_id
    with db.write(admin) as s:
        perform(s, admin, number, "start")
    with pytest.raises(ConflictError, match="changed by someone else"), db.write(admin) as s:
        perform(s, admin, number, "findings", expected_version=seen)


def test_assignee_must_be_an_active_ia_user(db, admin, make_user, open_report):
    sup = make_user("supervisor")
    number = open_report().case.number
    with pytest.raises(InputError, match="not an active IA"), db.write(admin) as s:
        perform(s, admin, number, "assign", assignee=sup.login)


def test_case_list_filters_sorts_and_pages(db, admin, open_report):
    open_report()
    open_report(
        received_at="2026-10-01T08:00:00-05:00",
        incident={"occurred_on": "2026-09-30", "narrative": "Meme mocking the chief."},
        clauses=["vpd-3.21/III.L"],
    )
    open_report(subjects=[{"badge": "77", "name": "Alan Aardvark", "department": "police"}])
    with db.read() as s:
        q = CaseQuery()
        assert count_matching(s, admin, q) == 3
        assert [r.number for r in case_page(s, admin, q)] == [
            "IA-2026-0003",
            "IA-2026-0001",
            "IA-2026-0002",
        ]
        assert [
            r.number for r in case_page(s, admin, CaseQuery(sort="subjects", descending=False))
        ][0] == ("IA-2026-0003")
        assert [r.number for r in case_page(s, admin, q, offset=1, limit=1)] == ["IA-2026-0001"]
        by_clause = CaseQuery(clause="vpd-3.21/III.L")
        assert [r.number for r in case_page(s, admin, by_clause)] == ["IA-2026-0002"]
        assert count_matching(s, admin, CaseQuery(employee="77")) == 1
        assert count_matching(s, admin, CaseQuery(search="chief")) == 1
        import datetime as dt

        assert count_matching(s, admin, CaseQuery(received_to=dt.date(2026, 10, 15))) == 1
        with pytest.raises(InputError, match="sort: must be one of"):
            case_page(s, admin, CaseQuery(sort="colour"))


@pytest.mark.parametrize("few", [0, 2000])
def test_search_counts_and_pages_agree_with_and_without_other_filters(
    db, admin, open_report, monkeypatch, few
):
    """The count of a plain search comes straight from the index; with filters it comes
    from the filtered query. Both must agree with the pages listed, in sort order, whether
    the matches are fetched by key (few) or found walking the sort index (many)."""
    from ia_desk.cases import search
    from ia_desk.services.demo import add_demo_data

    monkeypatch.setattr(search, "FEW", few)
    with db.write(admin) as s:
        add_demo_data(s, admin, count=60, with_evidence=False)
    with db.read() as s:
        for words in ("patrol", "facebook post", "Officer", "zzqx", "IA 2026"):
            plain = CaseQuery(search=words)
            listed = case_page(s, admin, plain, limit=None)
            assert count_matching(s, admin, plain) == len(listed), words
            received = [r.received_at for r in listed]
            assert received == sorted(received, reverse=True)
            open_only = CaseQuery(search=words, status="received")
            narrowed = case_page(s, admin, open_only, limit=None)
            assert count_matching(s, admin, open_only) == len(narrowed)
            assert {r.number for r in narrowed} <= {r.number for r in listed}
            assert all(r.status == "received" for r in narrowed)
            first = case_page(s, admin, plain, limit=7)
            assert [r.number for r in first] == [r.number for r in listed[:7]]


def test_timeline_history_and_clause_cases(db, admin, open_report):
    number = open_report().case.number
    with db.read() as s:
        events = timeline(s, admin, number)
        assert events[-1]["event"] == "case.intake"
        hist = employee_history(s, admin, "1234")
        assert [a["case"] for a in hist["allegations"]] == [number]
        assert cases_citing(s, admin, "vpd-3.21/III.M") == [number]
