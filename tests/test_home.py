"""The home screen per role: its counts, that each count is the list it opens (as the
actor: no count says more than the list would show), ``ia-desk home``, and the screen."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ia_desk.casefile.listing import CaseQuery, case_page, count_matching
from ia_desk.cli import main
from ia_desk.discipline.immediate import record_step
from ia_desk.errors import InputError
from ia_desk.protection.retaliation import record_review
from ia_desk.services import cases as case_service
from ia_desk.services import home

from .conftest import PASSWORD

ROBIN = {"mode": "confidential", "name": "Robin Tipster", "badge": "W8842", "good_faith": True}
PLAIN = "vpd-3.21/III.L"  # a clause that calls for no immediate action
IMMEDIATE = "vpd-3.21/IV.B"  # one that does (3.21 §V.B)


def received(days_ago: int) -> str:
    return f"{dt.date.today() - dt.timedelta(days=days_ago)}T12:00:00-06:00"


def incident(days_ago: int) -> dict[str, str]:
    on = dt.date.today() - dt.timedelta(days=days_ago + 2)
    return {"occurred_on": on.isoformat(), "narrative": "Officer posted about a call."}


@pytest.fixture
def desk(db, admin, make_user, open_report):
    """Cases with something to do, and a user of each role.

    old: 120 days open, assigned to the investigator, its clause calls for immediate
      action and nothing is done: overdue, reporter update due, immediate action overdue.
    soon: a supervisor's report, 86 days open (due in 4 days), reporter update due.
    acted: 10 days open, immediate action called for and a step recorded.
    d, e: Robin reports in good faith (d); e names Robin as a subject: held for review.
    """
    inv = make_user("ia_investigator")
    sup = make_user("supervisor")
    chief = make_user("command_staff")

    def case(days_ago, clause, actor=None, **kw):
        return open_report(
            actor=actor,
            received_at=received(days_ago),
            incident=incident(days_ago),
            clauses=[clause],
            **kw,
        ).case.number

    n = {
        "old": case(120, IMMEDIATE),
        "soon": case(86, PLAIN, actor=sup),
        "acted": case(10, IMMEDIATE),
        "d": case(5, PLAIN, reporter=ROBIN),
    }
    n["e"] = case(
        3,
        PLAIN,
        reporter={"mode": "anonymous"},
        subjects=[{"badge": "W8842", "name": "Robin Tipster", "department": "police"}],
    )
    case_service.take_action(db, admin, n["old"], "assign", assignee=inv.login)
    with db.write(admin) as s:
        record_step(s, admin, n["acted"], "take_down_order", "Told to take the post down.")
    return {
        "numbers": n,
        "ia_admin": admin,
        "ia_investigator": inv,
        "supervisor": sup,
        "command_staff": chief,
    }


def listed(db, actor, query: CaseQuery) -> set[str]:
    with db.read(actor) as s:
        return {r.number for r in case_page(s, actor, query, 0, None)}


def test_each_role_counts_what_needs_doing(db, desk):
    n = desk["numbers"]
    expected = {
        "ia_investigator": {
            "mine.open": {n["old"]},
            "mine.overdue": {n["old"]},
            "mine.due_soon": set(),
            "mine.reporter_update_due": {n["old"]},
            "mine.returned": set(),  # (the review chain: tests/test_review_chain.py)
            "mine.tasks_due": set(),  # (IA's tasks: tests/test_notes.py)
            "all.overdue": {n["old"]},
            "all.due_soon": {n["soon"]},
            "all.reporter_update_due": {n["old"], n["soon"]},
            "all.immediate_action": {n["old"], n["acted"]},
            "all.immediate_action_overdue": {n["old"]},
            "all.retaliation_hold": {n["e"]},
            "all.tasks_overdue": set(),
            "all.unassigned": {n["soon"], n["acted"], n["d"], n["e"]},
        },
        "supervisor": {  # their own report only
            "reports.all": {n["soon"]},
            "reports.received": {n["soon"]},
            "reports.assigned": set(),
            "reports.investigating": set(),
            "reports.findings": set(),
            "reports.closed": set(),
            "reports.overdue": set(),
        },
        "command_staff": {
            "status.received": {n["soon"], n["acted"], n["d"], n["e"]},
            "status.assigned": {n["old"]},
            "status.investigating": set(),
            "status.findings": set(),
            "review.awaiting_me": set(),  # (the review chain: tests/test_review_chain.py)
            "chief.awaiting": {n["old"]},
            "chief.overdue": {n["old"]},
            "all.overdue": {n["old"]},
        },
    }
    for role, cases in expected.items():
        actor = desk[role]
        counts = home.home_counts(db, actor)
        assert [c.key for c in counts] == list(cases), role
        for c in counts:
            assert listed(db, actor, c.query) == cases[c.key], (role, c.key)
            assert c.count == len(cases[c.key]), (role, c.key)
    # The administrator has the same counts as IA, none of the cases assigned to them.
    admin_counts = {c.key: c.count for c in home.home_counts(db, desk["ia_admin"])}
    assert admin_counts["mine.open"] == 0 and admin_counts["all.retaliation_hold"] == 1


def test_a_count_is_the_list_it_opens_for_every_role(db, desk):
    """Whatever the data, each count equals the rows its query lists for that actor, and
    those rows are among the cases the actor's plain list shows (never more)."""
    for role in ("ia_admin", "ia_investigator", "supervisor", "command_staff"):
        actor = desk[role]
        everything = listed(db, actor, CaseQuery())
        for c in home.home_counts(db, actor):
            rows = listed(db, actor, c.query)
            assert c.count == len(rows), (role, c.key)
            assert rows <= everything, (role, c.key)
            with db.read(actor) as s:
                assert count_matching(s, actor, c.query) == c.count


