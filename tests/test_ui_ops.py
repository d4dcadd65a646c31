"""The desktop's operations (``ui.ops``): a change runs a service off the GUI thread and
announces what changed on one bus; every open screen follows the bus by itself, with no
wiring between windows. A refused change says the service's message and announces
nothing. And the desktop reaches the core through its services only (the contract)."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QWidget
from sqlalchemy import func, select

import ia_desk
from ia_desk.db.models import AuditEvent
from ia_desk.errors import InputError, PermissionDenied
from ia_desk.services import accounts, allegations, cases, reports
from ia_desk.services import settings as settings_service
from ui.case_window.window import CaseWindow
from ui.dialogs.decision import DecisionDialog
from ui.dialogs.finding import FindingDialog
from ui.main_window import MainWindow
from ui.worker import pending_tasks

from .conftest import report_doc

ROOT = Path(__file__).parent.parent


def idle(qtbot):
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=15_000)


def events(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


@pytest.fixture
def announced(qapp):
    """Everything announced on the bus during the test."""
    from ui.ops import bus

    got: list = []
    bus().changed.connect(got.append)
    yield got
    bus().changed.disconnect(got.append)


def finds(monkeypatch, disposition: str, rationale: str) -> None:
    """The finding dialog answers as a user would: a disposition and a rationale."""
    monkeypatch.setattr(
        FindingDialog,
        "exec",
        lambda self: (
            self.disposition.setCurrentIndex(self.disposition.findData(disposition)),
            self.rationale.setPlainText(rationale),
            QDialog.DialogCode.Accepted,
        )[-1],
    )


@pytest.fixture
def said(message_boxes) -> list[str]:
    """What message boxes would have told the user."""
    return message_boxes


# -- Change and Query (what run_write's tests asked of it, moved here) ----------------------


def test_a_change_is_stored_with_its_event_and_announced(qtbot, db, admin, announced):
    from ia_desk.services import Changes
    from ui.ops import Change

    window = QWidget()
    qtbot.addWidget(window)
    told: list[object] = []
    before = events(db)
    Change(window, lambda: settings_service.change_setting(db, admin, "deadline_days", 60)).success(
        told.append
    ).run()
    qtbot.waitUntil(lambda: pending_tasks() == 0 and bool(told), timeout=10_000)
    assert told == [60]  # the service's value
    assert announced == [Changes(settings=True, case_list=True)]  # what it changed, once
    assert int(settings_service.setting(db, admin, "deadline_days")) == 60
    assert events(db) == before + 1


def test_a_refused_change_stores_nothing_and_the_failure_is_handed_back(
    qtbot, db, admin, announced
):
    from ui.ops import Change

    window = QWidget()
    qtbot.addWidget(window)
    done: list[object] = []
    failed: list[BaseException] = []
    days = settings_service.setting(db, admin, "deadline_days")
    before = events(db)
    Change(
        window, lambda: settings_service.change_setting(db, admin, "deadline_days", "sixty")
    ).success(done.append).failure(failed.append).run()
    qtbot.waitUntil(lambda: pending_tasks() == 0 and bool(failed), timeout=10_000)
    assert done == [] and isinstance(failed[0], InputError)
    assert "deadline_days" in failed[0].message
    assert settings_service.setting(db, admin, "deadline_days") == days
    assert events(db) == before
    assert announced == []  # nothing changed, nothing announced


# -- screens follow the bus ---------------------------------------------------------------


def test_a_change_in_one_case_window_refreshes_the_list_and_another_window_of_the_case(
    qtbot, db, admin, open_report, monkeypatch, said
):
    """Two windows of one case and the case list, none knowing of the others: what one
    window changes, the others show."""
    number = open_report().case.number
    main = MainWindow(db, admin)
    qtbot.addWidget(main)
    main.show()
    main.nav.setCurrentRow(main.titles.index("Cases"))  # in front (the home screen is first)
    if main.feed is not None:
        main._changes.stop()  # no help from the change feed: the bus alone
    first, second = CaseWindow(db, admin, number), CaseWindow(db, admin, number)
    for w in (first, second):
        qtbot.addWidget(w)
    idle(qtbot)
    assert main.cases.model.index(0, 1).data() == "Received"
    assert "Status: <b>Received</b>" in second.header.text()

    first.findChild(type(first.add_allegation_btn), "action-start").click()
    idle(qtbot)
    assert main.cases.model.index(0, 1).data() == "Investigating"  # the list's row
    assert "Status: <b>Investigating</b>" in second.header.text()  # the other window

    finds(monkeypatch, "sustained", "Seen on the screenshot.")
    first.allegations.setCurrentCell(0, 0)
    first._record_finding()
    idle(qtbot)
    assert second.allegations.item(0, 3).text() == "Sustained"
    assert "Finding: Sustained" in second.clause_text.toPlainText()
    assert said == []


def test_a_refused_finding_says_the_services_message_and_announces_nothing(
    qtbot, db, admin, open_report, monkeypatch, said, announced
):
    """A finding against a good-faith reporter waits for the retaliation review (3.21
    §V.C). The window's finding goes through the service, which holds it."""
    pat = {"badge": "2001", "name": "Pat Quill", "department": "police"}
    roe = {"badge": "1234", "name": "John Roe", "department": "police"}
    day = {"occurred_on": "2026-01-05", "narrative": "A post."}
    open_report(
        received_at="2026-01-05T09:00:00-06:00",
        reporter={"mode": "anonymous"},
        subjects=[pat],
        incident=day,
    )  # Pat on the roster
    open_report(  # Pat reports Roe in good faith
        received_at="2026-03-01T09:00:00-06:00",
        reporter={"mode": "confidential", "name": "Pat Quill", "badge": "2001", "good_faith": True},
        subjects=[roe],
        incident={"occurred_on": "2026-03-01", "narrative": "A post."},
    )
    later = open_report(  # then Pat is complained about
        received_at="2026-06-01T09:00:00-06:00",
        reporter={"mode": "anonymous"},
        subjects=[pat],
        incident={"occurred_on": "2026-06-01", "narrative": "A post."},
    ).case.number
    cases.take_action(db, admin, later, "start")
    view = CaseWindow(db, admin, later)
    qtbot.addWidget(view)
    idle(qtbot)
    shown_events = view.timeline.rowCount()

    finds(monkeypatch, "sustained", "Seen.")
    view.allegations.setCurrentCell(0, 0)
    view._record_finding()
    idle(qtbot)
    assert len(said) == 1 and "retaliation review" in said[0]  # the service's own words
    assert "No finding can be recorded" in said[0]
    file = cases.file(db, admin, later)
    assert file["allegations"][0]["disposition"] is None  # nothing stored
    assert announced == []  # nothing announced
    assert view.timeline.rowCount() == shown_events  # so nothing was read again


