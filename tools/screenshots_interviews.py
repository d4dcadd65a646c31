"""Screenshots of the Interviews tab and the interview dialog (issue 22), at 1280×720.

Usage: xvfb-run -a -s "-screen 0 1280x720x24" .venv/bin/python tools/screenshots_interviews.py docs/screens/
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import keyring
from keyring.backends import fail
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from ia_desk.accounts.users import add_user, authenticate, change_own_password
from ia_desk.db.models import Case, Interview
from ia_desk.errors import InputError
from ia_desk.services import cases
from ia_desk.services.database import create as initialise
from ui.case_window.window import CaseWindow
from ui.dialogs.interview import InterviewDialog

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import PASSWORD, settle, shoot  # noqa: E402


def main(out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    keyring.set_keyring(fail.Keyring())
    os.environ["IA_DESK_PASSPHRASE"] = "screenshots only, not a secret"
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        db, _ = initialise(
            str(Path(tmp) / "demo.db"), "jmorgan", "Jordan Morgan", PASSWORD, demo=True
        )
        admin = authenticate(db, "jmorgan", PASSWORD)
        first = "Given-by-the-admin-2026"
        with db.write(admin) as s:
            add_user(s, admin, "rsantos", "ia_investigator", "Riley Santos", first)
        investigator = change_own_password(db, "rsantos", first, PASSWORD)
        with db.read() as s:
            number = s.scalar(
                select(Case.number).join(Interview, Interview.case_id == Case.id).limit(1)
            )
        try:  # the investigator's own case: Record and Amend are theirs
            cases.take_action(db, admin, number, "assign", assignee="rsantos")
        except InputError:
            pass
        window = CaseWindow(db, investigator, number)
        window.resize(1280, 720)
        window.show()
        settle(app)
        assert window.interviews is not None
        window.tabs.setCurrentWidget(window.interviews)
        window.interviews.table.selectRow(0)
        shoot(app, window, out / "case-interviews-investigator.png")
        dialog = InterviewDialog(db, investigator, number, window.data, window)
        dialog.kind.setCurrentIndex(dialog.kind.findData("witness_employee"))
        dialog.badge.setText("1187")
        dialog.place.setText("IA office, interview room 1")
        dialog.representation.setCurrentIndex(dialog.representation.findData("declined"))
        dialog.advisement.setCurrentIndex(dialog.advisement.findData("voluntary"))
        dialog.summary.setPlainText(
            "The witness sat beside the subject at the briefing and saw the photograph on "
            "the subject's phone before it was posted."
        )
        dialog.move(window.pos())
        shoot(app, dialog, out / "dialog-interview.png")
        dialog.close()
        window.close()
        settle(app)
        db.dispose()
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screens"))
