"""What every command shares: the database it opens, the user it signs in, what it asks
at the terminal, and how it prints.

The acting user comes from ``IA_DESK_USER``/``IA_DESK_PASSWORD`` or is asked for (in a
terminal only; a script without them is refused, exit 3). A user whose password was set
by an administrator is refused everything but ``user passwd`` until they choose their
own. Passwords and passphrases are read from the environment or asked without echo, and
never printed.

The database and the sign-in come from the services (``ia_desk.services.database`` and
``.accounts``), loaded when a command first needs them.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

from ia_desk.errors import AuthenticationError, InputError, StorageError

if TYPE_CHECKING:
    from ia_desk.services import Actor, Database

USER_ENV = "IA_DESK_USER"
PASSWORD_ENV = "IA_DESK_PASSWORD"  # noqa: S105 - the name of a variable
NEW_PASSWORD_ENV = "IA_DESK_NEW_PASSWORD"  # noqa: S105
DB_PASSWORD_ENV = "IA_DESK_DB_PASSWORD"  # noqa: S105 - the name of a variable
BACKUP_PASSPHRASE_ENV = "IA_DESK_BACKUP_PASSPHRASE"  # noqa: S105 - a variable's name
RECOVERY_CODE_ENV = "IA_DESK_RECOVERY_CODE"


class SignedIn(NamedTuple):
    """An open database and the user signed in to it: what a command hands each service."""

    db: Database
    actor: Actor


def say(message: str) -> None:
    """Print a message to stderr whatever its encoding takes (never a second error)."""
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    safe = message.encode(encoding, "backslashreplace").decode(encoding, "replace")
    print(safe, file=sys.stderr)


def warn(message: str) -> None:
    """A warning on standard error: the command goes on, standard output stays its own."""
    print(f"ia-desk: warning: {message}", file=sys.stderr)


def show(data: Any, as_json: bool, human: str) -> None:
    """Print ``data`` as JSON (``--json``) or the text for a person."""
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        print(human)


def prompt_passphrase(message: str, confirm: bool) -> str:
    """Ask for a passphrase in a terminal (empty when there is none to ask in)."""
    if not sys.stdin.isatty():
        return ""
    first = getpass.getpass(f"{message}: ")
    if confirm and getpass.getpass("Again, to confirm: ") != first:
        raise InputError("The two passphrases differ.", field="passphrase")
    return first


def new_password(login: str) -> str:
    """A new password for ``login``: ``IA_DESK_NEW_PASSWORD``, or asked twice."""
    value = os.environ.get(NEW_PASSWORD_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise InputError(
            f"No password for {login}: set {NEW_PASSWORD_ENV} or run in a terminal.",
            field="password",
        )
    first = getpass.getpass(f"New password for {login}: ")
    if getpass.getpass("Again, to confirm: ") != first:
        raise InputError("The two passwords differ.", field="password")
    return first


def server_password(user: str, host: str) -> str | None:
    """The password of a server account: ``IA_DESK_DB_PASSWORD``, or asked in a terminal."""
    password = os.environ.get(DB_PASSWORD_ENV)
    if password is None and sys.stdin.isatty():
        password = getpass.getpass(f"Password of {user} on {host}: ")
    return password


def backup_passphrase(own: bool, confirm: bool) -> str | None:
    """The passphrase of a backup file that has its own (``--own-passphrase``):
    ``IA_DESK_BACKUP_PASSPHRASE`` or asked; None for one under the database's key."""
    if not own:
        return None
    value = os.environ.get(BACKUP_PASSPHRASE_ENV) or prompt_passphrase(
        "Passphrase for the backup file", confirm
    )
    if not value:
        raise InputError(
            f"Give the backup's passphrase in {BACKUP_PASSPHRASE_ENV} or run in a terminal.",
            field="passphrase",
        )
    return value


_asked: dict[str, tuple[str, str]] = {}


def credentials() -> tuple[str, str]:
    """Login and password: from the environment, or asked in a terminal (once per
    command: what opened the database also signs the user in)."""
    login = os.environ.get(USER_ENV)
    password = os.environ.get(PASSWORD_ENV)
    if not login or password is None:
        if "asked" in _asked:
            return _asked["asked"]
        if not sys.stdin.isatty():
            raise AuthenticationError(
                f"Sign-in needed: set {USER_ENV} and {PASSWORD_ENV}, or run in a terminal."
            )
        login = login or input("Login: ")
        password = getpass.getpass("Password: ")
        _asked["asked"] = (login, password)
    return login, password


def show_recovery_code(db: Database) -> None:
    """Print a recovery code made by this command (a new database, or the move to own
    passwords), once, on standard error with what to do with it."""
    from ia_desk.services import database

    code = database.take_recovery_code(db)
    if code:
        say(f"\n{database.RECOVERY_NOTICE}\n\n    {code}\n")


def open_database(args: argparse.Namespace) -> Database:
    """The database of ``--db`` (or the default one), after the daily backup when one is
    due. A backup that cannot be made (a full disk) is a warning: it must not keep anyone
    from working."""
    from ia_desk.services import database

    db = database.open_database(args.db, prompt=prompt_passphrase, credentials=credentials)
    try:
        database.daily_backup_if_due(db)
    except StorageError as exc:
        warn(exc.message)
    return db


def sign_in(db: Database) -> Actor:
    """Sign the user in; one whose password was set by an administrator is sent to
    ``user passwd`` first."""
    from ia_desk.services import accounts

    actor = accounts.sign_in(db, *credentials())
    show_recovery_code(db)  # the first sign-in after the upgrade makes one
    if actor.must_change_password:
        raise AuthenticationError(
            f"The password of {actor.login} was set by an administrator: choose your own "
            f"with 'ia-desk user passwd' first (old password in {PASSWORD_ENV}, new one in "
            f"{NEW_PASSWORD_ENV}, or asked)."
        )
    return actor


def signed_in(args: argparse.Namespace) -> SignedIn:
    """Open the database and sign in: what nearly every command starts with."""
    db = open_database(args)
    return SignedIn(db, sign_in(db))
