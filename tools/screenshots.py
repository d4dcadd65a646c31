"""Take screenshots of the main screens on demo data (run under Xvfb; see README).

Usage: xvfb-run -a -s "-screen 0 1400x1000x24" .venv/bin/python tools/screenshots.py docs/

With ``--every`` it also shoots every other screen and dialog (into a folder of your
choice, not docs/): take them before and after a change to the UI and compare the PNGs.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import keyring
from keyring.backends import fail
from PySide6.QtCore import QEvent, QThreadPool
from PySide6.QtWidgets import QApplication, QDialog, QTabWidget, QWidget
from sqlalchemy import select

from ia_desk.accounts.users import authenticate
from ia_desk.db.engine import Database
from ia_desk.db.models import Case, DisciplineAction
from ia_desk.security.actor import Actor
from ia_desk.services import Changes, Done
from ia_desk.services.database import create as initialise
from ui.case_window.window import CaseWindow
from ui.dialogs.first_run import FirstRunDialog
from ui.dialogs.intake import IntakeDialog
from ui.dialogs.sign_in import SignInDialog
from ui.evidence_viewer import EvidenceViewer
from ui.main_window import MainWindow

PASSWORD = "Screenshot-pass-2026"


def settle(app: QApplication) -> None:
    """Until the background work started by what is on screen is done and shown (a screen
    starts its loading shortly after its first paint)."""
    from ui.worker import pending_tasks

    deadline = time.monotonic() + 30
    while True:
        for _ in range(5):
            QThreadPool.globalInstance().waitForDone()
            app.processEvents()
        if pending_tasks() == 0 or time.monotonic() > deadline:
            return
        time.sleep(0.02)


SHOWN: list[QWidget] = []


def shoot(app: QApplication, widget: QWidget, path: Path) -> None:
    if widget not in SHOWN:
        SHOWN.append(widget)
    widget.show()
    settle(app)
    widget.grab().save(str(path))


def main(out_dir: str, every: bool = False) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    keyring.set_keyring(fail.Keyring())
    os.environ["IA_DESK_PASSPHRASE"] = "screenshots only, not a secret"
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        db, _ = initialise(
            str(Path(tmp) / "demo.db"), "jmorgan", "Jordan Morgan", PASSWORD, demo=True
        )
        actor = authenticate(db, "jmorgan", PASSWORD)
        shoot(
            app,
            FirstRunDialog(str(Path.home() / ".local/share/IA Desk/ia-desk.db")),
            out / "first-run.png",
        )
        shoot(app, SignInDialog(db), out / "sign-in.png")
        from ui.dialogs.connection import ConnectionDialog

        connection = ConnectionDialog()
        connection.host.setText("ia-db.vicksburg.local")
        connection.password.setText("not shown")
        shoot(app, connection, out / "connection.png")
        win = MainWindow(db, actor)
        shoot(app, win, out / "home.png")  # the first screen: what needs doing
        win.nav.setCurrentRow(win.titles.index("Cases"))
        shoot(app, win, out / "case-list.png")
        for name in ("Policies", "Employees"):
            win.nav.setCurrentRow(win.titles.index(name))
            settle(app)  # a screen reads its data when first shown
            if name == "Policies":
                win.page(name).tree.select("vpd-3.21/IV.B")  # type: ignore[attr-defined]
            if name == "Employees":
                win.page(name).table.setCurrentCell(0, 0)  # type: ignore[attr-defined]
            shoot(app, win, out / f"{name.lower()}.png")
        number = win.cases.model.number_at(5) or "IA-2026-0001"
        case_window = CaseWindow(db, actor, number)
        shoot(app, case_window, out / "case-view.png")
        case_window.tabs.setCurrentIndex(1)
        shoot(app, case_window, out / "allegations.png")
        case_window.tabs.setCurrentIndex(2)
        shoot(app, case_window, out / "evidence.png")
        with db.read() as s:
            closed = (
                s.scalars(
                    select(Case.number).join(DisciplineAction, DisciplineAction.case_id == Case.id)
                ).first()
                or "IA-2026-0001"
            )
        discipline_window = CaseWindow(db, actor, closed)
        discipline_window.tabs.setCurrentIndex(3)
        shoot(app, discipline_window, out / "discipline.png")
        first = case_window.data["evidence"][0]["id"]
        shoot(app, EvidenceViewer(db, actor, first), out / "evidence-viewer.png")
        intake = IntakeDialog(db, actor)
        intake.narrative.setPlainText(
            "Officer posted a selfie in uniform next to his cruiser, "
            "with the juvenile he arrested in the back seat."
        )
        intake.suggestions.timer.setInterval(0)
        shoot(app, intake, out / "intake.png")
        shoot(app, intake, out / "intake.png")
        settle(app)
        if every:
            shoot_the_rest(app, db, actor, win, case_window, discipline_window, out)
        dispose_widgets(app)
        db.dispose()
    print(f"screenshots written to {out}")
    return 0


def shoot_the_rest(
    app: QApplication,
    db: Database,
    actor: Actor,
    win: MainWindow,
    case_window: CaseWindow,
    discipline_window: CaseWindow,
    out: Path,
) -> None:
    """Every screen and dialog the README's pictures leave out."""
    from ui.dialogs.add_user import AddUserDialog
    from ui.dialogs.change_password import ChangePasswordDialog
    from ui.dialogs.clause_picker import ClausePickerDialog
    from ui.dialogs.decision import DecisionDialog
    from ui.dialogs.finding import FindingDialog
    from ui.dialogs.lock import LockDialog
    from ui.dialogs.matrix_editor import MatrixEditor
    from ui.dialogs.passphrase import PassphraseDialog
    from ui.dialogs.print_preview import PrintPreview
    from ui.dialogs.reason import ReasonDialog
    from ui.dialogs.register_entry import FormDialog
    from ui.dialogs.retaliation_review import RetaliationReviewDialog
    from ui.dialogs.task import TaskDialog
    from ui.dialogs.withhold import WithholdDialog

    shoot_each_role(app, db, actor, out)
    for name in ("Registers", "Statistics", "Administration", "Audit trail"):
        win.nav.setCurrentRow(win.titles.index(name))
        settle(app)
        shoot(app, win, out / f"screen-{name.lower().replace(' ', '-')}.png")
        if name == "Registers":  # the training register: upon hiring, owed, yearly review
            page = win.page(name)
            page.findChild(QTabWidget).setCurrentIndex(2)
            shoot(app, win, out / "screen-registers-training.png")
    case_window.tabs.setCurrentIndex(0)
    case_window.allegations.setCurrentCell(0, 0)
    shoot(app, case_window, out / "case-overview.png")
    case_window.tabs.setCurrentIndex(4)
    shoot(app, case_window, out / "case-timeline.png")
    if case_window.notes is not None:  # IA's notes and tasks: one edited note, two tasks
        from ia_desk.services import notes

        number = case_window.number
        first = notes.add_note(db, actor, number, "Called the platform's legal desk.").value
        notes.add_note(
            db, actor, number, "Called the platform's legal desk; records by Friday.", first
        )
        notes.add_task(db, actor, number, "Request the account records", actor.login, date.today())
        settle(app)
        case_window.tabs.setCurrentWidget(case_window.notes)
        settle(app)
        case_window.notes.notes.selectRow(0)
        shoot(app, case_window, out / "case-notes.png")
        shoot_my_tasks(app, db, actor, win, out)
    dialogs: list[tuple[str, QWidget]] = [
        ("passphrase-new", PassphraseDialog(True)),
        ("passphrase", PassphraseDialog(False)),
        ("change-password", ChangePasswordDialog(db, actor)),
        ("change-password-required", ChangePasswordDialog(db, actor, required=True)),
        ("add-user", AddUserDialog()),
        (
            "task",
            TaskDialog(
                [(actor.login, actor.login)],
                actor.login,
                lambda *_a: Done(None, Changes()),
                Changes(),
            ),
        ),
        ("finding", FindingDialog(case_window.data["allegations"][0])),
        ("withhold", WithholdDialog()),
        ("decision", DecisionDialog(discipline_window.data["ladder"][0], lambda *_a: None)),
        ("matrix-editor", MatrixEditor(db, actor)),
        ("print-preview", PrintPreview(db, actor, [case_window.number])),
        ("lock", LockDialog(db, actor)),
        ("clause-picker", ClausePickerDialog(db, None, None, "posted the rap sheet", "police")),
        (
            "retaliation-review",
            RetaliationReviewDialog(
                db,
                actor,
                case_window.number,
                [t["text"] for t in case_window.data["retaliation"]["triggers"]],
            ),
        ),
        (
            "reason",
            ReasonDialog(
                "Pause deadline",
                "Reason (e.g. a criminal investigation takes precedence)",
                lambda _text: Done(None, Changes()),
                Changes(),
            ),
        ),
        (
            "register-form",
            FormDialog(
                "Completed training",
                [("badge", "Employee badge", "text"), ("on", "Completed on", "date")],
            ),
        ),
    ]
    for name, dialog in dialogs:
        shoot(app, dialog, out / f"dialog-{name}.png")


