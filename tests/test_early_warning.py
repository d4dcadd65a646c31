"""Early warning (issue 23): the department's thresholds, checked on every change, raise
an alert to the IA commander once, spoken in cases and clauses; acknowledged with a
note; never seen by the supervisor whose report raised it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from ia_desk.db.models import AuditEvent
from ia_desk.errors import InputError, PermissionDenied
from ia_desk.services import allegations, discipline, registers
from ia_desk.services.settings import change_setting

from .conftest import report_doc

BADGE = "1234"


@pytest.fixture
def report(db, admin):
    """report(day, clause, actor=admin) -> the case number of a report naming BADGE."""
    from ia_desk.services.intake import check_report, submit_report

    def make(day: str, clause: str = "vpd-3.21/III.Q", actor=None) -> str:
        d = dt.date.fromisoformat(day)
        doc = report_doc(
            received_at=f"{(d + dt.timedelta(days=1)).isoformat()}T09:00:00-06:00",
            incident={"occurred_on": day, "narrative": f"Post of {day}."},
            clauses=[clause],
        )
        return submit_report(db, actor or admin, check_report(doc)).value.number

    return make


def open_alerts(db, admin, badge=BADGE):
    return discipline.warnings(db, admin, open_only=True, badge=badge)


def test_three_cases_in_twelve_months_raise_one_alert_that_grows(db, admin, report, make_user):
    sup = make_user("supervisor")
    first = report("2026-01-10")
    report("2025-01-05", "vpd-3.21/III.N.2")  # outside the twelve months of the others
    second = report("2026-04-02", "vpd-3.21/III.C")
    assert open_alerts(db, admin) == []
    third = report("2026-09-30", "vpd-3.21/III.F", actor=sup)  # a supervisor's report
    (alert,) = open_alerts(db, admin)
    assert alert["rule"] == "cases" and alert["cases"] == sorted([first, second, third])
    assert alert["text"].startswith("3 cases within 12 months")
    fourth = report("2026-10-15", "vpd-3.21/III.A")
    (alert,) = open_alerts(db, admin)  # the same alert, grown by the fourth case
    assert fourth in alert["cases"]
    from ia_desk.services import cases

    chief = make_user("command_staff")
    shown = cases.employee(db, chief, BADGE)["warnings"]  # on the employee's history
    assert [a["id"] for a in shown] == [alert["id"]]
    with pytest.raises(PermissionDenied), db.write(sup) as s:  # the reporter learns nothing
        from ia_desk.discipline.early_warning import alerts

        alerts(s, sup)


def test_the_same_clause_twice_raises_an_alert_naming_the_clause(db, admin, report):
    report("2025-03-01", "vpd-3.21/III.J")
    report("2026-02-01", "vpd-3.21/III.J")
    (alert,) = open_alerts(db, admin)
    assert (alert["rule"], alert["basis"]) == ("same_clause", "vpd-3.21/III.J")
    assert "vpd-3.21/III.J alleged on 2 cases within 24 months" in alert["text"]


def test_a_sustained_finding_soon_after_training_raises_an_alert(db, admin, report):
    number = report("2026-07-15", "vpd-3.21/III.O")
    registers.record_training(db, admin, BADGE, dt.date(2026, 3, 1), "Social media", "Sgt. Ode")
    assert open_alerts(db, admin) == []  # alleged, not sustained
    from ia_desk.services import cases

    cases.take_action(db, admin, number, "start")
    (allegation,) = cases.file(db, admin, number)["allegations"]
    allegations.record_finding(db, admin, allegation["id"], "sustained", "Seen.")
    (alert,) = open_alerts(db, admin)
    assert alert["rule"] == "after_training" and alert["cases"] == [number]
    assert "within 6 months of the training completed 2026-03-01" in alert["text"]


def test_an_acknowledged_alert_is_raised_again_only_by_a_new_case(db, admin, report, make_user):
    report("2026-05-01", "vpd-3.21/III.J")
    report("2026-06-01", "vpd-3.21/III.J")
    (alert,) = open_alerts(db, admin)
    inv = make_user("ia_investigator")
    with pytest.raises(PermissionDenied):
        discipline.acknowledge_warning(db, inv, alert["id"], "Seen.")
    with pytest.raises(InputError, match="note: required"):
        discipline.acknowledge_warning(db, admin, alert["id"], " ")
    discipline.acknowledge_warning(db, admin, alert["id"], "Referred to the Lieutenant.")
    with pytest.raises(InputError, match="was acknowledged"):
        discipline.acknowledge_warning(db, admin, alert["id"], "Again.")
    assert open_alerts(db, admin) == []
    report("2026-06-20", "vpd-3.21/III.C")  # three cases now: another rule
    assert [a["rule"] for a in open_alerts(db, admin)] == ["cases"]
    report("2026-07-01", "vpd-3.21/III.J")  # the clause a third time: raised again
    rules = sorted(a["rule"] for a in open_alerts(db, admin))
    assert rules == ["cases", "same_clause"]
    with db.read() as s:
        events = list(
            s.scalars(select(AuditEvent.event_type).where(AuditEvent.event_type.like("warning.%")))
        )
    assert events.count("warning.raised") == 3 and "warning.acknowledge" in events


def test_a_rule_set_to_zero_raises_nothing(db, admin, report):
    change_setting(db, admin, "warning_same_clause", 0)
    report("2026-05-01", "vpd-3.21/III.J")
    report("2026-06-01", "vpd-3.21/III.J")
    assert open_alerts(db, admin) == []


def test_the_employees_screen_shows_the_alert_and_the_commander_acknowledges_it(
    qtbot, db, admin, report, make_user, monkeypatch
):
    from PySide6.QtWidgets import QPushButton

    from ui.dialogs.reason import ReasonDialog
    from ui.screens.employees import EmployeesPage

    from .test_ui import idle

    report("2026-05-01", "vpd-3.21/III.J")
    report("2026-06-01", "vpd-3.21/III.J")
    chief = make_user("command_staff")
    seen = EmployeesPage(db, chief)
    qtbot.addWidget(seen)
    seen.refresh()
    idle(qtbot)
    seen.table.setCurrentCell(0, 0)
    idle(qtbot)
    assert "vpd-3.21/III.J alleged on 2 cases" in seen.warnings.text()
    assert not seen.findChild(QPushButton, "acknowledge-warning").isVisibleTo(seen)

    def note_and_save(self):
        self.text.setPlainText("Referred to the Lieutenant for mentoring.")
        self.save()
        idle(qtbot)
        return 1

    monkeypatch.setattr(ReasonDialog, "exec", note_and_save)
    page = EmployeesPage(db, admin)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    idle(qtbot)
    page.table.setCurrentCell(0, 0)
    idle(qtbot)
    button = page.findChild(QPushButton, "acknowledge-warning")
    assert button.isVisibleTo(page)
    button.click()
    idle(qtbot)
    assert "acknowledged" in page.warnings.text() and "Lieutenant" in page.warnings.text()
    assert not button.isVisibleTo(page)
    assert open_alerts(db, admin) == []
