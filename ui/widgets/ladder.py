"""The discipline ladder of one subject: a rung per step, the recommended range in colour,
the recommended step framed, the decision in force ticked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

# The printed summary's colours: a rung looks the same on screen and on paper.
from ia_desk.services.reports import RUNG_COLOURS


class Ladder(QWidget):
    """The rungs of ``entry`` (one subject of ``ladder()``); each rung is a label named
    ``rung-STEP``."""

    def __init__(self, entry: dict[str, Any]) -> None:
        super().__init__()
        rec = entry["recommendation"]
        rungs = QHBoxLayout(self)
        rungs.setContentsMargins(0, 0, 0, 0)
        steps = [r["step"] for r in entry["rungs"]]
        lo = hi = -1
        if rec["range"]:
            lo, hi = steps.index(rec["range"][0]), steps.index(rec["range"][1])
        decided = {d["step"] for d in entry["decisions"] if d["current"]}
        for i, rung in enumerate(entry["rungs"]):
            cell = QLabel(rung["label"])
            cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell.setMinimumHeight(44)
            cell.setObjectName(f"rung-{rung['step']}")
            inside = lo <= i <= hi
            colour = RUNG_COLOURS[rung["step"]] if inside else "#c8c8c8"
            border = "4px solid #111" if rung["step"] == rec["step"] else "1px solid #888"
            mark = " ✔" if rung["step"] in decided else ""
            cell.setText(
                rung["label"] + ("\n(recommended)" if rung["step"] == rec["step"] else "") + mark
            )
            cell.setStyleSheet(
                f"background: {colour}; color: white; border: {border}; "
                "padding: 4px; font-weight: bold;"
            )
            rungs.addWidget(cell, 1)
