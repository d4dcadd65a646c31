"""The in-app user guide (Help > User guide): the signed-in user's role's pages.

Everyone may read their own guide: it holds no case data, reads nothing from the
database and is not audited. The pages are :mod:`ia_desk.help`'s, chosen by the actor's
role, never by a role the window names.
"""

from __future__ import annotations

from ia_desk.help import Page, pages
from ia_desk.security.actor import Actor

__all__ = ["Page", "guide"]


def guide(actor: Actor) -> list[Page]:
    """The guide of the actor's role, page by page (title, HTML)."""
    return pages(actor.role)
