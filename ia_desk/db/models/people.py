"""The people IA Desk knows: the department roster (possible subjects, and employees
who report) and the users who sign in. Who did what is kept elsewhere as logins or user
ids pointing here; nothing in this room points out to a case."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ia_desk.db.models.base import Base, CreatedAt, IntegerId, written_at


class Employee(IntegerId, CreatedAt, Base):
    """A member of the roster: a possible subject, or an employee who reports."""

    __tablename__ = "employee"
    badge: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    department: Mapped[str] = mapped_column(String(10))
    rank: Mapped[str | None] = mapped_column(String(60))
    unit: Mapped[str | None] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(IntegerId, CreatedAt, Base):
    """Someone who signs in to IA Desk (``role`` is one of :data:`ia_desk.terms.ROLES`)."""

    __tablename__ = "app_user"
    login: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[dt.datetime] = written_at()
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    # Set by an administrator's reset (and for a new account): the next sign-in must
    # choose a new password before anything else.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class UserKey(IntegerId, CreatedAt, Base):
    """A user's signing key (:mod:`ia_desk.accounts.keys`): the Ed25519 public key in the
    clear, the private key wrapped (AES-GCM) under a key derived from the user's own
    password (Argon2id, ``salt`` and ``kdf`` here). The trail itself says which keys
    are whose (each key is introduced by a signed event naming its fingerprint), so a
    row altered here verifies nothing it did not already.

    ``provisional``: made by an administrator (a new account, a reset) who knew the
    password, so it signs only the user's sign-in and their change of password, which
    makes the key only they know. ``retired_at``: replaced (a later key, a reset).
    """

    __tablename__ = "user_key"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(16), index=True)
    public_key: Mapped[str] = mapped_column(String(64))  # hex
    wrapped: Mapped[str] = mapped_column(Text)  # base64
    salt: Mapped[str] = mapped_column(String(40))  # base64
    kdf: Mapped[str] = mapped_column(String(120))  # JSON of KdfParams
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
