"""Evidence: the bytes, stored once by their SHA-256 and never changed, their previews,
and each item on a case with its capture and custody metadata.

The blob store is shared: an official post's capture and an approval request's layout
are blobs too (:mod:`ia_desk.db.models.registers`). Blob rows are append-only (a trigger
refuses updates and deletes), so anything here that needs a second write is a new row.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ia_desk.db.models.base import Base, IntegerId, OnCase, written_at

if TYPE_CHECKING:
    from ia_desk.db.models.cases import Case
    from ia_desk.db.models.people import User


class EvidenceBlob(Base):
    """The bytes of one piece of evidence, content-addressed, written once."""

    __tablename__ = "evidence_blob"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[dt.datetime] = written_at()


class EvidenceThumb(Base):
    """A small PNG preview of an evidence image, made once from the stored bytes."""

    __tablename__ = "evidence_thumb"
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blob.sha256"), primary_key=True)
    png: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


class Evidence(IntegerId, OnCase, Base):
    """One item of evidence on a case: the blob plus its capture and custody metadata."""

    __tablename__ = "evidence"
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blob.sha256"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    source_url: Mapped[str | None] = mapped_column(String(2000))
    platform: Mapped[str | None] = mapped_column(String(60))
    captured_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    captured_tz: Mapped[str | None] = mapped_column(String(60))
    captured_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    workstation: Mapped[str] = mapped_column(String(120))
    method: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[dt.datetime] = written_at()
    case: Mapped[Case] = relationship(back_populates="evidence")
    captured_by: Mapped[User] = relationship()
