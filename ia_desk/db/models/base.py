"""What every model of IA Desk is built on: the declarative base with the constraint
naming convention, the UTC clock every timestamp comes from, and the columns many tables
share.

Rules a model must keep:

- Constraint and index names come from :data:`NAMING`, never written by hand except
  where a migration already chose another name (``ix_case_subject_case``): SQLite's
  batch migrations find a constraint only by its name.
- Timestamps are naive ``DateTime`` columns holding UTC (:func:`utcnow`); where a
  person's local time matters its offset is kept beside them.
- A mixin only gathers columns that mean the same in every table that has them; a
  column that merely looks alike (``created_by``: a user id in one table, a login in
  another) is written out in its model.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, MetaData, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Tables the migrations make by hand, per backend, that no model describes: SQLite's
# FTS5 tables (``case_fts``, ``case_fts_public`` and their shadow tables) and
# PostgreSQL's ``case_search`` (see ia_desk.cases.search) and ``server_change`` (what the
# server itself records of every change: ia_desk.db.pg.create_server_change_log).
UNMODELLED_TABLE_PREFIXES = ("case_fts", "case_search", "server_change")


def utcnow() -> dt.datetime:
    """The current UTC time as a naive datetime (how every timestamp is stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """The declarative base of every IA Desk table (one metadata, one naming convention).

    ``dict[str, Any]`` annotations are stored as JSON."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON}


def table_of(model: type[Base]) -> Table:
    """A model's table, for plain (Core) statements on hot paths."""
    return Base.metadata.tables[model.__tablename__]


def is_modelled(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's ``include_object`` hook: False for the hand-made full-text tables, which
    autogenerate must neither create nor drop (the migrations' environment and the
    schema-drift test use it)."""
    return not (type_ == "table" and name and name.startswith(UNMODELLED_TABLE_PREFIXES))


def written_at(**options: Any) -> MappedColumn[Any]:
    """A timestamp column that defaults to the UTC time its row is inserted
    (``default=utcnow``); ``options`` go to :func:`mapped_column` (``onupdate=``,
    ``index=``)."""
    return mapped_column(DateTime, default=utcnow, **options)


# Mixed-in columns come after a model's own unless sorted: the keys come first, as in the
# first schema (the order Python lists columns in; a table's order is its migration's).


class IntegerId:
    """A surrogate integer primary key ``id``, numbered by the database, first column."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)


class CreatedAt:
    """``created_at``: when the row was inserted, UTC."""

    created_at: Mapped[dt.datetime] = written_at()


class VersionCounted:
    """``version_id``, SQLAlchemy's optimistic lock: an update from a stale copy of the
    row (another workstation changed it meanwhile) fails with ``StaleDataError`` instead
    of overwriting. It sets the model's ``__mapper_args__``; a model using it sets none."""

    version_id: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version_id}


class OnCase:
    """``case_id``: the case the row belongs to, indexed (a case's rows are read together).
    A table with one row per case (``unique``) or its own index name writes it out."""

    case_id: Mapped[int] = mapped_column(ForeignKey("ia_case.id"), index=True, sort_order=-1)


class OnEmployee:
    """``employee_id``: the roster employee the row is about, indexed (an employee's
    history is read across cases)."""

    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True, sort_order=-1)
