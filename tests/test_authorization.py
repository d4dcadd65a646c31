"""Every write to a case holds to one rule, in the services; the window offers what the
services allow; refusals are audited under the case's number."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from ia_desk.audit.trail import list_events
from ia_desk.casefile.actions import case_actions
from ia_desk.casefile.read import show_case
from ia_desk.cases.allegations import add_allegation, record_finding
from ia_desk.cases.deadlines import record_reporter_update, toll
from ia_desk.cases.interviews import record_interview
from ia_desk.cases.queries import get_case
from ia_desk.cases.redaction import add_redaction
from ia_desk.cases.workflow import perform
from ia_desk.db.models import Allegation, AuditEvent
from ia_desk.discipline.immediate import record_step
from ia_desk.discipline.ladder import record
from ia_desk.errors import IADeskError, InputError, PermissionDenied
from ia_desk.evidence.store import EvidenceInput, add_evidence
from ia_desk.reports.stats import compute
from ia_desk.security.roles import PERMISSIONS, ROLE_LABELS

from .conftest import hear_first, screen_if_speech
from .test_interviews import subject_interview
from .test_summary import png


def allegation_of(db, number) -> int:
    with db.read() as s:
        return get_case(s, number).allegations[0].id


@pytest.fixture
def colleagues_case(db, admin, open_report, make_user):
    """A case an investigator took; another investigator and the case number."""
    owner, other = make_user("ia_investigator"), make_user("ia_investigator")
    number = open_report().case.number
    with db.write(owner) as s:
        perform(s, owner, number, "start")
    return owner, other, number


def test_an_investigator_cannot_write_to_a_colleagues_case(db, colleagues_case):
    owner, other, number = colleagues_case
    aid = allegation_of(db, number)
    attempts = {
        "allegation.add": lambda s: add_allegation(s, other, number, "1234", "vpd-3.21/III.L"),
        "allegation.find": lambda s: record_finding(s, other, aid, "sustained", "Seen."),
        "case.redact": lambda s: add_redaction(s, other, number, "Pat", "reporter"),
        "case.toll": lambda s: toll(s, other, number, "Waiting."),
        "case.reporter_update": lambda s: record_reporter_update(s, other, number, "Told."),
        "evidence.add": lambda s: add_evidence(
            s, other, number, [EvidenceInput(png("red"), "a.png")]
        ),
    }
    for event, attempt in attempts.items():
        denied = pytest.raises(PermissionDenied, match="assigned to another investigator")
        with denied, db.write(other) as s:
            attempt(s)
        with db.read() as s:
            refused = list_events(s, _admin(s), case=number, event=event)
        assert [e["outcome"] for e in refused] == ["denied"], event
    with db.read() as s:
        case = get_case(s, number)
        assert [a.id for a in case.allegations] == [aid] and case.allegations[0].disposition is None
        assert case.tolled_since is None and case.evidence == []
    with db.write(owner) as s:  # the owner may
        record_finding(s, owner, aid, "sustained", "The screenshot shows the post.")


def _admin(s):
    from ia_desk.accounts.users import unlock_actor

    from .conftest import PASSWORD

    return unlock_actor(s, "admin", PASSWORD)


def test_a_closed_case_takes_no_new_allegation_or_finding_and_stays_closed(db, admin, open_report):
    number = open_report().case.number
    aid = allegation_of(db, number)
    with db.write(admin) as s:
        perform(s, admin, number, "start")
        record_finding(s, admin, aid, "not_sustained", "Nothing on the page.")
        perform(s, admin, number, "findings")
        perform(s, admin, number, "close")
    for attempt in (
        lambda s: add_allegation(s, admin, number, "1234", "vpd-3.21/III.L"),
        lambda s: record_finding(s, admin, aid, "sustained", "Changed my mind."),
        lambda s: toll(s, admin, number, "Later."),
        lambda s: add_evidence(s, admin, number, [EvidenceInput(png("red"), "late.png")]),
    ):
        with pytest.raises(InputError, match="closed|findings"), db.write(admin) as s:
            attempt(s)
    with db.read() as s:
        case = get_case(s, number)
        assert case.status == "closed" and len(case.allegations) == 1
        assert case.allegations[0].disposition == "not_sustained" and case.evidence == []
    with db.write(admin) as s:  # telling the reporter the outcome comes after closing
        record_reporter_update(s, admin, number, "Told the reporter: not sustained.")


def test_a_finding_needs_a_rationale_and_an_investigation_under_way(db, admin, open_report):
    number = open_report().case.number
    aid = allegation_of(db, number)
    with pytest.raises(InputError, match="under investigation"), db.write(admin) as s:
        record_finding(s, admin, aid, "sustained", "Seen.")
    with db.write(admin) as s:
        perform(s, admin, number, "start")
    for blank in (None, "", "   "):
        with pytest.raises(InputError, match="rationale: required"), db.write(admin) as s:
            record_finding(s, admin, aid, "sustained", blank)
    with db.read() as s:
        assert s.get(Allegation, aid).disposition is None


def test_discipline_waits_for_every_finding_and_a_second_decision_is_counted_once(
    db, admin, open_report, make_user
):
    number = open_report(clauses=["vpd-3.21/III.L", "vpd-3.21/III.J"]).case.number
    chief = make_user("command_staff")
    with db.write(admin) as s:
        perform(s, admin, number, "start")
        first = get_case(s, number).allegations[0]
        screen_if_speech(s, admin, first)
        record_finding(s, admin, first.id, "sustained", "Seen.")
    with pytest.raises(InputError, match="1 allegation"), db.write(chief) as s:
        record(s, chief, number, "1234", "written_reprimand")
    with db.write(admin) as s:
        second = get_case(s, number).allegations[1]
        screen_if_speech(s, admin, second)
        record_finding(s, admin, second.id, "sustained", "Seen too.")
    with db.write(chief) as s:
        record(s, chief, number, "1234", "written_reprimand", "Posted while on duty.")
    with pytest.raises(InputError, match="already has a decision"), db.write(chief) as s:
        record(s, chief, number, "1234", "suspension", "Second thoughts.")
    with db.write(chief) as s:
        hear_first(s, chief, number, "1234")
        record(
            s,
            chief,
            number,
            "1234",
            "suspension",
            "Aggravated: posted twice.",
            amend=True,
            suspension_days=3,
            without_pay=True,
        )
    with db.read() as s:
        steps = compute(s, admin, dt.date(2026, 1, 1), dt.date(2026, 12, 31))["discipline_by_step"]
        history = [(d["step"], d["current"]) for d in show_case(s, admin, number)["discipline"]]
    assert sum(steps.values()) == 1 and steps["suspension"] == 1
    assert history == [("written_reprimand", False), ("suspension", True)]


def test_the_window_is_offered_exactly_what_the_services_allow(
    db, admin, colleagues_case, make_user
):
    owner, other, number = colleagues_case
    chief = make_user("command_staff")
    with db.read() as s:
        case = get_case(s, number)
        for_other = {a.name: a for a in case_actions(s, other, case)}
        for_owner = {a.name: a for a in case_actions(s, owner, case)}
        for_chief = {a.name: a for a in case_actions(s, chief, case)}
    # A colleague's case: every write is offered disabled, with the reason.
    for name in ("toll", "reporter_update", "redact", "add_allegation", "record_finding"):
        assert not for_other[name].allowed and "another investigator" in for_other[name].why_not
        assert for_owner[name].allowed, name
    assert not any(a.allowed for n, a in for_other.items() if n != "print")
    # III.M raises the Chief's immediate action: the Chief's office records what was done.
    assert set(for_chief) == {
        "record_discipline",
        "immediate_step",
        "sign_off",
        "return_findings",
        "record_interview",
        "print",
    }
    assert for_chief["immediate_step"].allowed
    # Interviews (issue 22): command staff read them, IA records them.
    assert for_chief["record_interview"].why_not == "only IA records interviews"
    # The Chief's step of the review chain: offered, and not before the findings are in.
    for name in ("sign_off", "return_findings"):
        assert for_chief[name].why_not == "its findings are not complete", name
    with db.write(chief) as s:
        record_step(s, chief, number, "take_down_order")
    # ... and the services agree, action by action.
    services = {
        "toll": lambda s, who: toll(s, who, number, "Waiting for the criminal case."),
        "redact": lambda s, who: add_redaction(s, who, number, "Roe", "other"),
        "add_allegation": lambda s, who: add_allegation(s, who, number, "1234", "vpd-3.21/III.L"),
        "record_interview": lambda s, who: record_interview(
            s, who, number, subject_interview(interviewers=[who.login])
        ),
    }
    for name, call in services.items():
        for who, offered in ((other, for_other), (owner, for_owner)):
            try:
                with db.write(who) as s:
                    call(s, who)
                done = True
            except IADeskError:
                done = False
            assert done == offered[name].allowed, (name, who.login)


def test_a_denied_action_is_found_by_its_case_number(db, open_report, make_user, admin):
    number = open_report().case.number
    chief = make_user("command_staff")
    with pytest.raises(PermissionDenied), db.write(chief) as s:
        add_allegation(s, chief, number, "1234", "vpd-3.21/III.L")
    with pytest.raises(PermissionDenied), db.write(chief) as s:
        perform(s, chief, number, "start")
    with db.read() as s:
        denied = s.scalars(
            select(AuditEvent.event_type).where(
                AuditEvent.outcome == "denied", AuditEvent.case_number == number
            )
        ).all()
    assert set(denied) == {"allegation.add", "case.start"}


def test_a_refusal_says_who_may_not_do_what_in_words(db, make_user):
    """A refusal reads as a sentence of IA work ("a IA investigator may not user manage"
    was what an investigator read), and is still audited."""
    from ia_desk.security.roles import REFUSED, ROLE_PLURALS
    from ia_desk.services import accounts

    assert set(REFUSED) == set(PERMISSIONS)
    assert set(ROLE_PLURALS) == set(ROLE_LABELS)
    inv = make_user("ia_investigator")
    with pytest.raises(PermissionDenied) as refused:
        accounts.add_user(db, inv, "newcomer", "supervisor", "A Newcomer", "x" * 16)
    assert str(refused.value) == (
        "Permission denied: IA investigators may not manage user accounts."
    )
    chief = make_user("command_staff")
    with pytest.raises(PermissionDenied) as refused, db.write(chief) as s:
        add_allegation(s, chief, "IA-2026-0001", "1234", "vpd-3.21/III.L")
    assert str(refused.value) == "Permission denied: command staff may not add allegations."
    with db.read() as s:
        denied = s.scalars(
            select(AuditEvent.user_login).where(
                AuditEvent.outcome == "denied", AuditEvent.event_type == "user.add"
            )
        ).all()
    assert denied == [inv.login]
