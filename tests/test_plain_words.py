"""Issue 21, plain words and no lost work: every value a person reads is a word of IA work
(statuses, flags, fields, audit details), the case list keeps the workflow's order, and
the intake form does not lose what was typed. Driven as a user would with pytest-qt."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from sqlalchemy import func, select

from ia_desk import labels
from ia_desk.casefile.listing import CaseQuery, case_page
from ia_desk.db.models import Case
from ia_desk.services import Changes
from ia_desk.services import cases as case_service
from ia_desk.services.evidence import EvidenceInput
from ia_desk.services.intake import check_form
from ia_desk.terms import CASE_STATUSES, CHANNELS
from ui.dialogs.intake import IntakeDialog
from ui.main_window import MainWindow
from ui.worker import pending_tasks

from .conftest import report_doc


def idle(qtbot):
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=10_000)


@pytest.fixture(autouse=True)
def no_waiting_box(monkeypatch):
    """A message box answers Discard at once (closing a typed form at the end of a test
    asks); a test that looks at the question patches it again."""
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Discard)


# -- the words (core, no display)


def test_every_stored_value_has_words_of_ia_work():
    for value in CASE_STATUSES:
        badge = labels.status(value)
        assert "_" not in badge.text and badge.text[0].isupper() and badge.meaning
    for value in CHANNELS:
        assert "_" not in labels.channel(value)
    assert labels.channel("ia_direct") == "Directly to IA"  # not "Ia direct"
    for value in ("overdue", "tolled", "immediate_action", "retaliation_review"):
        assert "_" not in labels.flag(value).text and labels.flag(value).meaning
    assert labels.flag("reporter_update_due").text == "Update reporter"
    assert labels.discipline_step("written_reprimand") == "Written reprimand"
    assert labels.setting("retaliation_window_months") == "Reporter protection lasts (months)"
    assert labels.event("case.toll") == "Deadline paused"
    assert labels.event("case.something_new") == "Case: something new"  # never raw


def test_every_value_the_core_stores_has_chosen_words_not_a_fallback():
    from ia_desk import terms
    from ia_desk.settings import SPECS

    for values, words in (
        (terms.CASE_STATUSES, labels.STATUSES),
        (terms.CHANNELS, labels.CHANNELS),
        (terms.REPORTER_MODES, labels.REPORTER_MODES),
        (terms.DISPOSITIONS, labels.DISPOSITIONS),
        (terms.DISCIPLINE_STEPS, labels.DISCIPLINE_STEPS),
        (terms.RETALIATION_CONCLUSIONS, labels.RETALIATION_CONCLUSIONS),
        (terms.APPROVAL_ITEMS, labels.APPROVAL_ITEMS),
        (terms.APPROVAL_DECISIONS, labels.APPROVAL_DECISIONS),
        (terms.ROLES, labels.ROLES),
        (tuple(SPECS), labels.SETTINGS),
    ):
        assert set(values) <= set(words), set(values) - set(words)
    for action in terms.WORKFLOW_ACTIONS:
        assert f"case.{action}" in labels.EVENTS, action


def named_in_the_core(written: re.Pattern[str]) -> set[str]:
    """Every name the pattern's groups find in the core's source (``ia_desk``)."""
    import pathlib

    core = pathlib.Path(labels.__file__).parent
    return {
        name
        for path in core.rglob("*.py")
        for match in written.finditer(path.read_text(encoding="utf-8"))
        for name in match.groups()
        if name
    }


def test_every_event_the_trail_can_hold_is_named_in_words():
    """Every event type the core records (an append, or the refusal a permission check
    records) reads as words on the Audit trail screen and in the timeline, not as its
    code ("Reporter: identity.view"). Found in the source as it names them."""
    import re

    written = re.compile(
        r'append\(\s*\w+,\s*[\w.]+,\s*"([a-z_.]+)"'
        r'|require\(\s*[\w.]+,\s*"[a-z_.]+",\s*"([a-z_.]+)"'
        r'|_audit\(\s*\w+,\s*\w+,\s*"([a-z_.]+)"'
        r'|event_type\s*=\s*"([a-z_.]+)"'
    )
    found = named_in_the_core(written)
    assert len(found) > 80  # the scan finds the trail's events, not a handful
    assert sorted(e for e in found if e not in labels.EVENTS) == []


def test_a_refusal_names_the_field_as_the_form_shows_it():
    assert labels.field("reporter.name") == "Reporter's name"
    assert labels.field("subjects[1].badge") == "Employee 2, badge"
    assert (
        labels.message("reporter.name: required.", "reporter.name") == "Reporter's name: Required."
    )
    assert labels.message("reporter.name: required.", "reporter.name", beside=True) == "Required."
    said = labels.message("subjects[1].badge: badge 1234 is listed twice.", "subjects")
    assert said == "Employee 2, badge: badge 1234 is listed twice."


def test_audit_details_read_as_a_sentence_not_python_or_json():
    text = labels.details(
        '{"evidence_verified": {"25": true}, "previous": null, "channel": "ia_direct",'
        ' "clauses": ["vpd-3.21/III.D"], "linked_to": []}'
    )
    for code in ("{", "}", "[", "'", '"', "None", "True", "null", "ia_direct", "_"):
        assert code not in text, code
    assert "Screenshots verified: intact: no. 25" in text
    assert "channel: Directly to IA" in text


def test_the_audit_trail_names_a_users_key_by_its_fingerprint_and_a_setting_by_its_change(
    qtbot, db, admin, make_user
):
    """A user's signing key is a key fingerprint, shown as it is (it was shown as a
    "setting", its fingerprint mangled); a setting change reads as was and now."""
    import json

    from ia_desk.db.models import AuditEvent
    from ia_desk.services import settings as settings_service
    from ui.screens.audit_trail import AuditPage

    inv = make_user("ia_investigator")
    settings_service.change_setting(db, admin, "warning_cases", 4)
    with db.read() as s:
        stored = json.loads(
            s.scalars(
                select(AuditEvent.details).where(
                    AuditEvent.event_type == "user.change_password",
                    AuditEvent.user_login == inv.login,
                )
            ).one()
        )
    page = AuditPage(db, admin)
    qtbot.addWidget(page)
    page.show()
    idle(qtbot)
    rows = {
        (page.table.item(r, 4).text(), page.table.item(r, 2).text()): page.table.item(r, 8).text()
        for r in range(page.table.rowCount())
    }
    password = rows[labels.event("user.change_password"), inv.login]
    assert f"key fingerprint: {stored['key']}" in password, password
    assert "setting" not in password.lower()
    assert rows[labels.event("settings.set"), admin.login] == "Now: 4; was: 3."
    # What each event acted on is named as IA knows it, not as "user:4" or
    # "setting:warning_cases".
    objects = {
        (page.table.item(r, 4).text(), page.table.item(r, 2).text()): page.table.item(r, 5).text()
        for r in range(page.table.rowCount())
    }
    assert objects[labels.event("user.change_password"), inv.login] == f"User {inv.login}"
    assert objects[labels.event("settings.set"), admin.login] == (
        "Setting: Early warning: cases close together (0 = off)"
    )
    for text in objects.values():
        assert not re.search(r"\b[a-z_]+:\S", text), text


def test_every_kind_of_thing_the_trail_names_has_words():
    """Every object type the core writes into the trail has chosen words (found in the
    source as it writes them), and a refusal's object reads as a name."""

    written = re.compile(
        r'object_type="([a-z_]+)"'
        r'|require\(\s*[\w.]+,\s*"[a-z_.]+",\s*f?"[a-z_.{}]+",\s*"([a-z_]+)"'
        r'|AuditedRefusal\(\s*f?"[a-z_.{}]+",\s*"([a-z_]+)"'
    )
    found = named_in_the_core(written)
    assert {"case", "user", "setting", "evidence", "file"} <= found
    assert sorted(t for t in found if t not in labels.OBJECTS) == []
    assert labels.audit_object("case", "17", case_number="IA-2026-0003") == "Case IA-2026-0003"
    assert labels.audit_object("user", "cmd") == "User cmd"
    assert labels.audit_object("evidence", "25") == "Screenshot no. 25"
    assert labels.audit_object("database", None) == "The database"
    assert labels.audit_object(None, None) == ""


