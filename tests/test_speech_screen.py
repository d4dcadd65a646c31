"""The scope and First Amendment screen (issue 22): before an allegation under a clause
that punishes speech for discrediting the employer is sustained, IA records whether the
account is within the policy (3.21 purpose and scope 9) and how the public-concern
balance comes out; the IA summary prints it."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from ia_desk.casefile.read import show_case
from ia_desk.cases.allegations import add_allegation, record_finding
from ia_desk.cases.queries import get_case
from ia_desk.cases.speech import record_screen
from ia_desk.cases.workflow import perform
from ia_desk.db.models import AuditEvent
from ia_desk.errors import InputError, PermissionDenied
from ia_desk.reports.summary import summary

from .conftest import GRIEVANCE


@pytest.fixture
def speech_case(db, admin, open_report):
    """A case under investigation alleging §III.J; returns (number, allegation id)."""
    number = open_report(clauses=["vpd-3.21/III.J"]).case.number
    with db.write(admin) as s:
        perform(s, admin, number, "start")
        return number, get_case(s, number).allegations[0].id


def _sustain(db, actor, allegation_id: int) -> None:
    with db.write(actor) as s:
        record_finding(s, actor, allegation_id, "sustained", "Posted about his sergeant.")


def test_a_speech_clause_is_not_sustained_before_its_screen(db, admin, speech_case) -> None:
    _number, aid = speech_case
    with pytest.raises(InputError) as err:
        _sustain(db, admin, aid)
    assert "record the scope and First Amendment screen first" in err.value.message
    assert err.value.field == "disposition"
    # Any other finding needs no screen.
    with db.write(admin) as s:
        record_finding(s, admin, aid, "not_sustained", "The post cannot be tied to him.")


def test_outside_the_policy_s_scope_it_cannot_be_sustained(db, admin, speech_case) -> None:
    _number, aid = speech_case
    with db.write(admin) as s:
        record_screen(
            s,
            admin,
            aid,
            {"public_concern": False, "balance": "A private account, no link to the job."},
        )
    with pytest.raises(InputError, match="outside the policy's scope"):
        _sustain(db, admin, aid)
    with db.write(admin) as s:
        record_screen(
            s,
            admin,
            aid,
            {
                "public_concern": False,
                "workplace_effect": "Two officers refused to ride with him after the post.",
                "balance": "A personal grievance; the shift is split over it.",
            },
        )
    _sustain(db, admin, aid)  # an effect on workplace harmony brings it within 3.21


def test_protected_speech_on_a_public_concern_cannot_be_sustained(db, admin, speech_case) -> None:
    _number, aid = speech_case
    concern = {
        "identified_as_employee": True,
        "public_concern": True,
        "concern_note": "The post says the unit falsifies overtime.",
        "balance": "Reporting possible fraud weighs heavily; no disruption is shown.",
        "outcome": "speech_protected",
    }
    with db.write(admin) as s:
        record_screen(s, admin, aid, concern)
    with pytest.raises(InputError, match="the screen finds the speech protected"):
        _sustain(db, admin, aid)
    with db.write(admin) as s:
        record_screen(s, admin, aid, {**concern, "outcome": "department_interest_outweighs"})
    _sustain(db, admin, aid)
    with db.read() as s:
        events = [
            json.loads(e.details)
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.event_type == "allegation.screen")
            )
        ]
    assert [(e["outcome"], e["previous"]) for e in events] == [
        ("speech_protected", None),
        ("department_interest_outweighs", "speech_protected"),
    ]


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        ({"balance": "x"}, "public_concern: say whether"),
        ({"public_concern": True, "balance": "x", "outcome": "speech_protected"}, "concern_note"),
        ({"public_concern": True, "concern_note": "Overtime.", "balance": "x"}, "outcome"),
        ({"public_concern": False}, "balance"),
        ({**GRIEVANCE, "mood": "angry"}, "mood: not a fact of the screen"),
    ],
)
def test_an_incomplete_screen_says_what_is_missing(db, admin, speech_case, facts, words) -> None:
    _number, aid = speech_case
    with pytest.raises(InputError, match=words), db.write(admin) as s:
        record_screen(s, admin, aid, facts)


def test_only_speech_clauses_are_screened_and_only_by_ia(db, admin, make_user, speech_case) -> None:
    number, aid = speech_case
    with db.write(admin) as s:
        other = add_allegation(s, admin, number, "1234", "vpd-3.21/III.N.2").id
    no_screen = "needs no scope and First Amendment screen"
    with pytest.raises(InputError, match=no_screen), db.write(admin) as s:
        record_screen(s, admin, other, GRIEVANCE)
    for role in ("supervisor", "command_staff"):
        who = make_user(role)
        with pytest.raises(PermissionDenied), db.write(who) as s:
            record_screen(s, who, aid, GRIEVANCE)


def test_the_ia_summary_prints_the_screen_and_command_staff_do_not_see_it(
    db, admin, make_user, speech_case
) -> None:
    number, aid = speech_case
    with db.write(admin) as s:
        record_screen(s, admin, aid, GRIEVANCE)
    _sustain(db, admin, aid)
    chief = make_user("command_staff")
    with db.read() as s:
        ia = summary(s, admin, number, "ia").pdf
        command = summary(s, admin, number, "command").pdf
        mine = show_case(s, admin, number)["allegations"][0]
        theirs = show_case(s, chief, number)["allegations"][0]

    def text(pdf: bytes) -> str:
        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(
            "\n", " "
        )

    assert "Scope and First Amendment screen" in text(ia)
    assert "identifies on the account as an employee" in text(ia)
    assert "not a matter of public concern" in text(ia)
    assert "Scope and First Amendment screen" not in text(command)
    assert mine["needs_speech_screen"] and mine["speech_screen"]["in_scope"]
    assert theirs["needs_speech_screen"] and theirs["speech_screen"] is None


def test_the_finding_dialog_asks_for_the_screen_before_sustaining(
    qtbot, db, admin, speech_case, monkeypatch
) -> None:
    from PySide6.QtWidgets import QDialog

    from ui.case_window.window import CaseWindow
    from ui.dialogs.finding import FindingDialog
    from ui.dialogs.speech_screen import SpeechScreenDialog
    from ui.worker import pending_tasks

    number, aid = speech_case
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)

    def sustain(self: FindingDialog) -> QDialog.DialogCode:
        self.disposition.setCurrentIndex(self.disposition.findData("sustained"))
        self.rationale.setPlainText("He posted about his sergeant.")
        return QDialog.DialogCode.Accepted

    asked: list[str] = []

    def screen(self: SpeechScreenDialog) -> QDialog.DialogCode:
        self._check()  # nothing said: it stays open and says what is missing
        asked.append(self.error.text())
        self.scope["identified_as_employee"].setChecked(True)
        self.concern_no.setChecked(True)
        self.balance.setPlainText("A personal grievance.")
        self._check()
        return QDialog.DialogCode(self.result())

    monkeypatch.setattr(FindingDialog, "exec", sustain)
    monkeypatch.setattr(SpeechScreenDialog, "exec", screen)
    view.allegations.setCurrentCell(0, 0)
    view._record_finding()
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)
    assert "public concern" in asked[0] and "reasoning" in asked[0]
    with db.read() as s:
        assert get_case(s, number).allegations[0].disposition == "sustained"
