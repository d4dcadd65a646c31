"""The home screen: what needs doing, per role, as counts that open the case list.

One door for the window's home screen and ``ia-desk home``; the counts respect the
actor's read rights exactly as the list does (:mod:`ia_desk.casefile.home`)."""

from __future__ import annotations

from ia_desk.casefile.home import HomeCount
from ia_desk.casefile.home import home_counts as _home_counts
from ia_desk.db.engine import Database
from ia_desk.security.actor import Actor

__all__ = ["HomeCount", "home_counts"]


def home_counts(db: Database, actor: Actor) -> list[HomeCount]:
    """The actor's home counts, read in one snapshot. Not audited (counts of a list)."""
    with db.read(actor) as s:
        return _home_counts(s, actor)
