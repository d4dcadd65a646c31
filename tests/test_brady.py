"""Brady/Giglio (issue 23): a sustained finding under a clause the matrix says bears on
credibility or bias flags the employee for IA's disclosure review; IA decides it with a
reason and logs each disclosure to a prosecutor; the flag follows the finding and stops
a disposal; none of it ever names a confidential reporter."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from ia_desk.cli import main
from ia_desk.db.models import AuditEvent, BradyDisclosure, BradyFlag, Employee
from ia_desk.discipline.brady import has_open_brady_flag
from ia_desk.discipline.matrix import credibility, shipped_matrix, update_matrix
from ia_desk.errors import InputError, PermissionDenied
from ia_desk.services import allegations, brady, cases

from .conftest import PASSWORD, report_doc

BADGE = "1234"
TODAY = dt.date.today()
REPORTER = {
    "mode": "confidential",
    "name": "Quinn Whistle",
    "badge": "W7731",
    "phone": "601-555-0147",
    "email": "qwhistle@example.org",
    "good_faith": True,
}
SECRETS = ("Quinn", "Whistle", "W7731", "555-0147", "qwhistle")


@pytest.fixture
def finding(db, admin, make_user):
    """finding(clause, disposition="sustained", final=True) -> (case number, allegation
    id): a report naming BADGE under the clause (a confidential reporter), investigated,
    found; ``final``: its findings complete and signed off by the IA commander and the
    Chief (the review chain), so IA may decide on the flag."""
    from ia_desk.services.intake import check_report, submit_report

    chief = make_user("command_staff")

    def make(clause: str, disposition: str = "sustained", final: bool = True) -> tuple[str, int]:
        doc = report_doc(reporter=REPORTER, clauses=[clause])
        number = submit_report(db, admin, check_report(doc)).value.number
        cases.take_action(db, admin, number, "start")
        (allegation,) = cases.file(db, admin, number)["allegations"]
        allegations.record_finding(db, admin, allegation["id"], disposition, "As posted.")
        if final:
            cases.take_action(db, admin, number, "findings")
            cases.sign_off(db, admin, number)
            cases.sign_off(db, chief, number)
        return number, allegation["id"]

    return make


class Event:
    def __init__(self, user_login: str | None, outcome: str, details: str | dict) -> None:
        self.user_login, self.outcome = user_login, outcome
        self.details = json.loads(details) if isinstance(details, str) else details


def events(db, kind: str) -> list[Event]:
    """The audit events of a kind, in order (who, outcome, details)."""
    with db.read() as s:
        return [
            Event(*row)
            for row in s.execute(
                select(AuditEvent.user_login, AuditEvent.outcome, AuditEvent.details)
                .where(AuditEvent.event_type == kind)
                .order_by(AuditEvent.seq)
            )
        ]


def employee_id(db) -> int:
    with db.read() as s:
        return s.scalar(select(Employee.id).where(Employee.badge == BADGE))


def stops_disposal(db) -> bool:
    with db.read() as s:
        return has_open_brady_flag(s, employee_id(db))


def test_sustaining_a_credibility_clause_flags_the_employee_for_review(db, admin, finding):
    number, allegation = finding("vpd-3.21/III.N.1")
    (flag,) = brady.flags(db, admin)
    assert (flag["employee"], flag["case"], flag["allegation"]) == (BADGE, number, allegation)
    assert flag["clause"] == "vpd-3.21/III.N.1" and flag["grounds"] == ["bias"]
    assert flag["status"] == "review" and flag["decidable"] and not flag["disclosable"]
    assert "impeach" in flag["why"] and flag["raised_at"][:10] == dt.date.today().isoformat()
    assert stops_disposal(db)
    (raised,) = events(db, "brady.raised")
    assert raised.details["clause"] == "vpd-3.21/III.N.1" and raised.details["employee"] == BADGE


@pytest.mark.parametrize(
    ("clause", "disposition"),
    [("vpd-3.21/III.Q", "sustained"), ("vpd-3.21/IV.K", "not_sustained")],
)
def test_no_flag_without_a_sustained_finding_under_a_credibility_clause(
    db, admin, finding, clause, disposition
):
    finding(clause, disposition)
    assert brady.flags(db, admin) == [] and not stops_disposal(db)
    assert events(db, "brady.raised") == []


def test_decision_and_disclosure_are_audited_and_shown_on_the_history(
    db, admin, finding, make_user
):
    number, _ = finding("vpd-3.21/IV.K")
    (flag,) = brady.flags(db, admin, status="review")
    decided = brady.decide(db, admin, flag["id"], "disclose", "Deceived the public.").value
    assert decided["status"] == "disclose" and decided["decided_by"] == "admin"
    assert decided["disclosable"] and not decided["decidable"]
    shown = brady.disclose(
        db, admin, flag["id"], TODAY, "District Attorney, Warren County", "Lt. Ames", "The finding."
    ).value
    (told,) = shown["disclosures"]
    assert (told["office"], told["disclosed_by"], told["disclosed_on"]) == (
        "District Attorney, Warren County",
        "Lt. Ames",
        TODAY.isoformat(),
    )
    assert stops_disposal(db)
    (decide,) = events(db, "brady.decide")
    (disclose,) = events(db, "brady.disclose")
    assert decide.details["decision"] == "disclose" and decide.user_login == "admin"
    assert disclose.details["office"] == "District Attorney, Warren County"
    chief = make_user("command_staff")
    (on_history,) = cases.employee(db, chief, BADGE)["brady"]
    assert on_history["id"] == flag["id"] and on_history["disclosures"]
    assert not on_history["decidable"] and not on_history["disclosable"]
    assert brady.flag(db, chief, flag["id"])["case"] == number
    assert events(db, "brady.show")[-1].user_login == chief.login


def test_a_flag_reviewed_as_not_disclosable_still_stops_disposal(db, admin, finding):
    """Whatever IA decided, the finding stands: a court may still order it disclosed,
    and the records must be there (issue 23: "the flag stops disposal")."""
    finding("vpd-3.21/III.O")
    (flag,) = brady.flags(db, admin)
    brady.decide(db, admin, flag["id"], "not_disclosable", "A vulgarity, no insensitivity.")
    assert stops_disposal(db)
    assert brady.flag(db, admin, flag["id"])["stops_disposal"]
    with pytest.raises(InputError, match="awaiting review") as refused:
        brady.decide(db, admin, flag["id"], "disclose", "Changed my mind.")
    assert refused.value.field == "flag"
    with pytest.raises(InputError, match="decided to disclose"):
        brady.disclose(db, admin, flag["id"], TODAY, "DA", "Lt. Ames", "The finding.")


@pytest.mark.parametrize("role", ["supervisor", "ia_investigator", "command_staff"])
def test_only_the_ia_administrator_decides_and_discloses(db, admin, finding, make_user, role):
    finding("vpd-3.21/IV.I")
    (flag,) = brady.flags(db, admin)
    other = make_user(role)
    attempts = [
        lambda: brady.decide(db, other, flag["id"], "disclose", "Mine."),
        lambda: brady.disclose(db, other, flag["id"], TODAY, "DA", "Lt. Ames", "x"),
    ]
    if role == "supervisor":
        attempts += [lambda: brady.flags(db, other), lambda: brady.flag(db, other, flag["id"])]
    else:
        assert [f["id"] for f in brady.flags(db, other)] == [flag["id"]]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    refused = [
        e
        for kind in ("brady.decide", "brady.disclose", "brady.list", "brady.show")
        for e in events(db, kind)
        if e.outcome != "ok"
    ]
    assert len(refused) == len(attempts) and {e.user_login for e in refused} == {other.login}
    assert brady.flag(db, admin, flag["id"])["status"] == "review"


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (lambda f: ("decide", f, "maybe", "Why."), "decision", "decision"),
        (lambda f: ("decide", f, "disclose", "  "), "reason", "reason: required"),
        (lambda f: ("decide", 999, "disclose", "Why."), "flag", "no Brady/Giglio flag 999"),
        (
            lambda f: ("disclose", f, TODAY + dt.timedelta(days=2), "DA", "Lt. Ames", "x"),
            "disclosed_on",
            "in the future",
        ),
        (
            lambda f: ("disclose", f, "not a date", "DA", "Lt. Ames", "x"),
            "disclosed_on",
            "disclosed_on",
        ),
        (lambda f: ("disclose", f, TODAY, " ", "Lt. Ames", "x"), "office", "office: required"),
        (lambda f: ("disclose", f, TODAY, "DA", "", "x"), "disclosed_by", "disclosed_by"),
        (lambda f: ("disclose", f, TODAY, "DA", "Lt. Ames", ""), "what", "what: required"),
        (
            lambda f: ("disclose", f, dt.date(2026, 1, 2), "DA", "Lt. Ames", "x"),
            "disclosed_on",
            "before the finding",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    db, admin, finding, call, field, message
):
    finding("vpd-3.21/IV.K")
    (flag,) = brady.flags(db, admin)
    kind, *args = call(flag["id"])
    if kind == "disclose":
        brady.decide(db, admin, flag["id"], "disclose", "Deceived the public.")
    before = brady.flag(db, admin, flag["id"])
    with pytest.raises(InputError, match=message) as refused:
        getattr(brady, kind)(db, admin, *args)
    assert refused.value.field == field
    after = brady.flag(db, admin, flag["id"])
    assert after["status"] == before["status"] and after["reason"] == before["reason"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(BradyDisclosure)) == 0
    assert [e for e in events(db, f"brady.{kind}") if e.outcome == "ok"] == []


def test_ia_decides_only_on_final_findings(db, admin, finding, make_user):
    """A finding the IA commander or the Chief may still return is not decided on: the
    decision waits for the review chain's last sign-off."""
    number, _allegation = finding("vpd-3.21/IV.K", final=False)
    (flag,) = brady.flags(db, admin)
    assert not flag["decidable"] and "not complete" in flag["waits_for"]
    with pytest.raises(InputError, match="waits for the final findings") as refused:
        brady.decide(db, admin, flag["id"], "disclose", "An impersonating account.")
    assert refused.value.field == "flag"
    cases.take_action(db, admin, number, "findings")
    cases.sign_off(db, admin, number)
    with pytest.raises(InputError, match="the Chief's sign-off"):
        brady.decide(db, admin, flag["id"], "disclose", "An impersonating account.")
    cases.sign_off(db, make_user("command_staff"), number)
    assert brady.flag(db, admin, flag["id"])["decidable"]
    brady.decide(db, admin, flag["id"], "disclose", "An impersonating account.")
    assert [e.outcome for e in events(db, "brady.decide")] == ["ok"]