def test_a_referral_for_training_decided_in_a_case_window_shows_in_the_open_registers(
    qtbot, db, admin, open_report, monkeypatch
):
    """The decision goes through the discipline service, which opens the training owed
    (3.21 §VI.A); the Registers screen, open beside, shows it by itself."""
    number = open_report().case.number
    cases.take_action(db, admin, number, "start")
    (allegation,) = cases.file(db, admin, number)["allegations"]
    allegations.record_finding(db, admin, allegation["id"], "sustained", "Seen.")
    main = MainWindow(db, admin)
    qtbot.addWidget(main)
    main.show()
    registers = main.page("Registers")
    main.nav.setCurrentRow(main.titles.index("Registers"))
    idle(qtbot)
    assert registers.owed.rowCount() == 0
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)

    def choose_training(self):
        self.step.setCurrentIndex(self.step.findData("training"))
        self.reason.setPlainText("A first post; the course will do.")
        self.save()
        idle(qtbot)
        return self.result()

    monkeypatch.setattr(DecisionDialog, "exec", choose_training)
    view.discipline.findChild(type(view.finding_btn), "record-1234").click()
    idle(qtbot)
    assert "✔" in view.discipline.findChild(type(view.header), "rung-training").text()
    assert [registers.owed.item(0, c).text() for c in (0, 2)] == ["1234", number]


