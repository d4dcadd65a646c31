"""The review chain (issue 22): a case's findings go from the investigator to the IA
commander to the Chief, each signing off or returning them with comments; the case
closes only after the last sign-off. Every decision is audited and bound to its signed
event; who reviews is the department's ``review_chain`` setting."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from ia_desk.audit.trail import verify
from ia_desk.casefile.listing import CaseQuery, case_page
from ia_desk.cases.queries import get_case
from ia_desk.db.models import AuditEvent, CaseReview
from ia_desk.errors import ConflictError, InputError, PermissionDenied
from ia_desk.services import cases as case_service
from ia_desk.services import home
from ia_desk.services import reports as report_service
from ia_desk.services import settings as settings_service

from .conftest import go_around_the_app


@pytest.fixture
def people(make_user):
    return {
        "investigator": make_user("ia_investigator"),
        "chief": make_user("command_staff"),
        "supervisor": make_user("supervisor"),
    }


def with_findings(db, admin, open_report, investigator) -> str:
    """A case assigned to ``investigator``, its one allegation found, findings complete."""
    number = open_report().case.number
    case_service.take_action(db, admin, number, "assign", assignee=investigator.login)
    case_service.take_action(db, investigator, number, "start")
    finish(db, investigator, number)
    return number


def finish(db, investigator, number: str) -> None:
    from ia_desk.services.allegations import record_finding

    data = case_service.file(db, investigator, number)
    for a in data["allegations"]:
        if a["disposition"] is None:
            record_finding(db, investigator, a["id"], "sustained", "The post is on the page.")
    case_service.take_action(db, investigator, number, "findings")


def status(db, admin, number: str) -> str:
    return case_service.file(db, admin, number)["status"]


def events(db, number: str) -> list[tuple[str, str, str]]:
    with db.read() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(AuditEvent.event_type, AuditEvent.user_login, AuditEvent.outcome)
                .where(AuditEvent.case_number == number, AuditEvent.event_type.like("review.%"))
                .order_by(AuditEvent.seq)
            )
        ]


def test_a_case_closes_only_after_the_commander_and_then_the_chief_sign_off(
    db, admin, people, open_report
):
    inv, chief = people["investigator"], people["chief"]
    number = with_findings(db, admin, open_report, inv)
    with pytest.raises(InputError, match="await the IA commander's sign-off"):
        case_service.take_action(db, inv, number, "close")
    # The Chief's step comes after the commander's: refused as a matter of rights (the
    # step is another role's), audited, nothing recorded.
    with pytest.raises(PermissionDenied, match="await the IA commander's sign-off"):
        case_service.sign_off(db, chief, number, "Agreed.")
    assert case_service.sign_off(db, admin, number).value == "chief"
    with pytest.raises(InputError, match="await the Chief's sign-off"):
        case_service.take_action(db, inv, number, "close")
    with pytest.raises(PermissionDenied, match="await the Chief's sign-off"):
        case_service.sign_off(db, admin, number, "Once more.")  # not the Chief's to give
    assert case_service.sign_off(db, chief, number, "Agreed with IA.").value is None
    with pytest.raises(InputError, match="signed off"):
        case_service.sign_off(db, chief, number)  # nothing left to sign
    assert case_service.take_action(db, inv, number, "close").value == "closed"
    assert events(db, number) == [
        ("review.sign_off", chief.login, "denied"),
        ("review.sign_off", admin.login, "ok"),
        ("review.sign_off", admin.login, "denied"),
        ("review.sign_off", chief.login, "ok"),
    ]
    review = case_service.file(db, admin, number)["review"]
    assert review["chain"] == ["the IA commander", "the Chief"] and review["awaiting"] is None
    assert [(d["step"], d["decision"], d["login"], d["comments"]) for d in review["decisions"]] == [
        ("the IA commander", "signed_off", admin.login, None),
        ("the Chief", "signed_off", chief.login, "Agreed with IA."),
    ]


def test_a_return_sends_the_findings_back_and_they_are_reviewed_afresh(
    db, admin, people, open_report
):
    inv, chief = people["investigator"], people["chief"]
    number = with_findings(db, admin, open_report, inv)
    case_service.sign_off(db, admin, number)
    with pytest.raises(InputError, match="comments"):
        case_service.return_findings(db, chief, number, "   ")  # a return says why
    assert status(db, admin, number) == "findings"
    case_service.return_findings(db, chief, number, "Interview the second witness first.")
    assert status(db, admin, number) == "investigating"
    with db.read() as s:
        assert get_case(s, number).review_round == 2
    # The investigator sees it returned to them; nobody awaits a sign-off.
    mine = {c.key: c.count for c in home.home_counts(db, inv)}
    assert mine["mine.returned"] == 1
    assert {c.key: c.count for c in home.home_counts(db, chief)}["review.awaiting_me"] == 0
    case_service.take_action(db, inv, number, "findings")
    # The first round's sign-off no longer counts: the commander signs again.
    with pytest.raises(InputError, match="await the IA commander's sign-off"):
        case_service.take_action(db, inv, number, "close")
    assert {c.key: c.count for c in home.home_counts(db, inv)}["mine.returned"] == 0
    case_service.sign_off(db, admin, number, "Witness interviewed.")
    case_service.sign_off(db, chief, number)
    assert case_service.take_action(db, inv, number, "close").value == "closed"
    rounds = [
        (d["round"], d["decision"])
        for d in case_service.file(db, admin, number)["review"]["decisions"]
    ]
    assert rounds == [(1, "signed_off"), (1, "returned"), (2, "signed_off"), (2, "signed_off")]
    # Reopened, the findings are reviewed from the first step once more.
    case_service.take_action(db, admin, number, "reopen", reason="A new screenshot came in.")
    case_service.take_action(db, inv, number, "findings")
    review = case_service.file(db, admin, number)["review"]
    assert review["round"] == 3 and review["awaiting"] == "the IA commander"


def test_only_the_roles_of_the_chain_decide_and_each_refusal_is_audited(
    db, admin, people, open_report
):
    inv, sup = people["investigator"], people["supervisor"]
    number = with_findings(db, admin, open_report, inv)
    for who in (inv, sup):
        with pytest.raises(PermissionDenied, match="may not sign off or return"):
            case_service.sign_off(db, who, number)
        with pytest.raises(PermissionDenied):
            case_service.return_findings(db, who, number, "No.")
    denied = [e for e in events(db, number) if e[2] == "denied"]
    assert sorted(denied) == sorted(
        [
            ("review.sign_off", inv.login, "denied"),
            ("review.return", inv.login, "denied"),
            ("review.sign_off", sup.login, "denied"),
            ("review.return", sup.login, "denied"),
        ]
    )
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(CaseReview)) == 0
    # Bad input is named, nothing stored.
    with pytest.raises(InputError, match="comments: at most"):
        case_service.sign_off(db, admin, number, "x" * 20_001)
    with pytest.raises(InputError, match="text-direction control"):
        case_service.return_findings(db, admin, number, "Fix \u202e this")
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(CaseReview)) == 0
        assert get_case(s, number).status == "findings"


def test_the_chain_is_the_departments_setting(db, admin, people, open_report):
    inv = people["investigator"]
    settings_service.change_setting(db, admin, "review_chain", 1)
    number = with_findings(db, admin, open_report, inv)
    assert case_service.sign_off(db, admin, number).value is None  # the commander alone
    assert case_service.take_action(db, inv, number, "close").value == "closed"
    settings_service.change_setting(db, admin, "review_chain", 0)
    other = with_findings(db, admin, open_report, inv)
    with pytest.raises(InputError, match="need no sign-off"):
        case_service.sign_off(db, admin, other)
    assert case_service.take_action(db, inv, other, "close").value == "closed"
    with pytest.raises(InputError, match="review_chain"):
        settings_service.change_setting(db, admin, "review_chain", 3)


def test_each_reviewer_counts_what_awaits_their_sign_off(db, admin, people, open_report):
    inv, chief = people["investigator"], people["chief"]
    first = with_findings(db, admin, open_report, inv)
    second = with_findings(db, admin, open_report, inv)
    case_service.sign_off(db, admin, second)

    def awaiting(actor) -> set[str]:
        (count,) = [c for c in home.home_counts(db, actor) if c.key == "review.awaiting_me"]
        with db.read(actor) as s:
            listed = {r.number for r in case_page(s, actor, count.query, 0, None)}
        assert count.count == len(listed)
        return listed

    assert awaiting(admin) == {first}
    assert awaiting(chief) == {second}
    assert "review.awaiting_me" not in {c.key for c in home.home_counts(db, inv)}
    sup = people["supervisor"]
    with pytest.raises(InputError), db.read(sup) as s:  # a supervisor lists no one's review
        case_page(s, sup, CaseQuery(work="awaiting_my_review"), 0, None)


def test_a_decision_edited_around_the_app_is_named_by_audit_verify(db, admin, people, open_report):
    """A review decision is bound to its signed event: a sign-off turned into someone
    else's, or one put in with no event, is named."""
    inv, chief = people["investigator"], people["chief"]
    number = with_findings(db, admin, open_report, inv)
    case_service.sign_off(db, admin, number, "Fine.")
    with db.read() as s:
        result = verify(s)
    assert result.ok, result.problems
    go_around_the_app(db, "UPDATE case_review SET reviewer_id = :who", who=chief.user_id)
    with db.read() as s:
        result = verify(s)
    assert not result.ok
    assert any("review decision" in p for _seq, p in result.problems), result.problems
    go_around_the_app(db, "UPDATE case_review SET reviewer_id = :who", who=admin.user_id)
    with db.read() as s:
        case_id = get_case(s, number).id
    go_around_the_app(
        db,
        "INSERT INTO case_review (case_id, round, step, decision, reviewer_id, decided_at) "
        "VALUES (:case, 1, 'chief', 'signed_off', :who, '2026-12-01 10:00:00')",
        case=case_id,
        who=chief.user_id,
    )
    with db.read() as s:
        result = verify(s)
    assert any("review decision" in p for _seq, p in result.problems), result.problems


