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

from .conftest import hear_first, screen_if_speech

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
        ("vpd-3.21/III.Q", "training", ["counseling", "suspension"], False),
        # Body-camera footage, posts on investigations: they compromise one (issue 22);
        # §III.D is class C for its graver rule (matrix version 3, issue 23).
        ("vpd-3.21/III.D", "written_reprimand", ["training", "termination"], True),
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
    r = rec(db, admin, case_on("2026-06-01", ["vpd-3.21/III.Q"]))
    assert [p["case"] for p in r["priors"]] == [first, second]
    assert r["step"] == "suspension"  # training + 2 rungs
    assert first in r["explanation"] and second in r["explanation"]
    case_on("2026-01-10", ["vpd-3.21/III.F"])
    r = rec(db, admin, case_on("2026-06-20", ["vpd-3.21/III.Q"]))
    assert len(r["priors"]) == 4 and r["step"] == "suspension"  # capped by class B's range
    assert "Capped" in r["explanation"]


def test_priors_outside_the_window_or_not_sustained_do_not_count(db, admin, case_on):
    case_on("2023-12-01", ["vpd-3.21/III.L"])  # 30 months before
    case_on("2026-01-01", ["vpd-3.21/III.L"], disposition="exonerated")
    case_on("2026-02-01", ["vpd-3.21/III.L"], disposition=None)
    case_on("2026-03-01", ["vpd-3.21/III.L"], badge="9999")  # someone else
    number = case_on("2026-06-01", ["vpd-3.21/III.Q"])
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
    number = case_on("2026-06-01", ["vpd-3.21/III.Q"])
    assert rec(db, admin, number)["step"] == "written_reprimand"
    content = copy.deepcopy(shipped_matrix())
    content["lookback_months"] = 6
    with db.write(admin) as s:
        assert update_matrix(s, admin, content, "Board decision: six-month look-back") == 2
    r = rec(db, admin, number)
    assert r["step"] == "training" and r["lookback_months"] == 6 and r["matrix_version"] == 2


def test_without_a_sustained_allegation_there_is_no_discipline(db, admin, case_on):
    number = case_on("2026-06-01", ["vpd-3.21/III.Q"], disposition="not_sustained")
    r = rec(db, admin, number)
    assert r["step"] is None and "only sustained allegations" in r["explanation"]
    with pytest.raises(InputError, match="only sustained"), db.write(admin) as s:
        record(s, admin, number, BADGE, "counseling")


def test_a_decision_outside_the_range_needs_a_reason(db, admin, case_on, make_user):
    number = case_on("2026-06-01", ["vpd-3.21/III.Q"])
    chief = make_user("command_staff")
    with db.write(chief) as s:
        hear_first(s, chief, number, BADGE)
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
    hearing = [(t, e["employee"]) for t, e in events[:2]]
    assert hearing == [("discipline.notice", BADGE), ("discipline.response", BADGE)]
    events = events[2:]
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
    number = case_on("2026-06-01", ["vpd-3.21/III.Q"])
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
    number = case_on("2026-06-01", ["vpd-3.21/III.Q"])
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


# -- the ladder, checked by hand (issue 23) ----------------------------------------------


def test_a_fourth_case_moves_the_range_and_a_lower_step_needs_its_reason(db, admin, case_on):
    """Three priors of class B: the step is Suspension and the range has moved up with
    it, so Counseling is outside the range and needs the mitigating factors in words."""
    priors = [
        case_on(day, ["vpd-3.21/III.Q"]) for day in ("2025-01-10", "2025-05-10", "2025-09-10")
    ]
    number = case_on("2026-06-01", ["vpd-3.21/III.Q"])
    r = rec(db, admin, number)
    assert r["step"] == "suspension" and r["range"] == ["suspension", "suspension"]
    assert r["class_range"] == ["counseling", "suspension"]
    assert all(p in r["explanation"] for p in priors)
    assert "the range now starts at Suspension" in r["explanation"]
    assert "Discipline matrix version 1." in r["explanation"]
    with (
        pytest.raises(InputError, match="below the recommended Suspension") as refused,
        db.write(admin) as s,
    ):
        record(s, admin, number, BADGE, "counseling")
    assert "mitigating" in refused.value.message and refused.value.field == "reason"
    with db.read() as s:
        assert ladder(s, admin, number)[0]["decisions"] == []  # nothing half-written
    with db.write(admin) as s:
        action = record(
            s, admin, number, BADGE, "counseling", "Self-reported, removed within the hour."
        )
        assert (action.within_range, action.recommended_step) == (False, "suspension")


