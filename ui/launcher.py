"""The ``ia-desk`` entry point: a command runs in the CLI, no command starts the app."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence

from ia_desk import cli


def _run_app(db_url: str | None, check_start: bool = False) -> int:
    """Run the desktop app, then leave without Python's final garbage collection.

    Everything is closed and committed by then (windows, background work, database). On
    a large database the interpreter's last collection sometimes aborted inside a C
    extension ("none_dealloc", seen with PySide6 6.12): a crash after the work is done,
    but a crash. So the process ends here, once the streams are flushed.
    """
    from ia_desk.evidence.decode import shutdown_worker
    from ui.app import run_app

    code = run_app(db_url, check_start=check_start)
    shutdown_worker()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the image decoder's worker process, when frozen
    return cli.main(argv, run_app=_run_app)


if __name__ == "__main__":
    sys.exit(main())
