"""``ia-desk user ...``: accounts. An IA administrator adds, lists, resets, disables and
enables them; every user changes their own password (``user passwd``), which a new or
reset account must do before anything else."""

from __future__ import annotations

import argparse

from ia_desk.cli import arguments as arg
from ia_desk.cli import context
from ia_desk.terms import ROLES


def cmd_user_add(args: argparse.Namespace) -> int:
    from ia_desk.services import accounts

    db, actor = context.signed_in(args)
    password = context.new_password(args.login)
    login = accounts.add_user(db, actor, args.login, args.role, args.name, password).value
    print(f"user added: {login} ({args.role})")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    """Change one's own password, proving the old one: the only command a password set
    by an administrator opens."""
    from ia_desk.services import accounts

    db = context.open_database(args)
    login, old = context.credentials()
    actor = accounts.change_password(db, login, old, context.new_password(login))
    print(f"password of {actor.login} changed")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from ia_desk.services import accounts

    rows = accounts.users(*context.signed_in(args))
    if args.json:
        context.show(rows, True, "")
    else:
        for u in rows:
            state = "disabled" if not u["active"] else "LOCKED" if u["locked"] else "active"
            print(f"{u['login']:<20} {u['role']:<16} {state:<9} {u['name']}")
    return 0


def cmd_user_reset(args: argparse.Namespace) -> int:
    from ia_desk.services import accounts

    db, actor = context.signed_in(args)
    accounts.reset_password(db, actor, args.login, context.new_password(args.login))
    print(f"password of {args.login} reset; any lockout is lifted")
    return 0


def cmd_user_active(args: argparse.Namespace) -> int:
    from ia_desk.services import accounts

    active = args.user_cmd == "enable"
    held = accounts.set_active(*context.signed_in(args), args.login, active).value
    print(f"{args.login} {'enabled' if active else 'disabled'}")
    if held:
        context.warn(accounts.KEY_HELD.format(login=args.login))
    return 0


def register(commands: arg.Commands) -> None:
    """Add the ``user ...`` commands to the parser."""
    user = arg.group(commands, "user", "user accounts")
    sp = arg.command(
        user,
        "add",
        cmd_user_add,
        f"add a user (password from {context.NEW_PASSWORD_ENV} or asked)",
    )
    sp.add_argument("login", type=arg.identifier("login"))
    sp.add_argument("--role", required=True, choices=list(ROLES))
    sp.add_argument("--name", required=True, type=arg.person("--name"))
    arg.command(
        user,
        "passwd",
        cmd_user_passwd,
        f"change your own password (old: {context.PASSWORD_ENV} or asked; new: "
        f"{context.NEW_PASSWORD_ENV} or asked)",
    )
    sp = arg.command(user, "list", cmd_user_list, "list accounts (IA admin)")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(
        user, "reset", cmd_user_reset, "set a new password and lift a lockout (IA admin)"
    )
    sp.add_argument("login", type=arg.identifier("login"))
    for name in ("disable", "enable"):
        sp = arg.command(user, name, cmd_user_active, f"{name} an account (IA admin)")
        sp.add_argument("login", type=arg.identifier("login"))
