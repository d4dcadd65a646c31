"""The ladder of 3.21 §V.B: classes, priors in and out of the window, the cap, decisions."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from sqlalchemy import select

from ia_desk.casefile.read import show_case
from ia_desk.cases.allegations import record_finding, review_items
from ia_desk.cases.queries import get_case
from ia_desk.cases.workflow import perform
from ia_desk.db.models import AuditEvent, Clause
from ia_desk.discipline.ladder import ladder, recommend, record
from ia_desk.discipline.matrix import current, shipped_matrix, update_matrix
from ia_desk.errors import InputError, PermissionDenied
from ia_desk.policy import citation

from .conftest import screen_if_speech

BADGE = "1234"


@pytest.fixture
def case_on(db, admin, open_report):
    """case_on(incident_date, clauses, disposition="sustained", badge=BADGE) -> number."""

    def make(
        day: str, clauses: list[str], disposition: str | None = "sustained", badge: str = BADGE
    ) -> str:
        d = dt.date.fromisoformat(day)
        received = dt.datetime.combine(
            d + dt.timedelta(days=2), dt.time(9), tzinfo=dt.timezone(dt.timedelta(hours=-6))
        )
        number = open_report(
            received_at=received.isoformat(),
            subjects=[{"badge": badge, "name": f"Officer {badge}", "department": "police"}],
            incident={"occurred_on": day, "narrative": f"Post of {day}."},
            clauses=clauses,
        ).case.number
        if disposition:
            with db.write(admin) as s:
                perform(s, admin, number, "start")
                for a in get_case(s, number).allegations:
                    if disposition == "sustained":
                        screen_if_speech(s, admin, a)
                    record_finding(
                        s,
                        admin,
                        a.id,
                        disposition,
                        "Found on review.",
                        on=d + dt.timedelta(days=20),
                    )
        return number

    return make


def rec(db, admin, number, badge=BADGE):
    with db.read() as s:
        return recommend(s, admin, number, badge)


@pytest.mark.parametrize(
    ("clause", "step", "rng", "immediate"),
    [
        ("vpd-3.21/III.C", "counseling", ["counseling", "written_reprimand"], False),
        # Body-camera footage, posts on investigations: they compromise one (issue 22).
        ("vpd-3.21/III.D", "training", ["counseling", "suspension"], True),
        ("vpd-3.21/III.M", "written_reprimand", ["training", "termination"], True),
        ("vpd-3.21/IV.D", "written_reprimand", ["training", "termination"], True),
        ("vpd-3.21/IV.B", "suspension", ["written_reprimand", "termination"], True),
    ],
)
def test_each_class_sets_the_presumptive_step_and_range(
    db, admin, case_on, clause, step, rng, immediate
):
    r = rec(db, admin, case_on("2026-06-01", [clause]))
    assert (r["step"], r["range"], r["immediate_action"]) == (step, rng, immediate)
    assert r["priors"] == [] and "No prior sustained case" in r["explanation"]


def test_priors_within_the_window_move_the_step_up_and_are_capped(db, admin, case_on):
    first = case_on("2024-11-01", ["vpd-3.21/III.L"])  # 19 months before: counted
    second = case_on("2025-09-15", ["vpd-3.21/III.J", "vpd-3.21/III.O"])  # counted once
    r = rec(db, admin, case_on("2026-06-01", ["vpd-3.21/III.D"]))
    assert [p["case"] for p in r["priors"]] == [first, second]
    assert r["step"] == "suspension"  # training + 2 rungs
    assert first in r["explanation"] and second in r["explanation"]
    case_on("2026-01-10", ["vpd-3.21/III.F"])
    r = rec(db, admin, case_on("2026-06-20", ["vpd-3.21/III.D"]))
    assert len(r["priors"]) == 4 and r["step"] == "suspension"  # capped by class B's range
    assert "Capped" in r["explanation"]


def test_priors_outside_the_window_or_not_sustained_do_not_count(db, admin, case_on):
    case_on("2023-12-01", ["vpd-3.21/III.L"])  # 30 months before
    case_on("2026-01-01", ["vpd-3.21/III.L"], disposition="exonerated")
    case_on("2026-02-01", ["vpd-3.21/III.L"], disposition=None)
    case_on("2026-03-01", ["vpd-3.21/III.L"], badge="9999")  # someone else
    number = case_on("2026-06-01", ["vpd-3.21/III.D"])
    case_on("2026-08-01", ["vpd-3.21/III.L"])  # later than this incident
    r = rec(db, admin, number)
    assert r["priors"] == [] and r["step"] == "training"


def test_the_most_severe_sustained_allegation_sets_the_class(db, admin, case_on):
    number = case_on("2026-06-01", ["vpd-3.21/III.C", "vpd-3.21/III.M"])
    r = rec(db, admin, number)
    assert r["class"] == "C" and r["step"] == "written_reprimand"
    assert "most severe of 2 sustained" in r["explanation"]


def test_a_shorter_look_back_counts_fewer_priors(db, admin, case_on):
    case_on("2025-09-01", ["vpd-3.21/III.L"])
    number = case_on("2026-06-01", ["vpd-3.21/III.D"])
    assert rec(db, admin, number)["step"] == "written_reprimand"
    content = copy.deepcopy(shipped_matrix())
    content["lookback_months"] = 6
    with db.write(admin) as s:
        assert update_matrix(s, admin, content, "Board decision: six-month look-back") == 2
    r = rec(db, admin, number)
    assert r["step"] == "training" and r["lookback_months"] == 6 and r["matrix_version"] == 2


def test_without_a_sustained_allegation_there_is_no_discipline(db, admin, case_on):
    number = case_on("2026-06-01", ["vpd-3.21/III.D"], disposition="not_sustained")
    r = rec(db, admin, number)
    assert r["step"] is None and "only sustained allegations" in r["explanation"]
    with pytest.raises(InputError, match="only sustained"), db.write(admin) as s:
        record(s, admin, number, BADGE, "counseling")


def test_a_decision_outside_the_range_needs_a_reason(db, admin, case_on, make_user):
    number = case_on("2026-06-01", ["vpd-3.21/III.D"])
    chief = make_user("command_staff")
    with pytest.raises(InputError, match="outside the range"), db.write(chief) as s:
        record(s, chief, number, BADGE, "termination")
    with db.write(chief) as s:
        action = record(
            s,
            chief,
            number,
            BADGE,
            "termination",
            "Third incident this year; the officer refused counseling.",
        )
        assert (action.within_range, action.recommended_step) == (False, "training")
    # A second decision is an amendment, with its reason; the first stays on record.
    with pytest.raises(InputError, match="already has a decision"), db.write(chief) as s:
        record(s, chief, number, BADGE, "training")
    with pytest.raises(InputError, match="reason"), db.write(chief) as s:
        record(s, chief, number, BADGE, "training", amend=True)
    with db.write(chief) as s:
        assert record(
            s, chief, number, BADGE, "training", "Reduced on review.", amend=True
        ).within_range
    with db.read() as s:
        events = [
            (e.event_type, json.loads(e.details))
            for e in s.scalars(select(AuditEvent).where(AuditEvent.event_type.like("discipline.%")))
            if e.outcome == "ok" and e.event_type != "discipline.matrix_load"
        ]
        decided = show_case(s, admin, number)["discipline"]
    assert [(t, e["step"]) for t, e in events] == [
        ("discipline.record", "termination"),
        ("discipline.amend", "training"),
    ]
    assert events[1][1]["previous_step"] == "termination"
    assert [(d["step"], d["current"]) for d in decided] == [
        ("termination", False),
        ("training", True),
    ]


def test_investigators_and_supervisors_do_not_record_discipline(db, case_on, make_user):
    number = case_on("2026-06-01", ["vpd-3.21/III.D"])
    for role in ("ia_investigator", "supervisor"):
        who = make_user(role)
        with pytest.raises(PermissionDenied), db.write(who) as s:
            record(s, who, number, BADGE, "training")


def test_immediate_action_flag_shows_on_the_case(db, admin, case_on):
    number = case_on("2026-06-01", ["vpd-3.21/IV.G"], disposition=None)
    with db.read() as s:
        assert "immediate_action" in show_case(s, admin, number)["flags"]
    other = case_on("2026-06-02", ["vpd-3.21/III.L"], disposition=None)
    with db.read() as s:
        assert "immediate_action" not in show_case(s, admin, other)["flags"]


def test_every_clause_of_both_policies_has_a_class(db):
    matrix = shipped_matrix()
    with db.read() as s:
        clauses = list(s.scalars(select(Clause)))
        ids = {c.clause_id for c in clauses}
        citable = {c.clause_id for c in clauses if citation.of(c).citable}
    # Every clause an allegation may cite has a class; the matrix names no other clause.
    assert citable <= set(matrix["clauses"]) <= ids
    assert len(citable) == 60  # 60 rules of conduct in the two policies

    # What endangers someone or compromises an investigation raises the Chief's
    # immediate action (3.21 §V.B), each with its grounds and reason; §IV.E (personnel
    # records) is a privacy breach that IA raises on the facts when it endangers.
    flagged = {cid for cid, spec in matrix["clauses"].items() if spec["immediate_action"]}
    assert flagged == {
        *(f"vpd-3.21/IV.{letter}" for letter in "ABCDFGHI"),
        "vpd-3.21/III.G",
        "vpd-3.21/III.I",
        "vpd-3.21/III.M",
        "vpd-3.21/II.A.3",
        "vpd-3.21/III.D",
        "city-sn/procedure.7",
        "city-sn/procedure.10",
        "city-sn/procedure.11",
    }
    for cid in flagged:
        spec = matrix["clauses"][cid]
        assert spec["why"] and set(spec["grounds"]) <= {"safety", "investigation"}, cid
    assert "privacy" in matrix["clauses"]["vpd-3.21/IV.E"]["why"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["clauses"].pop("vpd-3.21/III.D"), "no class for vpd-3.21/III.D"),
        (lambda m: m["classes"]["B"].update(presumptive="termination"), "presumptive"),
        (lambda m: m["classes"]["A"].update(range=["suspension", "counseling"]), "lowest step"),
        (lambda m: m.update(lookback_months=0), "lookback_months"),
        (lambda m: m.update(steps=["counseling", "termination"]), "steps"),
    ],
)
def test_a_bad_matrix_is_refused_and_nothing_changes(db, admin, change, message):
    content = copy.deepcopy(shipped_matrix())
    change(content)
    with pytest.raises(InputError, match=message), db.write(admin) as s:
        update_matrix(s, admin, content, "trying")
    with db.read() as s:
        assert current(s)["version"] == 1


def test_only_an_admin_changes_the_matrix(db, make_user):
    inv = make_user("ia_investigator")
    with pytest.raises(PermissionDenied), db.write(inv) as s:
        update_matrix(s, inv, shipped_matrix(), "mine now")


def test_policy_failure_opens_a_review_item(db, admin, case_on):
    number = case_on("2026-06-01", ["vpd-3.21/III.P"], disposition="policy_failure")
    with db.read() as s:
        items = review_items(s, admin, "vpd-3.21")
        assert [(i["clause"], i["case"]) for i in items] == [("vpd-3.21/III.P", number)]
        assert review_items(s, admin, "city-sn") == []


def test_the_ladder_view_lists_rungs_recommendation_and_history(db, admin, case_on):
    earlier = case_on("2025-12-01", ["vpd-3.21/III.L"])
    with db.write(admin) as s:
        record(s, admin, earlier, BADGE, "training")
    number = case_on("2026-06-01", ["vpd-3.21/III.D"])
    with db.read() as s:
        (entry,) = ladder(s, admin, number)
    assert [r["step"] for r in entry["rungs"]] == [
        "counseling",
        "training",
        "written_reprimand",
        "suspension",
        "termination",
    ]
    assert entry["recommendation"]["step"] == "written_reprimand"
    assert entry["history"] == [
        {"case": earlier, "step": "training", "at": dt.date.today().isoformat()}
    ]
