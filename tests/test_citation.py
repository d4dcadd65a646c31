"""Only clauses that state conduct can be alleged (issue 22): a purpose, a definition, a
heading, a lead-in that names another policy, what an approval request must contain,
or what the Department itself does cannot be cited; advice is citable and marked."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from ia_desk.cases.allegations import add_allegation, record_finding
from ia_desk.cases.intake import open_case, parse_report
from ia_desk.cases.workflow import perform
from ia_desk.db.models import Allegation, AuditEvent, Case, Clause
from ia_desk.errors import InputError
from ia_desk.policy import citation
from ia_desk.policy.catalogue import shipped_files
from ia_desk.services import policy

from .conftest import report_doc

# What the issue found could be alleged, and what each one is.
NOT_CITABLE = {
    "vpd-3.21/V.C": "protects good-faith reporters",
    "vpd-3.21/V.B": "discipline ladder",
    "vpd-3.21/purpose.9": "purpose",
    "vpd-3.21/purpose": "heading",
    "vpd-3.21/definitions.website": "defines a term",
    "vpd-3.21/definitions.social-networking-site.2": "defines a term",
    "vpd-3.21/I.E.5": "names another policy",
    "vpd-3.21/III.E.1": "request for approval must contain",
    "vpd-3.21/III.B": "right to monitor",
    "vpd-3.21/VI.A": "training",
    "city-sn/procedure.1.e": "names another policy",
    "city-sn/procedure.4.a": "request for approval must contain",
    "city-sn/procedure.14": "disciplined",
    "city-sn/purpose.3": "purpose",
}


def _clauses() -> list[dict]:
    return [c for f in shipped_files() for c in f.data["clauses"]]


def test_the_rules_that_state_no_conduct_are_exactly_the_reviewed_ones() -> None:
    """Of the clauses the catalogue's build marked as rules, these state no conduct of
    the employee (read against the policies): if the catalogue changes, this says so."""
    flagged = {
        c["id"]
        for c in _clauses()
        if c["rule"] and not citation.judge(c["id"], c["kind"], True, c["text"]).citable
    }
    assert flagged == (
        {f"vpd-3.21/I.E.{n}" for n in range(1, 10)}
        | {f"vpd-3.21/III.E.{n}" for n in range(1, 4)}
        | {f"city-sn/procedure.1.{c}" for c in "abcdefghi"}
        | {f"city-sn/procedure.4.{c}" for c in "abc"}
    )
    advisory = {
        c["id"]
        for c in _clauses()
        if citation.judge(c["id"], c["kind"], c["rule"], c["text"]).kind == citation.ADVISORY
    }
    assert advisory == {"vpd-3.21/III.P", "city-sn/procedure.12"}
    # The rules the issue's own examples cite stay citable.
    for cid in ("vpd-3.21/III.M", "vpd-3.21/III.D", "vpd-3.21/IV.I", "city-sn/procedure.11"):
        c = next(c for c in _clauses() if c["id"] == cid)
        assert citation.judge(cid, c["kind"], c["rule"], c["text"]).kind == citation.RULE


@pytest.mark.parametrize("clause_id", sorted(NOT_CITABLE))
def test_an_allegation_under_a_clause_that_states_no_conduct_is_refused(
    db, admin, open_report, clause_id
) -> None:
    number = open_report().case.number
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(Allegation))
    with pytest.raises(InputError) as err, db.write(admin) as s:
        add_allegation(s, admin, number, "1234", clause_id)
    assert f"{clause_id} cannot be cited" in err.value.message
    assert NOT_CITABLE[clause_id] in err.value.message
    assert err.value.field == "clause"
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Allegation)) == before


def test_the_issue_s_example_good_faith_clause_can_no_longer_be_sustained(
    db, admin, open_report
) -> None:
    """Sustaining §V.C recommended Counseling: now it cannot even be alleged, at intake
    either, and nothing of the report is stored."""
    with db.read() as s:
        cases = s.scalar(select(func.count()).select_from(Case))
    doc = report_doc(clauses=["vpd-3.21/III.M", "vpd-3.21/V.C"])
    with pytest.raises(InputError) as err, db.write(admin) as s:
        open_case(s, admin, parse_report(doc))
    assert err.value.field == "clauses[1]"
    assert "vpd-3.21/V.C cannot be cited" in err.value.message
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == cases


def test_advice_is_citable_and_says_it_is_advisory(db, admin, open_report) -> None:
    number = open_report().case.number
    with db.write(admin) as s:
        perform(s, admin, number, "start")
        a = add_allegation(s, admin, number, "1234", "vpd-3.21/III.P")
        record_finding(s, admin, a.id, "sustained", "Posted the home address of a colleague.")
    shown = policy.clause(db, "vpd-3.21/III.P", None)
    assert shown["citable"] == "advisory" and "advice" in shown["why_not_a_rule"]
    rule = policy.clause(db, "vpd-3.21/III.M", None)
    assert rule["citable"] == "rule" and rule["why_not_a_rule"] is None


def test_every_parent_a_clause_names_is_in_the_catalogue(db) -> None:
    with db.read() as s:
        rows = s.execute(select(Clause.policy_version_id, Clause.clause_id, Clause.parent_id))
        rows = list(rows)
        heads = {c.clause_id: c for c in s.scalars(select(Clause).where(Clause.kind == "heading"))}
        assert not citation.of(heads["vpd-3.21/purpose"]).citable
        assert heads["vpd-3.21/definitions"].title == "Definitions"
    ids = {(v, c) for v, c, _ in rows}
    assert all(p is None or (v, p) in ids for v, _, p in rows)
    assert set(heads) == {
        "vpd-3.21/purpose",
        "vpd-3.21/definitions",
        "city-sn/purpose",
        "city-sn/definitions",
    }


def test_a_database_loaded_without_the_headings_gets_them_at_start_up(db, db_url) -> None:
    from ia_desk.startup import open_database

    with db.write(None) as s:
        s.execute(delete(Clause).where(Clause.kind == "heading"))
    db.dispose()
    reopened = open_database(db_url)
    try:
        with reopened.read() as s:
            heads = set(s.scalars(select(Clause.clause_id).where(Clause.kind == "heading")))
            loads = [
                e.details
                for e in s.scalars(
                    select(AuditEvent).where(AuditEvent.event_type == "catalogue.load")
                )
            ]
        assert "vpd-3.21/purpose" in heads and len(heads) == 4
        assert any("vpd-3.21/purpose@2026-02-02" in d for d in loads)
    finally:
        reopened.dispose()


def test_suggestions_never_offer_a_clause_that_cannot_be_cited() -> None:
    narrative = (
        "He posted that good faith reporting is protected, defined a website, named the "
        "discipline policy and the purpose of the policy, asked for approval with a "
        "description and a printed layout, and posted the home address of a colleague."
    )
    found = policy.suggest(narrative, "police", None, 50)
    by_id = {c["id"]: c for c in _clauses()}
    assert found
    for s in found:
        c = by_id[s.clause]
        assert citation.judge(c["id"], c["kind"], c["rule"], c["text"]).citable, s.clause


def test_the_clause_picker_refuses_a_clause_that_cannot_be_cited(qtbot, db) -> None:
    from ui.dialogs.clause_picker import ClausePickerDialog

    dlg = ClausePickerDialog(db, None)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: bool(dlg.tree.clauses))
    # The purpose statements sit under their heading, which the catalogue now has.
    dlg.tree.select("vpd-3.21/purpose.1")
    item = dlg.tree.tree.currentItem()
    assert item.parent().data(0, 256) == "vpd-3.21/purpose"
    dlg.tree.select("vpd-3.21/V.C")
    dlg._accept()
    assert dlg.result() == 0 and dlg.clause_id is None
    assert dlg.problem.isVisibleTo(dlg)
    assert "vpd-3.21/V.C cannot be cited" in dlg.problem.text()
    dlg.tree.select("vpd-3.21/III.P")
    assert "(advisory)" in dlg.tree.tree.currentItem().text(1)
    assert not dlg.problem.isVisibleTo(dlg)  # a new choice clears the message
    dlg._accept()
    assert dlg.clause_id == "vpd-3.21/III.P"
