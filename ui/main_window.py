"""The main window: navigation by role, the screens, menus with shortcuts, session lock,
and a banner while the database is read-only (its disk is full).

The screens a role sees are the core's answer (``services.accounts.screens``). Other
workstations' changes are published on the bus (:mod:`ui.ops`), as this one's are: the
window tells no screen to refresh, each follows the bus itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ia_desk import APP_NAME, __version__
from ia_desk.casefile.listing import CaseQuery
from ia_desk.services import Actor, Database, accounts
from ia_desk.services import settings as settings_service
from ia_desk.services.accounts import ROLE_LABELS, allowed
from ui.dialogs.lock import LockDialog
from ui.idle_watcher import IdleWatcher
from ui.ops import bus, stop_listening
from ui.screens.cases import CasesPage
from ui.shortcuts import NEW_REPORT, PRINT_SELECTED
from ui.widgets.screen_fit import fit_to_screen

if TYPE_CHECKING:
    from collections.abc import Callable

    from ia_desk.services.database import ChangeFeed
    from ui.case_window.window import CaseWindow
    from ui.dialogs.help import HelpDialog

CHANGE_POLL_MS = 2000
READ_ONLY_BANNER = (
    "The disk that holds the database ({folder}) is full: IA Desk is read-only. Signing "
    "in, reading cases, printing and backing up to another disk still work, each recorded "
    "in the audit trail; changes are refused. Free some space on that disk, then save "
    "again: IA Desk becomes writable by itself."
)


class MainWindow(QMainWindow):
    read_only_changed = Signal(bool)  # from whichever thread the database noticed it

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.case_windows: dict[str, CaseWindow] = {}
        self.guide: HelpDialog | None = None
        self.setWindowTitle(f"{APP_NAME}")
        fit_to_screen(self, 1280, 780)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        folder = db.target.path.parent if db.target.path else db.target.describe()
        self.read_only_banner = QLabel(READ_ONLY_BANNER.format(folder=folder))
        self.read_only_banner.setObjectName("readOnlyBanner")
        self.read_only_banner.setWordWrap(True)
        self.read_only_banner.setStyleSheet(
            "QLabel#readOnlyBanner { background: #8b1a1a; color: white; padding: 8px 12px;"
            " font-weight: bold; }"
        )
        self.read_only_banner.setVisible(db.read_only)
        column.addWidget(self.read_only_banner)
        body = QWidget()
        row = QHBoxLayout(body)  # the style's own margins, as before the banner
        column.addWidget(body, 1)
        self.nav = QListWidget()
        self.nav.setFixedWidth(170)
        self.nav.setStyleSheet(
            "QListWidget { font-size: 11pt; } QListWidget::item { padding: 8px 6px; }"
        )
        self.stack = QStackedWidget()
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        # The screens this role may use, in the order of the navigation, each built (and its
        # code loaded) when first shown: start-up builds only the case list.
        self._builders: dict[str, Callable[[], QWidget]] = {}
        self.pages: dict[str, QWidget] = {}  # those built so far
        self.cases = CasesPage(db, actor)
        self.cases.open_case.connect(self.open_case)
        self.cases.new_report.connect(self.new_report)
        self.cases.print_case.connect(self.print_case)
        screens: dict[str, tuple[str, Callable[[], QWidget]]] = {
            "home": ("Home", self._home_page),
            "cases": ("Cases", lambda: self.cases),
            "my_tasks": ("My tasks", self._tasks_page),
            "employees": ("Employees", self._employees_page),
            "policies": ("Policies", self._policies_page),
            "registers": ("Registers", self._registers_page),
            "statistics": ("Statistics", self._statistics_page),
            "administration": ("Administration", self._admin_page),
            "audit_trail": ("Audit trail", self._audit_page),
        }
        for name in accounts.screens(actor):
            self._add_page(*screens[name])
        self.nav.currentRowChanged.connect(self._show_page)
        self.nav.setCurrentRow(0)
        self._menus()
        self.statusBar().showMessage(
            f"{actor.name} ({actor.login}) · {ROLE_LABELS.get(actor.role, actor.role)} · "
            f"{db.target.describe()}"
        )

        minutes = int(settings_service.setting(db, actor, "session_lock_minutes"))
        self.idle = IdleWatcher(minutes, self)
        self.idle.idle.connect(self.lock)
        self._locked = False
        settings = QSettings()
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self._watch_changes()
        self.read_only_changed.connect(self.read_only_banner.setVisible)
        self._read_only_listener = self.read_only_changed.emit
        db.add_read_only_listener(self._read_only_listener)

    # -- other workstations
    def _watch_changes(self) -> None:
        """Cases changed elsewhere are published on the bus, so the list (and open case
        windows) show them: PostgreSQL notifies, SQLite is asked every few seconds."""
        from PySide6.QtCore import QTimer

        from ia_desk.services.database import ChangeFeed

        try:
            self.feed: ChangeFeed | None = ChangeFeed(self.db)
        except Exception as exc:  # noqa: BLE001 - the app works without live updates
            self.feed = None
            self.statusBar().showMessage(f"Live updates are off: {exc}", 10_000)
            return
        self._changes = QTimer(self, interval=CHANGE_POLL_MS)
        self._changes.timeout.connect(self.poll_changes)
        self._changes.start()

    def poll_changes(self) -> None:
        """What the timer does: other workstations' changes go out on the bus."""
        from ia_desk.services.database import changes_elsewhere

        if self.feed is None or self._locked:
            return
        try:
            changed = changes_elsewhere(self.feed)
        except Exception as exc:  # noqa: BLE001 - a dropped server connection
            self.statusBar().showMessage(f"Live updates stopped: {exc}", 10_000)
            self.feed.close()
            self.feed = None
            return
        bus().publish(changed)
        named = sorted(changed.cases)
        if named:
            listed = ", ".join(named[:3]) + ("…" if len(named) > 3 else "")
            self.statusBar().showMessage(f"Updated from other workstations: {listed}", 8_000)

    def _add_page(self, title: str, build: Callable[[], QWidget]) -> None:
        self._builders[title] = build
        self.nav.addItem(title)

    @property
    def titles(self) -> list[str]:
        """The screens' titles, in the navigation's order."""
        return list(self._builders)

    def page(self, title: str) -> QWidget:
        """The screen with this title, built the first time it is asked for."""
        if title not in self.pages:
            page = self._builders[title]()
            self.pages[title] = page
            self.stack.addWidget(page)
        return self.pages[title]

    def _show_page(self, row: int) -> None:
        titles = self.titles
        if 0 <= row < len(titles):
            self.stack.setCurrentWidget(self.page(titles[row]))

    def _home_page(self) -> QWidget:
        from ui.screens.home import HomePage

        page = HomePage(self.db, self.actor)
        page.open_list.connect(self.show_list)
        return page

    def show_list(self, query: CaseQuery, words: str) -> None:
        """The case list filtered to what a count of the home screen counted."""
        self.nav.setCurrentRow(self.titles.index("Cases"))
        self.cases.show_list(query, words)

    def _tasks_page(self) -> QWidget:
        from ui.screens.tasks import TasksPage

        page = TasksPage(self.db, self.actor)
        page.open_case.connect(self.open_case)
        return page

    def _employees_page(self) -> QWidget:
        from ui.screens.employees import EmployeesPage

        page = EmployeesPage(self.db, self.actor)
        page.open_case.connect(self.open_case)
        return page

    def _policies_page(self) -> QWidget:
        from ui.screens.policies import PoliciesPage

        page = PoliciesPage(self.db, self.actor)
        page.open_case.connect(self.open_case)
        return page

    def _registers_page(self) -> QWidget:
        from ui.screens.registers import RegistersPage

        return RegistersPage(self.db, self.actor)

    def _statistics_page(self) -> QWidget:
        from ui.screens.statistics import StatisticsPage

        return StatisticsPage(self.db, self.actor)

    def _admin_page(self) -> QWidget:
        from ui.screens.administration import AdminPage

        return AdminPage(self.db, self.actor)

    def _audit_page(self) -> QWidget:
        from ui.screens.audit_trail import AuditPage

        return AuditPage(self.db, self.actor)

    def _action(
        self,
        menu_title: str,
        text: str,
        slot: Callable[..., object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        menu = self._menu_by_title[menu_title]
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _menus(self) -> None:
        bar = self.menuBar()
        self._menu_by_title = {t: bar.addMenu(t) for t in ("&File", "&Edit", "&View", "&Help")}
        if allowed(self.actor, "report.submit"):
            self.new_report_action = self._action(
                "&File", "&New report…", self.new_report, NEW_REPORT.keys
            )
        self._action("&File", "&Open case…", self.ask_open_case, "Ctrl+O")
        if allowed(self.actor, "summary.print_command"):
            self._action(
                "&File",
                "&Print summary of the selected case…",
                self.print_selected,
                PRINT_SELECTED.keys,
            )
            self._action(
                "&File", "Print summaries of the &listed cases…", self.print_listed, "Ctrl+Shift+P"
            )
        self._action("&File", "&Change my password…", self.change_password)
        self._action("&File", "&Lock now", self.lock, "Ctrl+L")
        self._action("&File", "&Quit", self.close, QKeySequence.StandardKey.Quit)
        self._action("&Edit", "&Find cases", self.focus_search, QKeySequence.StandardKey.Find)
        for i, title in enumerate(self.titles):
            self._action(
                "&View", title, lambda _=False, n=i: self.nav.setCurrentRow(n), f"Ctrl+{i + 1}"
            )
        self._action("&View", "&Refresh", self.refresh, QKeySequence.StandardKey.Refresh)
        self._action("&Help", "&User guide", self.show_guide, QKeySequence.StandardKey.HelpContents)
        self._action("&Help", "&About IA Desk", self.about)

    # -- actions
    def refresh(self) -> None:
        """View > Refresh: the case list read again from the top, as filtered (and the
        home screen's counts, once shown; My tasks when in front: each read of it is
        audited, so it is not read behind the user's back)."""
        self.cases.apply()
        home = self.pages.get("Home")
        if home is not None:
            home.refresh()  # type: ignore[attr-defined]
        tasks = self.pages.get("My tasks")
        if tasks is not None and tasks.isVisible():
            tasks.refresh()  # type: ignore[attr-defined]

    def focus_search(self) -> None:
        self.nav.setCurrentRow(self.titles.index("Cases"))
        self.cases.search.setFocus()
        self.cases.search.selectAll()

    def new_report(self) -> None:
        from ui.dialogs.intake import IntakeDialog

        dlg = IntakeDialog(self.db, self.actor, self)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.result_ is not None:
            self.open_case(dlg.result_.number)  # the list shows it by itself (the bus)

    def print_selected(self) -> None:
        number = self.cases.selected_number()
        if number is None:
            QMessageBox.information(self, "Print", "Select a case in the list first.")
            return
        self.print_case(number)

    def print_case(self, number: str) -> None:
        from ui.dialogs.print_preview import (
            PrintPreview,  # ReportLab and PDFium load when first used
        )

        PrintPreview(self.db, self.actor, [number], self).exec()

    def print_listed(self) -> None:
        numbers = [r.number for r in self.cases.model.rows]
        if not numbers:
            QMessageBox.information(self, "Print", "No cases are listed.")
            return
        if len(numbers) > 200:
            numbers = numbers[:200]
        from ui.dialogs.print_preview import PrintPreview

        PrintPreview(self.db, self.actor, numbers, self).exec()

    def ask_open_case(self) -> None:
        number, ok = QInputDialog.getText(self, "Open case", "Case number (IA-YYYY-NNNN)")
        if ok and number.strip():
            self.open_case(number.strip().upper())

    def open_case(self, number: str) -> None:
        window = self.case_windows.get(number)
        if window is None:
            from ui.case_window.window import CaseWindow

            window = CaseWindow(self.db, self.actor, number)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.destroyed.connect(lambda _=None, n=number: self.case_windows.pop(n, None))
            self.case_windows[number] = window
        window.show()
        window.raise_()
        window.activateWindow()

    def change_password(self) -> None:
        from ui.dialogs.change_password import ChangePasswordDialog, hand_over

        dlg = ChangePasswordDialog(self.db, self.actor, parent=self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            hand_over(self.actor, dlg.actor)
            self.statusBar().showMessage(
                "Your password was changed; your other sessions, if any, have ended.", 8_000
            )

    def show_guide(self) -> None:
        """Help > User guide: the guide of the signed-in role, beside the work (one
        window, brought to the front when asked for again)."""
        from ui.dialogs.help import HelpDialog

        if self.guide is None:
            actions = [a for menu in self._menu_by_title.values() for a in menu.actions()]
            self.guide = HelpDialog(self.actor, actions, self)
        self.guide.show()
        self.guide.raise_()
        self.guide.activateWindow()

    def about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {__version__}<br>Internal Affairs case handling "
            f"for social networking policy violations.<br><br>Licence: proprietary, for "
            f"the licensed department's use only.<br>Database: {self.db.target.describe()}",
        )

    def lock(self) -> None:
        if self._locked:
            return
        self._locked = True
        accounts.record_lock(self.db, self.actor)
        app = QApplication.instance()
        hidden = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        for w in hidden:
            w.hide()
        dlg = LockDialog(self.db, self.actor)
        self.lock_dialog: LockDialog | None = dlg
        unlocked = dlg.exec() == QDialog.DialogCode.Accepted
        self.lock_dialog = None
        self._locked = False
        if not unlocked:
            accounts.record_sign_out(self.db, self.actor, reason="from the lock")
            if isinstance(app, QApplication):
                app.closeAllWindows()
                app.quit()
            return
        for w in hidden:
            w.show()
        self.idle.resume()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        QSettings().setValue("main/geometry", self.saveGeometry())
        stop_listening(self)  # its screens follow no more changes
        self.db.remove_read_only_listener(self._read_only_listener)
        if self.feed is not None:
            self._changes.stop()
            self.feed.close()
            self.feed = None
        for w in list(self.case_windows.values()):
            w.close()
        super().closeEvent(event)
