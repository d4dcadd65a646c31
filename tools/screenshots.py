"""Take screenshots of the main screens on demo data (run under Xvfb; see README).

Usage: xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshots.py docs/
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import keyring
from keyring.backends import fail
from PySide6.QtWidgets import QApplication

from ia_desk.admin import initialise
from ia_desk.security.users import authenticate
from ui.app import FirstRunDialog, SignInDialog
from ui.main_window import MainWindow

PASSWORD = "Screenshot-pass-2026"


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
        shots = {
            "first-run.png": FirstRunDialog(str(Path.home() / ".local/share/IA Desk/ia-desk.db")),
            "sign-in.png": SignInDialog(db),
            "case-list.png": MainWindow(db, actor),
        }
        for name, widget in shots.items():
            widget.show()
            app.processEvents()
            widget.grab().save(str(out / name))
            widget.close()
        db.dispose()
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs"))