def test_a_decision_on_a_case_changed_since_it_was_read_is_a_conflict(
    db, admin, people, open_report, make_user
):
    """Two IA commanders with the case open: the second, who read it before the first
    signed, is refused as a conflict naming who changed it, and nothing of theirs is
    stored. A decision moves the case's version, as every change of a case does."""
    inv = people["investigator"]
    other_commander = make_user("ia_admin")
    number = with_findings(db, admin, open_report, inv)
    seen = case_service.file(db, admin, number)["version"]
    case_service.sign_off(db, admin, number, "First.", expected_version=seen)
    assert case_service.file(db, admin, number)["version"] > seen
    with pytest.raises(ConflictError, match=f"changed by someone else.*{admin.login}"):
        case_service.return_findings(db, other_commander, number, "Redo.", expected_version=seen)
    with db.read() as s:
        assert [r.comments for r in s.scalars(select(CaseReview))] == ["First."]
        assert get_case(s, number).status == "findings"


def test_changing_the_chain_never_skips_a_step_of_findings_awaiting_one(
    db, admin, people, open_report
):
    """The IA commander may change the department's chain, but findings already complete
    keep the chain they were recorded under: lowering it to the commander alone (or to
    nobody) does not let the commander close a case the Chief has not signed."""
    inv, chief = people["investigator"], people["chief"]
    number = with_findings(db, admin, open_report, inv)
    case_service.sign_off(db, admin, number)
    for lowered in (1, 0):
        settings_service.change_setting(db, admin, "review_chain", lowered)
        with pytest.raises(InputError, match="await the Chief's sign-off"):
            case_service.take_action(db, inv, number, "close")
    settings_service.change_setting(db, admin, "review_chain", 2)
    case_service.sign_off(db, chief, number)
    assert case_service.take_action(db, inv, number, "close").value == "closed"
    review = case_service.file(db, admin, number)["review"]
    assert review["chain"] == ["the IA commander", "the Chief"] and review["signed_off"]
    # The next round takes the setting as it stands then.
    settings_service.change_setting(db, admin, "review_chain", 1)
    case_service.take_action(db, admin, number, "reopen", reason="New evidence.")
    case_service.take_action(db, inv, number, "findings")
    assert case_service.file(db, admin, number)["review"]["chain"] == ["the IA commander"]


