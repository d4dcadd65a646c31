"""Bringing a database's schema to head with Alembic, at start-up and by ``init``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import ProgrammingError

if TYPE_CHECKING:
    from ia_desk.db.engine import Target

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine, target: Target | None = None) -> bool:
    """Apply pending migrations; returns True when something was applied.

    (The security issue adds the automatic backup taken before a migration.)
    """
    current = current_revision(engine)
    if current == head_revision():
        return False
    cfg = alembic_config()
    try:
        with engine.execution_options(ia_write=True).begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except ProgrammingError as exc:
        if engine.dialect.name != "postgresql" or "permission denied" not in str(exc.orig):
            raise
        from ia_desk.errors import StorageError

        raise StorageError(
            f"The database's tables are at an older version ({current or 'none'}) than this "
            "IA Desk, and this workstation's database account may not change them. An "
            "administrator brings them up to date with the owner account: "
            "'ia-desk --db URL db upgrade'."
        ) from None
    return True
