"""``ia-desk allegation ...``: citing a clause against an employee on a case, and the
finding on an allegation (held while a retaliation review is pending for it)."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from ia_desk.cli import arguments as arg
from ia_desk.cli import context


def cmd_allegation_add(args: argparse.Namespace) -> int:
    from ia_desk.services import allegations

    done = allegations.add_allegation(
        *context.signed_in(args), args.case, args.employee, args.clause
    ).value
    human = f"allegation {done.id} added: {done.employee} {done.clause}"
    context.show(asdict(done), args.json, human)
    return 0


def cmd_allegation_find(args: argparse.Namespace) -> int:
    from ia_desk.services import allegations

    on = arg.optional_date(args.on, "--on")
    done = allegations.record_finding(
        *context.signed_in(args), args.id, args.disposition, args.rationale, on
    ).value
    context.show(asdict(done), args.json, f"allegation {done.id}: {done.disposition}")
    return 0


def register(commands: arg.Commands) -> None:
    """Add the ``allegation ...`` commands to the parser."""
    al = arg.group(commands, "allegation", "allegations and findings")
    sp = arg.command(al, "add", cmd_allegation_add, "allege a clause against an employee")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--employee", required=True, metavar="BADGE", type=arg.badge())
    sp.add_argument("--clause", required=True, type=arg.identifier("--clause", 80))
    sp.add_argument("--json", action="store_true")
    sp = arg.command(al, "find", cmd_allegation_find, "record an allegation's finding")
    sp.add_argument("id", type=arg.record_id("id", "an allegation id"))
    sp.add_argument("--disposition", required=True)
    sp.add_argument("--rationale")
    sp.add_argument("--on", metavar="DATE")
    sp.add_argument("--json", action="store_true")
