"""The ``ia-desk`` entry point: a command runs in the CLI, no command starts the app."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence

from ia_desk import cli


def _run_app(db_url: str | None, check_start: bool = False) -> int:
    """Run the desktop app, then leave without Python's final garbage collection.

    Everything is closed and committed by then (windows, background work, database), so
    the process ends here, once the streams are flushed. (This once also hid aborts in
    the final collection, "none_dealloc": their cause was PySide6 6.12.0 on Python 3.11
    dropping a reference to None per Qt call, which the app now refuses to run with; see
    ``ui.app.binding_is_sound``.)
    """
    from ia_desk.services.evidence import shutdown_worker
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