def test_any_step_but_the_recommended_needs_a_reason_even_inside_the_range(db, admin, case_on):
    number = case_on("2026-06-01", ["vpd-3.21/III.Q"])  # class B: training, no priors
    for step, words in (("counseling", "mitigating"), ("written_reprimand", "aggravating")):
        with pytest.raises(InputError, match=words), db.write(admin) as s:
            record(s, admin, number, BADGE, step, "   ")
    with db.write(admin) as s:
        assert record(s, admin, number, BADGE, "training").reason is None  # recommended
    with pytest.raises(InputError, match="reason"), db.write(admin) as s:
        record(s, admin, number, BADGE, "written_reprimand", amend=True)
    with db.write(admin) as s:
        amended = record(
            s, admin, number, BADGE, "written_reprimand", "The post stayed up a month.", amend=True
        )
        assert amended.within_range and amended.amends_id is not None


def test_a_suspension_has_its_days_and_pay(db, admin, case_on):
    number = case_on("2026-06-01", ["vpd-3.21/IV.B"])  # class D: suspension
    with db.write(admin) as s:
        hear_first(s, admin, number, BADGE)
    for kwargs, words in (
        ({}, "needs its length in days"),
        ({"suspension_days": 0, "without_pay": True}, "from 1 to 365"),
        ({"suspension_days": 400, "without_pay": True}, "from 1 to 365"),
        ({"suspension_days": 5}, "with or without pay"),
    ):
        with pytest.raises(InputError, match=words), db.write(admin) as s:
            record(s, admin, number, BADGE, "suspension", **kwargs)
    with pytest.raises(InputError, match="only a suspension"), db.write(admin) as s:
        record(s, admin, number, BADGE, "termination", "Second disclosure.", suspension_days=3)
    with db.write(admin) as s:
        action = record(s, admin, number, BADGE, "suspension", suspension_days=10, without_pay=True)
        assert (action.suspension_days, action.without_pay) == (10, True)
    with db.read() as s:
        (entry,) = ladder(s, admin, number)
        details = json.loads(
            s.scalars(
                select(AuditEvent.details).where(AuditEvent.event_type == "discipline.record")
            ).one()
        )
    assert entry["decisions"][0]["length"] == "10 days without pay"
    assert (details["suspension_days"], details["without_pay"]) == (10, True)


def test_the_look_back_window_has_one_source(db, admin):
    from ia_desk.settings import all_settings, set_setting

    with pytest.raises(InputError, match="part of the discipline matrix"), db.write(admin) as s:
        set_setting(s, admin, "lookback_months", 1)
    with db.read() as s:
        assert "lookback_months" not in {x["key"] for x in all_settings(s)}
        assert current(s)["lookback_months"] == 24


@pytest.mark.parametrize(("stored", "version", "months"), [("6", 2, 6), ("24", 1, 24)])
def test_a_look_back_setting_left_by_an_earlier_version_moves_into_the_matrix(
    db, admin, case_on, stored, version, months
):
    """An earlier version kept a ``lookback_months`` setting the ladder never read; at
    start-up a different value becomes a matrix version and the setting goes."""
    from ia_desk.db.models import Setting
    from ia_desk.startup.opening import _load_reference_data

    case_on("2025-09-01", ["vpd-3.21/III.Q"])
    number = case_on("2026-06-01", ["vpd-3.21/III.Q"])
    with db.write(None) as s:
        s.add(Setting(key="lookback_months", value=stored))
    _load_reference_data(db)  # what start-up runs
    _load_reference_data(db)  # and again: nothing more happens
    with db.read() as s:
        assert s.get(Setting, "lookback_months") is None
        m = current(s)
        moved = [
            json.loads(e.details)
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.event_type == "discipline.lookback_moved")
            )
        ]
    assert (m["version"], m["lookback_months"]) == (version, months)
    assert len(moved) == 1 and moved[0]["setting"] == int(stored)
    assert rec(db, admin, number)["step"] == ("training" if months == 6 else "written_reprimand")


