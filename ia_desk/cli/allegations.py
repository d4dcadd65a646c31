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


def cmd_allegation_screen(args: argparse.Namespace) -> int:
    """The scope and First Amendment screen of an allegation (3.21 purpose and scope 9;
    the public-concern balance), before it can be sustained under a speech clause."""
    from ia_desk.services import allegations

    facts = {
        "identified_as_employee": args.identified,
        "department_resources": args.resources,
        "in_uniform": args.uniform,
        "official_account": args.official,
        "workplace_effect": args.effect,
        "public_concern": {"yes": True, "no": False}.get(args.public_concern or ""),
        "concern_note": args.concern_note,
        "balance": args.balance,
        "outcome": args.outcome,
    }
    allegations.screen_speech(*context.signed_in(args), args.id, facts)
    print(f"allegation {args.id}: screen recorded")
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
    sp = arg.command(
        al, "screen", cmd_allegation_screen, "the scope and First Amendment screen of an allegation"
    )
    sp.add_argument("id", type=arg.record_id("id", "an allegation id"))
    sp.add_argument("--identified", action="store_true", help="identified as an employee")
    sp.add_argument("--resources", action="store_true", help="used Department resources")
    sp.add_argument("--uniform", action="store_true", help="in the Department's uniform")
    sp.add_argument("--official", action="store_true", help="on an official Department account")
    sp.add_argument("--effect", help="how it affects workplace harmony, discipline or public trust")
    sp.add_argument("--public-concern", choices=["yes", "no"], help="a matter of public concern?")
    sp.add_argument("--concern-note", help="what the matter of public concern is")
    sp.add_argument("--balance", help="IA's balance of the two interests")
    sp.add_argument("--outcome", choices=["department_interest_outweighs", "speech_protected"])
