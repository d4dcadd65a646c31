"""The Chief's immediate action (3.21 §V.B) is a fact of the case (issue 22): raised by
the clause cited or by IA on the facts, who told the Chief and when, what was done, and
overdue when nothing is done within the hours the department sets."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, select, update

from ia_desk.casefile.listing import case_flags
from ia_desk.casefile.read import show_case
from ia_desk.cases.queries import get_case
from ia_desk.cli import main
from ia_desk.db.models import AuditEvent, ImmediateAction, utcnow
from ia_desk.discipline.immediate import notify_chief, raise_on_facts, record_step
from ia_desk.errors import InputError, PermissionDenied
from ia_desk.reports.summary import summary
from ia_desk.settings import set_setting

from .conftest import PASSWORD


def submit(db, actor, **doc) -> str:
    """A report through the intake service, as the window and ``report add`` send one."""
    from ia_desk.services.intake import check_report, submit_report

    from .conftest import report_doc

    return submit_report(db, actor, check_report(report_doc(**doc))).value.number


def _flags(db, number: str) -> list[str]:
    with db.read() as s:
        return case_flags(s, get_case(s, number))


def _view(db, actor, number: str) -> dict:
    with db.read() as s:
        return show_case(s, actor, number)["immediate_action"]


def _age(db, number: str, hours: int) -> None:
    """Make the case's immediate action as old as ``hours``."""
    with db.write(None) as s:
        case = get_case(s, number)
        s.execute(
            update(ImmediateAction)
            .where(ImmediateAction.case_id == case.id)
            .values(raised_at=utcnow() - dt.timedelta(hours=hours))
        )


def test_a_clause_that_calls_for_it_raises_it_at_intake(db, admin, open_report) -> None:
    number = submit(db, admin, clauses=["vpd-3.21/IV.A"])
    view = _view(db, admin, number)
    assert view["raised_by"] == "vpd-3.21/IV.A" and view["raised_by_user"] == "admin"
    assert view["chief_notified_at"] is None and view["steps"] == []
    assert not view["overdue"]
    assert "immediate_action" in _flags(db, number)
    assert "immediate_action_overdue" not in _flags(db, number)
    with db.read() as s:
        raised = s.scalars(
            select(AuditEvent).where(
                AuditEvent.event_type == "case.immediate_raised", AuditEvent.case_number == number
            )
        ).one()
        assert raised.signature and "vpd-3.21/IV.A" in raised.details


def test_nothing_done_within_the_hours_set_is_overdue_until_a_step(
    db, admin, make_user, open_report
) -> None:
    number = submit(db, admin, clauses=["vpd-3.21/IV.A"])
    _age(db, number, 25)
    assert "immediate_action_overdue" in _flags(db, number)
    assert _view(db, admin, number)["overdue"]
    with db.write(admin) as s:
        set_setting(s, admin, "immediate_action_hours", 48)
    assert "immediate_action_overdue" not in _flags(db, number)
    with db.write(admin) as s:
        set_setting(s, admin, "immediate_action_hours", 24)
    chief = make_user("command_staff")
    with db.write(chief) as s:
        record_step(s, chief, number, "relief_from_duty", "Relieved pending the investigation.")
    assert "immediate_action_overdue" not in _flags(db, number)
    view = _view(db, admin, number)
    assert [x["label"] for x in view["steps"]] == ["Relieved of duty"]
    assert view["steps"][0]["by"] == chief.login


def test_ia_raises_it_on_the_facts_once(db, admin, make_user, open_report) -> None:
    number = submit(db, admin, clauses=["vpd-3.21/III.L"])
    assert _view(db, admin, number) is None
    with pytest.raises(InputError, match="grounds: say why"), db.write(admin) as s:
        raise_on_facts(s, admin, number, [], "The post names a witness.")
    with pytest.raises(InputError, match="facts"), db.write(admin) as s:
        raise_on_facts(s, admin, number, ["safety"], "  ")
    with db.write(admin) as s:
        raise_on_facts(s, admin, number, ["safety", "investigation"], "The post names a witness.")
    view = _view(db, admin, number)
    assert view["raised_by"] == "IA on the facts"
    assert view["grounds"] == [
        "endangers the safety of others",
        "compromises a criminal investigation or prosecution",
    ]
    already = "already needs the Chief's immediate action"
    with pytest.raises(InputError, match=already), db.write(admin) as s:
        raise_on_facts(s, admin, number, ["safety"], "Again.")
    for role in ("supervisor", "command_staff"):
        other = make_user(role)
        with pytest.raises(PermissionDenied), db.write(other) as s:
            raise_on_facts(s, other, number, ["safety"], "x")