def test_recording_the_review_or_an_action_takes_a_case_off_its_count(db, desk):
    n, admin = desk["numbers"], desk["ia_admin"]
    chief = desk["command_staff"]
    with db.write(admin) as s:
        record_review(s, admin, n["e"], "no_retaliation", "A citizen sent the post.")
    with db.write(chief) as s:
        record_step(s, chief, n["old"], "relief_from_duty", None)
    ia = {c.key: c.count for c in home.home_counts(db, admin)}
    assert ia["all.retaliation_hold"] == 0
    assert ia["all.immediate_action_overdue"] == 0
    staff = {c.key: c.count for c in home.home_counts(db, chief)}
    assert staff["chief.awaiting"] == 0


def test_a_supervisor_is_refused_a_list_made_of_what_they_do_not_see(db, desk):
    sup = desk["supervisor"]
    for work in ("retaliation_hold", "immediate_action", "awaiting_chief"):
        with db.read(sup) as s, pytest.raises(InputError, match="status and deadline only"):
            count_matching(s, sup, CaseQuery(work=work))
    with db.read(sup) as s, pytest.raises(InputError, match="There is no list"):
        count_matching(s, sup, CaseQuery(work="everything"))


def test_the_command_line_prints_the_home_counts(db, db_url, desk, monkeypatch, capsys):
    inv = desk["ia_investigator"]
    monkeypatch.setenv("IA_DESK_USER", inv.login)
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
    assert main(["--db", db_url, "home", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == [c.as_dict() for c in home.home_counts(db, inv)]
    assert main(["--db", db_url, "home"]) == 0
    text = capsys.readouterr().out
    assert "Assigned to me:" in text and "All open cases:" in text
    assert "Held for retaliation review" in text
    assert "_" not in text  # words, not keys


# -- the screen


def idle(qtbot):
    from ui.worker import pending_tasks

    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=20_000)


@pytest.mark.parametrize("role", ["ia_investigator", "supervisor", "command_staff"])
def test_clicking_a_count_opens_the_list_of_exactly_those_cases(qtbot, db, desk, role):
    from PySide6.QtCore import Qt

    from ui.main_window import MainWindow

    actor = desk[role]
    win = MainWindow(db, actor)
    qtbot.addWidget(win)
    win.show()
    assert win.titles[0] == "Home"
    idle(qtbot)
    page = win.page("Home")
    assert page.buttons, role
    for key, button in page.buttons.items():
        win.nav.setCurrentRow(0)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        idle(qtbot)
        assert win.stack.currentWidget() is win.cases
        shown = {win.cases.model.number_at(r) for r in range(win.cases.model.rowCount())}
        assert shown == listed(db, actor, button.item.query), (role, key)
        assert win.cases.model.total == button.item.count
        assert win.cases.preset_bar.isVisibleTo(win)
        assert button.item.label in win.cases.preset_label.text()
    win.cases.show_all.click()
    idle(qtbot)
    assert win.cases.model.rowCount() == len(listed(db, actor, CaseQuery()))
    assert not win.cases.preset_bar.isVisibleTo(win)


def test_the_home_screen_follows_changes(qtbot, db, desk):
    from ui.main_window import MainWindow
    from ui.ops import bus

    admin, n = desk["ia_admin"], desk["numbers"]
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    win.show()
    idle(qtbot)
    page = win.page("Home")
    assert page.buttons["all.retaliation_hold"].item.count == 1
    with db.write(admin) as s:
        record_review(s, admin, n["e"], "no_retaliation", "A citizen sent the post.")
    from ia_desk.services import Changes

    bus().publish(Changes.case(n["e"]))
    idle(qtbot)
    assert page.buttons["all.retaliation_hold"].item.count == 0


@pytest.mark.parametrize("role", ["ia_admin", "supervisor", "command_staff"])
def test_the_home_screen_fits_1280_by_720(qtbot, db, desk, role):
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.widgets.screen_fit import SMALLEST_SCREEN, TITLE_BAR

    win = MainWindow(db, desk[role])
    qtbot.addWidget(win)
    win.resize(SMALLEST_SCREEN.width(), SMALLEST_SCREEN.height() - TITLE_BAR)
    win.show()
    idle(qtbot)
    QApplication.processEvents()
    page = win.page("Home")
    least = win.minimumSizeHint().expandedTo(win.minimumSize())
    assert least.width() <= SMALLEST_SCREEN.width()
    assert least.height() <= SMALLEST_SCREEN.height() - TITLE_BAR
    for button in page.buttons.values():  # every count readable without scrolling sideways
        corner = button.mapTo(page, button.rect().bottomRight())
        assert corner.x() <= page.width(), (role, button.item.key)


def test_counts_that_cannot_be_read_are_said_in_the_screen_and_tried_again(
    qtbot, db, desk, monkeypatch
):
    """The home screen is the first thing the window shows: a failed count must not stop
    it behind a message box nobody expects (nor show the query's text), and Try again
    reads the counts once the database answers."""
    from PySide6.QtWidgets import QMessageBox

    from ia_desk.services import home as home_service
    from ui.main_window import MainWindow

    boxes: list[str] = []
    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, n=name, **k: boxes.append(n))
    real = home_service.home_counts
    broken = {"on": True}

    def flaky(db_, actor):
        if broken["on"]:
            raise RuntimeError("SELECT name FROM reporter WHERE secret = 'Planted Name'")
        return real(db_, actor)

    monkeypatch.setattr(home_service, "home_counts", flaky)
    admin = desk["ia_admin"]
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    win.show()
    idle(qtbot)
    page = win.page("Home")
    assert boxes == []
    assert page.problem.isVisibleTo(win) and page.try_again.isVisibleTo(win)
    assert "could not be read" in page.problem.text()
    assert "Planted Name" not in page.problem.text() and "SELECT" not in page.problem.text()
    assert page.buttons == {}
    broken["on"] = False
    page.try_again.click()
    idle(qtbot)
    assert not page.problem.isVisibleTo(win) and not page.try_again.isVisibleTo(win)
    assert page.buttons["all.retaliation_hold"].item.count == 1
