"""Alembic environment: run with the connection IA Desk hands over (see ia_desk.db.migrate)."""

from __future__ import annotations

from alembic import context

from ia_desk.db import models

target_metadata = models.Base.metadata
config = context.config


def include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001
    """Leave the full-text tables (created by hand, per backend) out of autogenerate."""
    return not (type_ == "table" and name and name.startswith(("case_fts", "case_search")))


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("IA Desk migrations run through ia_desk.db.migrate, with a connection")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