def shoot_my_tasks(
    app: QApplication, db: Database, actor: Actor, win: MainWindow, out: Path
) -> None:
    """My tasks at 1280×720: the administrator's own tasks on several cases (one overdue,
    one done), then all IA's tasks with the done ones."""
    from datetime import timedelta

    from sqlalchemy import update

    from ia_desk.db.models import CaseTask
    from ia_desk.services import cases, notes

    open_cases = [r.number for r in cases.page(db, actor, cases.CaseQuery(open_only=True), 0, 4)]
    others = [login for login, _name in notes.assignees(db, actor) if login != actor.login]
    titles = (
        ("Preserve the post before it is deleted", actor.login, 0),
        ("Request the account records from the platform", actor.login, 2),
        ("Interview the reporting supervisor", actor.login, 6),
        ("Check the employee's other accounts", others[0] if others else actor.login, 1),
    )
    set_ = [
        notes.add_task(db, actor, number, title, who, date.today() + timedelta(days))
        for number, (title, who, days) in zip(open_cases, titles, strict=False)
    ]
    if set_:  # as if set last week, due three days ago
        with db.write(actor) as s:
            s.execute(
                update(CaseTask)
                .where(CaseTask.id == set_[0].value)
                .values(due_on=date.today() - timedelta(3))
            )
    if len(open_cases) > 1:
        told = notes.add_task(
            db, actor, open_cases[1], "Tell the reporter", actor.login, date.today()
        )
        notes.complete_task(db, actor, told.value, "Told by phone.")
    win.resize(1280, 720)
    win.nav.setCurrentRow(win.titles.index("My tasks"))
    settle(app)
    page = win.page("My tasks")
    page.table.selectRow(1)  # type: ignore[attr-defined]  # (the overdue one shows red)
    shoot(app, win, out / "screen-my-tasks.png")
    page.include_done.setChecked(True)  # type: ignore[attr-defined]
    page.scope_buttons["all"].setChecked(True)  # type: ignore[attr-defined]
    settle(app)
    shoot(app, win, out / "screen-my-tasks-all.png")


