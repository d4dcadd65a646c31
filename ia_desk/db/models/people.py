"""The people IA Desk knows: the department roster (possible subjects, and employees
who report) and the users who sign in. Who did what is kept elsewhere as logins or user
ids pointing here; nothing in this room points out to a case."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
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
    # When they were hired (3.21 §VI.A: the social media training is owed "upon his/her
    # hiring"); None until IA records it.
    hired_on: Mapped[dt.date | None] = mapped_column(Date)


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
    # The key's sealing pair (X25519, :mod:`ia_desk.accounts.iakey`): what is sealed to
    # the public half opens only with this password. The private half is wrapped under
    # the same password-derived key as the signing key; the public half is signed by the
    # signing key, so it cannot be swapped on its own. None: a key from before sealing
    # (its pair is made at its next sign-in).
    seal_public: Mapped[str | None] = mapped_column(String(64))  # hex
    seal_wrapped: Mapped[str | None] = mapped_column(Text)  # base64
    seal_signature: Mapped[str | None] = mapped_column(String(128))  # hex
    # IA's endorsement of this key (a signature by IA's key, made by an IA user who
    # holds it): only an endorsed key is given IA's key without an administrator's
    # own act, so a key put into the database by someone else never is.
    ia_endorsement: Mapped[str | None] = mapped_column(String(128))  # hex
    # The user's own hand-over to this key from the one it replaced (a signature by the
    # replaced key, made at their change of password): a key IA endorsed passes its
    # endorsement on to its successor this way, even when the user did not hold IA's key
    # at the change.
    handover_from: Mapped[int | None] = mapped_column(Integer)
    handover_signature: Mapped[str | None] = mapped_column(String(128))  # hex


class IaKey(IntegerId, CreatedAt, Base):
    """IA's sealing key (X25519): what only IA may read is sealed to its public half
    (IA's case notes and tasks today). Its private half is never stored as such: it is
    sealed to each IA user's key (:class:`IaKeyGrant`) and, on an embedded database, to
    the recovery code (``recovery_sealed``). See :mod:`ia_desk.accounts.iakey`."""

    __tablename__ = "ia_key"
    fingerprint: Mapped[str] = mapped_column(String(16), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))  # hex, X25519: sealing
    sign_public: Mapped[str] = mapped_column(String(64))  # hex, Ed25519: endorsing keys
    created_by: Mapped[str] = mapped_column(String(40))
    recovery_sealed: Mapped[str | None] = mapped_column(Text)  # base64
    # A key made by changing IA's key: the one it replaces, and that key's signature
    # (its endorsing half, hex) over the succession (ia_desk.audit.iakeys).
    replaces_id: Mapped[int | None] = mapped_column(Integer)
    succession: Mapped[str | None] = mapped_column(Text)


class IaKeyGrant(IntegerId, CreatedAt, Base):
    """IA's private key sealed to one IA user's key (its sealing pair): that user, and
    only with their own password, opens it at sign-in. Removed when the user is
    disabled or their key is replaced."""

    __tablename__ = "ia_key_grant"
    __table_args__ = (UniqueConstraint("ia_key_id", "user_key_id"),)
    ia_key_id: Mapped[int] = mapped_column(ForeignKey("ia_key.id"))
    user_key_id: Mapped[int] = mapped_column(ForeignKey("user_key.id"), index=True)
    sealed: Mapped[str] = mapped_column(Text)  # base64
    granted_by: Mapped[str] = mapped_column(String(40))
