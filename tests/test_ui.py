"""The desktop app driven as a user would with pytest-qt: click, type, save, then check
what the database holds and what the window shows."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QPushButton
from sqlalchemy import select

from ia_desk.cases.queries import get_case
from ia_desk.db.models import Case, Reporter
from ui.app import binding_is_sound
from ui.case_window.window import CaseWindow
from ui.dialogs.clause_picker import ClausePickerDialog
from ui.dialogs.finding import FindingDialog
from ui.dialogs.first_run import FirstRunDialog
from ui.dialogs.intake import IntakeDialog
from ui.dialogs.lock import LockDialog
from ui.dialogs.sign_in import SignInDialog
from ui.idle_watcher import IdleWatcher
from ui.main_window import MainWindow
from ui.screens.cases import PAGE
from ui.widgets.clause_tree import ClauseTree
from ui.worker import pending_tasks

from .conftest import PASSWORD, go_around_the_app, hear_first


def idle(qtbot):
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)


@pytest.fixture
def no_modal(monkeypatch):
    """Message boxes answer at once instead of waiting for a click."""
    shown: list[str] = []

    def fake_exec(self):
        shown.append(self.text())
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: shown.append(text))
    )
    return shown


def test_sign_in_dialog_shows_the_notice_and_a_plain_error(qtbot, db):
    dlg = SignInDialog(db)
    qtbot.addWidget(dlg)
    texts = " ".join(w.text() for w in dlg.findChildren(type(dlg.error)))
    assert "RESTRICTED LAW ENFORCEMENT DATA" in texts
    qtbot.keyClicks(dlg.login, "admin")
    qtbot.keyClicks(dlg.password, "wrong-password")
    dlg._sign_in()
    assert "login or password is wrong" in dlg.error.text()
    assert dlg.password.text() == ""
    qtbot.keyClicks(dlg.password, PASSWORD)
    dlg._sign_in()
    assert dlg.actor is not None and dlg.actor.login == "admin"


def test_a_reset_password_must_be_replaced_at_sign_in_and_can_be_changed_later(
    qtbot, db, admin, make_user, monkeypatch
):
    from ia_desk.accounts.users import reset_password
    from ui.dialogs.change_password import ChangePasswordDialog

    who = make_user("ia_investigator")
    with db.write(admin) as s:
        reset_password(s, admin, who.login, "Given-by-the-admin-77")
    typed: list[str] = []

    def choose(self, new):
        typed.append(self.old.text())
        qtbot.keyClicks(self.new, new)
        qtbot.keyClicks(self.again, new)
        self.change()
        typed.append(self.error.text())
        return QDialog.DialogCode(self.result())

    dlg = SignInDialog(db)
    qtbot.addWidget(dlg)
    monkeypatch.setattr(ChangePasswordDialog, "exec", lambda self: choose(self, "short"))
    qtbot.keyClicks(dlg.login, who.login)
    qtbot.keyClicks(dlg.password, "Given-by-the-admin-77")
    dlg._sign_in()
    assert typed[0] == "Given-by-the-admin-77"  # carried over from the sign-in
    assert dlg.actor is None and "at least 12" in typed[-1]  # not signed in, error shown
    assert "your own password" in dlg.error.text()
    monkeypatch.setattr(
        ChangePasswordDialog, "exec", lambda self: choose(self, "My-very-own-secret-5")
    )
    qtbot.keyClicks(dlg.password, "Given-by-the-admin-77")
    dlg._sign_in()
    assert dlg.actor is not None and not dlg.actor.must_change_password
    window = MainWindow(db, dlg.actor)
    qtbot.addWidget(window)
    action = next(a for a in window.findChildren(QAction) if "Change my password" in a.text())
    monkeypatch.setattr(
        ChangePasswordDialog,
        "exec",
        lambda self: (
            self.old.setText("My-very-own-secret-5"),
            choose(self, "And-another-one-2027"),
        )[-1],
    )
    before = window.actor
    action.trigger()
    assert window.actor != before and window.cases.actor == window.actor  # the session goes on
    window.cases.apply()
    idle(qtbot)


def test_first_run_dialog_refuses_differing_passwords(qtbot):
    dlg = FirstRunDialog("/tmp/x.db")
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.password, "one-password-123")
    qtbot.keyClicks(dlg.password2, "another-password")
    dlg._check()
    assert "differ" in dlg.error.text()
    assert dlg.result() == 0


def test_the_qt_binding_leaves_none_alone(qapp):
    """PySide6 6.12.0 on Python 3.11 took a reference to None per Qt call returning nothing
    (the app aborted after some tens of thousands of calls). Whatever gets installed must not."""
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(5000):
        label.setText("x")
    assert sys.getrefcount(None) - before > -100
    assert binding_is_sound()


def test_the_app_refuses_a_broken_binding_and_says_what_to_install(monkeypatch, capsys):
    import ui.app

    monkeypatch.setattr(ui.app, "binding_is_sound", lambda: False)
    assert ui.app.run_app("sqlite:////nonexistent/never-opened.db") == 4
    err = capsys.readouterr().err
    assert "PySide6" in err and "PySide6-Essentials<6.12" in err and "Python 3.12" in err


def test_case_list_search_filter_sort_and_open(qtbot, db, admin, open_report):
    open_report()
    open_report(
        incident={"occurred_on": "2026-10-30", "narrative": "A meme about the mayor."},
        clauses=["vpd-3.21/III.L"],
    )
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    idle(qtbot)
    page = win.cases
    assert page.model.rowCount() == 2
    assert page.model.index(0, 0).data() == "IA-2026-0002"
    assert page.count.text() == "2 case(s)"
    assert "Ada Admin" in win.statusBar().currentMessage()
    assert [win.nav.item(i).text() for i in range(win.nav.count())] == [
        "Home",
        "Cases",
        "My tasks",
        "Employees",
        "Policies",
        "Registers",
        "Statistics",
        "Administration",
        "Audit trail",
    ]

    qtbot.keyClicks(page.search, "meme")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    idle(qtbot)
    assert page.model.rowCount() == 1 and page.count.text() == "1 case(s) match"
    page.search.clear()
    page.clause.setText("vpd-3.21/III.M")
    qtbot.keyClick(page.clause, Qt.Key.Key_Return)
    idle(qtbot)
    assert [page.model.index(r, 0).data() for r in range(page.model.rowCount())] == ["IA-2026-0001"]
    page.clause.clear()
    page.apply()
    idle(qtbot)
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    idle(qtbot)
    assert page.model.index(0, 0).data() == "IA-2026-0001"

    page.table.doubleClicked.emit(page.model.index(0, 0))
    idle(qtbot)
    assert "IA-2026-0001" in win.case_windows
    qtbot.addWidget(win.case_windows["IA-2026-0001"])


def test_case_list_fetches_rows_in_pages(qtbot, db, admin):
    from ia_desk.services.demo import add_demo_data

    with db.write(admin) as s:
        add_demo_data(s, admin, count=PAGE + 50, with_evidence=False)
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    idle(qtbot)
    model = win.cases.model
    assert model.total == PAGE + 50 and model.rowCount() == PAGE
    assert model.canFetchMore()
    model.fetchMore()
    idle(qtbot)
    assert model.rowCount() == PAGE + 50 and not model.canFetchMore()


def test_a_refresh_keeps_every_loaded_row_and_the_selection(qtbot, db, admin):
    """Another workstation's change reloads the list in place: the rows the user scrolled
    through come back (a page per turn of the event loop), once each, selection kept."""
    from ia_desk.services.demo import add_demo_data

    with db.write(admin) as s:
        add_demo_data(s, admin, count=PAGE + 30, with_evidence=False)
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    idle(qtbot)
    page = win.cases
    model = page.model
    model.fetchMore()
    idle(qtbot)
    assert model.rowCount() == PAGE + 30
    before = [model.index(r, 0).data() for r in range(model.rowCount())]
    page.table.selectRow(PAGE + 10)
    chosen = page.selected_number()
    # While the rows come back, no page may be fetched (it would be listed twice).
    fetchable = []
    model.rowsInserted.connect(lambda *_: fetchable.append(model.canFetchMore()))
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        page.refresh_in_place()
    assert len(fetchable) == 2 and not any(fetchable)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == before
    assert [r.number for r in model.rows] == before
    assert page.selected_number() == chosen
    assert page.count.text() == f"{PAGE + 30} case(s)"


def test_overdue_rows_stand_out(qtbot, db, admin, open_report):
    open_report(
        received_at="2026-01-05T09:00:00-06:00",
        incident={"occurred_on": "2026-01-02", "narrative": "Old post."},
    )
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    idle(qtbot)
    idx = win.cases.model.index(0, 6)
    assert "Overdue" in idx.data().split(" · ")
    assert idx.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#a40000"
    assert idx.data(Qt.ItemDataRole.FontRole).bold()
    assert "Overdue" in idx.data(Qt.ItemDataRole.ToolTipRole)  # a narrow column cuts it
    assert win.cases.model.index(0, 1).data(Qt.ItemDataRole.FontRole) is None  # status: plain


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        ("supervisor", ["Home", "Cases"]),
        ("command_staff", ["Home", "Cases", "Employees", "Policies", "Registers", "Statistics"]),
        ("ia_investigator", ["Home", "Cases", "My tasks", "Employees", "Policies", "Registers"]),
    ],
)
def test_navigation_depends_on_the_role(qtbot, db, make_user, open_report, role, pages):
    who = make_user(role)
    win = MainWindow(db, who)
    qtbot.addWidget(win)
    idle(qtbot)
    assert [win.nav.item(i).text() for i in range(win.nav.count())] == pages
    assert hasattr(win, "new_report_action") == (role != "command_staff")


def test_supervisor_sees_only_own_cases_status_only(qtbot, db, make_user, open_report):
    open_report()
    sup = make_user("supervisor")
    open_report(actor=sup)
    win = MainWindow(db, sup)
    qtbot.addWidget(win)
    idle(qtbot)
    assert win.cases.model.rowCount() == 1
    assert win.cases.table.isColumnHidden(3) and win.cases.table.isColumnHidden(4)
    view = CaseWindow(db, sup, win.cases.model.index(0, 0).data())
    qtbot.addWidget(view)
    idle(qtbot)
    assert "received" in view.header.text()
    assert not view.tabs.isTabEnabled(1)


def test_intake_form_opens_an_anonymous_case_and_shows_the_code(qtbot, db, admin, no_modal):
    dlg = IntakeDialog(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)
    qtbot.keyClicks(dlg.rep_name, "Should Vanish")
    dlg.mode_buttons["anonymous"].setChecked(True)
    assert dlg.rep_name.text() == "" and not dlg.identity.isVisibleTo(dlg)
    qtbot.keyClicks(dlg.subject_input, "4321")
    qtbot.keyClick(dlg.subject_input, Qt.Key.Key_Return)
    dlg.subjects.item(0, 1).setText("Casey Newman")
    dlg.occurred.setDate(QDate(2026, 10, 30))
    qtbot.keyClicks(dlg.narrative, "Posted body cam video of an arrest with a laughing emoji.")
    dlg.platform.setCurrentText("Instagram")
    dlg.clauses.addItem("vpd-3.21/III.D  Department logos, photos, equipment")
    dlg.save()
    idle(qtbot)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert any("Tracking code for the reporter" in t for t in no_modal)
    with db.read() as s:
        case = s.scalar(select(Case))
        rep = s.scalar(select(Reporter))
        assert case.incident.narrative.startswith("Posted body cam video")
        assert [a.clause.clause_id for a in case.allegations] == ["vpd-3.21/III.D"]
        assert (rep.mode, rep.name) == ("anonymous", None)
        assert case.incident.platform == "Instagram"


def test_intake_form_shows_errors_next_to_the_field_and_stores_nothing(qtbot, db, admin):
    dlg = IntakeDialog(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)
    dlg.save()  # named/confidential with no name, no employee, no narrative: all at once
    assert dlg.errors["reporter.name"].isVisibleTo(dlg)
    assert dlg.errors["reporter.name"].text() == "Required."  # beside "Name": no field key
    assert dlg.errors["subjects"].isVisibleTo(dlg)
    assert "at least one employee" in dlg.errors["subjects"].text()
    assert "subjects" not in dlg.errors["subjects"].text()
    qtbot.keyClicks(dlg.rep_name, "Pat Quill")
    assert not dlg.errors["reporter.name"].isVisibleTo(dlg)  # cleared once fixed
    assert dlg.errors["subjects"].isVisibleTo(dlg)  # the others stay until fixed
    dlg.save()
    assert "at least one employee" in dlg.errors["subjects"].text()
    qtbot.keyClicks(dlg.subject_input, "1234")
    qtbot.keyClick(dlg.subject_input, Qt.Key.Key_Return)
    dlg.subjects.item(0, 1).setText("John Roe")
    qtbot.keyClicks(dlg.url, "not a url")
    qtbot.keyClicks(dlg.narrative, "Something happened.")
    dlg.platform.setCurrentText("Facebook")
    dlg.save()
    assert "web address" in dlg.errors["incident.url"].text()
    assert "incident" not in dlg.errors["incident.url"].text()
    assert not dlg.errors["reporter.name"].isVisibleTo(dlg)
    with db.read() as s:
        assert s.scalar(select(Case)) is None


def test_case_window_shows_the_case_and_moves_it_through_the_workflow(
    qtbot, db, admin, open_report, monkeypatch
):
    number = open_report().case.number
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    assert number in view.header.text() and "day(s) left" in view.header.text()
    assert view.allegations.rowCount() == 1
    assert "Employees shall not post messages" in view.clause_text.toPlainText()
    assert "Pat Quill" in view.overview.toPlainText()
    assert view.timeline.item(0, 2).text() == "Case opened for reading"  # case.view
    buttons = {b.objectName(): b for b in view.findChildren(QPushButton)}
    assert buttons["action-start"].isEnabled() and not buttons["action-close"].isEnabled()
    assert "the case is received" in buttons["action-close"].toolTip()
    buttons["action-start"].click()
    idle(qtbot)
    with db.read() as s:
        assert get_case(s, number).status == "investigating"
    assert "Status: <b>Investigating</b>" in view.header.text()

    monkeypatch.setattr(
        FindingDialog,
        "exec",
        lambda self: (
            self.disposition.setCurrentIndex(self.disposition.findData("sustained")),
            self.rationale.setPlainText("Seen on screenshot."),
            QDialog.DialogCode.Accepted,
        )[-1],
    )
    view.allegations.setCurrentCell(0, 0)
    view._record_finding()
    idle(qtbot)
    with db.read() as s:
        a = get_case(s, number).allegations[0]
        assert (a.disposition, a.rationale) == ("sustained", "Seen on screenshot.")
    assert view.allegations.item(0, 3).text() == "Sustained"


def test_a_finding_has_no_default_disposition_and_needs_a_rationale(qtbot, db, admin):
    dlg = FindingDialog(
        {"id": 1, "employee": "1234", "clause": "vpd-3.21/III.M", "disposition": None}
    )
    qtbot.addWidget(dlg)
    assert dlg.disposition.currentData() is None  # nothing is pre-chosen, least of all sustained
    save = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    save.click()
    assert dlg.result() != QDialog.DialogCode.Accepted and "disposition" in dlg.error.text()
    dlg.disposition.setCurrentIndex(dlg.disposition.findData("not_sustained"))
    save.click()
    assert dlg.result() != QDialog.DialogCode.Accepted and "rationale" in dlg.error.text()
    dlg.rationale.setPlainText("The account is not the officer's.")
    save.click()
    assert dlg.result() == QDialog.DialogCode.Accepted


def test_an_investigator_is_offered_nothing_on_a_colleagues_case(
    qtbot, db, admin, make_user, open_report
):
    from ia_desk.cases.workflow import perform

    owner, other = make_user("ia_investigator"), make_user("ia_investigator")
    number = open_report().case.number
    with db.write(owner) as s:
        perform(s, owner, number, "start")
    view = CaseWindow(db, other, number)
    qtbot.addWidget(view)
    idle(qtbot)
    buttons = {b.objectName(): b for b in view.findChildren(QPushButton) if b.objectName()}
    assert "action-toll" in buttons and "action-add-allegation" in buttons
    for name, button in buttons.items():
        if name.startswith("action-") and name != "action-print":
            assert not button.isEnabled(), name
            assert "another investigator" in button.toolTip(), name
    assert not view.evidence.can_add


def test_marking_text_to_withhold_from_the_case_window(qtbot, db, admin, open_report, monkeypatch):
    from ui.dialogs.withhold import WithholdDialog

    number = open_report().case.number
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    monkeypatch.setattr(
        WithholdDialog,
        "exec",
        lambda self: (
            self.text.setText("Jamie Doe"),
            self.kind.setCurrentIndex(self.kind.findData("juvenile")),
            QDialog.DialogCode.Accepted,
        )[-1],
    )
    view.findChild(QPushButton, "action-redact").click()
    idle(qtbot)
    assert "Jamie Doe" in view.overview.toPlainText()  # IA sees what it marked
    with db.read() as s:
        from ia_desk.cases.redaction import marked

        assert [(m["text"], m["kind"]) for m in marked(s, admin, number)] == [
            ("Jamie Doe", "juvenile")
        ]


def test_confidential_identity_is_not_shown_to_command_staff(qtbot, db, make_user, open_report):
    number = open_report().case.number
    chief = make_user("command_staff")
    view = CaseWindow(db, chief, number)
    qtbot.addWidget(view)
    idle(qtbot)
    text = view.overview.toPlainText()
    assert "identity withheld" in text and "Pat Quill" not in text


def test_clause_tree_filters_by_words(qtbot, db):
    tree = ClauseTree(db, None)
    qtbot.addWidget(tree)
    idle(qtbot)
    qtbot.keyClicks(tree.filter, "juvenile")
    tree.select("vpd-3.21/IV.B")
    assert tree.current_id() == "vpd-3.21/IV.B"
    assert "juvenile offender" in tree.text.toPlainText()
    visible = []

    def walk(item):
        if item.data(0, Qt.ItemDataRole.UserRole) and not item.isHidden():
            visible.append(item.data(0, Qt.ItemDataRole.UserRole))
        for i in range(item.childCount()):
            walk(item.child(i))

    for i in range(tree.tree.topLevelItemCount()):
        walk(tree.tree.topLevelItem(i))
    assert "vpd-3.21/IV.B" in visible and "vpd-3.21/III.D" not in visible


def test_clause_picker_returns_the_chosen_clause(qtbot, db):
    dlg = ClausePickerDialog(db, None)
    qtbot.addWidget(dlg)
    idle(qtbot)
    dlg.tree.select("city-sn/procedure.7")
    dlg._accept()
    assert dlg.clause_id == "city-sn/procedure.7"


def test_policies_and_employees_screens(qtbot, db, admin, open_report):
    number = open_report().case.number
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    win.show()
    idle(qtbot)
    assert list(win.pages) == ["Home"]  # the other screens are built when first shown
    policies = win.page("Policies")
    idle(qtbot)  # the catalogue loads in the background
    policies.tree.select("vpd-3.21/III.M")
    idle(qtbot)
    assert [policies.cases.item(i).text() for i in range(policies.cases.count())] == [number]
    employees = win.page("Employees")
    assert employees.table.rowCount() == 0  # a screen reads its data when first shown
    win.nav.setCurrentRow(win.titles.index("Employees"))
    idle(qtbot)
    employees.table.setCurrentCell(0, 0)
    idle(qtbot)
    assert employees.history.item(0, 0).text() == number
    admin_page = win.page("Administration")
    win.nav.setCurrentRow(win.titles.index("Administration"))
    idle(qtbot)
    assert admin_page.users.item(0, 0).text() == "admin"


def test_idle_session_locks_and_unlocks_with_the_password(qtbot, db, admin):
    watcher = IdleWatcher(minutes=0)
    with qtbot.waitSignal(watcher.idle, timeout=2000):
        watcher.check()
    dlg = LockDialog(db, admin)
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.password, "not-my-password")
    dlg.try_unlock()
    assert "wrong" in dlg.error.text() and dlg.result() == 0
    qtbot.keyClicks(dlg.password, PASSWORD)
    dlg.try_unlock()
    assert dlg.result() == QDialog.DialogCode.Accepted


def test_discipline_tab_shows_the_ladder_and_records_a_decision(
    qtbot, db, admin, open_report, monkeypatch
):
    from ui.dialogs.decision import DecisionDialog

    number = open_report().case.number
    with db.write(admin) as s:
        from ia_desk.cases.allegations import record_finding
        from ia_desk.cases.workflow import perform

        perform(s, admin, number, "start")
        record_finding(s, admin, get_case(s, number).allegations[0].id, "sustained", "Seen.")
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    rung = view.discipline.findChild(type(view.header), "rung-written_reprimand")
    assert "(recommended)" in rung.text()
    shown = []

    def save_as_offered(self):  # Save on the dialog as it opens: the recommended step
        shown.append(self)
        self.save()
        idle(qtbot)
        return self.result()

    monkeypatch.setattr(DecisionDialog, "exec", save_as_offered)
    button = view.discipline.findChild(QPushButton, "record-1234")
    button.click()
    idle(qtbot)
    assert shown[0].recorded and not shown[0].days.isVisibleTo(shown[0])
    with db.read() as s:
        from ia_desk.discipline.ladder import decisions

        assert [d["step"] for d in decisions(s, get_case(s, number))] == ["written_reprimand"]
    rung = view.discipline.findChild(type(view.header), "rung-written_reprimand")
    assert "✔" in rung.text()


def test_the_decision_dialog_keeps_what_was_typed_when_refused_and_asks_a_suspensions_length(
    qtbot, db, admin, open_report
):
    """A step off the recommended one without a reason is refused beside the reason; the
    dialog stays open. A suspension shows its days and pay, and records them."""
    from ia_desk.cases.allegations import record_finding
    from ia_desk.cases.workflow import perform
    from ia_desk.discipline.ladder import decisions
    from ui.dialogs.decision import DecisionDialog

    number = open_report().case.number
    with db.write(admin) as s:
        perform(s, admin, number, "start")
        record_finding(s, admin, get_case(s, number).allegations[0].id, "sustained", "Seen.")
        hear_first(s, admin, number, "1234")
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    dlg = DecisionDialog(
        view.data["ladder"][0],
        lambda step, reason, days, unpaid: view._record_discipline(
            "1234", step, reason, days, unpaid, False
        ),
        view,
    )
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.days.isVisibleTo(dlg) and not dlg.pay.isVisibleTo(dlg)
    dlg.step.setCurrentIndex(dlg.step.findData("suspension"))
    assert dlg.days.isVisibleTo(dlg) and dlg.pay.isVisibleTo(dlg)
    assert "aggravating" in dlg.reason.placeholderText()
    dlg.days.setValue(5)
    dlg.save()
    idle(qtbot)
    assert "with or without pay" in dlg.pay_error.text() and dlg.isVisible() and not dlg.recorded
    dlg.pay.setCurrentIndex(dlg.pay.findData(True))
    assert dlg.pay_error.text() == ""  # cleared once the field is touched
    dlg.save()
    idle(qtbot)
    assert "aggravating" in dlg.reason_error.text() and dlg.isVisible() and not dlg.recorded
    assert dlg.days.value() == 5 and dlg.pay.currentData() is True  # kept as typed
    dlg.reason.setPlainText("Second post naming a witness.")
    assert dlg.reason_error.text() == ""
    dlg.save()
    idle(qtbot)
    assert dlg.recorded
    with db.read() as s:
        (d,) = decisions(s, get_case(s, number))
    assert (d["step"], d["length"], d["reason"]) == (
        "suspension",
        "5 days without pay",
        "Second post naming a witness.",
    )
    idle(qtbot)  # the window reloads on the change and shows the length
    shown = [w.text() for w in view.discipline.inner.findChildren(type(view.header))]
    assert any("Suspension, 5 days without pay" in t for t in shown), shown


def test_admin_screens_reset_disable_and_audit(qtbot, db, admin, make_user, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from ui.screens.administration import AdminPage
    from ui.screens.audit_trail import AuditPage

    inv = make_user("ia_investigator")
    page = AdminPage(db, admin)
    qtbot.addWidget(page)
    page.show()
    idle(qtbot)
    logins = [page.users.item(r, 0).text() for r in range(page.users.rowCount())]
    page.users.setCurrentCell(logins.index(inv.login), 0)
    asked: list[str] = []  # disabling one who held IA's key offers to change it: not now
    monkeypatch.setattr(
        QMessageBox,
        "question",
        staticmethod(lambda _p, _t, text, *a, **k: asked.append(text) or QMessageBox.No),
    )
    page._set_active(False)
    idle(qtbot)
    assert page.users.item(logins.index(inv.login), 3).text() == "no"
    assert len(asked) == 1 and f"{inv.login} held IA's key" in asked[0]
    assert f"Since then {inv.login} left while holding it" in page.ia_key.text()
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *a, **k: ("Brand-new-pass-42", True))
    )
    page._reset()
    idle(qtbot)
    assert page.settings.rowCount() >= 5
    audit = AuditPage(db, admin)
    qtbot.addWidget(audit)
    audit.show()
    idle(qtbot)
    events = [audit.table.item(r, 4).text() for r in range(audit.table.rowCount())]
    assert "User disabled" in events and "Password reset" in events
    audit.verify()
    idle(qtbot)
    assert audit.result.text().startswith("Audit trail intact")
    assert "signed by their authors" in audit.result.text()
    # An event changed around the app: the screen names it among the problems.
    go_around_the_app(
        db,
        "UPDATE audit_event SET details = '{}' WHERE event_type = 'user.disable'",
    )
    audit.verify()
    idle(qtbot)
    shown = audit.result.text()
    assert "Audit trail BROKEN: 2 problems" in shown and "(its MAC does not match)" in shown
    # The altered event no longer vouches for the account it disabled: named too.
    assert f"• account {inv.login} is disabled in the database but not in the trail" in shown
    audit.export_to(tmp_path / "audit.csv")
    idle(qtbot)
    assert (tmp_path / "audit.csv").read_text().startswith("seq,at,user")


def test_intake_suggests_clauses_as_the_narrative_is_typed(qtbot, db, admin):
    dlg = IntakeDialog(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)
    qtbot.keyClicks(dlg.narrative, "Posted body cam video of the arrest on TikTok")
    qtbot.waitUntil(lambda: dlg.suggestions.list.count() > 0, timeout=5000)
    first = dlg.suggestions.list.item(0)
    assert first.data(Qt.ItemDataRole.UserRole) == "vpd-3.21/III.D"
    assert "body-worn camera" in first.toolTip()
    dlg.suggestions.list.setCurrentRow(0)
    dlg.suggestions.add_selected()
    assert dlg.clauses.item(0).text().startswith("vpd-3.21/III.D")
    assert dlg.document()["clauses"] == ["vpd-3.21/III.D"]


def test_registers_screen_lists_and_records(qtbot, db, admin, open_report, monkeypatch):
    from ui.dialogs.register_entry import FormDialog
    from ui.screens.registers import RegistersPage

    number = open_report(clauses=["vpd-3.21/III.D"]).case.number
    page = RegistersPage(db, admin)
    qtbot.addWidget(page)
    page.show()
    idle(qtbot)
    assert page.hiring.item(0, 0).text() == "1234"
    assert page.hiring.item(0, 4).text() == "Never trained; hire date not on file"

    def fake_exec(self):
        for key, value in {
            "badge": "1234",
            "purpose": "Recruiting page",
            "course": "Basics",
            "trainer": "Sgt Lee",
            "by": "Chief Burns",
        }.items():
            if key in self.widgets:
                self.widgets[key].setText(value)
        if "items" in self.widgets:
            self.widgets["items"].set_values(["photo", "uniform"])
        if "as" in self.widgets:  # the decider's standing is chosen, never defaulted
            self.widgets["as"].setCurrentIndex(self.widgets["as"].findData("chief"))
        self.save()  # OK: the form records the entry itself
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(FormDialog, "exec", fake_exec)
    page.add_request()
    idle(qtbot)
    assert page.approvals.rowCount() == 1 and page.approvals.item(0, 5).text() == "Pending"
    page.approvals.setCurrentCell(0, 0)
    page.decide()
    idle(qtbot)
    assert page.approvals.item(0, 5).text() == "Approved"
    page.add_training()
    idle(qtbot)
    assert page.hiring.rowCount() == 0
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    # A request on file counts only once linked to the case with what its post depicts.
    assert "no approval linked to this case (request 1 on file" in view.overview.toPlainText()


def test_matrix_editor_stores_a_new_version_with_a_reason(qtbot, db, admin):
    from ia_desk.discipline.matrix import current
    from ui.dialogs.matrix_editor import MatrixEditor

    dlg = MatrixEditor(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)  # the matrix in force is read off the GUI thread
    dlg.lookback.setValue(12)
    box, check = dlg.clause_widgets["vpd-3.21/III.L"]
    box.setCurrentText("C")
    dlg.save()
    idle(qtbot)  # and saved off it
    # said in the form's words (the field's name, not its key), the dialog still open
    assert dlg.error.text() == "Reason: Say why the matrix changes." and dlg.saved_version is None
    dlg.reason.setText("Board decision of November 2026")
    dlg.save()
    idle(qtbot)
    assert dlg.saved_version == 2
    with db.read() as s:
        m = current(s)
    assert m["lookback_months"] == 12 and m["clauses"]["vpd-3.21/III.L"]["class"] == "C"


def test_allegation_picker_offers_suggestions_from_the_narrative(qtbot, db):
    from ui.dialogs.clause_picker import ClausePickerDialog

    dlg = ClausePickerDialog(db, None, None, "posted the rap sheet of the suspect", "police")
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.suggestions.list.count() > 0, timeout=5000)
    idle(qtbot)
    assert dlg.suggestions.list.item(0).data(Qt.ItemDataRole.UserRole) == "vpd-3.21/IV.F"
    dlg._choose_suggested("vpd-3.21/IV.F")
    assert dlg.clause_id == "vpd-3.21/IV.F"


def test_each_column_header_sorts_by_its_own_column(qtbot, db, admin, open_report):
    from ia_desk.casefile.listing import SORT_KEYS
    from ui.screens.cases import CaseListModel

    assert set(CaseListModel.SORT_BY_COLUMN) == set(SORT_KEYS)
    assert len(CaseListModel.SORT_BY_COLUMN) == len(CaseListModel.COLUMNS)
    open_report(received_at="2026-11-03T09:00:00-06:00")
    open_report(
        received_at="2026-10-01T09:00:00-06:00",
        incident={"occurred_on": "2026-09-30", "narrative": "An older post."},
    )
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    idle(qtbot)
    page = win.cases
    assert page.model.query.sort == "received" and page.model.query.descending
    assert [page.model.index(r, 0).data() for r in range(2)] == ["IA-2026-0001", "IA-2026-0002"]
    for column, title in enumerate(CaseListModel.COLUMNS):
        page.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
        idle(qtbot)
        key = page.model.query.sort
        assert key.startswith(title.lower()[:4]) or (title, key) == ("Case", "number"), title
    page.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # Received, oldest first
    idle(qtbot)
    assert [page.model.index(r, 0).data() for r in range(2)] == ["IA-2026-0002", "IA-2026-0001"]


def test_the_discipline_tab_records_the_notice_the_response_and_an_appeal(
    qtbot, db, admin, open_report, monkeypatch
):
    """Each form around a decision records through the service; a refusal keeps it open
    with the reason beside its field."""
    from ia_desk.cases.allegations import record_finding
    from ia_desk.cases.workflow import perform
    from ui.dialogs.register_entry import FormDialog

    number = open_report(clauses=["vpd-3.21/IV.B"]).case.number
    with db.write(admin) as s:
        perform(s, admin, number, "start")
        record_finding(s, admin, get_case(s, number).allegations[0].id, "sustained", "Seen.")
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    forms: list[FormDialog] = []
    fill: dict[str, object] = {}

    def filled(self):
        forms.append(self)
        for key, value in fill.items():
            w = self.widgets[key]
            if hasattr(w, "findData"):
                w.setCurrentIndex(w.findData(value))
            else:
                w.setText(value)
        self.save()
        idle(qtbot)
        return self.result()

    monkeypatch.setattr(FormDialog, "exec", filled)

    def press(name: str) -> None:
        view.discipline.findChild(QPushButton, f"{name}-1234").click()
        idle(qtbot)

    assert view.discipline.findChild(QPushButton, "response-1234") is None
    fill.update(charges="")
    press("notice")
    assert forms[-1].errors["charges"].text() == "Required." and not forms[-1].saved
    fill.update(charges="The post naming the victim, screenshots 1-2.")
    press("notice")
    assert forms[-1].saved
    fill.clear()
    fill.update(waived=False, response="I regret it.", heard_by="Capt. Ames")
    press("response")
    assert forms[-1].saved
    texts = " ".join(w.text() for w in view.discipline.inner.findChildren(type(view.header)))
    assert "Notice of the charges" in texts and "heard by Capt. Ames" in texts
    assert view.discipline.findChild(QPushButton, "appeal-1234") is None  # nothing decided
    with db.write(admin) as s:
        from ia_desk.discipline.ladder import record

        record(s, admin, number, "1234", "suspension", suspension_days=5, without_pay=True)
    view.reload()
    idle(qtbot)
    fill.clear()
    fill.update(kind="grievance")
    press("appeal")
    assert forms[-1].saved
    fill.clear()
    fill.update(outcome="modified", note="First offence.", step="training")
    press("appeal_outcome")
    assert forms[-1].saved
    texts = " ".join(w.text() for w in view.discipline.inner.findChildren(type(view.header)))
    assert "Modified on" in texts and "First offence." in texts


def test_the_appeal_outcome_form_asks_for_a_step_only_when_modified(qtbot):
    from ui.case_window.discipline import PROCEDURE_FORMS, follow_the_outcome
    from ui.dialogs.register_entry import FormDialog

    title, fields = PROCEDURE_FORMS["appeal_outcome"]
    dlg = FormDialog(title, fields)
    qtbot.addWidget(dlg)
    follow_the_outcome(dlg)
    dlg.show()
    w = dlg.widgets

    def shown() -> set[str]:
        return {k for k in ("step", "suspension_days", "without_pay") if w[k].isVisible()}

    w["outcome"].setCurrentIndex(w["outcome"].findData("upheld"))
    assert shown() == set()
    w["outcome"].setCurrentIndex(w["outcome"].findData("modified"))
    assert shown() == {"step"}
    w["step"].setCurrentIndex(w["step"].findData("suspension"))
    assert shown() == {"step", "suspension_days", "without_pay"}
    w["suspension_days"].setText("5")
    w["without_pay"].setCurrentIndex(w["without_pay"].findData(True))
    w["step"].setCurrentIndex(w["step"].findData("written_reprimand"))
    assert shown() == {"step"}
    values = dlg.values()  # what is no longer asked is not sent
    assert values["step"] == "written_reprimand"
    assert values["suspension_days"] is None and values["without_pay"] is None
    w["outcome"].setCurrentIndex(w["outcome"].findData("overturned"))
    assert dlg.values()["step"] is None
    dlg.done(0)  # closed as Cancel would after "Discard" (the typed days are not saved)
