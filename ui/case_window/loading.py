"""Reading everything the case window shows, in one audited transaction."""

from __future__ import annotations

from typing import Any

from ia_desk.services import cases
from ia_desk.services.cases import Actor, Database


def load_case(db: Database, actor: Actor, number: str) -> dict[str, Any]:
    """Everything the window shows (:func:`ia_desk.services.cases.window`), as the
    window's tabs read it; call it off the GUI thread."""
    shown = cases.window(db, actor, number)
    if shown.file is None:  # a supervisor's status-only view
        return dict(shown.status)
    data: dict[str, Any] = dict(shown.file)
    data["actions"] = [(a.name, a.label, a.why_not) for a in shown.actions]
    data["marked"] = shown.marked
    data["timeline"] = shown.timeline
    data["clause_texts"] = shown.clause_texts
    data["ladder"] = shown.ladder
    return data
