"""Where the data the program ships (policy catalogue, matrix, icons) is found.

Looked up in this order: ``IA_DESK_RESOURCES``; a PyInstaller bundle; the ``resources/``
folder of a source checkout (also used by editable installs); ``ia_desk/_resources`` of
an installed wheel.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    candidates: list[Path] = []
    env = os.environ.get("IA_DESK_RESOURCES")
    if env:
        candidates.append(Path(env))
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen) / "resources")
    here = Path(__file__).resolve().parent
    candidates.append(here.parent / "resources")
    candidates.append(here / "_resources")
    for c in candidates:
        if (c / "policies").is_dir():
            return c
    raise FileNotFoundError(
        "IA Desk cannot find its resources folder (policy catalogue); looked in: "
        + ", ".join(str(c) for c in candidates)
    )


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