# The same harm, wherever a policy writes it, gets the same class (issue 23).
SAME_HARM = {
    "discriminatory, harassing or threatening content": (
        "C",
        [
            "vpd-3.21/IV.I",
            "vpd-3.21/III.G",
            "vpd-3.21/III.O",
            "vpd-3.21/III.N.1",
            "city-sn/procedure.11",
        ],
    ),
    "co-workers' personal or contact information": (
        "C",
        ["vpd-3.21/III.I", "city-sn/procedure.7"],
    ),
    "personnel records and body-worn camera footage": ("C", ["vpd-3.21/IV.E", "vpd-3.21/III.D"]),
    "posts on investigations": (
        "C",
        ["vpd-3.21/III.M", "vpd-3.21/II.A.3", "city-sn/procedure.10"],
    ),
    "logos, uniforms and equipment without consent": (
        "B",
        ["vpd-3.21/III.Q", "city-sn/procedure.3"],
    ),
    "remarks that discredit the employer": (
        "B",
        ["vpd-3.21/III.J", "vpd-3.21/III.L", "city-sn/procedure.8", "city-sn/procedure.9"],
    ),
    "unprofessional language or images": ("B", ["vpd-3.21/II.E", "vpd-3.21/III.F"]),
    "political activity": ("B", ["vpd-3.21/IV.J", "vpd-3.21/II.A.4"]),
    "references through social networking": (
        "A",
        ["vpd-3.21/II.F", "vpd-3.21/III.H", "city-sn/procedure.6"],
    ),
    "network use": ("A", ["vpd-3.21/III.C", "city-sn/procedure.2"]),
    "approval paperwork": (
        "A",
        ["vpd-3.21/III.E", "city-sn/procedure.4", "vpd-3.21/III.R", "city-sn/procedure.5"],
    ),
    "advice on one's own personal information": ("A", ["vpd-3.21/III.P", "city-sn/procedure.12"]),
}


@pytest.mark.parametrize("harm", sorted(SAME_HARM))
def test_the_same_harm_gets_the_same_class(harm):
    cls, clauses = SAME_HARM[harm]
    matrix = shipped_matrix()
    assert {cid: matrix["clauses"][cid]["class"] for cid in clauses} == dict.fromkeys(clauses, cls)


def test_every_citable_clause_says_why_it_has_its_class(db):
    matrix = shipped_matrix()
    with db.read() as s:
        citable = [c.clause_id for c in s.scalars(select(Clause)) if citation.of(c).citable]
    unexplained = [cid for cid in citable if len(matrix["clauses"][cid].get("why", "")) < 20]
    assert unexplained == []
    assert matrix["version"] == 4 and "same harm" in matrix["revision"]


def test_an_untouched_shipped_matrix_gets_version_3_and_a_departments_own_is_kept(db, admin):
    from ia_desk.db.models import DisciplineMatrixVersion
    from ia_desk.discipline.matrix import ensure_matrix

    v2 = copy.deepcopy(shipped_matrix())
    v2["version"] = 2
    v2["clauses"]["vpd-3.21/III.O"]["class"] = "B"
    with db.write(None) as s:
        s.add(DisciplineMatrixVersion(version=2, content=v2, reason="v2", created_by="system"))
    ensure_matrix(db)
    with db.read() as s:
        m = current(s)
    assert m["version"] == 3 and m["clauses"]["vpd-3.21/III.O"]["class"] == "C"
    with db.write(admin) as s:  # the department's own matrix from here on
        update_matrix(s, admin, {**v2, "version": 3}, "Our board keeps §III.O at B")
    ensure_matrix(db)
    with db.read() as s:
        m = current(s)
    assert m["version"] == 4 and m["clauses"]["vpd-3.21/III.O"]["class"] == "B"