def shoot_each_role(app: QApplication, db: Database, admin: Actor, out: Path) -> None:
    """The home screen of each role, and the list one of its counts opens."""
    from ia_desk.services import accounts

    for role, count in (
        ("ia_admin", "all.overdue"),
        ("ia_investigator", "mine.open"),
        ("supervisor", "reports.all"),
        ("command_staff", "chief.awaiting"),
    ):
        if role == "ia_admin":
            who = admin
        else:
            login = f"shot-{role.split('_')[0]}"
            first = "First-pass-for-shots-2026"
            accounts.add_user(db, admin, login, role, f"Sam {role.split('_')[-1].title()}", first)
            who = accounts.change_password(db, login, first, PASSWORD)
        if role == "ia_investigator":  # give them cases of their own
            from ia_desk.services import cases

            for row in cases.page(db, admin, cases.CaseQuery(status="received"), 0, 6):
                cases.take_action(db, admin, row.number, "assign", assignee=who.login)
        window = MainWindow(db, who)
        window.resize(1280, 720)
        shoot(app, window, out / f"home-{role}.png")
        window.show_guide()  # Help > User guide, each page as this role reads it
        guide = window.guide
        assert guide is not None
        for row in range(guide.pages.count()):
            guide.pages.setCurrentRow(row)
            shoot(app, guide, out / f"guide-{role}-{row + 1}.png")
        guide.close()
        home = window.page("Home")
        home.buttons[count].click()  # type: ignore[attr-defined]
        settle(app)
        shoot(app, window, out / f"list-{role}-{count.replace('.', '-')}.png")
        if role == "command_staff":  # the Chief's step of the review chain, on a case
            from ia_desk.services import cases

            waiting = cases.page(db, who, cases.CaseQuery(work="awaiting_my_review"), 0, 1)
            if waiting:
                review = CaseWindow(db, who, waiting[0].number)
                review.resize(1280, 720)
                shoot(app, review, out / "case-review-command_staff.png")
                review.close()


def dispose_widgets(app: QApplication) -> None:
    """Delete the windows while the application still exists (not at interpreter exit).

    A dialog is put away with the base ``QDialog.done``, not closed: closing a dialog
    calls its ``reject``, and the intake dialog (with the narrative typed for its picture)
    and the other forms that keep typed work ask "Discard?" there, a modal question that
    no one answers, so the tool would never exit. The windows are closed, so that they
    stop following changes."""
    for widget in reversed(SHOWN):
        if isinstance(widget, QDialog):
            QDialog.done(widget, QDialog.DialogCode.Rejected.value)
        else:
            widget.close()
        widget.deleteLater()
    SHOWN.clear()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--every"]
    sys.exit(main(args[0] if args else "docs", every="--every" in sys.argv[1:]))