def test_capture_times_are_local_to_the_minute_with_the_zone(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    try:
        assert labels.local_minute("2026-11-02T15:15:42.123456+00:00") == "2026-11-02 09:15 CST"
        assert labels.local_minute(dt.datetime(2026, 7, 2, 15, 15)) == "2026-07-02 10:15 CDT"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_the_case_list_sorts_statuses_in_workflow_order(db, admin, open_report):
    first = open_report().case.number
    second = open_report().case.number
    case_service.take_action(db, admin, second, "assign", assignee=admin.login)
    case_service.take_action(db, admin, second, "start")
    with db.read(admin) as s:
        rows = case_page(s, admin, CaseQuery(sort="status", descending=False))
    # workflow: received before investigating (the alphabet puts investigating first)
    assert [r.number for r in rows] == [first, second]


# -- the case list


def test_the_case_list_shows_statuses_as_badges_and_flags_in_words(qtbot, db, admin, open_report):
    open_report(
        received_at="2026-01-05T09:00:00-06:00",
        incident={"occurred_on": "2026-01-02", "narrative": "Old post."},
        clauses=["vpd-3.21/IV.B"],
    )
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    idle(qtbot)
    status = win.cases.model.index(0, 1)
    assert status.data() == "Received"
    assert (
        status.data(Qt.ItemDataRole.BackgroundRole).color().name()
        == labels.STATUSES["received"].colour
    )
    assert "no investigator is assigned" in status.data(Qt.ItemDataRole.ToolTipRole)
    flags = win.cases.model.index(0, 6)
    assert "_" not in flags.data()
    assert "Immediate action" in flags.data() and "Overdue" in flags.data()
    assert "the Chief acts at once" in flags.data(Qt.ItemDataRole.ToolTipRole)
    combo = win.cases.status
    assert [combo.itemText(i) for i in range(combo.count())][1:] == [
        labels.status(s).text for s in CASE_STATUSES
    ]


# -- the intake form


def fill_valid(qtbot, dlg: IntakeDialog) -> None:
    dlg.mode_buttons["anonymous"].setChecked(True)
    qtbot.keyClicks(dlg.subject_input, "4321")
    qtbot.keyClick(dlg.subject_input, Qt.Key.Key_Return)
    dlg.subjects.item(0, 1).setText("Casey Newman")
    dlg.occurred.setDate(QDate(2026, 10, 30))
    qtbot.keyClicks(dlg.narrative, "Posted a selfie in uniform.")


def case_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Case)) or 0


