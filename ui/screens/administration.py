"""The Administration screen (IA administrators): users, department settings, backups and
the discipline matrix. Read again whenever the accounts or the settings change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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

from ia_desk import labels
from ia_desk.errors import InputError
from ia_desk.services import Actor, Changes, Database, Done, accounts, database, settings
from ia_desk.services.accounts import MIN_LENGTH, ROLE_LABELS
from ui.dialogs.add_user import AddUserDialog
from ui.ops import Change, Query
from ui.screens.screen import Screen
from ui.widgets.tables import fill, make_table
from ui.worker import show_error

T = TypeVar("T")


class AdminPage(Screen):
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
            ("New recovery code…", self._new_recovery_code),
            ("Change IA's key…", self._change_ia_key),
            ("Discipline matrix…", self._matrix),
        ):
            b = QPushButton(text)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        # IA's key: when it was made, and who left while holding it (then: change it).
        self.ia_key = QLabel()
        self.ia_key.setObjectName("iaKeyState")
        self.ia_key.setWordWrap(True)
        layout.addWidget(self.ia_key)
        layout.addWidget(QLabel("<h3>Department settings</h3>"))
        self.settings = make_table(["Setting", "Value", "Default", "Meaning"])
        self.settings.cellDoubleClicked.connect(lambda r, _c: self._edit_setting(r))
        layout.addWidget(self.settings)
        change = QPushButton("Change selected setting…")
        change.clicked.connect(lambda: self._edit_setting(self.settings.currentRow()))
        layout.addWidget(change, 0, Qt.AlignmentFlag.AlignLeft)
        self.user_rows: list[dict[str, Any]] = []
        self.setting_rows: list[dict[str, Any]] = []

    def concerns(self, changes: Changes) -> bool:
        return changes.accounts or changes.settings

    def refresh(self) -> None:
        def work() -> tuple[Any, Any, Any]:
            return (
                accounts.users(self.db, self.actor),
                settings.all_settings(self.db, self.actor),
                accounts.ia_key_state(self.db, self.actor),
            )

        Query(self, work).success(self._fill).run()

    def _fill(self, result: tuple[Any, Any, Any]) -> None:
        self.user_rows, self.setting_rows, key = result
        self._show_ia_key(key)
        fill(
            self.users,
            [
                [
                    u["login"],
                    u["name"],
                    ROLE_LABELS[str(u["role"])],
                    "yes" if u["active"] else "no",
                    "LOCKED" if u["locked"] else "",
                    labels.local_minute(u["last_login_at"]) or "never",
                ]
                for u in self.user_rows
            ],
        )
        fill(
            self.settings,
            [
                [labels.setting(r["key"]), r["value"], r["default"], r["help"]]
                for r in self.setting_rows
            ],
        )

    def selected_login(self) -> str | None:
        row = self.users.currentRow()
        return str(self.user_rows[row]["login"]) if 0 <= row < len(self.user_rows) else None

    def _change(self, change: Callable[[], Done[T]]) -> None:
        """One change through a service; the screen reads again when it is announced."""
        Change(self, change).run()

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
            self._change(lambda: accounts.reset_password(self.db, self.actor, login, password))

    def _show_ia_key(self, key: dict[str, Any] | None) -> None:
        if key is None:
            self.ia_key.setText("IA's key has not been made yet.")
            self.ia_key.setStyleSheet("")
            return
        how = "changed" if key["changed"] else "made"
        text = (
            f"IA's key ({key['fingerprint']}) was {how} on "
            f"{labels.local_minute(key['made_at'])} by {key['made_by']}."
        )
        if key["left"]:
            text += (
                f" Since then {', '.join(key['left'])} left while holding it: change IA's "
                "key so that nothing sealed from now on opens with it."
            )
        self.ia_key.setText(text)
        self.ia_key.setStyleSheet("color: #b00020; font-weight: bold;" if key["left"] else "")

    def _set_active(self, active: bool) -> None:
        login = self.selected_login()
        if not login:
            return

        def offer(held: bool) -> None:
            from PySide6.QtWidgets import QMessageBox

            if not held:
                return
            asked = QMessageBox.question(
                self,
                "Change IA's key?",
                accounts.KEY_HELD.format(login=login).replace(
                    " ('ia-desk db change-ia-key', or Administration > Change IA's key…)", ""
                )
                + "\n\nChange IA's key now?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Yes,
            )
            if asked == QMessageBox.StandardButton.Yes:
                self._change_ia_key(asked=True)

        Change(self, lambda: accounts.set_active(self.db, self.actor, login, active)).success(
            offer
        ).run()

    def _change_ia_key(self, asked: bool = False) -> None:
        """Change IA's key (after an IA user who held it left), after the administrator
        confirms; the new recovery code is shown once, and every screen of this session
        acts with the new key."""
        from PySide6.QtWidgets import QMessageBox

        from ui.dialogs.change_password import hand_over
        from ui.dialogs.recovery_code import CHANGED_KEY, show_recovery_code

        if not asked:
            answer = QMessageBox.question(
                self,
                "Change IA's key",
                "Change IA's key? Every note and task is sealed again to a new key, which "
                "goes to every IA user who is still IA's; anyone who left keeps nothing "
                "that opens it. A new recovery code is shown once, now: the one in the "
                "safe stops opening IA's key.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return

        def changed(done: database.KeyChanged) -> None:
            hand_over(self.actor, done.actor)
            show_recovery_code(done.code, self, CHANGED_KEY)
            r = done.rotation
            lines = [
                f"IA's key is changed. {r.resealed} note(s) and task(s) were sealed again "
                "to the new key.",
                "Given the new key: " + ", ".join([done.actor.login, *r.given]) + ".",
            ]
            if r.given_later:
                lines.append(
                    "Given it at an administrator's sign-in after their own next one: "
                    + ", ".join(r.given_later)
                    + "."
                )
            if r.not_given:
                lines.append(
                    "Not given it (the audit trail does not make them an active IA account "
                    "with that key; look into it): " + ", ".join(r.not_given) + "."
                )
            if r.not_opened:
                lines.append(
                    f"{r.not_opened} sealed value(s) did not open (changed outside IA "
                    "Desk) and were left as they are: 'ia-desk audit verify' says more."
                )
            QMessageBox.information(self, "IA's key changed", "\n\n".join(lines))

        Change(self, lambda: database.rotate_ia_key(self.db, self.actor)).success(changed).run()

    def _backup(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from ia_desk.services.maintenance import make_backup

        path, _ = QFileDialog.getSaveFileName(
            self, "Back up the database", "ia-desk-backup.db", "Database (*.db)"
        )
        if path:
            Query(self, lambda: make_backup(self.db, self.actor, Path(path))).with_progress(
                "Backing up…"
            ).run()

    def _new_recovery_code(self) -> None:
        """A new recovery code for the safe (the old one lost), after the administrator
        confirms; shown once."""
        from PySide6.QtWidgets import QMessageBox

        from ui.dialogs.recovery_code import REPLACES, show_recovery_code

        asked = QMessageBox.question(
            self,
            "New recovery code",
            "Make a new recovery code, for one that was lost? The one in the department's "
            "safe stops recovering an administrator of the database as it stands (it still "
            "opens the backups made before), and the new one is shown once, now.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if asked != QMessageBox.StandardButton.Yes:
            return
        Change(self, lambda: database.new_recovery_code(self.db, self.actor)).success(
            lambda code: show_recovery_code(code, self, REPLACES)
        ).run()

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
            f"{labels.setting(r['key'])}\n{r['help']}",
            int(r["value"]),
            int(r["minimum"] or 0),
            int(r["maximum"] or 1_000_000),
        )
        if ok:
            key = r["key"]
            self._change(lambda: settings.change_setting(self.db, self.actor, key, value))

    def _add(self, dlg: AddUserDialog | None = None) -> None:
        """The new user's details; a refusal is said in the dialog, which stays open
        until the account is added or the user gives up."""
        dlg = dlg or AddUserDialog(self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        login, role, name = dlg.login.text(), dlg.role.currentData(), dlg.name.text()
        password = dlg.password.text()

        def refused(exc: BaseException) -> None:
            if isinstance(exc, InputError):
                dlg.error.setText(exc.message)
                self._add(dlg)
            else:
                show_error(self, exc)

        Change(
            self, lambda: accounts.add_user(self.db, self.actor, login, role, name, password)
        ).failure(refused).run()
