"""The kinds of command-line argument, each checked as it is parsed.

Every argument is checked by the helper of its kind of field in ``ia_desk.validation``
(an argparse ``type=``): identifiers (badges, logins, case numbers, clause ids) are put in
their normal form, ids and counts bounded, file names refused when no file system takes
them, and any other text refused if it is not Unicode (undecodable bytes) or holds
direction controls (:class:`Parser` gives every text argument without a kind that check).
A refusal is an ``InputError`` naming the argument, which argparse does not catch, so the
command ends with exit 2 before anything is opened.

Nothing here is imported before it is needed: building the parser must stay fast
(``ia-desk --version`` loads no database layer), so ``ia_desk.validation`` is loaded by
the first argument checked, and SQLAlchemy only to read a ``--db`` URL.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias

from ia_desk.errors import InputError

Handler = Callable[[argparse.Namespace], int]
"""What runs a command: the parsed arguments in, the exit code out."""


class UsageError(InputError):
    """The command line does not parse (an unknown command, a missing argument): exit 2."""


def checked(helper: str, field: str, **options: Any) -> Callable[[str], Any]:
    """An argparse ``type=``: checks one argument with ``validation.<helper>`` and returns
    what the helper returns (a normalised identifier, a bounded int). Its InputError names
    the argument and is not caught by argparse, so the command ends with exit 2."""

    def convert(value: str) -> Any:
        from ia_desk import validation

        return getattr(validation, helper)(value, field, **options)

    convert.__name__ = field
    return convert


def identifier(field: str, max_len: int = 40) -> Callable[[str], Any]:
    """A case number, login, clause id or key, in its normal form."""
    return checked("identifier", field, max_len=max_len)


def badge(field: str = "--employee") -> Callable[[str], Any]:
    """An employee's badge, in its normal form (``１２３４`` is badge 1234)."""
    return checked("identifier", field, max_len=20)


def badges(field: str) -> Callable[[str], Any]:
    """A comma-separated list of badges, each in its normal form."""

    def convert(value: str) -> str:
        from ia_desk import validation

        found = [validation.identifier(b, field, max_len=20) for b in value.split(",") if b.strip()]
        return ",".join(b for b in found if b)

    convert.__name__ = field
    return convert


def person(field: str) -> Callable[[str], Any]:
    """A person's name (NFKC, spaces tidied; invisible and direction characters refused)."""
    return checked("person_name", field)


def record_id(field: str, what: str) -> Callable[[str], Any]:
    """The id of a stored record (an allegation, an evidence item...), bounded."""
    return checked("record_id", field, what=what)


def count(field: str, maximum: int, minimum: int = 1) -> Callable[[str], Any]:
    """A whole number from ``minimum`` to ``maximum``."""
    return checked("limit", field, maximum=maximum, minimum=minimum)


def path(field: str) -> Callable[[str], Any]:
    """A file or folder name (kept as text; checked for what no file system takes).
    ``-`` (standard input) is kept as it is."""

    def convert(value: str) -> str:
        from ia_desk import validation

        return value if value == "-" else str(validation.file_path(value, field))

    convert.__name__ = field
    return convert


def database(value: str) -> str:
    """``--db``: a file path or a URL of a kind IA Desk opens, refused naming ``--db``
    when no database could be there (a folder, a name no file system takes, a scheme such
    as http://). Whether it opens is for ``open_database`` to say."""
    from ia_desk import validation

    validation.plain_argument(value, "--db")
    if "://" not in value:
        where = validation.file_path(value, "--db").expanduser()
    else:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise InputError(
                "--db: not a database URL (postgresql+psycopg://USER@HOST/DB, "
                "sqlite+pysqlcipher:///PATH) nor a file path.",
                field="--db",
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise InputError(
                f"--db: a '{validation.printable(url.get_backend_name())}' address is not a "
                "database IA Desk opens: give a file path, sqlite+pysqlcipher:///PATH or "
                "postgresql+psycopg://USER@HOST/DB.",
                field="--db",
            )
        if url.get_backend_name() != "sqlite" or not url.database:
            return value
        where = validation.file_path(url.database, "--db").expanduser()
    if where.is_dir():
        raise InputError(
            f"--db: {validation.printable(str(where), 200)} is a folder; give the database file.",
            field="--db",
        )
    return value


def optional_date(value: str | None, field: str) -> Any:
    """A date argument given as text (YYYY-MM-DD, within 1900 to 2200), or None."""
    from ia_desk import validation

    return validation.date(value, field, required=False) if value else None


def input_file(name: str, field: str, max_bytes: int) -> bytes:
    """The bytes of a file the user names, refused (naming it) if it is not a readable
    regular file or is larger than ``max_bytes``."""
    from ia_desk import validation

    source = Path(name)
    if not source.is_file():
        raise InputError(f"{field}: {validation.printable(name, 200)}: no such file.", field=field)
    try:
        size = source.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{field}: {validation.printable(name, 200)} is {size:,} bytes; at most "
                f"{max_bytes:,}.",
                field=field,
            )
        return source.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{field}: cannot read {validation.printable(name, 200)}: {exc.strerror}.",
            field=field,
        ) from None


def output_file(name: str | None, field: str) -> Path | None:
    """Where a command will write: checked before anything is done (the folder exists,
    the target is not a device, a pipe or a folder). None when no file was asked for."""
    from ia_desk import validation

    return validation.output_file(name, field) if name else None


class Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are ours (exit 2, our wording, no traceback) and
    whose every text argument is checked."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        raise UsageError(message)

    def add_argument(self, *args: Any, **kwargs: Any) -> Any:
        """Every text argument without a kind of its own is still checked: Unicode text
        (no undecodable bytes), no direction controls."""
        if kwargs.get("action", "store") in ("store", "append") and "type" not in kwargs:
            field = next((a for a in args if a.startswith("--")), None) or (
                args[0] if args else kwargs.get("dest", "argument")
            )
            kwargs["type"] = checked("plain_argument", str(field))
        return super().add_argument(*args, **kwargs)


Commands: TypeAlias = "argparse._SubParsersAction[Parser]"
"""What ``add_subparsers`` returns: where a group's commands are added."""


def group(commands: Commands, name: str, help_: str) -> Commands:
    """A command with sub-commands (``ia-desk case ...``); one of them must be given."""
    parser = commands.add_parser(name, help=help_)
    return parser.add_subparsers(dest=f"{name}_cmd", required=True, parser_class=Parser)


def command(commands: Commands, name: str, handler: Handler, help_: str) -> Parser:
    """A command that runs ``handler``; its help is its description too."""
    parser = commands.add_parser(name, help=help_, description=help_)
    parser.set_defaults(func=handler)
    return parser
