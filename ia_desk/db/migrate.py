"""Bringing a database's schema to head with Alembic, at start-up and by ``init``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import ProgrammingError

if TYPE_CHECKING:
    from alembic.config import Config


MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Revision ids are the migration files' date-and-number prefixes, in one line of history:
# the newest file is the head. (tests/test_storage.py checks this against Alembic, which
# is imported only when there is something to upgrade: it costs a start 0.4 s.)
_REVISION_FILE = re.compile(r"^(\d{8}_\d{4})_\w+\.py$")


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    found = [
        m.group(1)
        for f in (MIGRATIONS / "versions").iterdir()
        if (m := _REVISION_FILE.match(f.name))
    ]
    return max(found)


def alembic_head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row: Any = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return None if row is None else str(row[0])


def upgrade_to_head(engine: Engine) -> bool:
    """Apply pending migrations; returns True when something was applied. (The
    start-up backs an embedded database up first: ia_desk.startup.opening.)
    """
    current = current_revision(engine)
    if current == head_revision():
        return False
    from alembic import command

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
