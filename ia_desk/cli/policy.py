"""``ia-desk policy ...``: the clause catalogue (listing and showing clauses as in force on
a date, suggesting the clauses a narrative breaches), the clauses brought to the annual
review by findings of policy failure, and recording that review (3.21 §VI.A)."""

from __future__ import annotations

import argparse

from ia_desk.cli import arguments as arg
from ia_desk.cli import context
from ia_desk.errors import InputError
from ia_desk.terms import DEPARTMENTS, POLICIES

SUGGEST_TOP_MAX = 50


def cmd_policy_list(args: argparse.Namespace) -> int:
    """The clauses, read without signing in (the published policies)."""
    from ia_desk.services import policy

    clauses = policy.clauses(context.open_database(args), args.policy)
    if args.json:
        context.show(clauses, True, "")
    else:
        for c in clauses:
            mark = {"advisory": "  [advisory]", "not_citable": "  [not citable]"}.get(
                c.get("citable", ""), ""
            )
            print(f"{c['id']:<48} {c['title']}{mark}")
    return 0


def cmd_policy_show(args: argparse.Namespace) -> int:
    import datetime as dt

    from ia_desk.services import policy

    on = arg.optional_date(args.on, "--on")
    c = policy.clause(context.open_database(args), args.clause, on or dt.date.today())
    context.show(
        c,
        args.json,
        f"{c['id']}  ({c['policy']} version {c['version']})\n{c['title']}\n"
        + (
            f"{'Advisory' if c['citable'] == 'advisory' else 'Not citable in an allegation'}: "
            f"{c['why_not_a_rule']}.\n"
            if c.get("why_not_a_rule")
            else ""
        )
        + f"\n{c['text']}",
    )
    return 0


def cmd_policy_suggest(args: argparse.Namespace) -> int:
    """Rank the clauses a narrative may breach; no database is opened."""
    from ia_desk.services import policy

    rows = [s.as_dict() for s in policy.suggest(args.text, args.department, args.policy, args.top)]
    if args.json:
        context.show(rows, True, "")
    else:
        for r in rows:
            print(f"{r['score']:6.2f}  {r['clause']:<24} {r['title']}  ({', '.join(r['why'])})")
    return 0


def cmd_policy_annual_review(args: argparse.Namespace) -> int:
    from ia_desk.services import registers

    on = arg.optional_date(args.on, "--on")
    if on is None:
        raise InputError("--on: the date of the review.", field="on")
    registers.annual_review(*context.signed_in(args), args.policy, on, args.reviewers, args.outcome)
    print(f"annual review of {args.policy} recorded")
    return 0


def cmd_policy_reviews(args: argparse.Namespace) -> int:
    from ia_desk.services import allegations

    rows = allegations.policy_review_items(*context.signed_in(args), args.policy, args.all)
    if args.json:
        context.show(rows, True, "")
    else:
        for r in rows:
            print(
                f"{r['clause']:<28} {r['case']:<14} opened {r['opened_at'][:10]} by "
                f"{r['opened_by']}" + (" (closed)" if r["closed_at"] else "")
            )
        print(f"{len(rows)} item(s)")
    return 0


def cmd_policy_add_version(args: argparse.Namespace) -> int:
    """An earlier (or later) version of a policy, from a file of the catalogue's form."""
    from pathlib import Path

    from ia_desk.services import policy

    name = policy.add_version(*context.signed_in(args), Path(args.file))
    print(f"added {name}: allegations of incidents from its effective date cite it")
    return 0


def register(commands: arg.Commands) -> None:
    """Add the ``policy ...`` commands to the parser."""
    pol = arg.group(commands, "policy", "the clause catalogue")
    sp = arg.command(pol, "list", cmd_policy_list, "list clauses")
    sp.add_argument("--policy", metavar="ID")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(pol, "show", cmd_policy_show, "show one clause's verbatim text")
    sp.add_argument("clause")
    sp.add_argument("--on", metavar="DATE", help="the version in force on this date")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(
        pol,
        "add-version",
        cmd_policy_add_version,
        "add a version of a policy from a file (IA administrators)",
    )
    sp.add_argument("file", help="a JSON file of the form of resources/policies/*.json")
    sp = arg.command(pol, "suggest", cmd_policy_suggest, "suggest the clauses a narrative breaches")
    sp.add_argument("text")
    sp.add_argument("--policy", metavar="ID")
    sp.add_argument("--department", choices=list(DEPARTMENTS), default="police")
    sp.add_argument("--top", type=arg.count("--top", SUGGEST_TOP_MAX), default=5)
    sp.add_argument("--json", action="store_true")
    sp = arg.command(
        pol, "annual-review", cmd_policy_annual_review, "record the yearly policy review"
    )
    sp.add_argument("--policy", required=True, choices=list(POLICIES))
    sp.add_argument("--on", required=True, metavar="DATE")
    sp.add_argument("--reviewers", required=True)
    sp.add_argument("--outcome", required=True)
    sp = arg.command(pol, "reviews", cmd_policy_reviews, "open policy-review items")
    sp.add_argument("--policy", metavar="ID")
    sp.add_argument("--all", action="store_true", help="closed items too")
    sp.add_argument("--json", action="store_true")
