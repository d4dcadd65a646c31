"""The training of 3.21 §VI.A: "All Vicksburg Police Department employees shall receive
mandatory social medial training upon his/her hiring. That this policy shall be
reviewed annually." (issue 22: no hire date, so "upon hiring" could not be checked; any
course closed the training owed; the yearly review had no reminder)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from ia_desk import labels, registers
from ia_desk.cases.allegations import record_finding
from ia_desk.cases.queries import get_case
from ia_desk.cases.workflow import perform
from ia_desk.db.models import AuditEvent, Employee, TrainingRecord
from ia_desk.errors import InputError, NotFound, PermissionDenied
from ia_desk.services import discipline as discipline_service
from ia_desk.services import registers as register_service
from ia_desk.services import settings as settings_service

TODAY = dt.date.today()


def _hiring(db, actor) -> dict[str, dict]:
    with db.read() as s:
        o = registers.training_overview(s, actor)
    return {h["badge"]: h for h in o["hiring"]}


def _overview(db, actor) -> dict:
    with db.read() as s:
        return registers.training_overview(s, actor)


def test_training_upon_hiring_is_due_then_overdue_and_only_a_later_one_counts(
    db, admin, open_report
):
    open_report()  # John Roe, badge 1234, police
    # Not on file: said so, not guessed.
    first = _hiring(db, admin)["1234"]
    assert first["status"] == "no_hire_date" and first["due_on"] is None
    assert _overview(db, admin)["no_hire_date"] == 1

    hired = TODAY - dt.timedelta(days=10)
    register_service.record_hire_date(db, admin, "1234", hired)
    due = _hiring(db, admin)["1234"]
    assert due["status"] == "due" and due["hired_on"] == hired.isoformat()
    assert due["due_on"] == (hired + dt.timedelta(days=30)).isoformat()  # the default
    assert labels.hiring_training(due).startswith("Due by ")
    assert _overview(db, admin)["no_hire_date"] == 0

    # The department's own window: overdue once it has passed.
    settings_service.change_setting(db, admin, "hiring_training_days", 7)
    late = _hiring(db, admin)["1234"]
    assert late["status"] == "overdue"
    assert late["due_on"] == (hired + dt.timedelta(days=7)).isoformat()

    # A training from before the hire date (an earlier stint) does not count.
    earlier = hired - dt.timedelta(days=400)
    register_service.record_training(db, admin, "1234", earlier, "Social media", "Sgt. Lee")
    still = _hiring(db, admin)["1234"]
    assert still["status"] == "overdue" and still["before_hire"] == earlier.isoformat()
    assert "before the hire date, which does not count" in labels.hiring_training(still)

    # One on or after the hire date does.
    register_service.record_training(db, admin, "1234", hired, "Social media", "Sgt. Lee")
    assert "1234" not in _hiring(db, admin)


def test_only_active_police_employees_owe_the_training_upon_hiring(db, admin, open_report):
    open_report(
        subjects=[{"badge": "C-77", "name": "Cy City", "department": "city"}],
        clauses=["city-sn/procedure.11"],
    )
    open_report()
    assert "C-77" not in _hiring(db, admin) and "1234" in _hiring(db, admin)


def test_a_hire_date_is_checked_audited_and_refused_to_others(db, admin, open_report, make_user):
    open_report()
    with pytest.raises(InputError, match="hired_on: lies in the future"):
        register_service.record_hire_date(db, admin, "1234", TODAY + dt.timedelta(days=1))
    with pytest.raises(NotFound):
        register_service.record_hire_date(db, admin, "9999", TODAY)
    with db.read() as s:
        assert s.scalar(select(Employee.hired_on).where(Employee.badge == "1234")) is None

    register_service.record_hire_date(db, admin, "1234", dt.date(2025, 3, 1))
    register_service.record_hire_date(db, admin, "1234", dt.date(2025, 3, 2))  # corrected
    with db.read() as s:
        events = [
            json.loads(d)
            for d in s.scalars(
                select(AuditEvent.details)
                .where(AuditEvent.event_type == "employee.hire_date")
                .order_by(AuditEvent.seq)
            )
        ]
    assert events == [
        {"on": "2025-03-01", "previous": None},
        {"on": "2025-03-02", "previous": "2025-03-01"},
    ]

    supervisor = make_user("supervisor")
    with pytest.raises(PermissionDenied):
        register_service.record_hire_date(db, supervisor, "1234", dt.date(2020, 1, 1))
    with db.read() as s:
        assert s.scalar(select(Employee.hired_on).where(Employee.badge == "1234")) == dt.date(
            2025, 3, 2
        )
        refused = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.event_type == "employee.hire_date", AuditEvent.outcome != "ok")
        )
    assert refused == 1  # the refusal is audited


def _referred(db, admin, open_report) -> str:
    number = open_report(clauses=["vpd-3.21/III.Q"]).case.number
    with db.write(admin) as s:
        perform(s, admin, number, "start")
        record_finding(s, admin, get_case(s, number).allegations[0].id, "sustained", "Seen.")
    discipline_service.decide(db, admin, number, "1234", "training")
    return number


def test_a_training_closes_only_the_referral_it_answers(db, admin, open_report):
    number = _referred(db, admin, open_report)
    other = _referred(db, admin, open_report)
    closed = register_service.record_training(
        db, admin, "1234", TODAY, "Social media", "Sgt. Lee", [number]
    ).value
    assert closed == [number]
    assert [o["case"] for o in _overview(db, admin)["owed"]] == [other]


def test_a_training_that_cannot_answer_a_referral_is_refused_and_nothing_is_stored(
    db, admin, open_report
):
    number = _referred(db, admin, open_report)
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(TrainingRecord))
    # Taken before the referral was decided: it cannot answer it.
    with pytest.raises(InputError, match=f"referral for training in case {number} was decided"):
        register_service.record_training(
            db, admin, "1234", TODAY - dt.timedelta(days=3), "Social media", "Sgt. Lee", [number]
        )
    # A case with no referral of this employee: named, with what is owed.
    with pytest.raises(
        InputError, match=f"owes no training .* IA-1999-0001; what is owed is from {number}"
    ):
        register_service.record_training(
            db, admin, "1234", TODAY, "Social media", "Sgt. Lee", ["IA-1999-0001"]
        )
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(TrainingRecord)) == before
    assert [o["case"] for o in _overview(db, admin)["owed"]] == [number]


def test_the_yearly_policy_review_falls_due_and_reminds_ahead():
    today = dt.date(2026, 12, 4)
    never = registers.review_status(None, dt.date(2026, 2, 2), 30, today)
    assert never == {"status": "reviewed", "due_on": "2027-02-02"}
    soon = registers.review_status(dt.date(2025, 12, 20), None, 30, today)
    assert soon == {"status": "due_soon", "due_on": "2026-12-20"}
    late = registers.review_status(dt.date(2025, 11, 1), dt.date(2020, 1, 1), 30, today)
    assert late == {"status": "overdue", "due_on": "2026-11-01"}
    assert registers.review_status(dt.date(2024, 2, 29), None, 0, today)["due_on"] == "2025-02-28"
    assert registers.review_status(None, None, 30, today)["status"] == "no_date"
    assert labels.annual_review_status({**late, "last_reviewed_on": "2025-11-01"}) == (
        "Overdue since 2026-11-01 (last reviewed 2025-11-01)"
    )


def test_the_overview_counts_the_yearly_review_from_the_last_one_recorded(db, admin, open_report):
    open_report()
    reviews = {r["policy"]: r for r in _overview(db, admin)["reviews"]}
    assert set(reviews) == {"vpd-3.21", "city-sn"}
    assert reviews["vpd-3.21"]["last_reviewed_on"] is None
    long_ago = TODAY - dt.timedelta(days=400)
    register_service.annual_review(db, admin, "vpd-3.21", long_ago, "Chief Burns", "No change")
    reviews = {r["policy"]: r for r in _overview(db, admin)["reviews"]}
    assert reviews["vpd-3.21"]["status"] == "overdue"
    assert reviews["vpd-3.21"]["last_reviewed_on"] == long_ago.isoformat()
    register_service.annual_review(db, admin, "vpd-3.21", TODAY, "Chief Burns", "No change")
    assert {r["policy"]: r for r in _overview(db, admin)["reviews"]}["vpd-3.21"][
        "status"
    ] == "reviewed"


def test_training_cli(db, db_url, monkeypatch, capsys, open_report):
    from ia_desk.cli import main

    from .conftest import PASSWORD

    open_report()
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--db", db_url, *argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, _ = run("training", "hired", "--employee", "1234", "--on", "2026-01-05")
    assert code == 0 and "hire date of 1234 recorded: 2026-01-05" in out
    soon = (TODAY + dt.timedelta(days=5)).isoformat()
    code, out, err = run("training", "hired", "--employee", "1234", "--on", soon)
    assert code != 0 and "Traceback" not in err and "future" in err
    code, out, _ = run("training", "overview")
    assert code == 0
    assert "John Roe" in out and "Overdue since 2026-02-04 (hired 2026-01-05)" in out
    assert "yearly policy review" in out and "VPD Policy 3.21 Social Networking" in out
    code, out, _ = run(
        "training", "record", "--employee", "1234", "--on", "2026-01-20",
        "--course", "Social media", "--trainer", "Sgt. Lee",
    )  # fmt: skip
    assert code == 0
    code, out, _ = run("training", "overview", "--json")
    assert "1234" not in [h["badge"] for h in json.loads(out)["hiring"]]
