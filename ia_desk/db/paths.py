"""Where this workstation keeps IA Desk's files, and what it is called."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import platformdirs

from ia_desk import APP_NAME

DATA_DIR_ENV = "IA_DESK_DATA_DIR"


def data_dir() -> Path:
    """The user data directory (``IA_DESK_DATA_DIR`` overrides it)."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def workstation_name() -> str:
    return socket.gethostname() or "unknown-workstation"
