"""Reading everything the case window shows, in one audited transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ia_desk.cases.actions import case_actions
from ia_desk.cases.queries import get_case, show_case, timeline
from ia_desk.cases.redaction import marked
from ia_desk.db.engine import Database
from ia_desk.discipline.ladder import ladder
from ia_desk.policy.catalogue import clause_in_force
from ia_desk.security.actor import Actor
from ia_desk.security.roles import sees_identities


def load_case(db: Database, actor: Actor, number: str) -> dict[str, Any]:
    """Everything the window shows, read in one audited transaction (off the GUI thread)."""
    with db.read(actor) as s:
        data = show_case(s, actor, number)
        if "deadline" not in data:  # status-only view
            return data
        case = get_case(s, number)
        data["actions"] = [(a.name, a.label, a.why_not) for a in case_actions(s, actor, case)]
        data["marked"] = marked(s, actor, number) if sees_identities(actor) else []
        data["timeline"] = timeline(s, actor, number)
        on = dt.date.fromisoformat(data["incident"]["occurred_on"])
        texts = {}
        for a in data["allegations"]:
            texts[a["id"]] = clause_in_force(s, a["clause"], on).text
        data["clause_texts"] = texts
        data["ladder"] = ladder(s, actor, number)
        return data
