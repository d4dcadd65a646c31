"""The case list as a professional tool: its columns per role, the toolbar and the row
menu, the audited CSV export of the filtered list, and a plain refusal of a filter that
names no clause or employee (instead of an empty list that looks like an answer)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from ia_desk.casefile.listing import CaseQuery, case_page, count_matching
from ia_desk.db.models import AuditEvent
from ia_desk.errors import InputError
from ia_desk.services import allegations
from ia_desk.services import cases as case_service


def idle(qtbot):
    from ui.worker import pending_tasks

    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=20_000)


@pytest.fixture
def two(db, admin, make_user, open_report):
    """An investigated case with a finding (confidential reporter) and a supervisor's
    anonymous report."""
    inv = make_user("ia_investigator")
    sup = make_user("supervisor")
    first = open_report().case.number
    case_service.take_action(db, admin, first, "assign", assignee=inv.login)
    case_service.take_action(db, inv, first, "start")
    (allegation,) = case_service.file(db, admin, first)["allegations"]
    allegations.record_finding(db, inv, allegation["id"], "not_sustained", "No link found.")
    second = open_report(actor=sup, reporter={"mode": "anonymous"}).case.number
    return {"first": first, "second": second, "inv": inv, "sup": sup}


def test_rows_carry_assignee_days_left_reporter_type_and_finding(db, admin, two):
    with db.read(admin) as s:
        rows = {r.number: r for r in case_page(s, admin, CaseQuery(), 0, None)}
    first, second = rows[two["first"]], rows[two["second"]]
    assert first.assigned_to == two["inv"].login
    assert first.reporter_mode == "confidential" and second.reporter_mode == "anonymous"
    assert first.dispositions == ("not_sustained",) and second.dispositions == (None,)
    assert first.days_left() == (first.deadline_on - dt.date.today()).days
    # A supervisor's row of their own report: status and deadline, nothing of the file.
    with db.read(two["sup"]) as s:
        (own,) = case_page(s, two["sup"], CaseQuery(), 0, None)
    assert own.number == two["second"]
    assert own.reporter_mode is None and own.dispositions == () and own.assigned_to is None


def test_an_unknown_clause_or_badge_is_refused_in_plain_words(db, admin, two):
    with db.read(admin) as s:
        with pytest.raises(InputError, match="There is no clause vpd-3.21/ZZ"):
            count_matching(s, admin, CaseQuery(clause="vpd-3.21/ZZ"))
        with pytest.raises(InputError, match="No employee with badge 9999"):
            case_page(s, admin, CaseQuery(employee="9999"))
        assert count_matching(s, admin, CaseQuery(clause="vpd-3.21/III.M")) == 2
        assert count_matching(s, admin, CaseQuery(employee="1234")) == 2


def test_the_export_holds_the_filtered_list_and_is_audited_without_the_search_words(db, admin, two):
    query = CaseQuery(search="patrol car", status="investigating")
    text, count = case_service.export_list(db, admin, query).value
    rows = list(csv.reader(io.StringIO(text)))
    assert count == 1 and len(rows) == 2
    head, line = rows
    assert head[:7] == [
        "Case",
        "Status",
        "Received",
        "Deadline",
        "Days left",
        "Assigned to",
        "Reporter",
    ]
    assert line[0] == two["first"] and line[1] == "Investigating"
    assert line[head.index("Reporter")] == "Confidential"
    assert line[head.index("Disposition")] == "Not sustained"
    assert "Pat Quill" not in text  # the reporter's type, never who
    with db.read() as s:
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.event_type == "case.list_exported")
        ).one()
        raw, who = event.details, event.user_login
    details = json.loads(raw) if isinstance(raw, str) else raw
    assert details["rows"] == 1 and details["filter"]["status"] == "investigating"
    assert "patrol" not in json.dumps(details)  # the words may be a name: not recorded
    assert who == "admin"


def test_a_supervisors_export_holds_their_reports_status_only(db, two):
    text, count = case_service.export_list(db, two["sup"], CaseQuery()).value
    rows = list(csv.reader(io.StringIO(text)))
    assert count == 1 and rows[0] == [
        "Case",
        "Status",
        "Received",
        "Deadline",
        "Days left",
        "Flags",
    ]
    assert rows[1][0] == two["second"]


def test_a_cell_a_spreadsheet_would_run_is_written_as_text():
    from ia_desk.casefile.list_export import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cell("Roe") == "Roe"


# -- the screen


def test_the_toolbar_and_the_row_menu_open_print_and_export(
    qtbot, db, admin, two, tmp_path, monkeypatch
):
    from ui.main_window import MainWindow

    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    win.show()
    win.nav.setCurrentRow(win.titles.index("Cases"))
    idle(qtbot)
    page = win.cases
    assert set(page.actions_by_name) == {"new", "open", "print", "export", "save"}
    printed: list[str] = []
    monkeypatch.setattr(win, "print_case", printed.append)
    win.cases.print_case.disconnect()
    win.cases.print_case.connect(win.print_case)
    row = next(r for r in range(page.model.rowCount()) if page.model.number_at(r) == two["first"])
    menu = page.row_menu(row)
    texts = [a.text() for a in menu.actions()]
    assert texts == [f"Open {two['first']}", "Print summary…"]
    menu.actions()[1].trigger()
    assert printed == [two["first"]]
    menu.actions()[0].trigger()
    idle(qtbot)
    assert two["first"] in win.case_windows
    qtbot.addWidget(win.case_windows[two["first"]])
    # The columns in words.
    cells = [page.model.index(row, c).data() for c in range(page.model.columnCount())]
    assert cells[8] == two["inv"].login and cells[9] == "Confidential"
    assert cells[10] == "Not sustained" and cells[7].endswith("days")
    # Export what is listed, as filtered.
    page.status.setCurrentIndex(page.status.findData("received"))
    idle(qtbot)
    out = tmp_path / "list.csv"
    page.export_csv(str(out))
    idle(qtbot)
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [two["second"]]
    assert "1 case(s) exported" in page.count.text()


def test_a_supervisor_has_no_print_and_sees_no_file_columns(qtbot, db, two):
    from ui.main_window import MainWindow

    win = MainWindow(db, two["sup"])
    qtbot.addWidget(win)
    win.nav.setCurrentRow(win.titles.index("Cases"))
    idle(qtbot)
    page = win.cases
    assert "print" not in page.actions_by_name and "new" in page.actions_by_name
    for col in (3, 4, 8, 9, 10):
        assert page.table.isColumnHidden(col)
    assert [a.text() for a in page.row_menu(0).actions()] == [f"Open {two['second']}"]


def test_the_toolbar_tips_name_the_keys_the_menu_items_answer_to(qtbot, db, admin):
    """The tips' keys come from the shortcut table the menu takes its keys from, in the
    platform's words, so a changed shortcut cannot leave a tip naming the old one."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QMenu

    from ui.dialogs.help import plain
    from ui.main_window import MainWindow
    from ui.shortcuts import NEW_REPORT, PRINT_SELECTED

    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    idle(qtbot)
    menu = {
        plain(a.text()): a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        for m in win.menuBar().findChildren(QMenu)
        for a in m.actions()
    }
    tips = {name: act.toolTip() for name, act in win.cases.actions_by_name.items()}
    for name, item, shortcut in (
        ("new", "New report…", NEW_REPORT),
        ("print", "Print summary of the selected case…", PRINT_SELECTED),
    ):
        assert shortcut.text and menu[item] == shortcut.text
        assert tips[name].endswith(f"({shortcut.text})"), tips[name]
    assert tips["new"] == f"Open a case from a new report ({NEW_REPORT.text})"


