"""The in-app user guide: per role, built from the code's tables, opened with F1."""

from __future__ import annotations

import html
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMenu

from ia_desk import help as guide
from ia_desk import labels
from ia_desk.policy.catalogue import shipped_files
from ia_desk.security.roles import PERMISSIONS, ROLE_LABELS, SCREENS
from ia_desk.terms import CASE_STATUSES, DISCIPLINE_STEPS
from ui.case_window.window import CaseWindow
from ui.dialogs.help import SHORTCUTS_TITLE, HelpDialog, plain
from ui.main_window import MainWindow
from ui.shortcuts import CASE_WINDOW
from ui.worker import pending_tasks

ROLES = tuple(ROLE_LABELS)
IA_ONLY = [p for p, roles in PERMISSIONS.items() if roles <= {"ia_admin", "ia_investigator"}]


def text_of(markup: str) -> str:
    """What a reader reads of a page: its text, tags dropped, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def section(markup: str, heading: str) -> str:
    """The part of a page under ``heading`` (an h3), up to the next heading."""
    start = markup.index(f"<h3>{heading}</h3>")
    end = markup.find("<h3>", start + 1)
    return markup[start : end if end != -1 else None]


def page(role: str, title: str) -> str:
    (found,) = [p.html for p in guide.pages(role) if p.title == title]
    return found


def test_every_permission_has_words():
    assert set(guide.PERMISSION_WORDS) == set(PERMISSIONS)
    assert all(words.strip() for words in guide.PERMISSION_WORDS.values())
    for permission, role in guide.PERMISSION_WORDS_FOR_ROLE:
        assert role in PERMISSIONS[permission]  # a footnote only for a role that holds it


def test_every_screen_has_words():
    assert set(guide.SCREEN_WORDS) == {name for name, _ in SCREENS}


@pytest.mark.parametrize("role", ROLES)
def test_the_role_page_says_every_permission_as_the_role_holds_it(role):
    work = page(role, "Your daily work")
    mine = section(work, "What you may do")
    for permission in PERMISSIONS:
        holds = role in PERMISSIONS[permission]
        words = html.escape(guide.permission_words(permission, role), quote=False)
        if holds:
            assert words in mine, permission
        else:
            assert words not in mine, permission
            assert html.escape(guide.PERMISSION_WORDS[permission], quote=False) in work


@pytest.mark.parametrize("role", ["supervisor", "command_staff"])
def test_outside_ia_the_guide_does_not_offer_ia_only_work(role):
    work = page(role, "Your daily work")
    mine = text_of(section(work, "What you may do"))
    for permission in IA_ONLY:
        assert guide.PERMISSION_WORDS[permission] not in mine, permission
    whole = text_of("".join(p.html for p in guide.pages(role)))
    assert "Notes & tasks" not in whole and "Task overdue" not in whole
    assert "You see which reporters are protected" not in whole


def test_roles_differ_where_they_differ():
    guides = {role: "".join(p.html for p in guide.pages(role)) for role in ROLES}
    assert len(set(guides.values())) == len(ROLES)
    supervisor = text_of(page("supervisor", "Your daily work"))
    assert "reports you submitted" in supervisor
    screens = text_of(section(page("supervisor", "Your daily work"), "Your screens"))
    assert "Home" in screens and "Cases" in screens and "Statistics" not in screens
    chief = text_of(section(page("command_staff", "Your daily work"), "Your screens"))
    assert "Statistics" in chief and "Audit trail" not in chief
    admin = text_of(section(page("ia_admin", "Your daily work"), "Your screens"))
    assert all(guide.SCREEN_WORDS[name][0] in admin for name, _ in SCREENS)
    # All theirs but the Chief's step of the review chain, which is command staff's.
    left = text_of(section(page("ia_admin", "Your daily work"), "Left to other roles"))
    assert guide.PERMISSION_WORDS["review.chief"] in left
    others = [words for p, words in guide.PERMISSION_WORDS.items() if p != "review.chief"]
    assert not any(words in left for words in others)
    assert "You decide in the case window" in page("command_staff", "The discipline ladder")
    assert "You decide in the case window" not in page("ia_investigator", "The discipline ladder")


@pytest.mark.parametrize("role", ROLES)
def test_every_status_and_flag_the_list_shows_has_its_words(role):
    shown = text_of(page(role, "Case statuses and flags"))
    for status in CASE_STATUSES:
        assert labels.status(status).text in shown and labels.status(status).meaning in shown
    for flag in guide.shown_flags(role):
        assert labels.flag(flag).text in shown and labels.flag(flag).meaning in shown


def test_the_flags_are_those_each_role_is_shown():
    assert guide.shown_flags("ia_investigator") == list(labels.FLAGS)
    assert "task_overdue" not in guide.shown_flags("command_staff")
    assert guide.shown_flags("supervisor") == ["overdue"]


def test_the_policy_is_quoted_exactly():
    clauses = {c["id"]: c for f in shipped_files() for c in f.data["clauses"]}
    reporters = text_of(page("supervisor", "Reporters and their protection"))
    assert "“Employees are allowed to submit anonymous reports.”" in reporters
    assert "Employees are allowed to submit anonymous reports." in clauses["vpd-3.21/V.A"]["text"]
    assert (
        "“An employee's good faith reporting of misconduct is protected and not a policy "
        "violation.”" in reporters
    )
    ladder = text_of(page("ia_admin", "The discipline ladder"))
    assert clauses["vpd-3.21/V.B"]["text"] in ladder
    steps = [labels.discipline_step(s) for s in DISCIPLINE_STEPS]
    assert [ladder.index(s) for s in steps] == sorted(ladder.index(s) for s in steps)


def test_the_clause_examples_are_real_and_judged():
    clauses = {c["id"] for f in shipped_files() for c in f.data["clauses"]}
    assert set(guide.CLAUSE_EXAMPLES) <= clauses
    policy = text_of(page("ia_investigator", "Policy clauses"))
    assert "vpd-3.21/I.A" in policy and "city-sn/procedure.4" in policy
    assert "Only authorized employees post for the Department. May be cited." in policy
    assert "Good-faith reporting is protected. Cannot be cited:" in policy
    assert "May be cited, but it gives advice" in policy


def test_only_ia_reads_who_a_confidential_reporter_is():
    for role in ROLES:
        text = text_of(page(role, "Reporters and their protection"))
        assert "only IA administrators and IA investigators read who they are" in text
    assert "known to Internal Affairs only" in text_of(
        page("command_staff", "Reporters and their protection")
    )


def test_an_unknown_role_gets_no_guide():
    with pytest.raises(KeyError):
        guide.pages("auditor")


# -- the window ---------------------------------------------------------------------------


def test_f1_in_the_main_window_opens_the_guide_of_the_role(qtbot, db, make_user):
    who = make_user("command_staff")
    win = MainWindow(db, who)
    qtbot.addWidget(win)
    with qtbot.waitActive(win):
        win.show()
        win.activateWindow()
    f1 = QKeySequence(QKeySequence.StandardKey.HelpContents)
    assert f1.toString() == "F1"  # the platform's key for Help contents (offscreen: Linux's)
    qtbot.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: win.guide is not None and win.guide.isVisible())
    dlg = win.guide
    assert not dlg.isModal()
    assert dlg.titles == [p.title for p in guide.pages("command_staff")] + [SHORTCUTS_TITLE]
    assert "Command staff" in dlg.text.toPlainText()
    dlg.pages.setCurrentRow(2)
    assert "Case statuses and flags" in dlg.text.toPlainText()
    win.show_guide()  # asked again: the same window, not a second one
    assert win.guide is dlg


def test_the_shortcuts_page_lists_the_main_windows_shortcuts(qtbot, db, admin):
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    win.show_guide()
    dlg = win.guide
    dlg.pages.setCurrentRow(dlg.titles.index(SHORTCUTS_TITLE))
    shown = dlg.text.toPlainText()
    menu_actions = [a for m in win.menuBar().findChildren(QMenu) for a in m.actions()]
    with_keys = [a for a in menu_actions if not a.shortcut().isEmpty()]
    assert len(with_keys) >= 10
    for action in with_keys:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert keys in shown and plain(action.text()) in shown, action.text()
    assert (
        QKeySequence(QKeySequence.StandardKey.HelpContents).toString(
            QKeySequence.SequenceFormat.NativeText
        )
        in shown
    )
    assert "File > New report…" in shown and "&" not in shown


def native(keys: QKeySequence) -> str:
    return keys.toString(QKeySequence.SequenceFormat.NativeText)


def test_a_case_window_has_exactly_the_shortcuts_its_table_declares(qtbot, db, admin, open_report):
    view = CaseWindow(db, admin, open_report().case.number)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=20_000)
    installed = sorted(native(s.key()) for s in view.findChildren(QShortcut))
    installed += [native(a.shortcut()) for a in view.findChildren(QAction) if a.shortcut()]
    assert sorted(installed) == sorted(s.text for s in CASE_WINDOW)  # no key the guide omits
    assert CASE_WINDOW and all(s.window == "Case window" for s in CASE_WINDOW)
    paste = next(s for s in CASE_WINDOW if s.keys == QKeySequence.StandardKey.Paste)
    assert paste.text in view.evidence.hint.text() or not view.evidence.can_add


def test_f1_in_a_case_window_opens_the_guide(qtbot, db, admin, open_report):
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    view = CaseWindow(db, admin, open_report().case.number)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=20_000)
    assert win.guide is None
    view.activateWindow()
    qtbot.keyClick(view, Qt.Key.Key_F1)
    assert win.guide is not None and win.guide.isVisible()


def test_the_shortcuts_page_lists_the_case_windows_shortcuts(qtbot, db, admin):
    win = MainWindow(db, admin)
    qtbot.addWidget(win)
    win.show_guide()
    dlg = win.guide
    dlg.pages.setCurrentRow(dlg.titles.index(SHORTCUTS_TITLE))
    shown = dlg.text.toPlainText()
    assert "Main window" in shown and "Case window" in shown
    case_part = shown[shown.index("Case window") :]
    for shortcut in CASE_WINDOW:
        assert shortcut.does in case_part and shortcut.text in case_part, shortcut.does
    assert (
        "Print the case's summary" in case_part
        and native(QKeySequence(QKeySequence.StandardKey.Print)) in case_part
    )


def test_the_guide_fits_a_small_screen_without_sideways_scrolling(qtbot, db, make_user):
    from ui.widgets.screen_fit import SMALLEST_SCREEN, TITLE_BAR

    for role in ROLES:
        dlg = HelpDialog(make_user(role), [])
        qtbot.addWidget(dlg)
        dlg.resize(
            min(dlg.width(), SMALLEST_SCREEN.width()),
            min(dlg.height(), SMALLEST_SCREEN.height() - TITLE_BAR),
        )
        dlg.show()
        qtbot.waitExposed(dlg)
        assert dlg.width() <= SMALLEST_SCREEN.width()
        assert dlg.height() <= SMALLEST_SCREEN.height() - TITLE_BAR
        for row in range(dlg.pages.count()):
            dlg.pages.setCurrentRow(row)
            QApplication.processEvents()
            assert not dlg.text.horizontalScrollBar().isVisible(), (role, dlg.titles[row])
        assert not dlg.pages.horizontalScrollBar().isVisible()
        dlg.close()


def test_the_screens_listed_are_the_ones_the_window_offers_by_the_same_names(
    qtbot, db, admin, make_user
):
    from ia_desk.services import accounts

    for role in ROLES:
        who = admin if role == "ia_admin" else make_user(role)
        assert guide.screens(role) == accounts.screens(who)
        win = MainWindow(db, who)
        qtbot.addWidget(win)
        assert win.titles == [guide.SCREEN_WORDS[s][0] for s in guide.screens(role)]
        win.close()


def test_the_lists_open_a_case_with_the_key_their_tips_and_the_guide_name(
    qtbot, db, admin, open_report
):
    """The case list's Open tip names the key from the shortcuts table (it was typed by
    hand, "(Enter)"), the guide lists it, and that key on a selected row opens its case."""
    from PySide6.QtCore import Qt

    from ui.screens.cases import CasesPage
    from ui.shortcuts import OPEN_ROW, with_keys

    number = open_report().case.number
    page_ = CasesPage(db, admin)
    qtbot.addWidget(page_)
    page_.show()
    qtbot.waitUntil(lambda: page_.table.model().rowCount() == 1 and not pending_tasks())
    assert page_.actions_by_name["open"].toolTip() == with_keys("Open the selected case", OPEN_ROW)
    assert OPEN_ROW.text in page_.actions_by_name["open"].toolTip()
    opened: list[str] = []
    page_.open_case.connect(opened.append)
    page_.table.setFocus()
    page_.table.selectRow(0)
    qtbot.keyClick(page_.table, Qt.Key.Key_Enter)
    qtbot.keyClick(page_.table, Qt.Key.Key_Return)
    assert opened == [number, number]
    from ui.dialogs.help import shortcuts_html

    shown = text_of(shortcuts_html([]))
    assert OPEN_ROW.window in shown and OPEN_ROW.does in shown
