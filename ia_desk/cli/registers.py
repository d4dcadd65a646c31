"""``ia-desk approval ...``, ``account ...`` and ``training ...``: the oversight registers
of 3.21 (requests to use the Department's name and images and their decisions, official
accounts and their posting log, social media training)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ia_desk import labels
from ia_desk.cli import arguments as arg
from ia_desk.cli import context
from ia_desk.errors import InputError
from ia_desk.terms import (
    APPROVAL_DECISIONS,
    APPROVAL_ITEMS,
    APPROVAL_UNDER,
    APPROVER_STANDINGS,
    POLICIES,
)


def _list(value: str | None) -> list[str]:
    return [i.strip() for i in (value or "").split(",") if i.strip()]


def cmd_approval_add(args: argparse.Namespace) -> int:
    from ia_desk.services import registers, settings

    db, actor = context.signed_in(args)
    layout = None
    if args.layout:
        cap = int(settings.setting(db, actor, "evidence_max_mb")) * 1024 * 1024
        layout = arg.input_file(args.layout, "--layout", cap)
    request_id = registers.add_approval(
        db,
        actor,
        args.employee,
        _list(args.items),
        args.purpose,
        arg.optional_date(args.submitted, "--submitted"),
        args.policy,
        layout,
        Path(args.layout).name if args.layout else None,
        clause=args.clause,
        description=args.description,
        site_url=args.url,
    ).value
    print(f"approval request {request_id} recorded")
    return 0


def _removal(r: dict[str, Any]) -> str:
    return f"; {r['removal']}" if r.get("removal") else ""


def cmd_approval_decide(args: argparse.Namespace) -> int:
    from ia_desk.services import registers

    db, actor = context.signed_in(args)
    r = registers.decide_approval(
        db,
        actor,
        args.id,
        args.decision,
        args.by,
        arg.optional_date(args.on, "--on"),
        args.conditions,
        args.decided_as,
    ).value
    counts = "" if r["counts"] or r["decision"] != "approved" else " (does not count: no standing)"
    print(
        f"request {r['id']}: {r['decision']} by {r['decided_by']} ({r['decided_as']}) "
        f"on {r['decided_on']}{counts}"
    )
    return 0


def cmd_approval_remove(args: argparse.Namespace) -> int:
    from ia_desk.services import registers

    db, actor = context.signed_in(args)
    if args.done:
        r = registers.removal_done(db, actor, args.id, arg.optional_date(args.on, "--on")).value
    else:
        if not args.by or not args.directed_as:
            raise InputError(
                "--by and --as: who directed the removal, and as what (3.21 §III.R: the "
                "Chief or his designee; city procedure 5: the department head or his "
                "designee); or --done once it was removed.",
                field="directed_by",
            )
        r = registers.direct_removal(
            db,
            actor,
            args.id,
            args.by,
            args.directed_as,
            arg.optional_date(args.on, "--on"),
            arg.optional_date(args.due, "--due"),
            args.reason,
        ).value
    print(f"request {r['id']}{_removal(r)}")
    return 0


def cmd_approval_link(args: argparse.Namespace) -> int:
    from ia_desk.services import registers

    registers.link_approval(*context.signed_in(args), args.case, args.id, _list(args.depicts))
    print(f"{args.case} linked to request {args.id} (depicts {args.depicts})")
    return 0


def cmd_approval_list(args: argparse.Namespace) -> int:
    from ia_desk.services import registers

    rows = registers.approvals(*context.signed_in(args), args.employee)
    if args.json:
        context.show(rows, True, "")
    else:
        for r in rows:
            decision = r["decision"] or "pending"
            if r["decision"]:
                decision += f" by {r['decided_by']} ({r['decided_as'] or 'standing not recorded'})"
                if r["decision"] == "approved" and not r["counts"]:
                    decision += ", does not count"
            print(
                f"{r['id']:>4} {r['employee']:<8} {r['clause']:<20} {','.join(r['items']):<24} "
                f"{decision} {r['decided_on'] or ''}{_removal(r)}"
            )
    return 0


def cmd_account_add(args: argparse.Namespace) -> int:
    from ia_desk.services import registers

    account_id = registers.add_account(
        *context.signed_in(args),
        args.platform,
        args.handle,
        args.shows_phone or args.shows_contact,
        args.shows_address or args.shows_contact,
        _list(args.authorised),
    ).value
    print(f"official account {account_id} recorded")
    return 0


def cmd_account_list(args: argparse.Namespace) -> int:
    from ia_desk.services import registers

    rows = registers.accounts(*context.signed_in(args))
    if args.json:
        context.show(rows, True, "")
    else:
        for a in rows:
            shows = [
                w for w, on in (("phone", a["shows_phone"]), ("address", a["shows_address"])) if on
            ]
            print(
                f"{a['id']:>4} {a['platform']} {a['handle']:<24} shows "
                f"{' and '.join(shows) or 'neither phone nor address'}; authorised: "
                f"{','.join(a['authorised']) or 'nobody'}"
            )
    return 0


def cmd_account_post(args: argparse.Namespace) -> int:
    from ia_desk import validation
    from ia_desk.services import registers

    db, actor = context.signed_in(args)
    when = validation.aware_datetime(args.at, "--at")
    approved = (
        validation.aware_datetime(args.approved_at, "--approved-at") if args.approved_at else None
    )
    post_id, flags = registers.log_post(
        db, actor, args.account, args.text, args.by, when, args.approved_by, None, approved
    ).value
    print(f"post {post_id} logged" + (f"; FLAGS: {', '.join(flags)}" if flags else ""))
    return 0


def cmd_account_log(args: argparse.Namespace) -> int:
    from ia_desk.services import registers

    rows = registers.posting_log(*context.signed_in(args), args.flagged)
    if args.json:
        context.show(rows, True, "")
    else:
        for r in rows:
            approved = (
                f"approved {r['approved_at'][:16]} by {r['approved_by']}"
                if r["approved_at"]
                else (f"approved by {r['approved_by']}" if r["approved_by"] else "no approval")
            )
            print(
                f"{r['posted_at'][:16]} {r['account']:<28} by {r['posted_by']:<8} "
                f"{approved}; logged {r['recorded_at'][:16]} {','.join(r['flags'])}"
            )
    return 0


def cmd_training_record(args: argparse.Namespace) -> int:
    from ia_desk.services import registers

    db, actor = context.signed_in(args)
    on = arg.optional_date(args.on, "--on")
    if on is None:
        raise InputError("--on: the date the training was completed.", field="on")
    answers = [n.strip() for n in (args.answers or "").split(",") if n.strip()]
    closed = registers.record_training(
        db, actor, args.employee, on, args.course, args.trainer, answers
    ).value
    print(f"training of {args.employee} recorded")
    if closed:
        print(f"training owed after the referral in {', '.join(closed)}: closed")
    return 0


def cmd_training_hired(args: argparse.Namespace) -> int:
    from ia_desk.services import registers

    db, actor = context.signed_in(args)
    on = arg.optional_date(args.on, "--on")
    if on is None:
        raise InputError("--on: the date the employee was hired.", field="on")
    registers.record_hire_date(db, actor, args.employee, on)
    print(f"hire date of {args.employee} recorded: {on.isoformat()}")
    return 0


def cmd_training_overview(args: argparse.Namespace) -> int:
    from ia_desk.services import registers

    o = registers.training_overview(*context.signed_in(args))
    if args.json:
        context.show(o, True, "")
        return 0
    print(
        f"training upon hiring owed (due {o['hiring_training_days']} days after the hire "
        f"date): {len(o['hiring'])}"
    )
    for e in o["hiring"]:
        print(f"  {e['badge']:<8} {e['name']:<24} {labels.hiring_training(e)}")
    if o["no_hire_date"]:
        print(
            f"hire date not on file for {o['no_hire_date']} employee(s): training upon "
            "hiring cannot be checked for them ('ia-desk training hired')"
        )
    print(f"training owed after discipline: {len(o['owed'])}")
    for e in o["owed"]:
        print(f"  {e['badge']:<8} {e['name']:<24} {e['case']} since {e['since']}")
    print("yearly policy review (3.21 §VI.A):")
    for rv in o["reviews"]:
        print(f"  {labels.policy_name(rv['policy'])}: {labels.annual_review_status(rv)}")
    return 0


def register(commands: arg.Commands) -> None:
    """Add the ``approval ...``, ``account ...`` and ``training ...`` commands to the parser."""
    ap = arg.group(commands, "approval", "approval requests (3.21 §III.E, §III.R)")
    sp = arg.command(ap, "add", cmd_approval_add, "record an approval request")
    sp.add_argument("--employee", required=True, metavar="BADGE", type=arg.badge())
    sp.add_argument("--items", required=True, help="comma-separated: " + ",".join(APPROVAL_ITEMS))
    sp.add_argument("--purpose", required=True, help="the purpose of the site (§III.E.2)")
    sp.add_argument("--description", help="of the proposed usage (§III.E.1)")
    sp.add_argument("--url", metavar="URL", help="the site's address")
    sp.add_argument("--policy", default="vpd-3.21", choices=list(POLICIES))
    sp.add_argument(
        "--clause",
        choices=list(APPROVAL_UNDER),
        help="the clause it is under (default: the policy's memorandum clause)",
    )
    sp.add_argument("--layout", metavar="FILE", type=arg.path("--layout"))
    sp.add_argument("--submitted", metavar="DATE")
    sp = arg.command(ap, "decide", cmd_approval_decide, "record the decision on a request")
    sp.add_argument("id", type=arg.record_id("id", "an approval request id"))
    sp.add_argument("--decision", required=True, choices=list(APPROVAL_DECISIONS))
    sp.add_argument(
        "--by",
        required=True,
        help="who decided (the Chief or department head)",
        type=arg.person("--by"),
    )
    sp.add_argument(
        "--as",
        dest="decided_as",
        required=True,
        choices=list(APPROVER_STANDINGS),
        help="the decider's standing that day (only the Chief or his designee under 3.21, "
        "the department head under the city's policy, counts)",
    )
    sp.add_argument("--on", metavar="DATE")
    sp.add_argument("--conditions")
    sp = arg.command(
        ap, "remove", cmd_approval_remove, "record a direction to remove, or the removal done"
    )
    sp.add_argument("id", type=arg.record_id("id", "an approval request id"))
    sp.add_argument("--by", type=arg.person("--by"), help="who directed the removal")
    sp.add_argument("--as", dest="directed_as", choices=list(APPROVER_STANDINGS))
    sp.add_argument("--on", metavar="DATE", help="when directed (or, with --done, removed)")
    sp.add_argument("--due", metavar="DATE", help="the deadline for the removal")
    sp.add_argument("--reason")
    sp.add_argument("--done", action="store_true", help="the directed removal was done")
    sp = arg.command(ap, "link", cmd_approval_link, "link a request to a case")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("id", type=arg.record_id("id", "an approval request id"))
    sp.add_argument(
        "--depicts",
        required=True,
        help="what the case's post depicts, comma-separated: " + ",".join(APPROVAL_ITEMS),
    )
    sp = arg.command(ap, "list", cmd_approval_list, "list requests")
    sp.add_argument("--employee", metavar="BADGE", type=arg.badge())
    sp.add_argument("--json", action="store_true")

    ac = arg.group(commands, "account", "official accounts and their posting log")
    sp = arg.command(ac, "add", cmd_account_add, "record an official account")
    sp.add_argument("--platform", required=True)
    sp.add_argument("--handle", required=True)
    sp.add_argument(
        "--shows-phone", action="store_true", help="the page shows the Department's phone (§I.D)"
    )
    sp.add_argument(
        "--shows-address",
        action="store_true",
        help="the page shows the Department's address (§I.D)",
    )
    sp.add_argument(
        "--shows-contact", action="store_true", help="both: --shows-phone --shows-address"
    )
    sp.add_argument("--authorised", metavar="BADGE,BADGE", type=arg.badges("--authorised"))
    sp = arg.command(ac, "list", cmd_account_list, "the official accounts")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(ac, "post", cmd_account_post, "log a post on an official account")
    sp.add_argument("account", type=arg.record_id("account", "an official account id"))
    sp.add_argument("--text", required=True)
    sp.add_argument("--by", required=True, metavar="BADGE", type=arg.badge("--by"))
    sp.add_argument("--at", required=True, metavar="ISO8601", help="when the post went up")
    sp.add_argument("--approved-by", metavar="NAME", type=arg.person("--approved-by"))
    sp.add_argument("--approved-at", metavar="ISO8601", help="when it was approved")
    sp = arg.command(ac, "log", cmd_account_log, "the posting log")
    sp.add_argument("--flagged", action="store_true")
    sp.add_argument("--json", action="store_true")

    tr = arg.group(commands, "training", "social media training (3.21 §VI.A)")
    sp = arg.command(tr, "record", cmd_training_record, "record a completed training")
    sp.add_argument("--employee", required=True, metavar="BADGE", type=arg.badge())
    sp.add_argument("--on", required=True, metavar="DATE")
    sp.add_argument("--course", required=True)
    sp.add_argument("--trainer", required=True, type=arg.person("--trainer"))
    sp.add_argument(
        "--answers",
        metavar="CASE,CASE",
        help="the cases whose referral for training this training answers (it closes "
        "the training owed there, and no other)",
    )
    sp = arg.command(tr, "hired", cmd_training_hired, "record when an employee was hired")
    sp.add_argument("--employee", required=True, metavar="BADGE", type=arg.badge())
    sp.add_argument("--on", required=True, metavar="DATE")
    sp = arg.command(tr, "overview", cmd_training_overview, "who is not trained; training owed")
    sp.add_argument("--json", action="store_true")
