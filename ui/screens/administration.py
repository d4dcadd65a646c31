"""The Administration screen (IA administrators): users, department settings, backups and
the discipline matrix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)
from sqlalchemy.orm import Session

from ia_desk.accounts.users import add_user, list_users, reset_password, set_active
from ia_desk.db.engine import Database
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor
from ia_desk.security.passwords import MIN_LENGTH
from ia_desk.security.roles import ROLE_LABELS
from ia_desk.settings import all_settings, set_setting
from ui.dialogs.add_user import AddUserDialog
from ui.screens.loads_when_shown import LoadsWhenShown
from ui.widgets.tables import fill, make_table
from ui.worker import run_task, run_write, show_error


class AdminPage(LoadsWhenShown):
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

    def _write(self, change: Callable[[Session], object]) -> None:
        run_write(self, self.db, self.actor, change, lambda _r: self.refresh())

    def _reset(self) -> None:
        login = self.selected_login()
        if not login:
            return
        password, ok = QInputDialog.getText(
            self,
            "Reset password",
            f"New password for {login} ({MIN_LENGTH}+ characters)",
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
        from ui.dialogs.matrix_editor import MatrixEditor

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
