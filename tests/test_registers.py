"""Oversight registers: approval requests, the official posting log, training and the
yearly policy review."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from PIL import Image

from ia_desk import registers
from ia_desk.casefile.read import show_case
from ia_desk.cases.allegations import record_finding, review_items
from ia_desk.cases.queries import get_case
from ia_desk.cases.workflow import perform
from ia_desk.errors import InputError, PermissionDenied
from ia_desk.services import discipline as discipline_service


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


def test_case_view_shows_approval_on_file_or_not(db, admin, open_report):
    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    with db.read() as s:
        assert show_case(s, admin, number)["approvals"] == ["John Roe: no approval on file"]
    with db.write(admin) as s:
        req = registers.add_approval_request(
            s,
            admin,
            "1234",
            ["photo", "uniform"],
            "Recruiting page for the department",
            dt.date(2026, 9, 1),
            layout=png(),
            layout_name="layout.png",
        )
        registers.decide_approval(
            s,
            admin,
            req.id,
            "approved",
            "Chief Larry Burns",
            dt.date(2026, 9, 5),
            "Remove when the campaign ends",
            "chief",
        )
        registers.link_approval(s, admin, number, req.id, ["uniform"])
    with db.read() as s:
        (line,) = show_case(s, admin, number)["approvals"]
    assert line.startswith(
        "John Roe: approved by Chief Larry Burns (the Chief) on 2026-09-05 under vpd-3.21/III.E, "
        "before the incident on 2026-10-30"
    )
    with db.read() as s:
        assert [r["id"] for r in registers.list_approvals(s, admin, "1234")] == [req.id]


def test_cases_under_other_clauses_show_no_approval_line(db, admin, open_report):
    number = open_report(clauses=["vpd-3.21/III.J"]).case.number
    with db.read() as s:
        assert show_case(s, admin, number)["approvals"] == []


def test_bad_approval_input_is_refused(db, admin, open_report):
    open_report()
    with pytest.raises(InputError, match="items"), db.write(admin) as s:
        registers.add_approval_request(s, admin, "1234", ["tattoo"], "x")
    with pytest.raises(InputError, match="layout: refused"), db.write(admin) as s:
        registers.add_approval_request(s, admin, "1234", ["photo"], "x", layout=b"junk")


def test_posting_log_flags_unauthorised_and_unapproved_posts(db, admin, open_report):
    open_report(subjects=[{"badge": "500", "name": "Pat Press", "department": "police"}])
    open_report(subjects=[{"badge": "501", "name": "Al Other", "department": "police"}])
    with db.write(admin) as s:
        acc = registers.add_account(s, admin, "Facebook", "@VicksburgPD", True, True, ["500"])
        at = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
        registers.log_post(
            s,
            admin,
            acc.id,
            "Road closure on Clay St.",
            "500",
            at,
            approved_by="Lt. Jones",
            approved_at=at - dt.timedelta(hours=1),
        )
        registers.log_post(s, admin, acc.id, "Look at this arrest!", "501", at)
    with db.read() as s:
        flagged = registers.posting_log(s, admin, flagged_only=True)
        everything = registers.posting_log(s, admin)
    assert len(everything) == 2
    assert [p["flags"] for p in flagged] == [["not_authorised", "no_approval"]]


def test_training_decision_opens_an_item_that_completion_closes(db, admin, open_report):
    number = open_report(clauses=["vpd-3.21/III.Q"]).case.number
    with db.write(admin) as s:
        perform(s, admin, number, "start")
        record_finding(s, admin, get_case(s, number).allegations[0].id, "sustained", "Seen.")
    # Through the services' door: a referral for training opens the training owed there.
    discipline_service.decide(db, admin, number, "1234", "training")
    with db.read() as s:
        o = registers.training_overview(s, admin)
        assert [(e["badge"], e["case"]) for e in o["owed"]] == [("1234", number)]
        assert "1234" in [e["badge"] for e in o["untrained"]]
    # A training that does not answer the referral (a refresher, another course) closes
    # nothing of what is owed (3.21 §VI.A; issue 22: "any course closes the training owed").
    with db.write(admin) as s:
        registers.record_training(s, admin, "1234", dt.date.today(), "Firearms", "Sgt. Lee")
    with db.read() as s:
        o = registers.training_overview(s, admin)
        assert [e["case"] for e in o["owed"]] == [number]
        assert "1234" not in [e["badge"] for e in o["untrained"]]
    with db.write(admin) as s:
        registers.record_training(
            s, admin, "1234", dt.date.today(), "Social media 101", "Sgt. Lee", [number]
        )
    with db.read() as s:
        o = registers.training_overview(s, admin)
        assert o["owed"] == [] and "1234" not in [e["badge"] for e in o["untrained"]]


def test_annual_review_closes_the_policy_review_items(db, admin, open_report):
    number = open_report(clauses=["vpd-3.21/III.P"]).case.number
    with db.write(admin) as s:
        perform(s, admin, number, "start")
        record_finding(
            s,
            admin,
            get_case(s, number).allegations[0].id,
            "policy_failure",
            "The clause is advisory; nobody can be disciplined under it.",
        )
    with db.write(admin) as s:
        registers.record_annual_review(
            s, admin, "vpd-3.21", dt.date.today(), "Chief Burns, Lt. Jones", "III.P to be reworded."
        )
    with db.read() as s:
        assert review_items(s, admin, "vpd-3.21") == []
        (item,) = review_items(s, admin, "vpd-3.21", include_closed=True)
        assert "III.P to be reworded" in item["outcome"]


def test_command_staff_read_but_do_not_keep_the_registers(db, open_report, make_user):
    open_report()
    chief = make_user("command_staff")
    with db.read() as s:
        registers.training_overview(s, chief)
    with pytest.raises(PermissionDenied), db.write(chief) as s:
        registers.record_training(s, chief, "1234", dt.date.today(), "x", "y")


def test_registers_cli(db, db_url, monkeypatch, capsys, open_report):
    from ia_desk.cli import main

    from .conftest import PASSWORD

    open_report()
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)

    def run(*args: str) -> tuple[int, str]:
        code = main(["--db", db_url, *args])
        return code, capsys.readouterr().out

    assert (
        run(
            "approval",
            "add",
            "--employee",
            "1234",
            "--items",
            "photo,badge",
            "--purpose",
            "Personal page banner",
        )[0]
        == 0
    )
    assert (
        run(
            "approval", "decide", "1", "--decision", "disapproved", "--by", "Chief", "--as", "chief"
        )[0]
        == 0
    )
    code, out = run("approval", "list", "--json")
    assert json.loads(out)[0]["decision"] == "disapproved"
    assert (
        run("account", "add", "--platform", "X", "--handle", "@vpd", "--authorised", "1234")[0] == 0
    )
    code, out = run(
        "account", "post", "1", "--text", "Hello", "--by", "1234", "--at", "2026-11-02T09:00Z"
    )
    assert code == 0 and "no_approval" in out
    code, out = run("training", "overview", "--json")
    assert "1234" in [e["badge"] for e in json.loads(out)["untrained"]]
    assert (
        run(
            "training",
            "record",
            "--employee",
            "1234",
            "--on",
            "2026-11-01",
            "--course",
            "SM basics",
            "--trainer",
            "Lee",
        )[0]
        == 0
    )
    assert (
        run(
            "policy",
            "annual-review",
            "--policy",
            "vpd-3.21",
            "--on",
            "2026-11-20",
            "--reviewers",
            "Chief",
            "--outcome",
            "No change",
        )[0]
        == 0
    )


def test_summary_says_whether_an_approval_is_on_file(db, admin, open_report):
    import io as _io

    from pypdf import PdfReader

    from ia_desk.reports.summary import summary

    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    with db.write(admin) as s:
        printed = summary(s, admin, number, "command")
    text = " ".join(p.extract_text() for p in PdfReader(_io.BytesIO(printed.pdf)).pages)
    assert "no approval on file" in text