def test_the_flag_follows_a_finding_changed_away_from_sustained(db, admin, finding):
    number, allegation = finding("vpd-3.21/III.N.1")
    (first,) = brady.flags(db, admin)
    brady.decide(db, admin, first["id"], "disclose", "Racial slur in the post.")
    brady.disclose(db, admin, first["id"], TODAY, "DA", "Lt. Ames", "The sustained finding.")
    cases.take_action(db, admin, number, "reopen", reason="New evidence: the account was hacked.")
    allegations.record_finding(db, admin, allegation, "exonerated", "Another posted it.")
    (gone,) = brady.flags(db, admin)
    assert gone["status"] == "withdrawn" and gone["withdrawn_at"]
    assert "DA" in gone["notice"] and gone["disclosable"]  # the correction is logged here
    assert stops_disposal(db)  # the prosecutor was told: what was told is kept
    (withdrawn,) = events(db, "brady.withdrawn")
    assert withdrawn.details["previous"] == "disclose" and withdrawn.details["disclosures"] == 1
    brady.disclose(db, admin, first["id"], TODAY, "DA", "Lt. Ames", "Finding now exonerated.")
    allegations.record_finding(db, admin, allegation, "sustained", "The hack was not real.")
    again, old = brady.flags(db, admin)  # a new flag, to be decided afresh
    assert (again["status"], old["id"]) == ("review", first["id"]) and again["id"] != old["id"]