def test_the_demo_runs_whatever_the_chain(db, admin):
    from ia_desk.services import maintenance

    settings_service.change_setting(db, admin, "review_chain", 0)
    assert maintenance.add_demo_cases(db, admin) > 0


def test_the_command_line_signs_off_and_returns(
    db, db_url, admin, people, open_report, monkeypatch, capsys
):
    from ia_desk.cli import main

    from .conftest import PASSWORD

    def run(*args: str, user: str = "admin") -> tuple[int, str, str]:
        monkeypatch.setenv("IA_DESK_USER", user)
        monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
        code = main(["--db", db_url, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    inv, chief = people["investigator"], people["chief"]
    number = with_findings(db, admin, open_report, inv)
    code, out, _ = run("case", "review", number, "sign-off", "--comments", "Supported.")
    assert code == 0 and "awaiting the Chief" in out
    code, _, err = run("case", "review", number, "return", user=chief.login)
    assert code == 2 and "comments" in err and "Traceback" not in err
    code, out, _ = run("case", "review", number, "return", "--comments", "Redo.", user=chief.login)
    assert code == 0 and "returned" in out
    code, _, err = run("case", "review", number, "sign-off", user=inv.login)
    assert code == 3 and "Permission denied" in err
    code, out, _ = run("case", "show", number)
    assert "round 1, the Chief: returned by" in out and "Redo." in out


def test_both_summaries_print_the_review_and_withhold_as_each_audience_reads(
    db, admin, people, open_report
):
    inv, chief = people["investigator"], people["chief"]
    number = with_findings(db, admin, open_report, inv)
    case_service.sign_off(db, admin, number, "Pat Quill's account holds.")  # the reporter
    case_service.sign_off(db, chief, number, "Agreed.")

    def text(audience: str) -> str:
        printed = report_service.summaries(db, admin, [number], audience)
        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(printed.pdf)).pages)

    ia, command = text("ia"), text("command")
    for shown in (ia, command):
        assert "Review of the findings" in shown
        assert "Signed off by" in " ".join(shown.split()) and chief.login in shown
    assert "Pat Quill" in ia
    assert "Pat Quill" not in command and "Quill" not in command


