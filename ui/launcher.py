"""The ``ia-desk`` entry point: a command runs in the CLI, no command starts the app."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Sequence

from ia_desk import cli


def _run_app(db_url: str | None, check_start: bool = False) -> int:
    from ui.app import run_app

    return run_app(db_url, check_start=check_start)


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the image decoder's worker process, when frozen
    return cli.main(argv, run_app=_run_app)


if __name__ == "__main__":
    sys.exit(main())