def test_a_withdrawn_flag_never_disclosed_does_not_stop_disposal(db, admin, finding):
    number, allegation = finding("city-sn/procedure.11")
    cases.take_action(db, admin, number, "reopen", reason="The wrong post was read.")
    allegations.record_finding(db, admin, allegation, "not_sustained", "Not the employee's.")
    (flag,) = brady.flags(db, admin, status="withdrawn")
    assert flag["notice"] is None and not flag["disclosable"] and not stops_disposal(db)


def test_the_matrix_says_which_clauses_bear_on_credibility_and_why():
    matrix = shipped_matrix()
    flagged = {
        cid: spec["credibility"]["grounds"]
        for cid, spec in matrix["clauses"].items()
        if "credibility" in spec
    }
    assert flagged == {
        "vpd-3.21/III.N.1": ["bias"],
        "vpd-3.21/III.O": ["bias"],
        "vpd-3.21/IV.I": ["bias"],
        "vpd-3.21/III.G": ["bias"],
        "city-sn/procedure.11": ["bias"],
        "vpd-3.21/IV.K": ["dishonesty"],
    }
    assert all(len(matrix["clauses"][c]["credibility"]["why"]) > 40 for c in flagged)
    # A matrix from before version 4 says nothing on credibility: the shipped entries answer.
    older = copy.deepcopy(matrix)
    del older["credibility_grounds"]
    for spec in older["clauses"].values():
        spec.pop("credibility", None)
    assert credibility(older, "vpd-3.21/IV.I")["grounds"] == ["bias"]
    assert credibility(matrix, "vpd-3.21/III.Q") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda m: m["clauses"]["vpd-3.21/III.Q"].update(
                credibility={"grounds": ["rudeness"], "why": "x" * 30}
            ),
            "credibility.grounds",
        ),
        (
            lambda m: m["clauses"]["vpd-3.21/III.Q"].update(credibility={"grounds": ["bias"]}),
            "credibility.why",
        ),
        (lambda m: m["clauses"]["vpd-3.21/III.Q"].update(credibility=True), "credibility.grounds"),
        (lambda m: m["credibility_grounds"].update(rudeness="Rude."), "credibility_grounds"),
    ],
)
def test_a_matrix_with_a_bad_credibility_entry_is_refused(db, admin, change, message):
    content = copy.deepcopy(shipped_matrix())
    change(content)
    with pytest.raises(InputError, match=message), db.write(admin) as s:
        update_matrix(s, admin, content, "Try it.")


