"""The models and the migrations describe one schema, on both backends.

The tables are made only by the Alembic migrations; the application reads and writes them
through the models. If the two drift apart (a column added to a model without a
migration, a default or an index only one of them has), a fresh database and an upgraded
one still agree with each other but not with the code, and the difference shows only when
a statement fails on a user's data. These tests compare the models with a database
migrated to head, as Alembic's autogenerate would, and check that the migrations form one
line of history.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Index, Integer, MetaData, String, Table, inspect, text

from ia_desk.db.migrate import MIGRATIONS, alembic_config
from ia_desk.db.models import Base
from ia_desk.db.models.base import is_modelled


def _context(conn: Connection) -> MigrationContext:
    """Autogenerate's view of a database: types and server defaults compared, the
    hand-made full-text tables left out exactly as ``ia_desk/db/migrations/env.py``
    leaves them out."""
    return MigrationContext.configure(
        conn,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_object": is_modelled,
        },
    )


def differences(conn: Connection, metadata: MetaData) -> list[Any]:
    """What autogenerate would put into a new migration to bring the database to
    ``metadata`` (empty when they describe the same schema)."""
    return list(compare_metadata(_context(conn), metadata))


def test_the_models_are_the_schema_the_migrations_make(db) -> None:
    with db.engine.connect() as conn:
        found = differences(conn, Base.metadata)
        migration = render_python_code(
            produce_migrations(_context(conn), Base.metadata).upgrade_ops
        )
    assert found == [], (
        "The models and the database at head differ. Fix the model, or add a migration "
        "that makes this change:\n" + migration
    )


def test_a_model_column_without_a_migration_is_found(db) -> None:
    """The comparison above is not blind: a column, an index and a table that exist only
    in the models are each reported."""
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(drifted)
    drifted.tables["ia_case"].append_column(Column("not_migrated", String(20)))
    Index("ix_reporter_phone", drifted.tables["reporter"].c.phone)
    Table("not_migrated_table", drifted, Column("id", Integer, primary_key=True))
    with db.engine.connect() as conn:
        found = {_summary(d) for d in differences(conn, drifted)}
        found -= {_summary(d) for d in differences(conn, Base.metadata)}
    assert found == {
        ("add_column", "ia_case", "not_migrated"),
        ("add_index", "reporter", "ix_reporter_phone"),
        ("add_table", "not_migrated_table", None),
    }


def _summary(difference: Any) -> tuple[str, str, str | None]:
    """(operation, table, column or index) of one item of ``compare_metadata``'s answer:
    a tuple such as ``("add_column", schema, table, column)``, or a list of
    ``("modify_...", schema, table, column, ...)`` tuples for one column."""
    if isinstance(difference, list):
        op, _schema, table, column = difference[0][:4]
        return str(op), str(table), str(column)
    op, obj = difference[0], difference[-1]
    if op.endswith("_table"):
        return str(op), str(obj.name), None
    return str(op), str(obj.table.name), str(obj.name)


def _database_names(conn: Connection, table: str) -> set[str]:
    """The names of a table's constraints and indexes as the database holds them.

    SQLite keeps a constraint's name only in the table's CREATE statement, and SQLAlchemy
    does not read it back for a REFERENCES clause on a column (migration 0009 adds two
    such columns), so on SQLite the names are read from that statement."""
    found = inspect(conn)
    names = {str(i["name"]) for i in found.get_indexes(table)}
    if conn.dialect.name == "sqlite":
        create = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": table},
        ).scalar_one()
        return names | set(re.findall(r'CONSTRAINT\s+"?(\w+)"?', create))
    names.add(str(found.get_pk_constraint(table)["name"]))
    for kind in (found.get_foreign_keys, found.get_unique_constraints, found.get_check_constraints):
        names |= {str(c["name"]) for c in kind(table)}
    return names


def test_constraints_and_indexes_carry_the_names_the_models_give_them(db) -> None:
    """Autogenerate matches foreign keys by their columns, not their names; but a
    migration drops or alters a constraint by name (SQLite's batch mode finds it no other
    way), so the names must be the models' too."""
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            expected = {str(c.name) for c in table.constraints} | {
                str(i.name) for i in table.indexes
            }
            found = _database_names(conn, table.name)
            assert found == expected, (
                f"{table.name}: only in the database {sorted(found - expected)}, "
                f"only in the models {sorted(expected - found)}"
            )


def _revision_files() -> list[str]:
    return sorted(
        f.name
        for f in (MIGRATIONS / "versions").iterdir()
        if re.match(r"^\d{8}_\d{4}_\w+\.py$", f.name)
    )


def test_the_migrations_are_one_line_of_history() -> None:
    """One head, and each migration file revises the file before it: two people adding a
    migration at the same time must not leave two heads (or a start-up that applies one
    of them). ``head_revision`` (the newest file's name) relies on it."""
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    files = _revision_files()
    by_file = {}
    for revision in script.walk_revisions():
        assert revision.path is not None
        by_file[Path(revision.path).name] = revision
    assert sorted(by_file) == files, "a migration file Alembic does not see, or the reverse"
    previous = None
    for name in files:
        revision = by_file[name]
        assert name.startswith(revision.revision + "_"), f"{name}: revision {revision.revision}"
        assert revision.down_revision == previous, f"{name} revises {revision.down_revision}"
        assert not revision.branch_labels and not revision.dependencies, name
        previous = revision.revision
    assert previous == script.get_current_head()
