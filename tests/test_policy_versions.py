"""The version in force, said honestly (issue 22): an incident before the only version
on file is told that its text is not on file; an IA administrator adds the earlier
version, and allegations of such incidents cite it from then on."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from ia_desk.casefile.read import show_case
from ia_desk.cases.allegations import add_allegation
from ia_desk.cli import main
from ia_desk.db.models import AuditEvent, Clause, PolicyVersion
from ia_desk.errors import InputError, PermissionDenied
from ia_desk.policy.catalogue import shipped_files
from ia_desk.reports.summary import summary
from ia_desk.services import policy

from .conftest import PASSWORD

EARLIER_III_M = "EARLIER TEXT: Employees shall not post about any pending investigation."


def vpd() -> dict:
    return json.loads(
        json.dumps(next(f.data for f in shipped_files() if f.data["policy"] == "vpd-3.21"))
    )


def earlier_file(tmp_path: Path, **changes) -> Path:
    data = vpd()
    data.update(version="2019-05-01", effective_from="2019-05-01", **changes)
    for c in data["clauses"]:
        if c["id"] == "vpd-3.21/III.M":
            c["text"] = EARLIER_III_M
    path = tmp_path / "vpd-3.21@2019-05-01.json"
    path.write_text(json.dumps(data))
    return path


def pdf_text(pdf: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", " ")


def _incident(day: str) -> dict:
    return {"occurred_on": day, "narrative": "He posted about the pending investigation."}


def test_an_incident_before_the_only_version_is_told_its_text_is_not_on_file(
    db, admin, open_report
) -> None:
    number = open_report(
        received_at="2025-07-02T09:00:00-05:00", incident=_incident("2025-06-30")
    ).case.number
    with db.read() as s:
        note = show_case(s, admin, number)["allegations"][0]["clause_version_note"]
        pdf = summary(s, admin, number, "ia").pdf
    assert note == (
        "version 2026-02-02, effective 2 February 2026: the text in force on 30 June 2025 "
        "is not on file"
    )
    assert "in force on 2025-06-30" not in pdf_text(pdf)
    assert "the text in force on 30 June 2025 is not on file" in pdf_text(pdf)


def test_an_incident_under_the_version_on_file_is_told_so(db, admin, open_report) -> None:
    number = open_report().case.number  # incident 2026-10-30
    with db.read() as s:
        note = show_case(s, admin, number)["allegations"][0]["clause_version_note"]
    assert note == "version 2026-02-02, in force on 30 October 2026"


def test_an_undated_policy_says_its_date_is_not_on_file(db, admin, open_report) -> None:
    number = open_report().case.number
    with db.write(admin) as s:
        add_allegation(s, admin, number, "1234", "city-sn/procedure.10")
    with db.read() as s:
        notes = [a["clause_version_note"] for a in show_case(s, admin, number)["allegations"]]
    assert "undated version (its effective date is not on file" in notes[1]


def test_an_administrator_adds_the_earlier_version_and_new_allegations_cite_it(
    db, db_url, admin, open_report, tmp_path, monkeypatch, capsys
) -> None:
    number = open_report(
        received_at="2025-07-02T09:00:00-05:00", incident=_incident("2025-06-30")
    ).case.number
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
    assert main(["--db", db_url, "policy", "add-version", str(earlier_file(tmp_path))]) == 0
    assert "added vpd-3.21@2019-05-01" in capsys.readouterr().out
    with db.write(admin) as s:
        later = add_allegation(s, admin, number, "1234", "vpd-3.21/III.L")
        assert later.clause.policy_version.version == "2019-05-01"
    with db.read() as s:
        shown = show_case(s, admin, number)["allegations"]
        old, new = shown
        # What was cited stays cited, and says that the text in force was added since.
        assert old["clause_version"] == "2026-02-02"
        assert old["clause_version_note"].endswith(
            "version 2019-05-01, in force on that date, was added to the catalogue since"
        )
        assert new["clause_version_note"] == "version 2019-05-01, in force on 30 June 2025"
        assert policy.clause(db, "vpd-3.21/III.M", on=dt.date(2025, 6, 30))["text"] == EARLIER_III_M
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.event_type == "catalogue.add_version")
        ).one()
        assert event.user_login == "admin" and event.signature
        assert json.loads(event.details)["effective_from"] == "2019-05-01"


def test_only_an_administrator_adds_a_version(db, make_user, tmp_path) -> None:
    investigator = make_user("ia_investigator")
    with pytest.raises(PermissionDenied):
        policy.add_version(db, investigator, earlier_file(tmp_path))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(PolicyVersion)) == 2


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"effective_from": None}, "effective_from: the date this version came into force"),
        ({"policy": "vpd-9.99"}, "policy: give the id of a policy in the catalogue"),
        ({"version": "2026-02-02"}, "already has a version 2026-02-02"),
        ({"effective_from": "2026-02-02"}, "came into force on 2026-02-02 already"),
        ({"clauses": []}, "clauses: the version's clauses"),
        ("foreign id", "clauses[3].id: a clause id of vpd-3.21"),
        ("new rule", "vpd-3.21/III.ZZ can be cited but has no class in the discipline matrix"),
        ("not json", "is not a policy file"),
    ],
)
def test_a_bad_version_file_is_refused_in_words_and_nothing_is_stored(
    db, admin, tmp_path, change, words
) -> None:
    path = earlier_file(tmp_path)
    data = json.loads(path.read_text())
    if change == "foreign id":
        data["clauses"][3]["id"] = "city-sn/procedure.7"
    elif change == "new rule":
        data["clauses"].append({**data["clauses"][-1], "id": "vpd-3.21/III.ZZ", "rule": True})
    elif change != "not json":
        data.update(change)
    path.write_text("{ not json" if change == "not json" else json.dumps(data))
    with db.read() as s:
        before = (
            s.scalar(select(func.count()).select_from(PolicyVersion)),
            s.scalar(select(func.count()).select_from(Clause)),
        )
    with pytest.raises(InputError) as err:
        policy.add_version(db, admin, path)
    assert words in err.value.message
    with db.read() as s:
        after = (
            s.scalar(select(func.count()).select_from(PolicyVersion)),
            s.scalar(select(func.count()).select_from(Clause)),
        )
    assert after == before
