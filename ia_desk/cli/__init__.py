"""The ``ia-desk`` command line: parses, calls the services, prints. No rules live here.

Exit codes: 0 ok, 1 a check failed, 2 bad input, 3 permission denied (or sign-in failed),
70 an unexpected error (a bug: said plainly, with no traceback unless ``IA_DESK_DEBUG=1``).
The acting user comes from ``IA_DESK_USER``/``IA_DESK_PASSWORD`` or is asked for.
Running ``ia-desk`` with no command starts the desktop app.

Each group of commands is a module holding its parser beside its handlers (``cases``:
``report add`` and ``case ...``; ``admin``: settings, export, backups, demo, audit...),
each with a ``register(commands)``. A handler calls only ``ia_desk.services`` (through
:mod:`.context`'s signed-in database and user), never a room of the core: the rules,
permissions and audit events are the services'. Every argument is checked as it is
parsed, by its kind in :mod:`.arguments`: a refusal names the argument, exit 2.

Importing this package and building the parser load no database layer (``--version``
and ``--help`` stay fast): the choices come from :mod:`ia_desk.terms`, and each handler
imports the services it calls.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from ia_desk import __version__
from ia_desk.cli import (
    admin,
    allegations,
    arguments,
    brady,
    cases,
    database,
    discipline,
    evidence,
    notes,
    policy,
    registers,
    reports,
    users,
)
from ia_desk.cli.context import say
from ia_desk.errors import IADeskError

__all__ = ["EXIT_UNEXPECTED", "build_parser", "main"]

DEBUG_ENV = "IA_DESK_DEBUG"
EXIT_UNEXPECTED = 70  # EX_SOFTWARE: an internal error, not the user's input

# The groups of commands; each registers its own.
GROUPS = (
    database,  # init, db ...
    users,  # user ...
    policy,  # policy ...
    cases,  # report add, case ...
    allegations,  # allegation ...
    notes,  # note ..., task ...
    evidence,  # evidence ...
    discipline,  # discipline ..., warning ..., retaliation, protection
    brady,  # brady ...
    registers,  # approval ..., account ..., training ...
    reports,  # summary, stats
    admin,  # settings ..., export, backup, restore, demo, audit ...
)

# The order ``ia-desk --help`` (and argparse's "invalid choice" message) lists the
# commands in, as it always has; a command not named here comes after them.
COMMAND_ORDER = (
    "init",
    "user",
    "backup",
    "restore",
    "policy",
    "home",
    "report",
    "case",
    "note",
    "task",
    "stats",
    "demo",
    "summary",
    "discipline",
    "warning",
    "brady",
    "retaliation",
    "protection",
    "allegation",
    "evidence",
    "approval",
    "account",
    "training",
    "settings",
    "export",
    "db",
    "audit",
)


def build_parser() -> arguments.Parser:
    """The parser of every command (each group's ``register``), with the global options."""
    p = arguments.Parser(prog="ia-desk", description="IA Desk: Internal Affairs case handling.")
    p.add_argument("--version", action="version", version=f"ia-desk {__version__}")
    p.add_argument(
        "--check-start",
        action="store_true",
        help="start the desktop app, sign in from IA_DESK_USER/IA_DESK_PASSWORD, "
        "show the main window, then quit (a deployment check)",
    )
    p.add_argument(
        "--db",
        metavar="URL",
        type=arguments.database,
        help="database file or URL (default: IA_DESK_DB, else the encrypted file "
        "in the user data folder)",
    )
    commands = p.add_subparsers(dest="command", parser_class=arguments.Parser)
    for group in GROUPS:
        group.register(commands)
    _in_order(commands)
    return p


def _in_order(commands: arguments.Commands) -> None:
    """Put the registered commands in :data:`COMMAND_ORDER` (argparse lists them in the
    order they were added: its name map, and the help lines it keeps beside it)."""
    rank = {name: i for i, name in enumerate(COMMAND_ORDER)}

    def key(name: str) -> int:
        return rank.get(name, len(rank))

    parsers = sorted(commands.choices.items(), key=lambda item: key(item[0]))
    commands.choices.clear()
    commands.choices.update(parsers)
    commands._choices_actions.sort(key=lambda action: key(action.dest))


def _format_warning(message: Warning | str, *_args: Any, **_kwargs: Any) -> str:
    return f"ia-desk: warning: {message}\n"


def main(
    argv: Sequence[str] | None = None,
    run_app: Callable[[str | None, bool], int] | None = None,
) -> int:
    """Run one command. With no command, ``run_app(db_url, check_start)`` starts the app
    (passed in by ``ui.launcher`` so that the core never imports the UI)."""
    warnings.formatwarning = _format_warning
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            if run_app is None:
                parser.print_help()
                return 2
            return run_app(args.db, args.check_start)
        if not hasattr(args, "func"):
            parser.print_help()
            return 2
        return int(args.func(args))
    except IADeskError as exc:
        say(f"ia-desk: {exc.message}")
        return exc.exit_code
    except KeyboardInterrupt:
        say("ia-desk: interrupted; nothing was saved from the unfinished command.")
        return 130
    except SystemExit as exc:  # argparse --help / --version
        return int(exc.code or 0)
    except BrokenPipeError:  # the reader went away (`ia-desk audit list | head`)
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the interpreter's exit flush
        return 141
    except Exception as exc:  # the last line of defence: a bug, never a traceback
        # The exception's text may carry what the command was handling (SQL parameters
        # hold names and narratives): only its kind is said, unless debugging is asked for.
        if os.environ.get(DEBUG_ENV) == "1":
            say("".join(traceback.format_exception(exc)).rstrip())
        say(
            f"ia-desk: the command failed with an unexpected error ({type(exc).__name__}); "
            f"nothing was saved. This is a fault in IA Desk, not in what you typed: set "
            f"{DEBUG_ENV}=1 for the details to report it."
        )
        return EXIT_UNEXPECTED
