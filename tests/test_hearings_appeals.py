"""Before and after the decision (issue 23): the pre-disciplinary notice and response
(Loudermill) before a suspension or termination, and appeals whose outcome is what the
ladder, the employee's history and the statistics count."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from ia_desk.casefile.read import employee_history
from ia_desk.cases.allegations import record_finding
from ia_desk.cases.queries import get_case
from ia_desk.cases.workflow import perform
from ia_desk.db.models import AuditEvent, TrainingItem
from ia_desk.discipline.appeals import decide_appeal, file_appeal
from ia_desk.discipline.hearings import record_notice, record_response
from ia_desk.discipline.ladder import ladder, recommend, record
from ia_desk.errors import InputError, PermissionDenied
from ia_desk.reports.stats import compute
from ia_desk.services import discipline

from .conftest import hear_first

BADGE = "1234"
TODAY = dt.date.today()


@pytest.fixture
def sustained(db, admin, open_report):
    """sustained(day, clause) -> the number of a case with the allegation sustained."""

    def make(day: str, clause: str) -> str:
        d = dt.date.fromisoformat(day)
        number = open_report(
            received_at=f"{(d + dt.timedelta(days=2)).isoformat()}T09:00:00-06:00",
            incident={"occurred_on": day, "narrative": f"Post of {day}."},
            clauses=[clause],
        ).case.number
        with db.write(admin) as s:
            perform(s, admin, number, "start")
            for a in get_case(s, number).allegations:
                record_finding(s, admin, a.id, "sustained", "Seen.", on=d + dt.timedelta(days=9))
        return number

    return make


def test_a_termination_waits_for_the_notice_and_the_response(db, admin, sustained):
    number = sustained("2026-06-01", "vpd-3.21/IV.B")  # class D
    with pytest.raises(InputError, match="record the notice first"), db.write(admin) as s:
        record(s, admin, number, BADGE, "termination", "Second disclosure of a victim.")
    with db.write(admin) as s:
        record_notice(s, admin, number, BADGE, TODAY, "Disclosure of a victim's name.")
    with pytest.raises(InputError, match="chance to respond"), db.write(admin) as s:
        record(s, admin, number, BADGE, "termination", "Second disclosure of a victim.")
    with (
        pytest.raises(InputError, match="already has a pre-disciplinary notice"),
        db.write(admin) as s,
    ):
        record_notice(s, admin, number, BADGE, TODAY, "Again.")
    for kwargs, words in (
        ({"response_on": TODAY + dt.timedelta(days=1)}, "in the future"),
        ({"response_on": TODAY - dt.timedelta(days=1), "waived": True}, "before the notice"),
        ({"response_on": TODAY, "response": "I regret it."}, "heard_by: required"),
    ):
        with pytest.raises(InputError, match=words), db.write(admin) as s:
            record_response(s, admin, number, BADGE, **kwargs)
    with db.write(admin) as s:
        record_response(s, admin, number, BADGE, TODAY, waived=True)
    with db.write(admin) as s:
        record(s, admin, number, BADGE, "termination", "Second disclosure of a victim.")
    with db.read() as s:
        (entry,) = ladder(s, admin, number)
    assert entry["hearing"]["waived"] and entry["hearing"]["charges"].startswith("Disclosure")
    assert entry["decisions"][0]["step"] == "termination"


def test_the_milder_steps_need_no_hearing_and_only_discipline_roles_record_one(
    db, admin, sustained, make_user
):
    number = sustained("2026-06-01", "vpd-3.21/III.C")  # class A: counseling
    with db.write(admin) as s:
        record(s, admin, number, BADGE, "counseling")
    for role in ("ia_investigator", "supervisor"):
        who = make_user(role)
        with pytest.raises(PermissionDenied), db.write(who) as s:
            record_notice(s, who, number, BADGE, TODAY, "Charges.")


def test_an_appeal_that_modifies_the_decision_amends_it_and_the_training_is_owed(
    db, admin, sustained
):
    number = sustained("2026-06-01", "vpd-3.21/IV.B")
    with pytest.raises(InputError, match="no decision in force"), db.write(admin) as s:
        file_appeal(s, admin, number, BADGE, "grievance", TODAY)
    with db.write(admin) as s:
        hear_first(s, admin, number, BADGE)
        record(s, admin, number, BADGE, "suspension", suspension_days=10, without_pay=True)
    with db.write(admin) as s:
        file_appeal(s, admin, number, BADGE, "grievance", TODAY)
    with pytest.raises(InputError, match="already has an open grievance"), db.write(admin) as s:
        file_appeal(s, admin, number, BADGE, "arbitration", TODAY)
    with pytest.raises(InputError, match="needs the step"), db.write(admin) as s:
        decide_appeal(s, admin, number, BADGE, "modified", TODAY, "Reduced.")
    with pytest.raises(InputError, match="record it as upheld"), db.write(admin) as s:
        decide_appeal(
            s,
            admin,
            number,
            BADGE,
            "modified",
            TODAY,
            "Same.",
            step="suspension",
            suspension_days=10,
            without_pay=True,
        )
    # Through the service, as the window and the command line do: the training is owed.
    discipline.appeal_outcome(
        db, admin, number, BADGE, "modified", TODAY.isoformat(), "First offence.", step="training"
    )
    with db.read() as s:
        (entry,) = ladder(s, admin, number)
        owed = list(s.scalars(select(TrainingItem)))
        types = [e for e in s.scalars(select(AuditEvent.event_type)) if "appeal" in e]
    standing = [d for d in entry["decisions"] if d["current"]]
    assert [d["step"] for d in standing] == ["training"]
    assert "Modified on grievance" in standing[0]["reason"]
    (appeal,) = entry["appeals"]
    assert (appeal["outcome"], appeal["result"]) == ("modified", standing[0]["id"])
    assert len(owed) == 1 and types == ["discipline.appeal", "discipline.appeal_outcome"]
    # The modified decision can be appealed again, to the Board.
    with db.write(admin) as s:
        assert file_appeal(s, admin, number, BADGE, "civil_service", TODAY).kind == "civil_service"


def test_an_overturned_decision_no_longer_stands_nor_counts_as_a_prior(db, admin, sustained):
    first = sustained("2025-10-01", "vpd-3.21/III.Q")
    with db.write(admin) as s:
        record(s, admin, first, BADGE, "training")
    later = sustained("2026-06-01", "vpd-3.21/III.Q")
    with db.read() as s:
        assert recommend(s, admin, later, BADGE)["step"] == "written_reprimand"  # one prior
    with db.write(admin) as s:
        file_appeal(s, admin, first, BADGE, "arbitration", TODAY)
    with (
        pytest.raises(InputError, match="cannot be heard or decided before"),
        db.write(admin) as s,
    ):
        yesterday = TODAY - dt.timedelta(days=1)
        decide_appeal(s, admin, first, BADGE, "overturned", yesterday, "No cause.")
    with db.write(admin) as s:
        decide_appeal(s, admin, first, BADGE, "overturned", TODAY, "No just cause.", heard_on=TODAY)
    with db.read() as s:
        rec = recommend(s, admin, later, BADGE)
        history = employee_history(s, admin, BADGE)["discipline"]
        figures = compute(s, admin, dt.date(2025, 1, 1), TODAY)
        (entry,) = ladder(s, admin, first)
    assert rec["step"] == "training" and rec["priors"] == []
    assert history == [] and sum(figures["discipline_by_step"].values()) == 0
    assert figures["appeals_by_outcome"]["overturned"] == 1
    assert entry["decisions"][0]["overturned"]
    with pytest.raises(InputError, match="overturned on appeal"), db.write(admin) as s:
        file_appeal(s, admin, first, BADGE, "civil_service", TODAY)
    with pytest.raises(InputError, match="overturned on appeal"), db.write(admin) as s:
        record(s, admin, first, BADGE, "counseling", "Again.", amend=True)


def test_an_appeal_outcomes_length_is_read_from_the_text_the_form_holds(db, admin, sustained):
    # The appeal form hands over what was typed; the core reads it (not the window).
    number = sustained("2026-06-01", "vpd-3.21/IV.B")
    with db.write(admin) as s:
        hear_first(s, admin, number, BADGE)
        record(s, admin, number, BADGE, "suspension", suspension_days=10, without_pay=True)
        file_appeal(s, admin, number, BADGE, "grievance", TODAY)
    for typed, message in (("five", "'five' is not a number of days"), ("0", "out of range")):
        with pytest.raises(InputError, match=message) as refused:
            discipline.appeal_outcome(
                db, admin, number, BADGE, "modified", TODAY, "Reduced.",
                step="suspension", suspension_days=typed, without_pay=True,
            )  # fmt: skip
        assert refused.value.field == "suspension_days"
    with pytest.raises(InputError, match="record it as upheld"):  # " 10 " is the same 10
        discipline.appeal_outcome(
            db, admin, number, BADGE, "modified", TODAY, "Same.",
            step="suspension", suspension_days=" 10 ", without_pay=True,
        )  # fmt: skip
    with db.read() as s:  # nothing was decided by the refusals
        assert ladder(s, admin, number)[0]["appeals"][0]["outcome"] is None
    discipline.appeal_outcome(
        db, admin, number, BADGE, "modified", TODAY, "Reduced to five days.",
        step="suspension", suspension_days=" 5 ", without_pay=True,
    )  # fmt: skip
    with db.read() as s:
        standing = [d for d in ladder(s, admin, number)[0]["decisions"] if d["current"]]
    assert [(d["step"], d["suspension_days"]) for d in standing] == [("suspension", 5)]
