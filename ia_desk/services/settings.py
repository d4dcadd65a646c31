"""Department-wide settings (deadlines, windows, the session lock...)."""

from __future__ import annotations

from typing import Any

from ia_desk import settings as _settings
from ia_desk.db.engine import Database
from ia_desk.security.actor import Actor
from ia_desk.services import Changes, Done

SPECS = _settings.SPECS


def all_settings(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """Every setting with its value, default, bounds and meaning."""
    with db.read(actor) as s:
        return _settings.all_settings(s)


def setting(db: Database, actor: Actor, key: str) -> Any:
    """One setting's value (its default until an administrator changes it)."""
    with db.read(actor) as s:
        return _settings.get_setting(s, key)


def change_setting(db: Database, actor: Actor, key: str, value: Any) -> Done[Any]:
    """Change a setting (IA administrators); audited with old and new value."""
    with db.write(actor) as s:
        new = _settings.set_setting(s, actor, key, value)
    return Done(new, Changes(settings=True, case_list=True))
