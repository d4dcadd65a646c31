"""The errors a service may raise, each mapped to one CLI exit code.

Every message is written for the person at the keyboard: it names what is wrong
(the field, the file, the permission) and never carries a secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class IADeskError(Exception):
    """Base of every expected failure. ``exit_code`` is what the CLI returns."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(IADeskError):
    """Bad input: the message names the field or file and what is wrong with it."""

    exit_code = 2

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(InputError):
    """A case, clause, employee or user named by the caller does not exist."""


class ConflictError(IADeskError):
    """Someone else changed the record since it was read (optimistic locking)."""

    exit_code = 1


class AuthenticationError(IADeskError):
    """Sign-in failed: wrong login or password, account locked or disabled."""

    exit_code = 3


class DatabaseKeyError(IADeskError):
    """The database key or passphrase is wrong or missing."""

    exit_code = 1


class StorageError(IADeskError):
    """The database cannot be used where it is (network share, unreadable file)."""

    exit_code = 1


class ReadOnlyDatabase(StorageError):
    """The embedded database's disk is full: it takes no changes until there is room
    (reading, printing, exports and backups to another disk go on; see ia_desk.db.storage)."""


@dataclass
class AuditedRefusal:
    """What to write to the audit trail when an operation is refused.

    The refusal is written in its own transaction after the failed one is rolled back,
    so a denied attempt leaves a trace while the data stays as it was.
    """

    event_type: str
    object_type: str | None = None
    object_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    case_number: str | None = None  # so `audit list --case` finds the refusal too


class PermissionDenied(IADeskError):
    """The acting user's role may not do this. Always audited."""

    exit_code = 3

    def __init__(self, message: str, refusal: AuditedRefusal | None = None) -> None:
        super().__init__(message)
        self.refusal = refusal


class RefusedInput(InputError):
    """Bad input whose refusal must itself be audited (e.g. a hostile evidence file)."""

    def __init__(self, message: str, refusal: AuditedRefusal, field: str | None = None) -> None:
        super().__init__(message, field)
        self.refusal = refusal


class Blocked(IADeskError):
    """A rule holds the action back until something else is done (e.g. a review)."""

    exit_code = 1