def test_escape_on_a_typed_report_asks_before_discarding(qtbot, db, admin, monkeypatch):
    asked = []
    answer = [QMessageBox.StandardButton.Cancel]

    def fake_exec(box):
        asked.append(box.text())
        return answer[0]

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    dlg = IntakeDialog(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)
    dlg.show()
    qtbot.keyClicks(dlg.narrative, "A long account of what was posted.")
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert asked and "not saved" in asked[0]
    assert dlg.isVisible() and dlg.narrative.toPlainText().startswith("A long account")
    dlg.close()  # the window's close button asks too
    assert len(asked) == 2 and dlg.isVisible()
    answer[0] = QMessageBox.StandardButton.Discard
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert not dlg.isVisible() and dlg.result() == QDialog.DialogCode.Rejected


def test_an_untouched_form_closes_without_asking(qtbot, db, admin, monkeypatch):
    monkeypatch.setattr(QMessageBox, "exec", lambda box: pytest.fail("asked for nothing"))
    dlg = IntakeDialog(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)
    dlg.show()
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert not dlg.isVisible()


def test_enter_in_a_line_does_not_save_the_report(qtbot, db, admin, monkeypatch):
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Ok)
    dlg = IntakeDialog(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)
    dlg.show()
    fill_valid(qtbot, dlg)
    dlg.platform.setCurrentText("Facebook")
    dlg.mode_buttons["named"].setChecked(True)
    qtbot.keyClicks(dlg.rep_name, "Pat Quill")
    qtbot.keyClicks(dlg.rep_badge, "2001")
    qtbot.keyClick(dlg.rep_badge, Qt.Key.Key_Return)
    idle(qtbot)
    assert dlg.isVisible() and dlg.result() == 0
    assert case_count(db) == 0


def test_tab_in_the_narrative_moves_on(qtbot, db, admin):
    dlg = IntakeDialog(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)
    dlg.show()
    dlg.activateWindow()
    dlg.narrative.setFocus()
    qtbot.keyClicks(dlg.narrative, "Words")
    qtbot.keyClick(dlg.narrative, Qt.Key.Key_Tab)
    assert dlg.narrative.toPlainText() == "Words"  # no tab typed
    assert QApplication.focusWidget() is not dlg.narrative


