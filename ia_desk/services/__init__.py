"""The one door: every user action is one function here, and the command line and the
windows call nothing else.

A service takes the database and the acting user (never a global "current user"),
opens its own transaction (so a door opens none), checks permission and the rules of
every room the action touches (a retaliation review holds a close and a finding, a
referral for training opens the training owed), validates, writes, appends the audit
event in the same transaction, and returns the result with what changed
(:class:`Changes`), so every open screen can refresh itself. A refusal is audited by the
storage room's hooks (:mod:`ia_desk.audit.hooks`) after the rollback; so is a
transaction of an account that was disabled or changed since it signed in.

Services block: the desktop runs them off the GUI thread (``ui.ops``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ia_desk.db.engine import Database
from ia_desk.security.actor import Actor

T = TypeVar("T")

__all__ = ["Actor", "Changes", "Database", "Done"]


@dataclass(frozen=True)
class Changes:
    """What a service changed, for the screens to refresh (in the spirit of Anki's
    OpChanges): the case numbers whose file changed, and which lists."""

    cases: frozenset[str] = field(default_factory=frozenset)
    case_list: bool = False  # a case added, or a row of the list changed
    roster: bool = False  # employees
    accounts: bool = False  # users and their roles
    settings: bool = False  # department settings, the discipline matrix
    registers: bool = False  # approvals, official accounts and posts, training

    @classmethod
    def case(cls, *numbers: str) -> Changes:
        return cls(cases=frozenset(numbers), case_list=True)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.cases | other.cases,
            self.case_list or other.case_list,
            self.roster or other.roster,
            self.accounts or other.accounts,
            self.settings or other.settings,
            self.registers or other.registers,
        )

    @property
    def anything(self) -> bool:
        return bool(
            self.cases
            or self.case_list
            or self.roster
            or self.accounts
            or self.settings
            or self.registers
        )


NOTHING = Changes()


@dataclass(frozen=True)
class Done(Generic[T]):
    """A service's result and what it changed."""

    value: T
    changes: Changes = NOTHING