def test_an_unknown_clause_filter_says_so_in_the_screen(qtbot, db, admin, two):
    from PySide6.QtCore import Qt

    from ui.main_window import MainWindow

    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    win.show()
    win.nav.setCurrentRow(win.titles.index("Cases"))
    idle(qtbot)
    page = win.cases
    qtbot.keyClicks(page.clause, "vpd-3.21/ZZ")
    qtbot.keyClick(page.clause, Qt.Key.Key_Return)
    idle(qtbot)
    assert page.error.isVisibleTo(win) and "There is no clause vpd-3.21/ZZ" in page.error.text()
    assert page.model.rowCount() == 0 and "correct the filter" in page.count.text()
    page.clause.clear()
    qtbot.keyClick(page.clause, Qt.Key.Key_Return)
    idle(qtbot)
    assert not page.error.isVisibleTo(win) and page.model.rowCount() == 2


def test_a_saved_filter_comes_back_in_a_new_window_and_lists_the_same_cases(qtbot, db, two):
    from ui.main_window import MainWindow

    inv = two["inv"]
    win = MainWindow(db, inv)
    qtbot.addWidget(win)
    win.show()
    idle(qtbot)
    home = win.page("Home")
    idle(qtbot)
    home.buttons["mine.open"].click()  # a home list, narrowed further by a status
    idle(qtbot)
    win.cases.status.setCurrentIndex(win.cases.status.findData("investigating"))
    idle(qtbot)
    mine = [r.number for r in win.cases.model.rows]
    assert mine == [two["first"]]
    win.cases.save_filter("My investigations")
    win.close()

    again = MainWindow(db, inv)
    qtbot.addWidget(again)
    idle(qtbot)
    page = again.cases
    names = [page.saved.itemText(i) for i in range(page.saved.count())]
    assert "My investigations" in names
    page.saved.setCurrentIndex(names.index("My investigations"))
    page.saved.activated.emit(names.index("My investigations"))
    idle(qtbot)
    assert page.current_query().assigned_to_me and page.current_query().status == "investigating"
    assert [r.number for r in page.model.rows] == mine
    assert not page.preset_bar.isHidden()  # the home list it narrows is named