def test_the_case_window_offers_the_reviewers_step(qtbot, db, admin, people, open_report):
    from ui.case_window.window import CaseWindow
    from ui.worker import pending_tasks

    inv, chief = people["investigator"], people["chief"]
    number = with_findings(db, admin, open_report, inv)

    def window(actor):
        win = CaseWindow(db, actor, number)
        qtbot.addWidget(win)
        qtbot.waitUntil(lambda: bool(win.data) and not pending_tasks(), timeout=10_000)
        return win

    def button(win, name):
        from PySide6.QtWidgets import QPushButton

        return win.findChild(QPushButton, f"action-{name}")

    mine = window(admin)
    assert button(mine, "sign-off").isEnabled()
    assert "Awaiting the IA commander's sign-off" in mine.overview.toPlainText()
    theirs = window(chief)
    assert not button(theirs, "sign-off").isEnabled()
    assert "the IA commander" in button(theirs, "sign-off").toolTip()
    case_service.sign_off(db, admin, number)  # at another workstation: the Chief reloads
    theirs.reload()
    qtbot.waitUntil(lambda: button(theirs, "sign-off") and button(theirs, "sign-off").isEnabled())
    assert button(theirs, "return-findings").isEnabled()
    # Nothing left running once the test ends: a load finishing after the database is
    # gone would show its error over a window already deleted.
    qtbot.waitUntil(lambda: not pending_tasks(), timeout=10_000)
    for win in (mine, theirs):
        win.close()
    qtbot.waitUntil(lambda: not pending_tasks(), timeout=10_000)