def test_a_screen_behind_another_reads_the_change_when_it_is_shown_again(
    qtbot, db, admin, open_report
):
    from ia_desk.services import intake

    open_report()
    main = MainWindow(db, admin)
    qtbot.addWidget(main)
    main.show()
    employees = main.page("Employees")
    main.nav.setCurrentRow(main.titles.index("Employees"))
    idle(qtbot)
    assert employees.table.rowCount() == 1
    main.nav.setCurrentRow(main.titles.index("Cases"))  # the case list in front
    idle(qtbot)
    from ui.ops import Change

    newcomer = {"badge": "7777", "name": "Nia Newcomer", "department": "police"}
    report = intake.check_report(report_doc(subjects=[newcomer]))
    Change(main, lambda: intake.submit_report(db, admin, report)).run()
    idle(qtbot)
    assert employees.table.rowCount() == 1  # not read while behind the case list
    assert main.cases.model.rowCount() == 2  # the list in front was
    main.nav.setCurrentRow(main.titles.index("Employees"))
    idle(qtbot)
    assert sorted(employees.table.item(r, 0).text() for r in range(2)) == ["1234", "7777"]


# -- the role's screens are the core's -----------------------------------------------------


@pytest.mark.parametrize(
    ("role", "screens"),
    [
        (
            "ia_admin",
            [
                "home",
                "cases",
                "my_tasks",
                "employees",
                "policies",
                "registers",
                "statistics",
                "administration",
                "audit_trail",
            ],
        ),
        (
            "ia_investigator",
            ["home", "cases", "my_tasks", "employees", "policies", "registers"],
        ),
        ("supervisor", ["home", "cases"]),
        ("command_staff", ["home", "cases", "employees", "policies", "registers", "statistics"]),
    ],
)
def test_the_screens_a_role_may_use_come_from_the_core(qtbot, db, admin, make_user, role, screens):
    who = admin if role == "ia_admin" else make_user(role)
    assert accounts.screens(who) == screens
    window = MainWindow(db, who)
    qtbot.addWidget(window)
    idle(qtbot)
    assert [t.lower().replace(" ", "_") for t in window.titles] == screens


def test_an_investigator_asking_for_the_statistics_is_refused_by_the_services(db, make_user):
    """Statistics are ``stats.view`` (IA administrators and command staff), not a matter
    of which screens the desktop shows: the services refuse the figures and the annual
    review to an investigator, and each refusal is audited (a refused read is audited as
    a refused write is)."""
    inv = make_user("ia_investigator")
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    with pytest.raises(PermissionDenied, match="may not read the department's figures"):
        reports.statistics(db, inv, start, end)
    with pytest.raises(PermissionDenied, match="may not read the department's figures"):
        reports.annual_review_pdf(db, inv, start, end)
    with db.read() as s:
        refused = s.scalars(
            select(AuditEvent.outcome).where(
                AuditEvent.event_type == "stats.view", AuditEvent.user_login == inv.login
            )
        ).all()
    assert refused == ["denied", "denied"]


# -- the contract ---------------------------------------------------------------------------

ALLOWED = {
    "ia_desk.services",
    "ia_desk.casefile",
    "ia_desk.errors",
    "ia_desk.terms",
    "ia_desk.labels",
    "ia_desk.resources",
}


def test_the_contract_forbids_ui_every_room_of_the_core_but_its_door():
    """The import-linter contract lists what ui may not import; with what it may, that
    is every module of the core, so a room added later is not let through unnoticed."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [
        c for c in config["tool"]["importlinter"]["contracts"] if c.get("source_modules") == ["ui"]
    ]
    forbidden = set(contract["forbidden_modules"])
    core = Path(ia_desk.__file__).parent
    rooms = {
        f"ia_desk.{p.stem}"
        for p in core.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert forbidden | ALLOWED == rooms
    assert not forbidden & ALLOWED
    assert contract["ignore_imports"] == ["ui.launcher -> ia_desk.cli"]
