"""The Employees, Statistics and Administration screens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ia_desk.accounts.users import add_user, list_users, reset_password, set_active
from ia_desk.casefile.read import employee_history, list_employees
from ia_desk.db.engine import Database
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor
from ia_desk.security.roles import ROLE_LABELS
from ia_desk.settings import all_settings, set_setting
from ia_desk.terms import ROLES
from ui.worker import run_task, show_error


def fill(table: QTableWidget, rows: list[list[Any]]) -> None:
    table.setUpdatesEnabled(False)
    try:
        table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, v in enumerate(values):
                table.setItem(r, c, QTableWidgetItem("" if v is None else str(v)))
        table.resizeColumnsToContents()  # measured on the first rows only (make_table)
    finally:
        table.setUpdatesEnabled(True)


class LoadsWhenShown:
    """For the main window's screens: their data is read the first time they are shown,
    not all at start-up (a hidden audit page of 1,000 rows froze the start for a second)."""

    _shown_once = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)  # type: ignore[misc]
        if not self._shown_once:
            self._shown_once = True
            self.refresh()

    def refresh(self) -> None:
        raise NotImplementedError


def make_table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.horizontalHeader().setStretchLastSection(True)
    # Fitting columns to their contents looks at the first 100 rows, not at thousands.
    t.horizontalHeader().setResizeContentsPrecision(100)
    t.verticalHeader().setVisible(False)
    return t


class EmployeesPage(LoadsWhenShown, QWidget):
    """The roster, and an employee's history of allegations over time."""

    open_case = Signal(str)

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        layout = QVBoxLayout(self)
        self.search = QLineEdit(placeholderText="Search by name or badge")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        layout.addWidget(self.search)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = make_table(["Badge", "Name", "Department", "Rank", "Unit", "Cases"])
        self.table.currentCellChanged.connect(lambda r, *_: self._history(r))
        split.addWidget(self.table)
        box = QWidget()
        bl = QVBoxLayout(box)
        self.title = QLabel("Select an employee to see their history.")
        bl.addWidget(self.title)
        self.history = make_table(
            ["Case", "Received", "Clause", "Title", "Disposition", "Finding date"]
        )
        self.history.cellActivated.connect(
            lambda r, _c: self.open_case.emit(self.history.item(r, 0).text())
        )
        bl.addWidget(self.history)
        bl.addWidget(QLabel("Discipline over time"))
        self.discipline = make_table(["Case", "Decided", "Step", "Recommended", "In range"])
        bl.addWidget(self.discipline)
        split.addWidget(box)
        layout.addWidget(split)
        self.rows: list[dict[str, Any]] = []

    def refresh(self) -> None:
        text = self.search.text()

        def work() -> list[dict[str, Any]]:
            with self.db.read(self.actor) as s:
                return list_employees(s, self.actor, text)

        run_task(self, work, self._fill)

    def _fill(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        fill(
            self.table,
            [
                [r["badge"], r["name"], r["department"], r["rank"], r["unit"], r["cases"]]
                for r in rows
            ],
        )

    def _history(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        badge = self.rows[row]["badge"]

        def work() -> dict[str, Any]:
            with self.db.read(self.actor) as s:
                return employee_history(s, self.actor, badge)

        def done(h: dict[str, Any]) -> None:
            self.title.setText(
                f"{h['name']} (badge {h['badge']}), {h['rank'] or ''} "
                f"{h['unit'] or ''}: {len(h['allegations'])} allegation(s)"
            )
            fill(
                self.history,
                [
                    [
                        a["case"],
                        a["received_at"],
                        a["clause"],
                        a["title"],
                        (a["disposition"] or "pending").replace("_", " "),
                        a["finding_on"],
                    ]
                    for a in h["allegations"]
                ],
            )
            fill(
                self.discipline,
                [
                    [
                        d["case"],
                        d["at"],
                        d["step"].replace("_", " "),
                        (d["recommended"] or "").replace("_", " "),
                        "yes" if d["within_range"] else "NO",
                    ]
                    for d in h["discipline"]
                ],
            )

        run_task(self, work, done)


class AddUserDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add user")
        form = QFormLayout(self)
        self.login = QLineEdit()
        self.name = QLineEdit()
        self.role = QComboBox()
        for r in ROLES:
            self.role.addItem(ROLE_LABELS[r], r)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow("Login", self.login)
        form.addRow("Full name", self.name)
        form.addRow("Role", self.role)
        form.addRow("Password (12+ characters)", self.password)
        form.addRow("Password again", self.password2)
        self.error = QLabel(styleSheet="color: #b00020")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self._check)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def _check(self) -> None:
        if self.password.text() != self.password2.text():
            self.error.setText("The two passwords differ.")
            return
        self.accept()


class AdminPage(LoadsWhenShown, QWidget):
    """Users, department settings and backups (IA administrators)."""

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h3>Users</h3>"))
        self.users = make_table(["Login", "Name", "Role", "Active", "Locked", "Last sign-in"])
        layout.addWidget(self.users)
        buttons = QHBoxLayout()
        for text, slot in (
            ("Add user…", self._add),
            ("Reset password…", self._reset),
            ("Disable", lambda: self._set_active(False)),
            ("Enable", lambda: self._set_active(True)),
            ("Back up now…", self._backup),
            ("Discipline matrix…", self._matrix),
        ):
            b = QPushButton(text)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("<h3>Department settings</h3>"))
        self.settings = make_table(["Setting", "Value", "Default", "Meaning"])
        self.settings.cellDoubleClicked.connect(lambda r, _c: self._edit_setting(r))
        layout.addWidget(self.settings)
        change = QPushButton("Change selected setting…")
        change.clicked.connect(lambda: self._edit_setting(self.settings.currentRow()))
        layout.addWidget(change, 0, Qt.AlignmentFlag.AlignLeft)
        self.user_rows: list[dict[str, Any]] = []
        self.setting_rows: list[dict[str, Any]] = []

    def refresh(self) -> None:
        def work() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            with self.db.read(self.actor) as s:
                return list_users(s, self.actor), all_settings(s)

        run_task(self, work, self._fill)

    def _fill(self, result: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
        self.user_rows, self.setting_rows = result
        fill(
            self.users,
            [
                [
                    u["login"],
                    u["name"],
                    ROLE_LABELS[str(u["role"])],
                    "yes" if u["active"] else "no",
                    "LOCKED" if u["locked"] else "",
                    u["last_login_at"] or "never",
                ]
                for u in self.user_rows
            ],
        )
        fill(
            self.settings,
            [[r["key"], r["value"], r["default"], r["help"]] for r in self.setting_rows],
        )

    def selected_login(self) -> str | None:
        row = self.users.currentRow()
        return str(self.user_rows[row]["login"]) if 0 <= row < len(self.user_rows) else None

    def _write(self, fn: Any) -> None:
        def work() -> None:
            with self.db.write(self.actor) as s:
                fn(s)

        run_task(self, work, lambda _r: self.refresh())

    def _reset(self) -> None:
        login = self.selected_login()
        if not login:
            return
        password, ok = QInputDialog.getText(
            self,
            "Reset password",
            f"New password for {login} (12+ characters)",
            QLineEdit.EchoMode.Password,
        )
        if ok:
            self._write(lambda s: reset_password(s, self.actor, login, password))

    def _set_active(self, active: bool) -> None:
        login = self.selected_login()
        if login:
            self._write(lambda s: set_active(s, self.actor, login, active))

    def _backup(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from ia_desk.services.maintenance import make_backup

        path, _ = QFileDialog.getSaveFileName(
            self, "Back up the database", "ia-desk-backup.db", "Database (*.db)"
        )
        if path:
            run_task(
                self,
                lambda: make_backup(self.db, self.actor, Path(path)),
                lambda _d: None,
                label="Backing up…",
            )

    def _matrix(self) -> None:
        from ui.matrix_editor import MatrixEditor

        MatrixEditor(self.db, self.actor, self).exec()

    def _edit_setting(self, row: int) -> None:
        if not 0 <= row < len(self.setting_rows):
            return
        r = self.setting_rows[row]
        value, ok = QInputDialog.getInt(
            self,
            "Change setting",
            f"{r['key']}: {r['help']}",
            int(r["value"]),
            int(r["minimum"] or 0),
            int(r["maximum"] or 1_000_000),
        )
        if ok:
            self._write(lambda s: set_setting(s, self.actor, r["key"], value))

    def _add(self) -> None:
        dlg = AddUserDialog(self)
        while dlg.exec() == QDialog.DialogCode.Accepted:
            try:
                with self.db.write(self.actor) as s:
                    add_user(
                        s,
                        self.actor,
                        dlg.login.text(),
                        dlg.role.currentData(),
                        dlg.name.text(),
                        dlg.password.text(),
                    )
            except InputError as exc:
                dlg.error.setText(exc.message)
                continue
            except Exception as exc:  # noqa: BLE001
                show_error(self, exc)
            break
        self.refresh()


class AuditPage(LoadsWhenShown, QWidget):
    """The audit trail for IA administrators: filters, newest first, CSV export, verify."""

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.user = QLineEdit(placeholderText="User login")
        self.case = QLineEdit(placeholderText="Case number")
        self.event = QLineEdit(placeholderText="Event (e.g. case.view)")
        for w in (self.user, self.case, self.event):
            w.returnPressed.connect(self.refresh)
            bar.addWidget(w)
        for text, slot in (
            ("Show", self.refresh),
            ("Export CSV…", self.export),
            ("Verify chain", self.verify),
        ):
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        layout.addLayout(bar)
        self.result = QLabel()
        layout.addWidget(self.result)
        self.table = make_table(
            [
                "Seq",
                "When (UTC)",
                "User",
                "Workstation",
                "Event",
                "Object",
                "Case",
                "Outcome",
                "Details",
            ]
        )
        layout.addWidget(self.table)

    def filters(self) -> dict[str, Any]:
        return {
            "user": self.user.text() or None,
            "case": self.case.text() or None,
            "event": self.event.text() or None,
        }

    def refresh(self) -> None:
        from ia_desk.audit.trail import list_events

        filters = self.filters()

        def work() -> list[dict[str, Any]]:
            with self.db.write(self.actor, audit_only=True) as s:
                return list_events(s, self.actor, limit=1000, **filters)

        run_task(
            self,
            work,
            lambda rows: fill(
                self.table,
                [
                    [
                        r["seq"],
                        r["at"][:19].replace("T", " "),
                        r["user"],
                        r["workstation"],
                        r["event"],
                        r["object"],
                        r["case"],
                        r["outcome"],
                        r["details"],
                    ]
                    for r in rows
                ],
            ),
        )

    def export(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self, "Export audit trail", "audit.csv", "CSV (*.csv)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        from ia_desk.audit.trail import export_events

        filters = self.filters()

        def work() -> int:
            with self.db.write(self.actor, audit_only=True) as s:
                return export_events(s, self.actor, path, **filters)

        run_task(self, work, lambda n: self.result.setText(f"Exported {n} event(s)."))

    def verify(self) -> None:
        from ia_desk.audit.trail import verify

        def work() -> Any:
            with self.db.read(self.actor) as s:
                return verify(s)

        def done(r: Any) -> None:
            self.result.setText(
                f"Audit trail intact: {r.checked} events, head {r.checkpoint}"
                if r.ok
                else f"<b style='color:#b00020'>Audit trail BROKEN at {r.first_bad_seq}: "
                f"{r.problem}</b>"
            )

        run_task(self, work, done, label="Verifying the audit trail…")
