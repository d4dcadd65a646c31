"""``ia-desk brady ...``: the Brady/Giglio disclosure review (ia_desk.discipline.brady):
the flags sustained findings under credibility clauses raised, IA's decision on each,
and the log of each disclosure to a prosecutor. An employee's flags: ``brady list
--employee BADGE``."""

from __future__ import annotations

import argparse
from typing import Any

from ia_desk.cli import arguments as arg
from ia_desk.cli import context
from ia_desk.terms import BRADY_DECISIONS, BRADY_STATUSES


def _line(f: dict[str, Any]) -> str:
    return (
        f"{f['id']:>4}  badge {f['employee']:<8} {f['case']}  {f['clause']} "
        f"({', '.join(f['grounds'])}): {f['status_words']}"
    )


def _details(f: dict[str, Any]) -> str:
    lines = [
        f"Brady/Giglio flag {f['id']}: badge {f['employee']} {f['name']}",
        f"  case {f['case']}, allegation {f['allegation']}: {f['clause']} "
        f"{f['disposition'] or 'no finding'}"
        + (f" on {f['finding_on']}" if f["finding_on"] else ""),
        f"  bears on: {', '.join(f['grounds'])}: {f['why']}",
        f"  raised {f['raised_at'][:10]} (matrix version {f['matrix_version']})",
        f"  status: {f['status_words']}",
    ]
    if f["decided_at"]:
        lines.append(f"  decided {f['decided_at'][:10]} by {f['decided_by']}: {f['reason']}")
    if f["withdrawn_at"]:
        lines.append(f"  withdrawn {f['withdrawn_at'][:10]}")
    for d in f["disclosures"]:
        lines.append(
            f"  disclosed {d['disclosed_on']} to {d['office']} by {d['disclosed_by']}: "
            f"{d['what']} (recorded by {d['recorded_by']})"
        )
    if f["notice"]:
        lines.append(f"  note: {f['notice']}")
    lines.append(
        "  stops disposal of the employee's records"
        if f["stops_disposal"]
        else "  does not stop disposal"
    )
    return "\n".join(lines)


def cmd_brady_list(args: argparse.Namespace) -> int:
    from ia_desk.services import brady

    rows = brady.flags(*context.signed_in(args), status=args.status, badge=args.employee)
    if args.json:
        context.show(rows, True, "")
        return 0
    for f in rows:
        print(_line(f))
    if not rows:
        print("no Brady/Giglio flags" + (f" {args.status}" if args.status else ""))
    return 0


def cmd_brady_show(args: argparse.Namespace) -> int:
    from ia_desk.services import brady

    f = brady.flag(*context.signed_in(args), args.flag)
    context.show(f, args.json, _details(f))
    return 0


def cmd_brady_decide(args: argparse.Namespace) -> int:
    from ia_desk.services import brady

    f = brady.decide(*context.signed_in(args), args.flag, args.decision, args.reason).value
    context.show(f, args.json, f"Brady/Giglio flag {f['id']}: {f['status_words']}")
    return 0


def cmd_brady_disclose(args: argparse.Namespace) -> int:
    from ia_desk.services import brady

    f = brady.disclose(
        *context.signed_in(args), args.flag, args.on, args.office, args.by, args.what
    ).value
    d = f["disclosures"][-1]
    context.show(
        f,
        args.json,
        f"Brady/Giglio flag {f['id']}: disclosure of {d['disclosed_on']} to {d['office']} logged",
    )
    return 0


def register(commands: arg.Commands) -> None:
    br = arg.group(
        commands, "brady", "Brady/Giglio review of sustained findings that bear on credibility"
    )
    sp = arg.command(br, "list", cmd_brady_list, "the flags, newest first")
    sp.add_argument("--status", choices=list(BRADY_STATUSES))
    sp.add_argument("--employee", metavar="BADGE", type=arg.badge())
    sp.add_argument("--json", action="store_true")
    sp = arg.command(br, "show", cmd_brady_show, "a flag, its decision and its disclosures")
    sp.add_argument("flag", type=arg.record_id("flag", "a Brady/Giglio flag"))
    sp.add_argument("--json", action="store_true")
    sp = arg.command(br, "decide", cmd_brady_decide, "decide a flag under review (IA admin)")
    sp.add_argument("flag", type=arg.record_id("flag", "a Brady/Giglio flag"))
    sp.add_argument("--decision", required=True, choices=list(BRADY_DECISIONS))
    sp.add_argument("--reason", required=True, help="why it is, or is not, disclosable")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(
        br, "disclose", cmd_brady_disclose, "log a disclosure to a prosecutor (IA admin)"
    )
    sp.add_argument("flag", type=arg.record_id("flag", "a Brady/Giglio flag"))
    sp.add_argument("--on", required=True, metavar="DATE", help="the day it was disclosed")
    sp.add_argument("--office", required=True, help="the prosecutor's office")
    sp.add_argument("--by", required=True, help="who disclosed it")
    sp.add_argument("--what", required=True, help="what was disclosed")
    sp.add_argument("--json", action="store_true")