def test_the_chief_s_notification_is_recorded_once_and_never_in_the_future(
    db, admin, open_report
) -> None:
    plain = submit(db, admin, clauses=["vpd-3.21/III.L"])
    not_needed = "does not need the Chief's immediate action"
    with pytest.raises(InputError, match=not_needed), db.write(admin) as s:
        notify_chief(s, admin, plain, "in person")
    number = submit(db, admin, clauses=["vpd-3.21/IV.G"])
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    with pytest.raises(InputError, match="has not come yet"), db.write(admin) as s:
        notify_chief(s, admin, number, "in person", later)
    with db.write(admin) as s:
        notify_chief(s, admin, number, "in person, at the morning briefing")
    with pytest.raises(InputError, match="recorded already"), db.write(admin) as s:
        notify_chief(s, admin, number, "again")
    view = _view(db, admin, number)
    assert view["chief_notified_by"] == "admin"
    assert view["notified_how"] == "in person, at the morning briefing"


def test_a_step_is_one_of_the_known_ones_and_some_need_words(
    db, admin, make_user, open_report
) -> None:
    number = submit(db, admin, clauses=["vpd-3.21/IV.A"])
    with pytest.raises(InputError, match="action"), db.write(admin) as s:
        record_step(s, admin, number, "shrug")
    with pytest.raises(InputError, match="note"), db.write(admin) as s:
        record_step(s, admin, number, "no_action_needed")
    sup = make_user("supervisor")
    with pytest.raises(PermissionDenied), db.write(sup) as s:
        record_step(s, sup, number, "take_down_order")
    with db.write(admin) as s:
        record_step(s, admin, number, "no_action_needed", "The post was private and is gone.")
    assert _view(db, admin, number)["steps"][0]["note"] == "The post was private and is gone."


def test_a_case_cited_before_the_record_existed_is_raised_at_its_receipt(
    db, admin, open_report
) -> None:
    number = submit(db, admin, clauses=["vpd-3.21/IV.A"])
    with db.write(None) as s:
        s.execute(delete(ImmediateAction))
    view = _view(db, admin, number)
    with db.read() as s:
        received = get_case(s, number).received_at
    assert view["raised_by"] == "vpd-3.21/IV.A"
    assert view["raised_at"] == received.isoformat() + "Z"
    assert "immediate_action_overdue" in _flags(db, number)  # received a month ago
    with db.write(admin) as s:
        notify_chief(s, admin, number, "by phone")
    with db.read() as s:
        row = s.scalars(select(ImmediateAction)).one()
        assert row.raised_at == received and row.chief_notified_at is not None


def test_both_summaries_print_what_was_done(db, admin, open_report) -> None:
    number = submit(db, admin, clauses=["vpd-3.21/IV.A"])
    with db.write(admin) as s:
        notify_chief(s, admin, number, "by phone")
        record_step(s, admin, number, "take_down_order", "Post removed within the hour.")
    for audience in ("ia", "command"):
        with db.read() as s:
            pdf = summary(s, admin, number, audience).pdf
        body = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        body = body.replace("\n", " ")
        assert "IMMEDIATE ACTION BY THE CHIEF (3.21 §V.B)" in body
        assert "the clause cited (vpd-3.21/IV.A)" in body
        assert "The Chief was told on" in body and "by phone" in body
        assert "Ordered to take the post down (Post removed within the hour.)" in body


def test_the_command_line_records_and_shows_it(
    db, db_url, admin, open_report, monkeypatch, capsys
) -> None:
    number = submit(db, admin, clauses=["vpd-3.21/III.L"])
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)

    def run(*args: str) -> tuple[int, str]:
        code = main(["--db", db_url, *args])
        out = capsys.readouterr()
        return code, out.out + out.err

    code, said = run("case", "immediate", number)
    assert code == 2 and "Say what to record" in said
    code, said = run(
        "case", "immediate", number, "--raise", "Names the witness.", "--grounds", "safety"
    )
    assert code == 0 and "raised" in said
    assert run("case", "immediate", number, "--notified", "in person")[0] == 0
    code, said = run("case", "immediate", number, "--action", "referral_to_cid")
    assert code == 0
    code, said = run("case", "show", number)
    assert "immediate action by the Chief (3.21 §V.B): raised by IA on the facts" in said
    assert "facts: Names the witness." in said
    assert "Referred to the Criminal Investigations Division (recorded by admin)" in said


