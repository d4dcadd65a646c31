"""Department-wide settings, one typed JSON value per key (read and checked by
:mod:`ia_desk.settings`). The keys that hold an embedded file's wrapped audit key are
not copied when the file moves to a server (``ia_desk.startup.transfer.LOCAL_SETTINGS``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ia_desk.db.models.base import Base, written_at


class Setting(Base):
    """Department-wide typed settings (deadline days, windows), JSON values."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = written_at()
