"""Records bound to the trail: evidence, findings and discipline decisions changed or put
in around the app are named by ``evidence verify`` and ``audit verify``, and the command
summary no longer prints a swapped item as VERIFIED. Each attack writes straight into
the database, as someone holding the database and its key would."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from ia_desk.audit.trail import verify
from ia_desk.casefile.read import get_case
from ia_desk.cases.allegations import record_finding
from ia_desk.cases.workflow import perform
from ia_desk.db.models import Allegation, AuditEvent, DisciplineAction, Evidence, utcnow
from ia_desk.discipline.ladder import record
from ia_desk.evidence.store import EvidenceInput, add_evidence, verify_all
from ia_desk.reports.summary import summary
from ia_desk.services.bulk import generate

from .conftest import go_around_the_app, hear_first

BADGE = "4411"


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def decided(db, admin, open_report):
    """A case with one item of evidence, a sustained finding and a decision."""
    number = open_report(
        subjects=[{"badge": BADGE, "name": "Officer Lane", "department": "police"}],
        clauses=["vpd-3.21/III.C"],
    ).case.number
    with db.write(admin) as s:
        add_evidence(s, admin, number, [EvidenceInput(png("navy"), "post.png")])
        perform(s, admin, number, "start")
        (allegation,) = get_case(s, number).allegations
        record_finding(s, admin, allegation.id, "sustained", "The post is on the page.")
    with db.write(admin) as s:
        record(s, admin, number, BADGE, "counseling")
    with db.read() as s:
        ids = {
            "evidence": s.scalar(select(Evidence.id)),
            "allegation": s.scalar(select(Allegation.id)),
            "discipline": s.scalar(select(DisciplineAction.id)),
        }
    return number, ids


def trail(db):
    with db.read() as s:
        return verify(s)


def test_records_written_by_the_app_match_their_signed_events(db, admin, decided) -> None:
    number, _ids = decided
    with db.write(admin) as s:  # an amendment writes a new row and supersedes the old
        record(s, admin, number, BADGE, "written_reprimand", "Second post found.", amend=True)
    result = trail(db)
    assert result.ok, result.problems
    # one item, one allegation, two decisions
    assert result.records_checked == 4 and result.records_before_binding == 0
    assert "4 records match their events" in result.summary()


def test_evidence_pointed_at_other_bytes_is_caught_everywhere(db, admin, decided) -> None:
    """The attack of the issue: insert a new blob and point the evidence row at it. The
    new bytes hash true, so only the row's binding to its intake event catches it."""
    number, ids = decided
    other = png("red")
    digest = hashlib.sha256(other).hexdigest()
    go_around_the_app(
        db,
        "INSERT INTO evidence_blob (sha256, size, data, stored_at) VALUES (:d, :n, :b, :at)",
        "UPDATE evidence SET sha256 = :d, size = :n WHERE id = :id",
        d=digest,
        n=len(other),
        b=other,
        at=utcnow(),
        id=ids["evidence"],
    )
    with db.write(admin) as s:
        (checked,) = verify_all(s, admin, number)
    assert not checked["verified"]
    assert "is not what its evidence.add event" in checked["problem"]
    result = trail(db)
    assert not result.ok
    assert any(f"evidence item {ids['evidence']} is not what" in t for _, t in result.problems)
    with db.write(admin) as s:
        pdf = summary(s, admin, number, "command").pdf
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "MISMATCH" in text and "VERIFIED" not in text


@pytest.mark.parametrize(
    ("kind", "sql"),
    [
        ("allegation", "UPDATE allegation SET disposition = 'exonerated' WHERE id = :id"),
        ("allegation", "UPDATE allegation SET rationale = 'Nothing found.' WHERE id = :id"),
        ("discipline", "UPDATE discipline_action SET step = 'termination' WHERE id = :id"),
        ("discipline", "UPDATE discipline_action SET reason = 'Chief said so' WHERE id = :id"),
    ],
)
def test_a_finding_or_decision_edited_around_the_app_is_named(db, decided, kind, sql) -> None:
    _number, ids = decided
    assert trail(db).ok
    go_around_the_app(db, sql, id=ids[kind])
    result = trail(db)
    assert not result.ok
    named = [t for _, t in result.problems if f" {ids[kind]} is not what its " in t]
    assert len(named) == 1 and result.problem_count == 1, result.problems
    assert "changed outside IA Desk" in named[0]


