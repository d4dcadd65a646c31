"""Screenshots of the registers of issue 22 at 1280×720 on demo data: the approval
requests, the posting log, each of the registers' forms, and a case window saying
whether an approval stands (run under Xvfb).

Usage: xvfb-run -a -s "-screen 0 1280x720x24" .venv/bin/python tools/screens_registers.py docs/screens/
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

sys.path.insert(0, str(Path(__file__).parent))
from screenshots import PASSWORD, dispose_widgets, settle, shoot  # noqa: E402

from ia_desk.accounts.users import authenticate  # noqa: E402
from ia_desk.db.models import AuditEvent  # noqa: E402
from ia_desk.services.database import create as initialise  # noqa: E402
from ui.case_window.window import CaseWindow  # noqa: E402
from ui.dialogs.register_entry import FormDialog  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

FORMS = (
    "dialog-approval-request.png",
    "dialog-approval-decision.png",
    "dialog-approval-link.png",
    "dialog-direct-removal.png",
    "dialog-official-account.png",
    "dialog-log-post.png",
)


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
        actor = authenticate(db, "jmorgan", PASSWORD)
        win = MainWindow(db, actor)
        win.resize(1280, 720)
        win.nav.setCurrentRow(win.titles.index("Registers"))
        shoot(app, win, out / "screen-registers.png")
        page = win.page("Registers")
        page.approvals.setCurrentCell(0, 0)  # type: ignore[attr-defined]
        shoot(app, win, out / "registers-approvals.png")
        page.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
        shoot(app, win, out / "posting-log.png")
        page.tabs.setCurrentIndex(0)  # type: ignore[attr-defined]
        settle(app)
        shots = iter(FORMS)

        def shot_of_the_form(self: FormDialog) -> int:
            shoot(app, self, out / next(shots))
            self.close()
            return 0

        FormDialog.exec = shot_of_the_form  # type: ignore[method-assign]
        page.approvals.setCurrentCell(0, 0)  # type: ignore[attr-defined]
        for form in ("add_request", "decide", "link", "direct_removal", "add_account", "log_post"):
            getattr(page, form)()
        with db.read() as s:
            linked = list(
                s.scalars(
                    select(AuditEvent.case_number).where(AuditEvent.event_type == "approval.link")
                )
            )
        for name, number in zip(
            ("case-approval-stands", "case-approval-fails"), linked, strict=False
        ):
            window = CaseWindow(db, actor, number)
            window.resize(1280, 720)
            shoot(app, window, out / f"{name}.png")
        dispose_widgets(app)
        db.dispose()
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screens"))
