"""The shipped clause catalogue is faithful to the policy texts, and versioned."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from ia_desk.casefile.read import show_case
from ia_desk.cases.allegations import add_allegation
from ia_desk.db.models import Allegation, AuditEvent, Clause
from ia_desk.errors import InputError, NotFound
from ia_desk.policy.catalogue import (
    CatalogueFile,
    clause_in_force,
    missing_parents,
    shipped_files,
    sync_catalogue,
)

from .conftest import DATA

NOTICE_HEAD = "RESTRICTED LAW ENFORCEMENT DATA"
NOTICE_BODY = (
    "This data shall not be duplicated, disclosed, or discussed without the written "
    "permission of this agency. Data subject to this restriction is contained "
    "throughout this publication."
)
SOURCES = {"vpd-3.21": "vpd-3.21.txt", "city-sn": "city-sn.txt"}
# Printed text that is document furniture, not clause text.
HEADER_LINES = {
    "vpd-3.21": [
        "VICKSBURG POLICE DEPARTMENT",
        "Law Enforcement",
        "Policies and Procedures",
        "Subject: Social Networking\tPolicy Number: 3.21",
        "Issue Date: February 6, 2012\tRevision Date: February 2, 2026",
        "Approval Authority Title and Signature: The Board of Mayor and Aldermen, "
        "Police Chief Larry Burns",
    ],
    "city-sn": ["The City of Vicksburg Employees", "Social Networking Policy"],
}


def catalogue(policy: str) -> dict:
    for f in shipped_files():
        if f.data["policy"] == policy:
            return f.data
    raise AssertionError(policy)


def words(text: str) -> list[str]:
    return re.findall(r"[^\s]+", text)


@pytest.mark.parametrize("policy", sorted(SOURCES))
def test_every_word_of_the_policy_is_in_the_catalogue_in_order(policy: str) -> None:
    """Rebuild the printed text from the catalogue (labels, headings, clause text) and
    compare it word for word with the policy, page notices and document header removed."""
    source = (DATA / "policies" / SOURCES[policy]).read_text(encoding="utf-8")
    source = source.replace(NOTICE_BODY, " ").replace(NOTICE_HEAD, " ").replace("**", "")
    for line in HEADER_LINES[policy]:
        assert line in source
        source = source.replace(line, " ")
    expected = [w for w in words(source) if w != "-"]

    rebuilt: list[str] = []
    headings = {
        "policy": "POLICY",
        "purpose.1": "PURPOSE AND SCOPE",
        "definitions": "DEFINITIONS",
        "procedure": "PROCEDURE",
    }
    if policy == "city-sn":
        headings = {
            "policy": "Policy",
            "purpose.1": "Purpose and Scope",
            "definitions": "Definitions",
            "procedure": "Procedure",
        }
    first_definition = True
    for c in catalogue(policy)["clauses"]:
        path = c["path"]
        if path in headings:
            rebuilt.extend(words(headings[path]))
        if c["kind"] == "definition":
            if first_definition:
                rebuilt.extend(words(headings["definitions"]))
                first_definition = False
            rebuilt.extend(words(c["title"] + ":"))
        elif c["label"]:
            rebuilt.append(c["label"] + ".")
        if c["kind"] == "section":
            rebuilt.extend(words(c["heading"]))
        rebuilt.extend(words(c["text"]))
    # 3.21 prints some numbered items as "1." and others as "1".
    norm = lambda ws: [w.rstrip(".") if re.fullmatch(r"\d+\.?", w) else w for w in ws]  # noqa: E731
    assert norm(rebuilt) == norm(expected)


def test_issue_examples_of_clause_ids_exist_with_their_text() -> None:
    by_id = {c["id"]: c for p in SOURCES for c in catalogue(p)["clauses"]}
    for cid in [
        "vpd-3.21/III.N.2",
        "vpd-3.21/IV.G",
        "vpd-3.21/I.E.6",
        "vpd-3.21/II.A.3",
        "vpd-3.21/purpose.9",
        "vpd-3.21/policy",
        "city-sn/procedure.1.f",
        "city-sn/procedure.10",
        "city-sn/purpose.3",
        "city-sn/policy",
        "vpd-3.21/definitions.website",
        "city-sn/definitions.chat-room",
    ]:
        assert cid in by_id, cid
    assert (
        by_id["vpd-3.21/III.N.2"]["text"]
        == "Photographic poses which glorify violence or weaponry;"
    )
    assert by_id["vpd-3.21/IV.G"]["text"] == (
        "The names of victims of sexual assault or child molestation."
    )
    assert by_id["vpd-3.21/I.E.6"]["text"] == "Internet Use;"
    assert by_id["city-sn/procedure.1.f"]["text"] == "Internet Use;"


def test_a_clause_split_by_the_page_notice_reads_as_one_sentence() -> None:
    by_id = {c["id"]: c for c in catalogue("vpd-3.21")["clauses"]}
    assert (
        "distribute crime prevention and public safety tips, to urgently notify"
        in by_id["vpd-3.21/purpose.6"]["text"]
    )
    assert (
        "suspect prior to arrest, except to the extent authorized" in by_id["vpd-3.21/IV.A"]["text"]
    )
    assert "his or her official capacity. Employees should not" in by_id["vpd-3.21/III.I"]["text"]
    for c in by_id.values():
        assert "RESTRICTED LAW ENFORCEMENT DATA" not in c["text"]
        assert "shall not be duplicated" not in c["text"]


def test_only_rule_clauses_are_marked_as_rules() -> None:
    for policy in SOURCES:
        for c in catalogue(policy)["clauses"]:
            if c["kind"] in ("definition", "purpose", "paragraph", "preamble", "section"):
                assert not c["rule"], c["id"]
    by_id = {c["id"]: c for c in catalogue("vpd-3.21")["clauses"]}
    assert by_id["vpd-3.21/III.D"]["rule"] and by_id["vpd-3.21/IV.B"]["rule"]
    assert not by_id["vpd-3.21/V.C"]["rule"]  # protection of reporters is not a conduct rule


def test_catalogue_is_loaded_into_the_database(db) -> None:
    with db.read() as s:
        clause = clause_in_force(s, "vpd-3.21/III.M", dt.date(2026, 10, 30))
        assert clause.policy_version.version == "2026-02-02"
        assert clause.text.startswith("Employees shall not post messages, pictures, audio")
        n = len(list(s.scalars(select(Clause))))
    # Every clause of the files, and the headings their clauses name (Purpose, Definitions).
    assert n == sum(
        len(catalogue(p)["clauses"]) + len(missing_parents(catalogue(p)["clauses"]))
        for p in SOURCES
    )
    assert sum(len(missing_parents(catalogue(p)["clauses"])) for p in SOURCES) == 4


def test_unknown_clause_is_refused_with_its_id(db) -> None:
    with db.read() as s, pytest.raises(NotFound, match="vpd-3.21/III.ZZ"):
        clause_in_force(s, "vpd-3.21/III.ZZ", None)


def _revised(tmp_path: Path) -> CatalogueFile:
    data = copy.deepcopy(catalogue("vpd-3.21"))
    data["version"] = "2027-03-01"
    data["effective_from"] = "2027-03-01"
    for c in data["clauses"]:
        if c["id"] == "vpd-3.21/III.M":
            c["text"] = "REVISED: Employees shall not post about any investigation at all."
    raw = json.dumps(data).encode()
    path = tmp_path / "vpd-3.21@2027-03-01.json"
    path.write_bytes(raw)
    return CatalogueFile(path, data, hashlib.sha256(raw).hexdigest())


def test_a_later_revision_never_changes_what_an_old_allegation_cites(
    db, admin, open_report, tmp_path
) -> None:
    result = open_report()  # incident 2026-10-30, cites III.M
    with db.write(admin) as s:
        assert sync_catalogue(s, [_revised(tmp_path)]) == ["vpd-3.21@2027-03-01"]
    with db.read() as s:
        shown = show_case(s, admin, result.case.number)
        assert shown["allegations"][0]["clause_version"] == "2026-02-02"
        old = clause_in_force(s, "vpd-3.21/III.M", dt.date(2026, 10, 30))
        new = clause_in_force(s, "vpd-3.21/III.M", dt.date(2027, 5, 1))
        assert not old.text.startswith("REVISED") and new.text.startswith("REVISED")
        allegation = s.get(Allegation, shown["allegations"][0]["id"])
        assert allegation.clause.text == old.text
    # An allegation added after the revision still uses the incident date's version.
    with db.write(admin) as s:
        a = add_allegation(s, admin, result.case.number, "1234", "vpd-3.21/III.L")
        assert a.clause.policy_version.version == "2026-02-02"


def test_a_shipped_version_whose_text_changed_is_refused(db, admin, tmp_path) -> None:
    data = copy.deepcopy(catalogue("vpd-3.21"))
    data["clauses"][5]["text"] += " (edited)"
    raw = json.dumps(data).encode()
    f = CatalogueFile(tmp_path / "x.json", data, hashlib.sha256(raw).hexdigest())
    with pytest.raises(InputError, match="never changes once loaded"), db.write(admin) as s:
        sync_catalogue(s, [f])


def test_a_newly_shipped_version_is_loaded_at_start_up(db, db_url, tmp_path, monkeypatch) -> None:
    from ia_desk.policy import catalogue as cat
    from ia_desk.startup import open_database

    revised = _revised(tmp_path)
    for f in shipped_files():
        (tmp_path / f.path.name).write_bytes(f.path.read_bytes())
    monkeypatch.setattr(cat, "resource", lambda *_: tmp_path)
    db.dispose()
    reopened = open_database(db_url)
    with reopened.read() as s:
        assert clause_in_force(s, "vpd-3.21/III.M", dt.date(2027, 5, 1)).text.startswith("REVISED")
        events = [
            e.details
            for e in s.scalars(select(AuditEvent).where(AuditEvent.event_type == "catalogue.load"))
        ]
    assert any("vpd-3.21@2027-03-01" in d for d in events)
    reopened.dispose()
    assert revised.data["version"] == "2027-03-01"
