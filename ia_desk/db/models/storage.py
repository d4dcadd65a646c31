"""The embedded database's own disk reserve (see :mod:`ia_desk.db.storage`): a table
about the file, not about IA work, marked ``embedded_only`` so it is never copied to a
server or read for its content."""

from __future__ import annotations

from sqlalchemy import Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from ia_desk.db.models.base import Base


class StorageReserve(Base):
    """Filler that an embedded database keeps for a full disk (see :mod:`ia_desk.db.storage`).

    When the disk (or the database's size limit) is full, these rows are deleted and their
    pages go to the file's free list, where the audit rows of reads and sign-ins are
    written without the file growing. Never read for its content, never copied to a
    server (``info["embedded_only"]``); on PostgreSQL the table stays empty.
    """

    __tablename__ = "storage_reserve"
    __table_args__ = {"info": {"embedded_only": True}}
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    filler: Mapped[bytes] = mapped_column(LargeBinary)
