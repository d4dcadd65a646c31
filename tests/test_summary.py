"""Printed case summaries: complete, correct, redacted for their reader, audited."""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from ia_desk.cases.allegations import add_allegation, record_finding
from ia_desk.cases.queries import get_case
from ia_desk.cases.redaction import add_redaction
from ia_desk.cases.workflow import perform
from ia_desk.db.models import AuditEvent
from ia_desk.errors import PermissionDenied
from ia_desk.evidence.store import EvidenceInput, add_evidence
from ia_desk.reports.summary import batch, summary

from .conftest import go_around_the_app


def pdf_text(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def flat(pages: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(pages))


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (90, 60), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def full_case(db, admin, open_report):
    number = open_report(
        incident={
            "occurred_on": "2026-10-30",
            "narrative": "Officer named the juvenile Jamie Doe and posted a photo of the "
            "patrol car.",
        }
    ).case.number
    with db.write(admin) as s:
        add_allegation(s, admin, number, "1234", "vpd-3.21/IV.B")
        perform(s, admin, number, "start")
        for a in get_case(s, number).allegations:
            record_finding(s, admin, a.id, "sustained", "Jamie Doe's name is on the post.")
        add_evidence(
            s,
            admin,
            number,
            [EvidenceInput(png("red"), "post.png"), EvidenceInput(png("blue"), "comment.png")],
        )
        add_redaction(s, admin, number, "Jamie Doe", "juvenile")
    return number


def print_case(db, actor, number, audience):
    with db.write(actor) as s:
        return summary(s, actor, number, audience)


def test_summary_holds_every_clause_text_hash_and_finding(db, admin, full_case):
    printed = print_case(db, admin, full_case, "ia")
    body = flat(pdf_text(printed.pdf))
    with db.read() as s:
        case = get_case(s, full_case)
        for a in case.allegations:
            assert flat([a.clause.text]) in body
            assert a.clause.clause_id in body
        for e in case.evidence:
            assert e.sha256 in body
    assert body.count("VERIFIED") == 2 and "MISMATCH" not in body
    assert "Finding: sustained" in body
    assert "IMMEDIATE ACTION BY THE CHIEF" in body
    assert "Pat Quill" in body  # the IA audience sees the confidential identity
    assert "Jamie Doe" in body
    assert "RESTRICTED LAW ENFORCEMENT DATA" in body


def test_command_summary_withholds_identity_and_marked_text(db, admin, full_case, make_user):
    chief = make_user("command_staff")
    printed = print_case(db, chief, full_case, "command")
    body = flat(pdf_text(printed.pdf))
    assert "Confidential, identity withheld" in body
    for secret in ("Pat Quill", "601-555-0199", "pquill@example.org", "Jamie Doe"):
        assert secret not in body
    assert "[withheld]" in body


def test_command_staff_cannot_print_the_ia_summary(db, full_case, make_user):
    chief = make_user("command_staff")
    with pytest.raises(PermissionDenied):
        print_case(db, chief, full_case, "ia")
    sup = make_user("supervisor")
    with pytest.raises(PermissionDenied):
        print_case(db, sup, full_case, "command")


def test_every_page_is_numbered_and_carries_the_notice(db, admin, open_report):
    long_story = "\n\n".join(
        f"Paragraph {i}: " + "The post described the arrest in detail. " * 12 for i in range(40)
    )
    number = open_report(
        incident={"occurred_on": "2026-10-30", "narrative": long_story}
    ).case.number
    pages = pdf_text(print_case(db, admin, number, "ia").pdf)
    assert len(pages) >= 3
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {len(pages)}" in page
        assert "RESTRICTED LAW ENFORCEMENT DATA" in page
        assert number in page and "Printed by Ada Admin (admin)" in page


def test_printing_is_audited_with_audience_and_hash(db, admin, full_case):
    printed = print_case(db, admin, full_case, "command")
    with db.read() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.event_type == "summary.print")).one()
        assert json.loads(ev.details) == {"audience": "command", "sha256": printed.sha256}
        prints = s.scalars(
            select(AuditEvent).where(AuditEvent.event_type == "evidence.print")
        ).all()
        assert len(prints) == 2 and all(p.outcome == "ok" for p in prints)


def test_a_tampered_item_prints_as_mismatch(db, admin, full_case):
    go_around_the_app(
        db,
        "UPDATE evidence_blob SET data = :d WHERE sha256 = (SELECT min(sha256) FROM evidence_blob)",
        d=b"\x00",
    )
    body = flat(pdf_text(print_case(db, admin, full_case, "ia").pdf))
    assert "MISMATCH" in body and body.count("VERIFIED") == 1


