"""What readers outside IA never see: a confidential reporter's identity wherever anyone
wrote it, text IA marked to withhold, and who a protected good-faith reporter is."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from ia_desk.casefile.listing import CaseQuery, case_page, count_matching
from ia_desk.casefile.read import show_case, timeline
from ia_desk.cases.allegations import record_finding
from ia_desk.cases.deadlines import record_reporter_update, toll
from ia_desk.cases.redaction import KINDS, Withholding, add_redaction, marked
from ia_desk.cases.workflow import perform
from ia_desk.db.models import AuditEvent
from ia_desk.discipline.ladder import record
from ia_desk.errors import Blocked, PermissionDenied
from ia_desk.protection.retaliation import record_review
from ia_desk.reports.summary import summary

from .test_summary import flat, pdf_text

# The default report's confidential reporter (tests/conftest.py::report_doc).
IDENTITY = ("Pat Quill", "Quill", "2001", "601-555-0199", "pquill@example.org")


def dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def test_a_protected_reporters_identity_never_reaches_command_staff_through_the_later_case(
    db, admin, open_report, make_user
):
    # Quinn (7001) reports in good faith, confidentially, and is later named a subject.
    report = open_report(
        reporter={
            "mode": "confidential",
            "name": "Quinn Whistle",
            "badge": "7001",
            "good_faith": True,
        }
    ).case.number
    later = open_report(
        reporter={"mode": "anonymous"},
        subjects=[{"badge": "7001", "name": "Quinn Whistle", "department": "police"}],
        clauses=["vpd-3.21/III.J"],
    ).case.number
    chief = make_user("command_staff")
    with db.read() as s:
        for_chief = dump(show_case(s, chief, later)["retaliation"])
        for_ia = dump(show_case(s, admin, later)["retaliation"])
    assert "reported in good faith" in for_ia and report in for_ia
    assert "good faith" in for_chief  # command staff know the case is held...
    for secret in ("Quinn", "Whistle", "7001", report):  # ...not for whom, nor which report
        assert secret not in for_chief
    with pytest.raises(Blocked) as refused, db.write(chief) as s:
        record(s, chief, later, "7001", "counseling")
    assert "Whistle" not in str(refused.value) and report not in str(refused.value)
    printed = flat(pdf_text(summary_pdf(db, chief, later)))
    assert "good-faith reporter" in printed and report not in printed
    assert "reported in good faith in" not in printed


def summary_pdf(db, actor, number, audience="command"):
    with db.write(actor) as s:
        return summary(s, actor, number, audience).pdf


def test_free_text_written_by_ia_is_withheld_outside_ia(db, admin, open_report, make_user):
    number = open_report(
        incident={
            "occurred_on": "2026-10-30",
            "narrative": "Reported by Pat Quill (badge 2001); call (601) 555-0199 or write to "
            "PQuill@example.org. Officer posted the patrol car.",
        }
    ).case.number
    chief = make_user("command_staff")
    with db.write(admin) as s:
        perform(s, admin, number, "start")
        a = get_only_allegation(s, number)
        record_finding(s, admin, a, "sustained", "Quill's screenshot matches; Pat says so too.")
        record_reporter_update(s, admin, number, "Phoned 601.555.0199: told Quill it is open.")
        toll(s, admin, number, "Criminal case first; pquill asked us to wait.")
    with db.read() as s:
        shown = dump(show_case(s, chief, number)) + dump(timeline(s, chief, number))
        seen_by_ia = dump(show_case(s, admin, number)) + dump(timeline(s, admin, number))
    printed = flat(pdf_text(summary_pdf(db, chief, number)))
    printed_by_ia_for_command = flat(pdf_text(summary_pdf(db, admin, number, "command")))
    for secret in ("Pat Quill", "Quill", "2001", "555-0199", "555.0199", "pquill"):
        assert secret.lower() not in shown.lower(), secret
        assert secret.lower() not in printed.lower(), secret
        assert secret.lower() not in printed_by_ia_for_command.lower(), secret
    assert "[withheld]" in shown and "patrol car" in shown  # the rest still reads
    assert "Pat Quill" in seen_by_ia and "pquill asked us to wait" in seen_by_ia


def get_only_allegation(s, number) -> int:
    from ia_desk.cases.queries import get_case

    (a,) = get_case(s, number).allegations
    return a.id


def test_marked_text_is_withheld_in_every_output_outside_ia_and_search_ignores_it(
    db, admin, open_report, make_user
):
    number = open_report(
        incident={
            "occurred_on": "2026-10-30",
            "narrative": "Officer named the juvenile Jamie Doe in a post about the arrest.",
        }
    ).case.number
    other = open_report().case.number
    chief = make_user("command_staff")
    with db.write(admin) as s:
        add_redaction(s, admin, number, "Jamie Doe", "juvenile")
    with db.read() as s:
        for_chief = dump(show_case(s, chief, number)) + dump(timeline(s, chief, number))
        found_by_chief = [r.number for r in case_page(s, chief, CaseQuery(search="jamie"))]
        counted_by_chief = count_matching(s, chief, CaseQuery(search="Jamie Doe"))
        found_by_ia = [r.number for r in case_page(s, admin, CaseQuery(search="jamie"))]
        still_found = [r.number for r in case_page(s, chief, CaseQuery(search="arrest"))]
        assert [m["text"] for m in marked(s, admin, number)] == ["Jamie Doe"]
    assert "Jamie" not in for_chief
    assert found_by_chief == [] and counted_by_chief == 0
    assert found_by_ia == [number]
    assert number in still_found and other not in still_found  # the rest is still searchable
    with pytest.raises(PermissionDenied), db.read() as s:
        marked(s, chief, number)


def test_a_reporter_kind_exists_and_marking_works_on_a_closed_case(db, admin, open_report):
    assert "reporter" in KINDS
    number = open_report().case.number
    with db.write(admin) as s:
        perform(s, admin, number, "start")
        record_finding(s, admin, get_only_allegation(s, number), "not_sustained", "No post.")
        perform(s, admin, number, "findings")
        perform(s, admin, number, "close")
    with db.write(admin) as s:  # withholding more is never refused
        add_redaction(s, admin, number, "the desk sergeant's nephew", "reporter")
    with db.read() as s:
        row = s.scalars(select(AuditEvent).where(AuditEvent.event_type == "case.redact")).one()
        assert "nephew" not in row.details  # the trail keeps the fact, not the text


def test_withholding_sees_through_spacing_case_width_and_invisible_characters():
    w = Withholding.of(["Pat Quill", "2001"], phones=["601-555-0199"])
    for text in (
        "pat   quill said",
        "PAT\nQUILL",
        "Ｐａｔ Ｑｕｉｌｌ",
        "Pat Qu\u200bill",
        "badge 2001.",
        "+1 (601) 555 0199",
    ):
        assert w.text(text).count("[withheld]") == 1, text
    assert w.text("badge 20011 and Quillfeather") == "badge 20011 and Quillfeather"


def test_command_staff_never_see_a_protected_subjects_report_number_in_ia_text(
    db, admin, open_report, make_user
):
    report = open_report(
        reporter={
            "mode": "confidential",
            "name": "Quinn Whistle",
            "badge": "7001",
            "good_faith": True,
        }
    ).case.number
    later = open_report(
        reporter={"mode": "anonymous"},
        subjects=[{"badge": "7001", "name": "Quinn Whistle", "department": "police"}],
    ).case.number
    with db.write(admin) as s:
        record_review(s, admin, later, "no_retaliation", f"Unrelated to the report in {report}.")
    chief = make_user("command_staff")
    with db.read() as s:
        shown = dump(show_case(s, chief, later))
    assert report not in shown and "Unrelated to the report in [withheld]" in shown
