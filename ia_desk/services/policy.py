"""The clause catalogue: listing and showing clauses as in force on a date, and the
suggestions of clauses a narrative may breach."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ia_desk.db.engine import Database
from ia_desk.discipline import matrix
from ia_desk.policy import versions
from ia_desk.policy.catalogue import clause_dict, clause_in_force, list_clauses, shipped_files
from ia_desk.policy.suggest import Suggestion, default_suggester, suggest
from ia_desk.security.actor import Actor

__all__ = [
    "Suggestion",
    "add_version",
    "clause",
    "clause_texts",
    "clauses",
    "default_suggester",
    "suggest",
]


def clauses(
    db: Database, policy_id: str | None = None, on: dt.date | None = None
) -> list[dict[str, Any]]:
    """Every clause (of one policy), as worded in the version in force on ``on``."""
    with db.read() as s:
        return [clause_dict(c) for c in list_clauses(s, policy_id, on)]


def clause(db: Database, clause_id: str, on: dt.date | None = None) -> dict[str, Any]:
    """One clause's verbatim text, in the version in force on ``on`` (None: the newest)."""
    with db.read() as s:
        return clause_dict(clause_in_force(s, clause_id, on))


def clause_texts() -> dict[str, str]:
    """Every clause's text as the shipped catalogue words it (a later version of a policy
    wins), by clause id: what a suggestion shows on hover. Reads no database."""
    return {c["id"]: c["text"] for f in shipped_files() for c in f.data["clauses"]}


def add_version(db: Database, actor: Actor, path: Path) -> str:
    """Add a version of a policy from a catalogue file (IA administrators); returns its
    name (``vpd-3.21@2019-05-01``)."""
    file = versions.read_version_file(path)
    with db.write(actor) as s:
        return versions.add_version(s, actor, file, set(matrix.current(s)["clauses"]))
