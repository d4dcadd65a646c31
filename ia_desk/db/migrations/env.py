"""Alembic environment: run with the connection IA Desk hands over (see ia_desk.db.migrate)."""

from __future__ import annotations

from alembic import context

from ia_desk.db import models
from ia_desk.db.models.base import is_modelled

target_metadata = models.Base.metadata
config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("IA Desk migrations run through ia_desk.db.migrate, with a connection")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
        # The full-text tables, made by hand per backend, stay out of autogenerate (and,
        # with the same hook, out of tests/test_schema.py's comparison).
        include_object=is_modelled,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