def test_the_platform_has_no_silent_default(qtbot, db, admin):
    dlg = IntakeDialog(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)
    fill_valid(qtbot, dlg)
    assert dlg.platform.currentText() == ""
    dlg.save()
    idle(qtbot)
    assert dlg.errors["incident.platform"].isVisibleTo(dlg)
    assert "pick the platform" in dlg.errors["incident.platform"].text().lower()
    assert case_count(db) == 0
    dlg.platform.setCurrentText("Snapchat")
    assert not dlg.errors["incident.platform"].isVisibleTo(dlg)


def test_the_form_shows_every_problem_at_once_and_keeps_what_was_typed(qtbot, db, admin):
    dlg = IntakeDialog(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)
    qtbot.keyClicks(dlg.rep_email, "not-an-address")
    qtbot.keyClicks(dlg.url, "not a url")
    dlg.save()
    idle(qtbot)
    shown = {k for k, label in dlg.errors.items() if label.isVisibleTo(dlg)}
    assert {
        "reporter.name",
        "reporter.email",
        "subjects",
        "incident.url",
        "incident.narrative",
        "incident.platform",
    } <= shown
    for label in dlg.errors.values():
        assert "reporter." not in label.text() and "incident." not in label.text()
    assert dlg.rep_email.text() == "not-an-address" and dlg.url.text() == "not a url"
    dlg.rep_email.clear()
    assert not dlg.errors["reporter.email"].isVisibleTo(dlg)
    assert dlg.errors["incident.url"].isVisibleTo(dlg)


def test_check_form_finds_every_problem_and_passes_a_good_report():
    report, problems = check_form(report_doc())
    assert report is not None and problems == []
    doc = report_doc(subjects=[{"badge": "1"}, {"badge": "1"}], channel="carrier pigeon")
    doc["incident"] = {"occurred_on": "2026-10-30", "narrative": ""}
    report, problems = check_form(doc)
    assert report is None
    assert {p.field for p in problems} == {
        "channel",
        "subjects[1].badge",
        "incident.narrative",
        "incident.platform",
    }


def test_a_roster_pick_empties_the_box_so_it_is_not_added_twice(qtbot, db, admin, open_report):
    open_report()  # puts John Roe, badge 1234, on the roster
    dlg = IntakeDialog(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)
    assert "1234" in dlg.roster
    dlg.subject_input.setText("1234 — John Roe")
    dlg.completer.activated.emit("1234 — John Roe")
    qtbot.waitUntil(lambda: dlg.subject_input.text() == "", timeout=2_000)
    assert dlg.subjects.rowCount() == 1 and dlg.subjects.item(0, 1).text() == "John Roe"
    dlg.subject_input.setText("1234")
    qtbot.keyClick(dlg.subject_input, Qt.Key.Key_Return)  # typed again: not listed twice
    assert dlg.subjects.rowCount() == 1


def test_a_refused_screenshot_can_be_removed_and_the_report_saved(qtbot, db, admin, monkeypatch):
    from .test_ui_evidence import png

    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: None))
    dlg = IntakeDialog(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)
    fill_valid(qtbot, dlg)
    dlg.platform.setCurrentText("Instagram")
    dlg.pending.add([EvidenceInput(b"not a picture", "fake.png")])
    dlg.pending.add([EvidenceInput(png(), "real.png")])
    dlg.save()
    idle(qtbot)
    assert "fake.png" in dlg.errors["file"].text() and dlg.result() == 0
    dlg.pending.list.setCurrentRow(0)
    qtbot.mouseClick(dlg.pending.remove_button, Qt.MouseButton.LeftButton)
    assert [i.file_name for i in dlg.pending.items] == ["real.png"]
    assert dlg.pending.list.count() == 1 and not dlg.errors["file"].isVisibleTo(dlg)
    dlg.save()
    idle(qtbot)
    assert dlg.result() == QDialog.DialogCode.Accepted and case_count(db) == 1


# -- stale and mismatched state