def test_a_department_matrix_that_drops_a_clause_raises_no_flag_under_it(db, admin, finding):
    content = copy.deepcopy(shipped_matrix())
    del content["clauses"]["vpd-3.21/IV.K"]["credibility"]
    with db.write(admin) as s:
        update_matrix(s, admin, content, "Our prosecutor does not count impersonation.")
    finding("vpd-3.21/IV.K")
    assert brady.flags(db, admin) == []


def test_a_finding_made_before_the_flags_existed_is_flagged_at_the_next_sign_in(
    db, db_url, admin, make_user, monkeypatch, capsys
):
    """A database upgraded to the flags holds sustained findings that no flag follows
    (found before this version, or before the department's matrix named the clause):
    disposal already counts them, and the next IA administrator to sign in raises their
    flags, signed by them and audited, once; the trail still verifies."""
    from ia_desk.audit.trail import verify
    from ia_desk.cases.allegations import record_finding as found_before_the_flags
    from ia_desk.services.intake import check_report, submit_report

    doc = report_doc(reporter=REPORTER, clauses=["vpd-3.21/IV.K"])
    number = submit_report(db, admin, check_report(doc)).value.number
    cases.take_action(db, admin, number, "start")
    (allegation,) = cases.file(db, admin, number)["allegations"]
    with db.write(admin) as s:  # the finding as an earlier version wrote it: no flag
        found_before_the_flags(s, admin, allegation["id"], "sustained", "As posted.")
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(BradyFlag)) == 0
        assert has_open_brady_flag(s, employee_id(db))  # owed a flag: kept already
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
    monkeypatch.setenv("IA_DESK_USER", make_user("ia_investigator").login)
    assert main(["--db", db_url, "brady", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # an investigator raises none
    monkeypatch.setenv("IA_DESK_USER", "admin")
    for _start in range(2):  # each command signs in as the app does
        assert main(["--db", db_url, "brady", "list", "--json"]) == 0
        (listed,) = json.loads(capsys.readouterr().out)
        assert (listed["case"], listed["status"]) == (number, "review")
    assert stops_disposal(db)
    (raised,) = events(db, "brady.raised")
    assert raised.user_login == "admin" and raised.details["clause"] == "vpd-3.21/IV.K"
    with db.read() as s:
        result = verify(s)
    assert result.ok, result.problems


def test_a_decision_or_disclosure_changed_around_the_app_is_named_by_audit_verify(
    db, admin, finding
):
    """The attack: someone holding the database clears an officer by turning a
    "disclose" into "not disclosable", or deletes the log of what the prosecutor was
    told. Flags and disclosures are bound to their signed events, so audit verify names
    each, and the app's own writes verify."""
    from ia_desk.audit.trail import verify

    from .conftest import go_around_the_app

    finding("vpd-3.21/IV.K")
    (flag,) = brady.flags(db, admin)
    brady.decide(db, admin, flag["id"], "disclose", "An impersonating account.")
    brady.disclose(db, admin, flag["id"], TODAY, "DA", "Lt. Ames", "The sustained finding.")
    with db.read() as s:
        result = verify(s)
    assert result.ok, result.problems
    go_around_the_app(db, "UPDATE brady_flag SET status = 'not_disclosable'")
    with db.read() as s:
        problems = [p for _seq, p in verify(s).problems]
    assert any(
        f"Brady/Giglio flag {flag['id']} is not what its brady.decide" in p for p in problems
    )
    go_around_the_app(db, "UPDATE brady_flag SET status = 'disclose'")
    go_around_the_app(db, "UPDATE brady_disclosure SET office = 'Nobody'")
    with db.read() as s:
        problems = [p for _seq, p in verify(s).problems]
    assert any("disclosure to a prosecutor" in p and "changed outside" in p for p in problems)
    go_around_the_app(
        db,
        "INSERT INTO brady_disclosure (flag_id, disclosed_on, office, disclosed_by, what, "
        "recorded_by_id, recorded_at) VALUES (:flag, '2026-01-02', 'DA', 'Nobody', 'x', 1, "
        "'2026-01-02 10:00:00')",
        flag=flag["id"],
    )
    with db.read() as s:
        problems = [p for _seq, p in verify(s).problems]
    assert any("disclosure to a prosecutor" in p and "outside IA Desk" in p for p in problems)


def test_brady_output_never_names_the_confidential_reporter(db, admin, finding, make_user):
    finding("vpd-3.21/IV.K")
    (flag,) = brady.flags(db, admin)
    brady.decide(db, admin, flag["id"], "disclose", "Quinn Whistle (W7731) saw the account.")
    brady.disclose(
        db, admin, flag["id"], TODAY, "DA", "Lt. Ames", "Whistle's statement, 601-555-0147."
    )
    chief = make_user("command_staff")
    for reader in (admin, make_user("ia_investigator"), chief):
        for out in (brady.flags(db, reader), brady.flag(db, reader, flag["id"])):
            text = json.dumps(out)
            assert not [s for s in SECRETS if s.lower() in text.lower()], text


def test_the_command_line_lists_shows_decides_and_discloses(
    db, db_url, admin, finding, monkeypatch, capsys
):
    finding("vpd-3.21/III.G")

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setenv("IA_DESK_USER", "admin")
        monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
        code = main(["--db", db_url, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, _ = run("brady", "list", "--status", "review")
    assert code == 0 and "vpd-3.21/III.G (bias): awaiting IA's disclosure review" in out
    flag_id = json.loads(run("brady", "list", "--json")[1])[0]["id"]
    code, out, _ = run(
        "brady", "decide", str(flag_id), "--decision", "disclose", "--reason", "Threats."
    )
    assert code == 0 and "to be disclosed to prosecutors" in out
    code, _, err = run(
        "brady",
        "disclose",
        str(flag_id),
        "--on",
        TODAY.isoformat(),
        "--office",
        " ",
        "--by",
        "Lt. Ames",
        "--what",
        "The finding.",
    )
    assert code != 0 and "office" in err
    code, out, _ = run(
        "brady",
        "disclose",
        str(flag_id),
        "--on",
        TODAY.isoformat(),
        "--office",
        "DA Warren",
        "--by",
        "Lt. Ames",
        "--what",
        "The finding.",
    )
    assert code == 0 and f"disclosure of {TODAY.isoformat()} to DA Warren logged" in out
    code, out, _ = run("brady", "show", str(flag_id))
    assert code == 0 and "disclosed " + TODAY.isoformat() + " to DA Warren by Lt. Ames" in out
    assert "stops disposal" in out
    code, out, _ = run("brady", "list", "--employee", "9999")
    assert code != 0
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(BradyFlag)) == 1


def test_the_window_shows_the_flags_and_the_commander_decides_and_logs_a_disclosure(
    qtbot, db, admin, finding, make_user, monkeypatch
):
    from PySide6.QtWidgets import QPushButton

    from ui.dialogs.brady import BradyReviewDialog, DisclosureDialog
    from ui.dialogs.reason import ReasonDialog
    from ui.screens.employees import EmployeesPage

    from .test_ui import idle

    number, _ = finding("vpd-3.21/IV.K")
    chief = make_user("command_staff")
    seen = EmployeesPage(db, chief)
    qtbot.addWidget(seen)
    seen.refresh()
    idle(qtbot)
    seen.table.setCurrentCell(0, 0)
    idle(qtbot)
    assert f"vpd-3.21/IV.K on {number} (dishonesty)" in seen.brady.text()
    review = BradyReviewDialog(db, chief, seen)
    qtbot.addWidget(review)
    review.refresh()
    idle(qtbot)
    assert review.table.rowCount() == 1 and not review.disclose.isVisibleTo(review)
    assert not review.log.isVisibleTo(review)
    # The review is offered to the readers of the flags (the page shown, so the check
    # can fail: a hidden page's button is visible to nothing), and to nobody else (a
    # supervisor is not offered the Employees screen at all).
    seen.show()
    idle(qtbot)
    assert seen.brady_review.isVisibleTo(seen)
    assert not brady.may_review(make_user("supervisor"))

    def reason_and_save(self):
        self.text.setPlainText("Impersonation bears on truthfulness.")
        self.save()
        idle(qtbot)
        return int(self.result())

    def fill_and_save(self):
        self.office.setText("District Attorney, Warren County")
        self.by.setText("Lt. Ames")
        self.what.setPlainText("The sustained finding and its rationale.")
        self.save()
        idle(qtbot)
        return int(self.result())

    monkeypatch.setattr(ReasonDialog, "exec", reason_and_save)
    monkeypatch.setattr(DisclosureDialog, "exec", fill_and_save)
    page = EmployeesPage(db, admin)
    qtbot.addWidget(page)
    page.show()
    dialog = BradyReviewDialog(db, admin, page)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.refresh()
    idle(qtbot)
    button = dialog.findChild(QPushButton, "brady-decide-disclose")
    assert button.isVisibleTo(dialog) and not dialog.log.isVisibleTo(dialog)
    button.click()
    idle(qtbot)
    assert "to be disclosed to prosecutors" in dialog.detail.toPlainText()
    assert dialog.log.isVisibleTo(dialog) and not button.isVisibleTo(dialog)
    dialog.log.click()
    idle(qtbot)
    assert "to District Attorney, Warren County by Lt. Ames" in dialog.detail.toPlainText()
    (flag,) = brady.flags(db, admin)
    assert flag["status"] == "disclose" and len(flag["disclosures"]) == 1


def test_the_ia_summary_prints_the_flag_and_the_command_summary_does_not(
    db, admin, finding, make_user
):
    from ia_desk.reports.summary import summary

    from .test_summary import flat, pdf_text

    number, _ = finding("vpd-3.21/IV.K")
    (flag,) = brady.flags(db, admin)
    brady.decide(db, admin, flag["id"], "disclose", "Quinn Whistle saw it; it deceived.")
    brady.disclose(db, admin, flag["id"], TODAY, "DA Warren", "Lt. Ames", "Whistle's account.")
    with db.write(admin) as s:
        ia = flat(pdf_text(summary(s, admin, number, "ia").pdf))
        command = flat(pdf_text(summary(s, admin, number, "command").pdf))
    assert "Brady/Giglio: vpd-3.21/IV.K bears on dishonesty" in ia
    assert f"Disclosed {TODAY.isoformat()} to DA Warren by Lt. Ames" in ia
    assert "Brady/Giglio" not in command
    # What goes to a prosecutor never names the confidential reporter, even in IA's print;
    # the reporter's own section of IA's summary names them, as it always has.
    brady_part = ia[ia.index("Brady/Giglio") :][:400]
    assert not [s for s in SECRETS if s.lower() in brady_part.lower()], brady_part