def test_an_untouched_shipped_matrix_is_revised_and_a_department_s_own_is_kept(
    db, db_url, admin
) -> None:
    """A database holding the first shipped matrix gets the revised one at start-up;
    one whose administrator changed the matrix keeps theirs."""
    from ia_desk.db.models import DisciplineMatrixVersion
    from ia_desk.discipline.matrix import current, shipped_matrix, update_matrix
    from ia_desk.startup import open_database

    with db.write(None) as s:
        row = s.scalars(select(DisciplineMatrixVersion)).one()
        old = dict(row.content)
        old["version"] = 1
        old["clauses"] = {**old["clauses"], "vpd-3.21/III.M": {"class": "C"}}
        row.content = old
    db.dispose()
    again = open_database(db_url)
    with again.read() as s:
        now = current(s)
        assert now["version"] == 2 and now["clauses"]["vpd-3.21/III.M"]["immediate_action"]
        assert (
            s.scalars(
                select(DisciplineMatrixVersion.reason).where(DisciplineMatrixVersion.version == 2)
            ).one()
            == shipped_matrix()["revision"]
        )
    with again.write(admin) as s:
        mine = current(s)
        mine["clauses"]["vpd-3.21/III.M"]["immediate_action"] = False
        update_matrix(s, admin, mine, "Our department decides III.M case by case.")
    again.dispose()
    third = open_database(db_url)
    try:
        with third.read() as s:
            assert current(s)["version"] == 3
            assert not current(s)["clauses"]["vpd-3.21/III.M"]["immediate_action"]
    finally:
        third.dispose()


def test_the_case_window_offers_each_role_its_part(
    qtbot, db, admin, make_user, open_report, monkeypatch
) -> None:
    from PySide6.QtWidgets import QDialog, QLabel, QPushButton

    from ui.case_window.window import CaseWindow
    from ui.dialogs.immediate import ImmediateStepDialog, RaiseImmediateDialog
    from ui.dialogs.reason import ReasonDialog
    from ui.worker import pending_tasks

    def idle() -> None:
        qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)

    def buttons(view: CaseWindow) -> dict[str, QPushButton]:
        return {b.objectName(): b for b in view.findChildren(QPushButton) if b.isVisibleTo(view)}

    number = submit(db, admin, clauses=["vpd-3.21/III.L"])
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle()
    shown = buttons(view)
    assert shown["action-raise-immediate"].isEnabled()
    assert "action-chief-notified" not in shown and "action-immediate-step" not in shown

    def raise_it(self: RaiseImmediateDialog) -> QDialog.DialogCode:
        self._check()  # nothing ticked: the dialog stays open and says what is missing
        assert self.result() == 0 and "Tick why" in self.error.text()
        self.grounds["investigation"].setChecked(True)
        self.facts.setPlainText("The post tips off the suspect.")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(RaiseImmediateDialog, "exec", raise_it)
    shown["action-raise-immediate"].click()
    idle()
    assert view.findChild(QLabel, "banner-immediate_action") is not None
    assert "The post tips off the suspect." in view.overview.toPlainText()
    assert "action-raise-immediate" not in buttons(view)

    def notify(self: ReasonDialog) -> QDialog.DialogCode:
        self.text.setPlainText("By phone")
        self.save()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ReasonDialog, "exec", notify)
    buttons(view)["action-chief-notified"].click()
    idle()
    assert "Chief told on" in view.overview.toPlainText()
    assert not buttons(view)["action-chief-notified"].isEnabled()

    chief = make_user("command_staff")
    theirs = CaseWindow(db, chief, number)
    qtbot.addWidget(theirs)
    idle()
    mine = buttons(theirs)
    assert "action-chief-notified" not in mine and "action-raise-immediate" not in mine

    def step(self: ImmediateStepDialog) -> QDialog.DialogCode:
        self.action.setCurrentIndex(self.action.findData("take_down_order"))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ImmediateStepDialog, "exec", step)
    mine["action-immediate-step"].click()
    idle()
    assert "Ordered to take the post down" in theirs.overview.toPlainText()


def test_a_case_its_clause_raised_is_not_raised_again_on_the_facts(db, admin, open_report) -> None:
    """A case cited before the record existed is raised by its clause already: IA is told
    so, and nothing is stored (the clause's record is not left half-made either)."""
    number = open_report(clauses=["vpd-3.21/IV.A"]).case.number  # core intake: no record
    with pytest.raises(InputError, match="raised by vpd-3.21/IV.A"), db.write(admin) as s:
        raise_on_facts(s, admin, number, ["safety"], "The post names a witness.")
    with db.read() as s:
        assert s.scalars(select(ImmediateAction)).all() == []