def held_case(open_report) -> str:
    """Pat reports Roe in good faith; Roe then reports Pat: a case held for review."""
    reporter = {"mode": "confidential", "name": "Pat Quill", "badge": "2001", "good_faith": True}
    pat = {"badge": "2001", "name": "Pat Quill", "department": "police"}
    roe = {"badge": "1234", "name": "John Roe", "department": "police"}

    def report(day, who, subjects):
        return open_report(
            received_at=f"{day}T09:00:00-06:00",
            reporter=who,
            subjects=subjects,
            incident={"occurred_on": day, "narrative": "A post."},
            clauses=["vpd-3.21/III.J"],
        ).case.number

    report("2026-01-05", {"mode": "anonymous"}, [pat])  # puts Pat on the roster
    report("2026-03-01", reporter, [roe])
    return report("2026-06-01", {"mode": "named", "name": "Roe", "badge": "1234"}, [pat])


def test_a_recorded_review_lifts_the_hold_in_the_window_and_the_list(
    qtbot, db, admin, open_report, monkeypatch
):
    from ui.case_window.window import CaseWindow
    from ui.dialogs.retaliation_review import RetaliationReviewDialog

    number = held_case(open_report)
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    win.nav.setCurrentRow(win.titles.index("Cases"))  # the list in front: it follows changes
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    assert view.findChild(type(view.header), "banner-retaliation_review") is not None
    row = next(
        r for r in range(win.cases.model.rowCount()) if win.cases.model.number_at(r) == number
    )
    assert "Retaliation review" in win.cases.model.index(row, 6).data()

    kept: list[RetaliationReviewDialog] = []

    def review(dlg):
        kept.append(dlg)
        dlg.conclusion.setCurrentIndex(dlg.conclusion.findData("no_retaliation"))
        dlg.save()  # no reasoning: refused, the dialog stays with the choice made
        assert dlg.result() == 0 and "reasoning" in dlg.reasoning_error.text()
        assert dlg.conclusion.currentData() == "no_retaliation"
        qtbot.keyClicks(dlg.reasoning, "The post was public; no link to the report.")
        assert dlg.reasoning_error.text() == ""  # cleared once fixed
        dlg.save()
        idle(qtbot)
        return dlg.result()

    monkeypatch.setattr(RetaliationReviewDialog, "exec", review)
    view._review()
    idle(qtbot)
    assert kept and kept[0].recorded
    qtbot.waitUntil(
        lambda: view.findChild(type(view.header), "banner-retaliation_review") is None,
        timeout=5_000,
    )
    assert view.findChild(type(view.header), "banner-retaliation_reviewed") is not None
    qtbot.waitUntil(
        lambda: "Review recorded" in (win.cases.model.index(row, 6).data() or ""),
        timeout=5_000,
    )
    assert "cannot close" not in win.cases.model.index(row, 6).data(Qt.ItemDataRole.ToolTipRole)


def test_the_review_dialog_keeps_a_refused_review_open(qtbot, db, admin, open_report):
    from ui.dialogs.retaliation_review import RetaliationReviewDialog

    number = open_report().case.number  # held for nothing: the service refuses a review
    dlg = RetaliationReviewDialog(db, admin, number, [])
    qtbot.addWidget(dlg)
    assert dlg.conclusion.currentData() is None  # no pre-chosen conclusion
    dlg.conclusion.setCurrentIndex(dlg.conclusion.findData("inconclusive"))
    qtbot.keyClicks(dlg.reasoning, "Reasoned at length.")
    dlg.save()
    idle(qtbot)
    assert dlg.result() == 0 and not dlg.recorded
    shown = " ".join(e.text() for e in (dlg.error, dlg.reasoning_error, dlg.conclusion_error))
    assert shown.strip() and "Traceback" not in shown
    assert dlg.reasoning.toPlainText() == "Reasoned at length."


def test_a_supervisor_adds_evidence_to_their_own_received_report(qtbot, db, make_user, open_report):
    from ui.case_window.window import CaseWindow

    sup = make_user("supervisor")
    number = open_report(actor=sup).case.number
    view = CaseWindow(db, sup, number)
    qtbot.addWidget(view)
    idle(qtbot)
    assert view.tabs.isTabEnabled(2) and not view.tabs.isTabEnabled(1)
    assert view.evidence.can_add and view.evidence.pick.isVisibleTo(view.evidence)
    assert view.evidence.grid.count() == 0  # what the case holds stays IA's


def test_add_user_pre_chooses_no_role(qtbot):
    from ui.dialogs.add_user import AddUserDialog

    dlg = AddUserDialog()
    qtbot.addWidget(dlg)
    assert dlg.role.currentData() is None
    dlg.login.setText("newcomer")
    dlg.password.setText("Long-enough-secret-1")
    dlg.password2.setText("Long-enough-secret-1")
    dlg._check()
    assert dlg.result() == 0 and dlg.error.text() == "Choose the role."


