"""IA's working papers on a case: its notes and its tasks (issue 22).

Both are IA's alone: only IA roles read or write them (:mod:`ia_desk.cases.notes`
enforces it), and what they say is sealed to IA's key (:mod:`ia_desk.accounts.iakey`):
``sealed`` rows hold, base64, a note's text, a task's title and what was done as only
an IA user's own password opens. A row from before IA's key existed is in clear until
the first IA administrator's sign-in seals it.

What a note says is never changed once written (it is sealed as it is inserted, and
a note from before sealing is sealed once, at the upgrade): an edit is a new note that
``supersedes`` the one it replaces, so what a note said at any time stays in the case
(append-only; a note is superseded at most once, so its versions form one line). A
task is one thing to do on the case, for one IA user, by a calendar date; marking it
done keeps who and when.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ia_desk.db.models.base import Base, CreatedAt, IntegerId, OnCase, VersionCounted, written_at

if TYPE_CHECKING:
    from ia_desk.db.models.cases import Case
    from ia_desk.db.models.people import User


class CaseNote(IntegerId, OnCase, Base):
    """A note IA wrote on a case; an edit is a new row that supersedes this one."""

    __tablename__ = "case_note"
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    written_at: Mapped[dt.datetime] = written_at()
    text: Mapped[str] = mapped_column(Text)
    sealed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The note this one replaces (None: a first version). Unique: one edit per version.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("case_note.id"), unique=True)
    author: Mapped[User] = relationship()


class CaseTask(IntegerId, OnCase, CreatedAt, VersionCounted, Base):
    """Something to do on a case, assigned to an IA user, due on a date (the
    department's calendar); done when ``done_at`` is set."""

    __tablename__ = "case_task"
    title: Mapped[str] = mapped_column(Text)
    sealed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    assignee_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # What was done (given when the task is marked done; optional).
    note: Mapped[str | None] = mapped_column(Text)
    case: Mapped[Case] = relationship()
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
