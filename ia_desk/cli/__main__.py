"""``python -m ia_desk.cli``: the command line without the desktop app."""

from __future__ import annotations

import multiprocessing
import sys

from ia_desk.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the image decoder's worker process, when frozen
    sys.exit(main())