def test_an_approval_form_stays_open_on_a_refusal_with_what_was_typed(
    qtbot, db, admin, open_report, monkeypatch
):
    from ui.dialogs.register_entry import FormDialog
    from ui.screens.registers import RegistersPage

    open_report()  # John Roe, badge 1234, on the roster

    page = RegistersPage(db, admin)
    qtbot.addWidget(page)
    idle(qtbot)
    seen: list[FormDialog] = []

    def typed(dlg):
        seen.append(dlg)
        dlg.widgets["badge"].setText("1234")
        dlg.widgets["purpose"].setText("Recruiting page")  # and nothing it would depict
        dlg.save()
        idle(qtbot)
        return dlg.result()

    monkeypatch.setattr(FormDialog, "exec", typed)
    page.add_request()
    (dlg,) = seen
    assert dlg.result() == 0 and not dlg.saved
    assert dlg.errors["items"].isVisibleTo(dlg) and "items:" not in dlg.errors["items"].text()
    assert dlg.widgets["purpose"].text() == "Recruiting page"
    dlg.widgets["items"].set_values(["photo"])
    assert not dlg.errors["items"].isVisibleTo(dlg)
    # Closed before the database goes: nothing of theirs may load over a deleted window.
    dlg.saved = True
    dlg.close()
    page.close()
    idle(qtbot)


def test_the_timeline_reads_as_sentences_at_local_time(qtbot, db, admin, open_report):
    from ui.case_window.window import CaseWindow

    number = open_report().case.number
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    texts = [
        view.timeline.item(r, c).text()
        for r in range(view.timeline.rowCount())
        for c in range(view.timeline.columnCount())
    ]
    assert "Report received, case opened" in texts
    for text in texts:
        for code in ("{", "[", "None", "True", "case.intake", "ia_direct", "reporter_mode"):
            assert code not in text, (code, text)
    when = view.timeline.item(0, 0).text()
    assert len(when.split()) == 3 and when.count(":") == 1  # date, minute, zone
    view.close()
    idle(qtbot)


# -- fits the screen it is on


def accept_button(widget):
    from PySide6.QtWidgets import QDialogButtonBox, QPushButton

    for box in widget.findChildren(QDialogButtonBox):
        for b in box.buttons():
            if box.buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole:
                return b
    buttons = [b for b in widget.findChildren(QPushButton) if b.isVisibleTo(widget)]
    return buttons[-1] if buttons else None


def every_window_and_dialog(db, admin, number):
    from ui.case_window.window import CaseWindow
    from ui.dialogs.add_user import AddUserDialog
    from ui.dialogs.change_password import ChangePasswordDialog
    from ui.dialogs.clause_picker import ClausePickerDialog
    from ui.dialogs.connection import ConnectionDialog
    from ui.dialogs.decision import DecisionDialog
    from ui.dialogs.finding import FindingDialog
    from ui.dialogs.help import HelpDialog
    from ui.dialogs.immediate import ImmediateStepDialog, RaiseImmediateDialog
    from ui.dialogs.lock import LockDialog
    from ui.dialogs.matrix_editor import MatrixEditor
    from ui.dialogs.print_preview import PrintPreview
    from ui.dialogs.reason import ReasonDialog
    from ui.dialogs.register_entry import FormDialog
    from ui.dialogs.retaliation_review import RetaliationReviewDialog
    from ui.dialogs.speech_screen import SpeechScreenDialog
    from ui.dialogs.withhold import WithholdDialog

    case = CaseWindow(db, admin, number)
    return case, [
        ("main window", MainWindow(db, admin)),
        ("user guide", HelpDialog(admin, [])),
        ("case window", case),
        ("new report", IntakeDialog(db, admin)),
        ("add user", AddUserDialog()),
        ("change password", ChangePasswordDialog(db, admin)),
        ("clause picker", ClausePickerDialog(db, None, None, "posted the rap sheet", "police")),
        ("connection", ConnectionDialog()),
        ("finding", lambda: FindingDialog(case.data["allegations"][0])),
        ("decision", lambda: DecisionDialog(case.data["ladder"][0], lambda *_a: None)),
        ("withhold", WithholdDialog()),
        ("matrix editor", MatrixEditor(db, admin)),
        ("print preview", PrintPreview(db, admin, [number])),
        ("lock", LockDialog(db, admin)),
        ("retaliation review", RetaliationReviewDialog(db, admin, number, ["A trigger."])),
        ("reason", ReasonDialog("Pause deadline", "Reason", lambda _t: None, Changes())),
        ("raise immediate action", RaiseImmediateDialog()),
        ("immediate action step", ImmediateStepDialog()),
        ("speech screen", SpeechScreenDialog({"id": 1, "clause": "vpd-3.21/III.J"})),
        (
            "approval request",
            FormDialog(
                "Approval request",
                [("badge", "Employee badge", "text"), ("purpose", "Purpose", "text")],
            ),
        ),
    ]