def test_batch_prints_a_cover_list_then_each_case(db, admin, open_report):
    numbers = [open_report().case.number for _ in range(3)]
    with db.write(admin) as s:
        done = []
        printed = batch(s, admin, numbers, "command", progress=lambda i, n: done.append(i))
    pages = pdf_text(printed.pdf)
    assert "Case summaries" in pages[0] and all(n in pages[0] for n in numbers)
    assert done == [1, 2, 3]
    for n in numbers:
        assert any(f"Case summary {n}" in p for p in pages)


HEADINGS = (
    "Reporter",
    "Subjects",
    "Incident",
    "Approval on file (3.21 §III.E, §III.R)",
    "Allegations and findings",
    "Evidence",
    "Discipline (3.21 §V.B)",
    "Audit checkpoint",
)


def last_line_of_content(page: str) -> str:
    """The last line a page's story printed (the page furniture follows it)."""
    body = page.split("RESTRICTED LAW ENFORCEMENT DATA")[0]
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def test_no_page_ends_with_a_heading(db, admin, open_report):
    # Narratives of growing length push each heading after the incident towards the
    # foot of page 1 in turn: whatever the length, a heading sits with what it heads.
    number = open_report().case.number
    with db.write(admin) as s:
        add_allegation(s, admin, number, "1234", "vpd-3.21/IV.B")
        perform(s, admin, number, "start")
        add_evidence(s, admin, number, [EvidenceInput(png("red"), "post.png")])
    seen_ends = set()
    for lines in range(38, 62):
        narrative = "\n\n".join(f"Line {i} of the account." for i in range(lines))
        go_around_the_app(db, "UPDATE incident SET narrative = :n", n=narrative)
        pages = pdf_text(print_case(db, admin, number, "ia").pdf)
        assert len(pages) >= 2
        for page in pages:
            end = last_line_of_content(page)
            seen_ends.add(end)
            assert end not in HEADINGS, f"a page ends with the heading {end!r} ({lines} lines)"
            assert not end.startswith("John Roe (badge 1234) —"), "an allegation heading alone"
    assert len(seen_ends) > 3  # the page foot did move through the summary


def test_discipline_reasons_are_printed(db, admin, full_case, make_user):
    # A step away from the recommended one needs its written reason; an amendment too.
    from ia_desk.discipline.ladder import recommend, record

    with db.write(admin) as s:
        assert recommend(s, admin, full_case, "1234")["step"] != "counseling"
        record(s, admin, full_case, "1234", "counseling", "First offence; he took it down.")
        record(
            s,
            admin,
            full_case,
            "1234",
            "written_reprimand",
            "The post was shared 300 times before it came down",
            amend=True,
        )
    chief = make_user("command_staff")
    for actor, audience in ((admin, "ia"), (admin, "command"), (chief, "command")):
        body = flat(pdf_text(print_case(db, actor, full_case, audience).pdf))
        assert "First offence; he took it down." in body
        assert "The post was shared 300 times before it came down" in body
        assert "Counseling, below the recommended Suspension and outside the range." in body
        assert "Written reprimand (amends the decision of " in body
        assert "), below the recommended Suspension. Reason: The post was shared" in body
        assert "Amended; no longer in force." in body


def test_the_summary_prints_no_doubled_full_stop_and_says_utc_once(db, admin, open_report):
    # Pat Quill (badge 2001) reported in good faith; a later case names them as its
    # subject, so the retaliation review prints the trigger's own sentence. Texts the
    # user typed end with their own full stop.
    open_report()
    number = open_report(
        reporter={"mode": "anonymous"},
        subjects=[{"badge": "2001", "name": "Pat Quill", "department": "police"}],
    ).case.number
    with db.write(admin) as s:
        add_evidence(
            s,
            admin,
            number,
            [
                EvidenceInput(png("red"), "post.png", captured_tz="UTC (UTC+00:00)"),
                EvidenceInput(png("blue"), "reply.png", captured_tz="CST (UTC-06:00)"),
            ],
        )
    for audience in ("ia", "command"):
        body = flat(pdf_text(print_case(db, admin, number, audience).pdf))
        assert "Retaliation review." in body
        assert ".." not in body and " ." not in body and ",." not in body
        assert "UTC (UTC" not in body
        assert "UTC (workstation time zone CST, UTC-06:00)" in body
    assert "reported in good faith in" in flat(pdf_text(print_case(db, admin, number, "ia").pdf))