def test_a_decision_put_in_around_the_app_has_no_event_and_is_named(db, admin, decided) -> None:
    _number, ids = decided
    go_around_the_app(
        db,
        "INSERT INTO discipline_action (case_id, employee_id, step, decided_by_id, decided_at, "
        "within_range) SELECT case_id, employee_id, 'termination', decided_by_id, decided_at, "
        "within_range FROM discipline_action WHERE id = :id",
        id=ids["discipline"],
    )
    result = trail(db)
    assert not result.ok
    assert any(
        "discipline decision" in t and "has no event that recorded it" in t
        for _, t in result.problems
    ), result.problems


def test_a_generated_department_is_bound_like_one_the_services_wrote(db, admin) -> None:
    written = generate(db, admin, 40, events_per_case=3)
    result = trail(db)
    assert result.ok, result.problems
    assert result.records_checked == written["allegations"] + written["evidence"]


def test_cutting_off_the_events_that_wrote_records_leaves_them_named(db, admin, decided) -> None:
    """The trail cut back to before the finding and the decision, head rewritten to
    match: the chain alone is consistent, but the rows written by the removed events
    are no longer what the trail says."""
    _number, ids = decided
    with db.read() as s:
        find_seq = s.scalar(
            select(AuditEvent.seq).where(AuditEvent.event_type == "allegation.find")
        )
    go_around_the_app(
        db,
        "DELETE FROM audit_event WHERE seq >= :cut",
        "UPDATE audit_head SET seq = :cut - 1, mac = (SELECT mac FROM audit_event WHERE "
        "seq = :cut - 1)",
        cut=find_seq,
    )
    result = trail(db)
    assert not result.ok
    texts = " | ".join(t for _, t in result.problems)
    assert f"allegation {ids['allegation']} is not what its case.intake" in texts
    assert f"discipline decision {ids['discipline']} has no event" in texts


def test_a_cases_timeline_leaves_the_digests_to_the_audit_list(db, admin, decided) -> None:
    """Investigators read a timeline; the digests are for verifying (the audit list and
    its export keep them)."""
    from ia_desk.audit.trail import list_events
    from ia_desk.casefile.read import timeline

    number, _ids = decided
    with db.read() as s:
        shown = timeline(s, admin, number)
        listed = list_events(s, admin, case=number)
    adds = [e for e in shown if e["event"] == "evidence.add"]
    assert adds and all('"record"' not in e["details"] for e in shown)
    assert '"file_name":"post.png"' in adds[0]["details"]
    assert any('"record"' in e["details"] for e in listed)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE discipline_action SET suspension_days = 1 WHERE id = :id",
        "UPDATE discipline_action SET suspension_days = NULL, without_pay = NULL WHERE id = :id",
        "UPDATE discipline_action SET without_pay = :no WHERE id = :id",
    ],
)
def test_a_suspensions_length_or_pay_edited_around_the_app_is_named(
    db, admin, open_report, sql
) -> None:
    """The suspension's days and pay (added after the binding began) are vouched for by
    the decision's event: shortening, emptying or paying it outside IA Desk is named."""
    number = open_report(
        subjects=[{"badge": BADGE, "name": "Officer Lane", "department": "police"}],
        clauses=["vpd-3.21/IV.B"],
    ).case.number
    with db.write(admin) as s:
        perform(s, admin, number, "start")
        (allegation,) = get_case(s, number).allegations
        record_finding(s, admin, allegation.id, "sustained", "The post named the victim.")
    with db.write(admin) as s:
        hear_first(s, admin, number, BADGE)
        action = record(s, admin, number, BADGE, "suspension", suspension_days=10, without_pay=True)
        decision = action.id
    assert trail(db).ok
    go_around_the_app(db, sql, id=decision, **({"no": False} if ":no" in sql else {}))
    result = trail(db)
    named = [t for _, t in result.problems if f"discipline decision {decision} is not" in t]
    assert not result.ok and len(named) == 1, result.problems
