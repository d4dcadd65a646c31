"""Approvals and the posting log (issue 22): an approval counts only when someone with
standing under the clause cited decided it, on or before the incident, covering what the
case's post depicts, with no removal directed before the incident, and the case says in
words what fails; a removal can be directed and seen done; the posting log shows whether
a post was approved before it went up, and whether the page shows the phone and the
address; the rows are bound to their signed events; the upgrade from 0024 keeps the
registers' rows. Every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QDialog
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from ia_desk import registers
from ia_desk.audit import records
from ia_desk.audit.trail import verify
from ia_desk.casefile.read import show_case
from ia_desk.db.models import ApprovalRequest, AuditEvent
from ia_desk.errors import InputError, PermissionDenied
from ia_desk.reports.summary import summary
from ia_desk.services import registers as service

from .conftest import PASSWORD, go_around_the_app

INCIDENT = dt.date(2026, 10, 30)  # conftest.report_doc's incident
UTC = dt.UTC


def lines(db, admin, number: str) -> list[str]:
    with db.read() as s:
        return show_case(s, admin, number)["approvals"]


def approved(
    db,
    admin,
    *,
    badge: str = "1234",
    items: tuple[str, ...] = ("uniform", "marked_unit"),
    on: dt.date = dt.date(2026, 10, 1),
    as_: str = "chief",
    policy: str = "vpd-3.21",
    decision: str = "approved",
) -> int:
    with db.write(admin) as s:
        req = registers.add_approval_request(
            s,
            admin,
            badge,
            list(items),
            "Recruiting page",
            on - dt.timedelta(days=3),
            policy,
            description="The officer in uniform beside a marked unit, as a banner.",
            site_url="https://example.org/recruit",
        )
        registers.decide_approval(s, admin, req.id, decision, "Larry Burns", on, None, as_)
        return req.id


def link(db, admin, number: str, request_id: int, depicts: list[str]) -> None:
    with db.write(admin) as s:
        registers.link_approval(s, admin, number, request_id, depicts)


# -- what the case says -------------------------------------------------------------------


def test_an_approval_that_stands_is_said_in_words(db, admin, open_report):
    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    assert lines(db, admin, number) == ["John Roe: no approval on file"]
    rid = approved(db, admin)
    assert lines(db, admin, number) == [
        f"John Roe: no approval linked to this case (request {rid} on file: link it with "
        "what the post depicts to check it)"
    ]
    link(db, admin, number, rid, ["marked_unit"])
    assert lines(db, admin, number) == [
        "John Roe: approved by Larry Burns (the Chief) on 2026-10-01 under vpd-3.21/III.E, "
        f"before the incident on {INCIDENT}; covers patrol car (marked unit) (request {rid})"
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"on": dt.date(2026, 11, 2)}, "on 2026-11-02, after the incident on 2026-10-30"),
        ({"items": ("uniform",)}, "does not cover: patrol car (marked unit)"),
        (
            {"as_": "other"},
            "approved by Larry Burns (no standing) on 2026-10-01, who has no standing to "
            "approve under 3.21 (under 3.21 the Chief of Police or his designee decides)",
        ),
        ({"as_": "department_head"}, "who has no standing to approve under 3.21"),
        ({"decision": "disapproved"}, "it was disapproved"),
        ({"decision": "further_inquiry"}, "it was further inquiry needed"),
    ],
)
def test_each_reason_an_approval_does_not_count_is_named(db, admin, open_report, change, expected):
    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    rid = approved(db, admin, **change)
    link(db, admin, number, rid, ["marked_unit"])
    (line,) = lines(db, admin, number)
    assert line.startswith(f"John Roe: request {rid} does not count: "), line
    assert expected in line, line


def test_the_chiefs_designee_counts_under_321_and_the_department_head_under_the_citys(
    db, admin, open_report
):
    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    link(db, admin, number, approved(db, admin, as_="chief_designee"), ["uniform"])
    assert "approved by Larry Burns (the Chief's designee)" in lines(db, admin, number)[0]
    # A city employee under the city's policy: the department head decides, the Chief
    # (not that employee's head) does not.
    clerk = {"badge": "C-77", "name": "Cy Clerk", "department": "city"}
    city = open_report(subjects=[clerk], clauses=["city-sn/procedure.3"]).case.number
    head = approved(db, admin, badge="C-77", policy="city-sn", as_="department_head")
    chief = approved(db, admin, badge="C-77", policy="city-sn", as_="chief")
    link(db, admin, city, head, ["uniform"])
    link(db, admin, city, chief, ["uniform"])
    (line,) = lines(db, admin, city)
    assert line.startswith("Cy Clerk: approved by Larry Burns (the department head)"), line
    with db.read() as s:
        req = s.get(ApprovalRequest, chief)
        assert registers.approval_problems(req, ["city-sn"], INCIDENT, ["uniform"]) == [
            "approved by Larry Burns (the Chief) on 2026-10-01, who has no standing to approve "
            "under the city's policy (under the city's policy the employee's department head "
            "decides)"
        ]


def test_a_removal_directed_before_the_incident_ends_the_approval(db, admin, open_report):
    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    rid = approved(db, admin)
    link(db, admin, number, rid, ["uniform"])
    with pytest.raises(InputError, match="no removal was directed"), db.write(admin) as s:
        registers.record_removal_done(s, admin, rid)
    with db.write(admin) as s:
        registers.direct_removal(
            s, admin, rid, "Larry Burns", "chief", dt.date(2026, 10, 20), dt.date(2026, 10, 27)
        )
    (line,) = lines(db, admin, number)
    assert (
        "removal was directed on 2026-10-20 by Larry Burns (the Chief), before the incident "
        "on 2026-10-30"
    ) in line
    with pytest.raises(InputError, match="already directed"), db.write(admin) as s:
        registers.direct_removal(s, admin, rid, "Larry Burns", "chief")
    with pytest.raises(InputError, match="before the direction"), db.write(admin) as s:
        registers.record_removal_done(s, admin, rid, dt.date(2026, 10, 19))
    with db.read() as s:
        (row,) = registers.list_approvals(s, admin)
    assert row["removal"] == (
        "removal directed on 2026-10-20 by Larry Burns (the Chief), due 2026-10-27; not done, "
        "overdue"
    )
    with db.write(admin) as s:
        registers.record_removal_done(s, admin, rid, dt.date(2026, 11, 3))
    with db.read() as s:
        (row,) = registers.list_approvals(s, admin)
    assert row["removal"].endswith("due 2026-10-27; done on 2026-11-03")


def test_a_removal_after_the_incident_or_without_standing_leaves_the_approval_standing(
    db, admin, open_report
):
    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    first = approved(db, admin)
    link(db, admin, number, first, ["uniform"])
    with db.write(admin) as s:
        registers.direct_removal(s, admin, first, "Larry Burns", "chief", dt.date(2026, 11, 5))
    (line,) = lines(db, admin, number)
    assert line.startswith("John Roe: approved by Larry Burns (the Chief) on 2026-10-01")
    assert line.endswith(
        "; removal directed on 2026-11-05 by Larry Burns (the Chief); not yet done"
    )
    other = open_report(clauses=["vpd-3.21/III.D"]).case.number
    second = approved(db, admin)
    link(db, admin, other, second, ["uniform"])
    with db.write(admin) as s:
        registers.direct_removal(s, admin, second, "Sgt. Nobody", "other", dt.date(2026, 10, 2))
    (line,) = lines(db, admin, other)
    assert "does not count" not in line
    assert "who has no standing to direct it under 3.21" in line


def test_bad_approval_input_is_refused_in_words(db, admin, open_report):
    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    other = open_report(
        subjects=[{"badge": "88", "name": "Al Other", "department": "police"}]
    ).case.number
    with db.write(admin) as s:
        req = registers.add_approval_request(s, admin, "1234", ["logo"], "x")
        rid = req.id
    cases = [
        (lambda s: registers.add_approval_request(s, admin, "1234", [], "x"), "items"),
        (
            lambda s: registers.add_approval_request(
                s, admin, "1234", ["logo"], "x", clause="city-sn/procedure.4"
            ),
            "clause",
        ),
        (
            lambda s: registers.add_approval_request(s, admin, "1234", ["logo"], "x", site_url="x"),
            "site_url",
        ),
        (lambda s: registers.decide_approval(s, admin, rid, "approved", "Burns"), "decided_as"),
        (
            lambda s: registers.decide_approval(
                s, admin, rid, "approved", "Burns", dt.date(2099, 1, 1), None, "chief"
            ),
            "decided_on",
        ),
        (lambda s: registers.link_approval(s, admin, number, rid), "depicts"),
        (lambda s: registers.link_approval(s, admin, other, rid, ["logo"]), "request"),
        (lambda s: registers.direct_removal(s, admin, rid, "Burns", "chief"), "request"),
    ]
    for call, field in cases:
        with pytest.raises(InputError) as refused, db.write(admin) as s:
            call(s)
        assert refused.value.field == field, (field, refused.value.message)
    with db.read() as s:
        (row,) = registers.list_approvals(s, admin)
    assert row["decision"] is None  # nothing half-written


def test_command_staff_read_the_approvals_but_do_not_keep_them(db, admin, open_report, make_user):
    open_report()
    rid = approved(db, admin)
    chief = make_user("command_staff")
    assert [r["id"] for r in service.approvals(db, chief)] == [rid]
    with pytest.raises(PermissionDenied):
        service.direct_removal(db, chief, rid, "Larry Burns", "chief")
    with pytest.raises(PermissionDenied):
        service.add_account(db, chief, "X", "@x", True, True, [])


# -- the posting log ----------------------------------------------------------------------


def test_the_posting_log_shows_approval_before_posting_and_phone_and_address_apart(
    db, admin, open_report
):
    open_report()
    at = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
    with db.write(admin) as s:
        full = registers.add_account(s, admin, "Facebook", "@vpd", True, True, ["1234"])
        phone_only = registers.add_account(s, admin, "X", "@vpd_x", True, False, ["1234"])
        before = registers.log_post(
            s,
            admin,
            full.id,
            "Parade",
            "1234",
            at,
            "Lt. Jones",
            approved_at=at - dt.timedelta(hours=1),
        )
        after = registers.log_post(
            s,
            admin,
            full.id,
            "Arrest",
            "1234",
            at,
            "Lt. Jones",
            approved_at=at + dt.timedelta(hours=2),
        )
        bare = registers.log_post(s, admin, phone_only.id, "Hello", "1234", at)
        ids = before.id, after.id, bare.id
    with db.read() as s:
        rows = {r["id"]: r for r in registers.posting_log(s, admin)}
    assert rows[ids[0]]["flags"] == []
    assert rows[ids[1]]["flags"] == ["approved_after_posting"]
    assert rows[ids[2]]["flags"] == ["no_approval", "page_lacks_address"]
    assert rows[ids[0]]["posted_at"] == "2026-11-02T15:00:00Z"
    assert rows[ids[0]]["approved_at"] == "2026-11-02T14:00:00Z"
    # When it was logged is the clock's, not the post's nor the approval's.
    logged = dt.datetime.fromisoformat(rows[ids[0]]["recorded_at"].removesuffix("Z"))
    assert abs(logged - dt.datetime.now(UTC).replace(tzinfo=None)) < dt.timedelta(minutes=5)
    with pytest.raises(InputError) as refused, db.write(admin) as s:
        registers.log_post(s, admin, full.id, "x", "1234", at, "Lt. Jones")
    assert refused.value.field == "approved_at"
    with pytest.raises(InputError) as refused, db.write(admin) as s:
        registers.log_post(s, admin, full.id, "x", "1234", None)
    assert refused.value.field == "posted_at"


# -- bound to the signed trail ------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE approval_request SET decided_as = 'chief' WHERE id = :id",
        "UPDATE approval_request SET decided_on = '2026-01-01' WHERE id = :id",
        'UPDATE approval_request SET items = \'["logo", "marked_unit", "uniform"]\' WHERE id = :id',
        "UPDATE approval_request SET removal_directed_on = NULL WHERE id = :id",
        "UPDATE case_approval SET items = '[\"logo\"]' WHERE approval_id = :id",
        "UPDATE official_post SET approved_at = '2026-01-01 00:00:00'",
        "UPDATE official_account SET shows_address = TRUE",
    ],
)
def test_a_register_row_edited_around_the_app_is_named_by_audit_verify(db, admin, open_report, sql):
    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    rid = approved(db, admin, as_="other")
    link(db, admin, number, rid, ["uniform"])
    at = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with db.write(admin) as s:
        registers.direct_removal(s, admin, rid, "Larry Burns", "chief", dt.date(2026, 11, 1))
        acc = registers.add_account(s, admin, "X", "@vpd", True, False, ["1234"])
        registers.log_post(s, admin, acc.id, "Hi", "1234", at, "Lt. J", approved_at=at)
    with db.read() as s:
        assert verify(s).ok
    go_around_the_app(db, sql, id=rid)
    with db.read() as s:
        result = verify(s)
    assert not result.ok
    assert any("changed outside IA Desk" in t for _, t in result.problems), result.problems
    assert result.problem_count == 1, result.problems


def test_a_request_put_in_around_the_app_is_named(db, admin, open_report):
    open_report()
    approved(db, admin)
    go_around_the_app(
        db,
        "INSERT INTO approval_request (employee_id, policy_id, clause, items, purpose, "
        "submitted_on, decision, decided_by, decided_as, decided_on, recorded_by) "
        "SELECT employee_id, policy_id, clause, items, purpose, submitted_on, decision, "
        "decided_by, 'chief', decided_on, recorded_by FROM approval_request",
    )
    with db.read() as s:
        result = verify(s)
    assert any("written outside IA Desk" in t for _, t in result.problems), result.problems


# -- the command line ---------------------------------------------------------------------


def test_approvals_removal_and_posts_from_the_command_line(
    db, db_url, monkeypatch, capsys, open_report
):
    from ia_desk.cli import main

    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)

    def run(*args: str) -> tuple[int, str]:
        code = main(["--db", db_url, *args])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    code, out = run(
        "approval", "add", "--employee", "1234", "--items", "uniform,marked_unit",
        "--purpose", "Recruiting", "--description", "A banner photo", "--url",
        "https://example.org/r", "--clause", "vpd-3.21/III.R", "--submitted", "2026-09-01",
    )  # fmt: skip
    assert code == 0 and "approval request 1 recorded" in out
    code, out = run("approval", "decide", "1", "--decision", "approved", "--by", "Burns")
    assert code == 2 and "--as" in out
    code, out = run(
        "approval", "decide", "1", "--decision", "approved", "--by", "Lt. Lee", "--as", "other",
        "--on", "2026-09-05",
    )  # fmt: skip
    assert code == 0 and "does not count: no standing" in out
    code, out = run(
        "approval", "decide", "1", "--decision", "approved", "--by", "Larry Burns", "--as",
        "chief", "--on", "2026-09-05",
    )  # fmt: skip
    assert code == 0 and "(chief)" in out and "does not count" not in out
    assert run("approval", "link", number, "1", "--depicts", "marked_unit")[0] == 0
    code, out = run("case", "show", number, "--json")
    shown = json.loads(out)["approvals"]
    assert shown[0].startswith("John Roe: approved by Larry Burns (the Chief) on 2026-09-05")
    code, out = run("approval", "remove", "1")
    assert code != 0 and "--by and --as" in out
    code, out = run(
        "approval", "remove", "1", "--by", "Larry Burns", "--as", "chief", "--on", "2026-11-10",
        "--due", "2026-11-17", "--reason", "Campaign over",
    )  # fmt: skip
    assert code == 0 and "removal directed on 2026-11-10" in out and "due 2026-11-17" in out
    code, out = run("approval", "remove", "1", "--done", "--on", "2026-11-12")
    assert code == 0 and "done on 2026-11-12" in out
    code, out = run("approval", "list", "--json")
    row = json.loads(out)[0]
    assert row["clause"] == "vpd-3.21/III.R" and row["description"] == "A banner photo"
    assert row["removal_done_on"] == "2026-11-12"
    code, out = run(
        "account", "add", "--platform", "Facebook", "--handle", "@vpd", "--shows-phone",
        "--authorised", "1234",
    )  # fmt: skip
    assert code == 0
    code, out = run("account", "list")
    assert "shows phone;" in out and "1234" in out
    code, out = run(
        "account", "post", "1", "--text", "Parade", "--by", "1234", "--at",
        "2026-11-02T09:00-06:00", "--approved-by", "Lt. Jones", "--approved-at",
        "2026-11-02T10:00-06:00",
    )  # fmt: skip
    assert code == 0 and "approved_after_posting" in out and "page_lacks_address" in out
    code, out = run("account", "post", "1", "--text", "x", "--by", "1234")
    assert code == 2 and "--at" in out
    code, out = run("account", "log")
    assert "approved 2026-11-02T16:00 by Lt. Jones" in out


# -- the summaries ------------------------------------------------------------------------


def test_the_summaries_say_the_approval_status_each_to_its_audience(db, admin, open_report):
    from ia_desk.cases.redaction import add_redaction

    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    with db.write(admin) as s:
        req = registers.add_approval_request(
            s,
            admin,
            "1234",
            ["uniform"],
            "Recruiting page made with Jamie Doe",
            dt.date(2026, 10, 1),
            description="A banner of the officer's uniform",
            site_url="https://example.org/recruit",
        )
        registers.decide_approval(
            s, admin, req.id, "approved", "Larry Burns", dt.date(2026, 11, 2), None, "chief"
        )
        registers.link_approval(s, admin, number, req.id, ["uniform", "marked_unit"])
        add_redaction(s, admin, number, "Jamie Doe", "juvenile")

    def printed(audience: str) -> str:
        with db.write(admin) as s:
            pdf = summary(s, admin, number, audience).pdf
        return " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages
        )

    for audience in ("ia", "command"):
        words = printed(audience)
        assert "does not count" in words
        assert "on 2026-11-02, after the incident on 2026-10-30" in words
        assert "does not cover: patrol car (marked unit)" in words
    ia, command = printed("ia"), printed("command")
    assert "A banner of the officer's uniform" in ia and "https://example.org/recruit" in ia
    assert "Jamie" not in command and "A banner of the officer" not in command
    assert "the case's post depicts patrol car (marked unit), uniform" in command, command


# -- the windows --------------------------------------------------------------------------


def idle(qtbot: Any) -> None:
    from ui.worker import pending_tasks

    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=20_000)


def test_the_registers_window_records_requests_links_removals_accounts_and_posts(
    qtbot, db, admin, open_report, monkeypatch, tmp_path
):
    from ui.dialogs.register_entry import CheckList, FileChoice, FormDialog, OptionalWhen
    from ui.screens.registers import RegistersPage

    from .test_registers import png

    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    page = RegistersPage(db, admin)
    qtbot.addWidget(page)
    page.show()
    idle(qtbot)
    answers: dict[str, Any] = {}
    titles: list[str] = []

    def fake_exec(self):
        titles.append(self.windowTitle())
        for key, value in answers.items():
            w = self.widgets.get(key)
            if isinstance(w, CheckList):
                w.set_values(value)
            elif isinstance(w, FileChoice):
                w.path.setText(value)
            elif isinstance(w, OptionalWhen):
                w.given.setChecked(value is not None)
                if value is not None:
                    w.edit.setDate(value)
            elif hasattr(w, "setChecked"):
                w.setChecked(value)
            elif hasattr(w, "setCurrentIndex") and not hasattr(w, "setText"):
                w.setCurrentIndex(w.findData(value))
            elif hasattr(w, "setDate") and not hasattr(w, "setText"):
                w.setDate(value)
            elif w is not None:
                w.setText(value)
        self.save()
        idle(qtbot)
        return QDialog.DialogCode.Accepted if self.saved else QDialog.DialogCode.Rejected

    monkeypatch.setattr(FormDialog, "exec", fake_exec)
    answers.update(
        badge="1234",
        clause="vpd-3.21/III.R",
        items=["uniform", "patch"],
        description="Banner photo",
        purpose="Recruiting",
        url="https://example.org/r",
        submitted=dt.date(2026, 9, 1),
        layout=str(tmp_path / "missing.png"),
    )
    page.add_request()  # a layout that cannot be read: refused, nothing recorded
    idle(qtbot)
    assert page.approvals.rowCount() == 0
    (tmp_path / "layout.png").write_bytes(png())
    answers["layout"] = str(tmp_path / "layout.png")
    page.add_request()
    idle(qtbot)
    assert page.approvals.rowCount() == 1
    assert page.approvals.item(0, 3).text() == "3.21 §III.R"
    page.approvals.setCurrentCell(0, 0)
    assert "Proposed usage (§III.E.1): Banner photo" in page.request_detail.text()
    assert "Layout: layout.png." in page.request_detail.text()
    answers.clear()
    answers.update(decision="approved", by="Larry Burns", **{"as": "other"}, on=dt.date(2026, 9, 5))
    page.decide()
    idle(qtbot)
    assert page.approvals.item(0, 5).text() == "Approved (does not count)"
    assert page.approvals.item(0, 7).text() == "No standing"
    answers["as"] = "chief"
    page.approvals.setCurrentCell(0, 0)
    page.decide()
    idle(qtbot)
    assert page.approvals.item(0, 5).text() == "Approved"
    answers.clear()
    answers.update(case=number, depicts=["uniform", "marked_unit"])
    page.approvals.setCurrentCell(0, 0)
    page.link()
    idle(qtbot)
    assert lines(db, admin, number)[0].endswith(
        "does not count: does not cover: patrol car (marked unit)"
    )
    answers.clear()
    answers.update(
        by="Larry Burns",
        **{"as": "chief"},
        on=dt.date(2026, 11, 10),
        due=dt.date(2026, 11, 17),
        reason="Campaign over",
    )
    page.approvals.setCurrentCell(0, 0)
    page.direct_removal()
    idle(qtbot)
    assert page.approvals.item(0, 9).text().startswith("Removal directed on 2026-11-10")
    answers.clear()
    answers.update(on=dt.date(2026, 11, 12))
    page.approvals.setCurrentCell(0, 0)
    page.removal_done()
    idle(qtbot)
    assert page.approvals.item(0, 9).text().endswith("done on 2026-11-12")

    answers.clear()
    answers.update(
        platform="Facebook", handle="@VicksburgPD", phone=True, address=False, authorised="1234"
    )
    page.add_account()
    idle(qtbot)
    assert page.accounts.rowCount() == 1 and page.accounts.item(0, 4).text() == "MISSING"
    answers.clear()
    answers.update(text="Parade on Saturday", by="1234", approver="Lt. Jones", approved=None)
    page.log_post()  # an approver without the time of the approval: refused, kept open
    idle(qtbot)
    assert page.posts.rowCount() == 0
    answers["approver"] = ""
    page.log_post()
    idle(qtbot)
    assert page.posts.rowCount() == 1
    assert page.posts.item(0, 2).text() == (
        "No approval on file, Page lacks the Department's address"
    )
    assert titles.count("Post on an official account") == 2
    assert titles.count("Approval request") == 2


def test_a_refused_link_stays_open_with_the_reason_beside_its_field(
    qtbot, db, admin, open_report, monkeypatch
):
    from ui.dialogs.register_entry import FormDialog
    from ui.screens.registers import RegistersPage

    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    approved(db, admin)
    page = RegistersPage(db, admin)
    qtbot.addWidget(page)
    page.show()
    idle(qtbot)
    seen: list[FormDialog] = []

    def typed(dlg):
        seen.append(dlg)
        dlg.widgets["case"].setText(number)  # and nothing ticked that the post depicts
        dlg.save()
        idle(qtbot)
        return dlg.result()

    monkeypatch.setattr(FormDialog, "exec", typed)
    page.approvals.setCurrentCell(0, 0)
    page.link()
    (dlg,) = seen
    assert not dlg.saved and dlg.errors["depicts"].isVisibleTo(dlg)
    dlg.widgets["depicts"].set_values(["uniform"])
    assert not dlg.errors["depicts"].isVisibleTo(dlg)


# -- demo data ----------------------------------------------------------------------------


def test_the_demo_department_has_approvals_of_each_kind_and_a_posting_log(db, admin):
    from ia_desk.services.demo import add_demo_data

    with db.write(admin) as s:
        add_demo_data(s, admin, count=12, with_evidence=False)
    with db.read() as s:
        rows = registers.list_approvals(s, admin)
        posts = registers.posting_log(s, admin)
        said = [
            line
            for r in s.scalars(
                select(AuditEvent.case_number).where(AuditEvent.event_type == "approval.link")
            )
            for line in show_case(s, admin, r)["approvals"]
        ]
    assert len(rows) >= 2 and any(r["removal_done_on"] for r in rows)
    assert any(" does not count: " in line for line in said)
    assert {f for p in posts for f in p["flags"]} >= {"approved_after_posting", "not_authorised"}
    with db.read() as s:
        assert verify(s).ok


# -- the upgrade from 0024 ----------------------------------------------------------------


def test_the_upgrade_from_0024_keeps_the_registers_and_their_old_events_verify(
    backend, tmp_path, isolated, monkeypatch
):
    """A database of the release before (its signing began without these records bound,
    its events of approvals carry no digest) holding an approved request linked to a
    case, an account that shows contact details and an approved post: upgraded, every
    row is kept and filled, its events verify (counted apart as from before the
    binding), and from then on the same rows are bound."""
    from alembic import command

    from ia_desk.audit.trail import append
    from ia_desk.cases.intake import open_case, parse_report
    from ia_desk.db.migrate import alembic_config, head_revision
    from ia_desk.services import accounts
    from ia_desk.startup import open_database
    from ia_desk.startup.setup import initialise

    from .conftest import AUDIT_PASSPHRASE, drop_server_database, new_server_database, report_doc

    older = {k: b for k, b in records.BOUND.items() if not b.extended}
    monkeypatch.setattr(records, "BOUND", older)  # what that release bound
    if backend == "postgresql":
        monkeypatch.setenv("IA_DESK_PASSPHRASE", AUDIT_PASSPHRASE)
        url = new_server_database()
    else:
        url = str(tmp_path / "old.db")
    try:
        db, _ = initialise(url, "admin", "Ada Admin", PASSWORD)
        admin = accounts.sign_in(db, "admin", PASSWORD)
        with db.write(admin) as s:
            number = open_case(
                s, admin, parse_report(report_doc(clauses=["vpd-3.21/III.D"]))
            ).case.number
        with db.write(admin) as s:  # what that release wrote for the rows below: no digests
            append(
                s,
                admin,
                "approval.add",
                object_type="approval",
                object_id=1,
                details={"employee": "1234"},
            )
            append(
                s,
                admin,
                "approval.decide",
                object_type="approval",
                object_id=1,
                details={"decision": "approved"},
            )
            append(
                s, admin, "approval.link", object_type="approval", object_id=1, case_number=number
            )
            append(
                s,
                admin,
                "account.add",
                object_type="account",
                object_id=1,
                details={"handle": "@vpd"},
            )
            append(s, admin, "post.log", object_type="post", object_id=1, details={"flags": []})
        db.dispose()
        engine = create_engine(db.engine.url, poolclass=NullPool)
        cfg = alembic_config()
        with engine.begin() as conn:  # the database as the release before left it
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "20261204_0024")
        logged = ("approval_request", "case_approval", "official_account", "official_post")
        with engine.begin() as conn:
            # The rows that release wrote beside the events above (the server would have
            # logged them in the events' own transactions: not logged here at all).
            if backend == "postgresql":
                for table in logged:
                    conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_server_change"))
            conn.execute(
                text(
                    "INSERT INTO approval_request (id, employee_id, policy_id, items, purpose, "
                    "submitted_on, decision, decided_by, decided_on, recorded_by) SELECT 1, id, "
                    "'vpd-3.21', '[\"uniform\"]', 'Recruiting', '2026-09-01', 'approved', "
                    "'Chief Larry Burns', '2026-09-05', 'admin' FROM employee WHERE badge = '1234'"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO case_approval (id, case_id, approval_id) SELECT 1, id, 1 "
                    "FROM ia_case WHERE number = :n"
                ),
                {"n": number},
            )
            conn.execute(
                text(
                    "INSERT INTO official_account (id, platform, handle, shows_contact, "
                    "authorised) VALUES (1, 'X', '@vpd', TRUE, '[\"1234\"]')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO official_post (id, account_id, posted_at, text, posted_by, "
                    "approved_by, approved_at, recorded_by) VALUES (1, 1, "
                    "'2026-11-01 10:00:00', 'Hi', '1234', 'Lt. Jones', '2026-11-03 08:00:00', "
                    "'admin')"
                )
            )
            if backend == "postgresql":
                for table in logged:
                    conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_server_change"))
        engine.dispose()
        db.dispose()
        monkeypatch.undo()  # this release
        if backend == "postgresql":
            monkeypatch.setenv("IA_DESK_PASSPHRASE", AUDIT_PASSPHRASE)
        db = open_database(url)
        try:
            admin = accounts.sign_in(db, "admin", PASSWORD)
            with db.read() as s:
                assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                    head_revision()
                )
                req = s.get(ApprovalRequest, 1)
                assert req.clause == "vpd-3.21/III.E" and req.decided_as is None
                post = s.execute(
                    text("SELECT recorded_at, approved_at FROM official_post WHERE id = 1")
                ).one()
                assert (
                    str(post.recorded_at).startswith("2026-11-03 08:00")
                    and post.approved_at is None
                )
                acc = s.execute(
                    text("SELECT shows_phone, shows_address FROM official_account")
                ).one()
                assert bool(acc.shows_phone) and bool(acc.shows_address)
                result = verify(s)
                assert result.ok, result.problems
                found = records.check_records(s)
                assert found.problems == () and found.before_binding >= 4
                (line,) = show_case(s, admin, number)["approvals"]
                assert "Chief Larry Burns's standing was not recorded" in line
                assert "what the case's post depicts was not recorded" in line
                rows = registers.posting_log(s, admin)
                assert rows[0]["flags"] == ["approval_time_unknown"]
                markers = list(
                    s.scalars(
                        select(AuditEvent.details).where(
                            AuditEvent.event_type == records.BINDING_EXTENDS
                        )
                    )
                )
                assert len(markers) == 1
                assert set(json.loads(markers[0])["bound_from"]) == {
                    "approval",
                    "approval_link",
                    "account",
                    "post",
                }
            # Recorded again with the standing, the old request is bound from then on.
            service.decide_approval(
                db, admin, 1, "approved", "Chief Larry Burns", dt.date(2026, 9, 5), None, "chief"
            )
            with db.read() as s:
                assert records.check_records(s, ["approval"]).checked == 1
            go_around_the_app(db, "UPDATE approval_request SET decided_as = 'other' WHERE id = 1")
            with db.read() as s:
                problems = [t for _, t in verify(s).problems]
            assert any(
                "approval request 1 is not what its approval.decide event" in t for t in problems
            ), problems
            # ... and the downgrade gives the release before its columns back.
            engine = create_engine(db.engine.url, poolclass=NullPool)
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "20261204_0024")
                back = conn.execute(
                    text("SELECT shows_contact FROM official_account WHERE id = 1")
                ).scalar()
                assert bool(back)
                assert (
                    conn.execute(text("SELECT approved_at FROM official_post")).scalar() is not None
                )
            engine.dispose()
        finally:
            db.dispose()
    finally:
        if backend == "postgresql":
            drop_server_database(url)