def test_every_window_and_dialog_is_usable_at_1280_by_720(qtbot, db, admin, open_report):
    from ui.widgets.screen_fit import SMALLEST_SCREEN, TITLE_BAR

    number = open_report().case.number
    case, widgets = every_window_and_dialog(db, admin, number)
    qtbot.addWidget(case)
    idle(qtbot)
    room_w, room_h = SMALLEST_SCREEN.width(), SMALLEST_SCREEN.height() - TITLE_BAR
    for name, made in widgets:
        widget = made() if callable(made) and not hasattr(made, "show") else made
        qtbot.addWidget(widget)
        widget.show()
        idle(qtbot)
        least = widget.minimumSizeHint().expandedTo(widget.minimumSize())
        assert least.width() <= room_w and least.height() <= room_h, (name, least)
        widget.resize(min(widget.width(), room_w), min(widget.height(), room_h))
        QApplication.processEvents()
        assert widget.width() <= room_w and widget.height() <= room_h, name
        button = accept_button(widget)
        if button is not None:
            corner = button.mapTo(widget, button.rect().bottomRight())
            assert button.isVisibleTo(widget), name
            assert 0 <= corner.x() <= widget.width() and 0 <= corner.y() <= widget.height(), (
                name,
                corner,
                widget.size(),
            )
        widget.hide()


def test_a_refused_reason_keeps_the_dialog_open_with_what_was_typed(
    qtbot, db, admin, open_report, monkeypatch
):
    from ia_desk.cases.queries import get_case
    from ui.case_window.window import CaseWindow
    from ui.dialogs.reason import ReasonDialog

    number = open_report().case.number
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    seen: list[ReasonDialog] = []

    def typed(dlg):
        seen.append(dlg)
        dlg.save()  # no reason: refused
        idle(qtbot)
        assert dlg.result() == 0 and dlg.error.text()
        assert "reason:" not in dlg.error.text()  # the field is beside it: no key
        qtbot.keyClicks(dlg.text, "A criminal investigation takes precedence.")
        assert dlg.error.text() == ""
        qtbot.keyClick(dlg.text, Qt.Key.Key_Tab)  # Tab moves on, types nothing
        assert dlg.text.toPlainText() == "A criminal investigation takes precedence."
        dlg.save()
        idle(qtbot)
        return dlg.result()

    monkeypatch.setattr(ReasonDialog, "exec", typed)
    view._toll()
    idle(qtbot)
    assert seen and seen[0].done_
    with db.read() as s:
        assert get_case(s, number).tolled_since is not None


def test_the_action_buttons_stay_put_when_a_banner_comes(qtbot, db, admin, open_report):
    from ia_desk.services import cases as cases_service
    from ui.case_window.window import CaseWindow

    number = open_report().case.number
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    view.show()
    idle(qtbot)

    def start_button():
        return view.findChild(type(view.add_allegation_btn), "action-start")

    before = start_button().mapTo(view, start_button().rect().topLeft())
    cases_service.pause_deadline(db, admin, number, "A criminal investigation goes first.")
    view.reload()
    idle(qtbot)
    qtbot.waitUntil(lambda: view.findChild(type(view.header), "banner-tolled") is not None)
    QApplication.processEvents()
    assert start_button().mapTo(view, start_button().rect().topLeft()) == before


def test_a_refusal_message_box_names_the_field_in_words(monkeypatch):
    from ia_desk.errors import InputError
    from ui.worker import show_error

    said: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, _t, text: said.append(text))
    )
    show_error(None, InputError("subjects[1].badge: not a badge.", field="subjects[1].badge"))
    assert said == ["Employee 2, badge: Not a badge."]
