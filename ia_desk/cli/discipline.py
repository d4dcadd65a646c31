"""``ia-desk discipline ...``, ``warning ...``, ``retaliation ...`` and ``protection ...``:
the ladder of 3.21 §V.B (the recommendation and why, decisions and their amendments, the
notice and response before a suspension, appeals, the matrix), early-warning alerts, and
the protection of good-faith reporters of 3.21 §V.C (the retaliation review, revoking a
protection)."""

from __future__ import annotations

import argparse

from ia_desk.cli import arguments as arg
from ia_desk.cli import context
from ia_desk.terms import (
    APPEAL_KINDS,
    APPEAL_OUTCOMES,
    DISCIPLINE_STEPS,
    MAX_SUSPENSION_DAYS,
    RETALIATION_CONCLUSIONS,
)

# A discipline matrix is a few kilobytes of JSON; a file bigger than this is not one.
MAX_MATRIX_BYTES = 1024 * 1024


def cmd_discipline_recommend(args: argparse.Namespace) -> int:
    from ia_desk.services import discipline

    rec = discipline.recommend(*context.signed_in(args), args.case, args.employee)
    context.show(rec, args.json, rec["explanation"])
    return 0


def cmd_discipline_record(args: argparse.Namespace) -> int:
    from ia_desk.services import discipline

    out = discipline.decide(
        *context.signed_in(args),
        args.case,
        args.employee,
        args.step,
        args.reason,
        amend=args.amend,
        suspension_days=args.days,
        without_pay=args.without_pay,
    ).value
    length = out["length"]
    context.show(
        out,
        args.json,
        f"recorded: {out['step'].replace('_', ' ')}"
        + (f", {length}" if length else "")
        + f" (recommended {out['recommended'].replace('_', ' ')})",
    )
    return 0


def cmd_discipline_notice(args: argparse.Namespace) -> int:
    from ia_desk.services import discipline

    out = discipline.notice(
        *context.signed_in(args), args.case, args.employee, args.on, args.charges
    ).value
    context.show(out, args.json, f"{args.case}: notice of the charges given on {out['notice_on']}")
    return 0


def cmd_discipline_response(args: argparse.Namespace) -> int:
    from ia_desk.services import discipline

    out = discipline.respond(
        *context.signed_in(args),
        args.case,
        args.employee,
        args.on,
        args.response,
        args.heard_by,
        waived=args.waived,
    ).value
    said = "waived the response" if out["waived"] else "responded"
    context.show(
        out, args.json, f"{args.case}: badge {args.employee} {said} on {out['response_on']}"
    )
    return 0


def cmd_discipline_appeal(args: argparse.Namespace) -> int:
    from ia_desk.services import discipline

    out = discipline.appeal(
        *context.signed_in(args), args.case, args.employee, args.kind, args.filed
    ).value
    context.show(out, args.json, f"{args.case}: appeal {out['id']} filed on {out['filed_on']}")
    return 0


def cmd_discipline_appeal_outcome(args: argparse.Namespace) -> int:
    from ia_desk.services import discipline

    out = discipline.appeal_outcome(
        *context.signed_in(args),
        args.case,
        args.employee,
        args.outcome,
        args.decided,
        args.note,
        heard_on=args.heard,
        step=args.step,
        suspension_days=args.days,
        without_pay=args.without_pay,
    ).value
    context.show(out, args.json, f"{args.case}: appeal {out['id']} {out['outcome']}")
    return 0


def cmd_warning_list(args: argparse.Namespace) -> int:
    from ia_desk.services import discipline

    rows = discipline.warnings(*context.signed_in(args), open_only=args.open, badge=args.employee)
    if args.json:
        context.show(rows, True, "")
        return 0
    for a in rows:
        state = (
            f"acknowledged {a['acknowledged_at'][:10]} by {a['acknowledged_by']}"
            if a["acknowledged_at"]
            else "open"
        )
        print(f"{a['id']:>4}  badge {a['employee']:<8} {a['rule_words']}: {a['text']} [{state}]")
    if not rows:
        print("no early-warning alerts" + (" open" if args.open else ""))
    return 0


def cmd_warning_ack(args: argparse.Namespace) -> int:
    from ia_desk.services import discipline

    discipline.acknowledge_warning(*context.signed_in(args), args.alert, args.note)
    print(f"early-warning alert {args.alert} acknowledged")
    return 0


def cmd_discipline_matrix_show(args: argparse.Namespace) -> int:
    from ia_desk.services import discipline

    matrix = discipline.matrix(*context.signed_in(args))
    if args.json:
        context.show(matrix, True, "")
    else:
        print(f"matrix version {matrix['version']}, look-back {matrix['lookback_months']} months")
        for name, c in matrix["classes"].items():
            print(
                f"class {name} {c['label']:<14} presumptive {c['presumptive']:<18} range "
                f"{c['range'][0]}..{c['range'][1]}"
            )
    return 0


def cmd_discipline_matrix_set(args: argparse.Namespace) -> int:
    from ia_desk import validation
    from ia_desk.services import discipline

    raw = arg.input_file(args.file, "file", MAX_MATRIX_BYTES)
    content = validation.json_document(raw, "The matrix file")
    version = discipline.set_matrix(*context.signed_in(args), content, args.reason).value
    print(f"discipline matrix version {version} stored")
    return 0


def cmd_retaliation_review(args: argparse.Namespace) -> int:
    from ia_desk.services import protection

    protection.record_review(*context.signed_in(args), args.case, args.conclusion, args.reasoning)
    print(f"{args.case}: retaliation review recorded ({args.conclusion})")
    return 0


def cmd_protection_revoke(args: argparse.Namespace) -> int:
    from ia_desk.services import protection

    protection.revoke_protection(*context.signed_in(args), args.case, args.reason)
    print(f"{args.case}: the reporter's protection is revoked")
    return 0


def register(commands: arg.Commands) -> None:
    """Add the ``discipline ...``, ``retaliation ...`` and ``protection ...`` commands to
    the parser."""
    dis = arg.group(commands, "discipline", "the discipline ladder")
    sp = arg.command(dis, "recommend", cmd_discipline_recommend, "the recommended step and why")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--employee", required=True, metavar="BADGE", type=arg.badge())
    sp.add_argument("--json", action="store_true")
    sp = arg.command(dis, "record", cmd_discipline_record, "record a discipline decision")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--employee", required=True, metavar="BADGE", type=arg.badge())
    sp.add_argument("--step", required=True, choices=list(DISCIPLINE_STEPS))
    sp.add_argument("--reason")
    sp.add_argument(
        "--amend", action="store_true", help="replace the decision on record (needs --reason)"
    )
    sp.add_argument(
        "--days",
        type=arg.count("--days", MAX_SUSPENSION_DAYS),
        help="a suspension's length in days",
    )
    pay = sp.add_mutually_exclusive_group()
    pay.add_argument(
        "--without-pay", dest="without_pay", action="store_const", const=True, default=None
    )
    pay.add_argument("--with-pay", dest="without_pay", action="store_const", const=False)
    sp.add_argument("--json", action="store_true")
    sp = arg.command(
        dis, "notice", cmd_discipline_notice, "record the notice of charges before a suspension"
    )
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--employee", required=True, metavar="BADGE", type=arg.badge())
    sp.add_argument("--on", required=True, metavar="DATE", help="the day the notice was given")
    sp.add_argument("--charges", required=True, help="the charges and the evidence, in words")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(
        dis, "response", cmd_discipline_response, "record the employee's response to the notice"
    )
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--employee", required=True, metavar="BADGE", type=arg.badge())
    sp.add_argument("--on", required=True, metavar="DATE")
    sp.add_argument("--response", help="what the employee said")
    sp.add_argument("--heard-by", dest="heard_by", help="who heard the response")
    sp.add_argument("--waived", action="store_true", help="the employee waived the response")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(dis, "appeal", cmd_discipline_appeal, "file an appeal of the decision")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--employee", required=True, metavar="BADGE", type=arg.badge())
    sp.add_argument("--kind", required=True, choices=list(APPEAL_KINDS))
    sp.add_argument("--filed", required=True, metavar="DATE")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(
        dis, "appeal-outcome", cmd_discipline_appeal_outcome, "record how the appeal ended"
    )
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--employee", required=True, metavar="BADGE", type=arg.badge())
    sp.add_argument("--outcome", required=True, choices=list(APPEAL_OUTCOMES))
    sp.add_argument("--decided", required=True, metavar="DATE")
    sp.add_argument("--heard", metavar="DATE")
    sp.add_argument("--note", required=True, help="what was decided and why")
    sp.add_argument("--step", choices=list(DISCIPLINE_STEPS), help="the step a modified one gave")
    sp.add_argument("--days", type=arg.count("--days", MAX_SUSPENSION_DAYS))
    pay = sp.add_mutually_exclusive_group()
    pay.add_argument(
        "--without-pay", dest="without_pay", action="store_const", const=True, default=None
    )
    pay.add_argument("--with-pay", dest="without_pay", action="store_const", const=False)
    sp.add_argument("--json", action="store_true")
    mx = arg.group(dis, "matrix", "the discipline matrix")
    sp = arg.command(mx, "show", cmd_discipline_matrix_show, "show the matrix in force")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(mx, "set", cmd_discipline_matrix_set, "store a new matrix version (IA admin)")
    sp.add_argument("file", type=arg.path("file"))
    sp.add_argument("--reason", required=True)

    wr = arg.group(commands, "warning", "early-warning alerts on patterns in an employee's cases")
    sp = arg.command(wr, "list", cmd_warning_list, "the alerts, newest first")
    sp.add_argument("--open", action="store_true", help="only those not yet acknowledged")
    sp.add_argument("--employee", metavar="BADGE", type=arg.badge())
    sp.add_argument("--json", action="store_true")
    sp = arg.command(wr, "ack", cmd_warning_ack, "acknowledge an alert with a note (IA admin)")
    sp.add_argument("alert", type=arg.record_id("alert", "an alert"))
    sp.add_argument("--note", required=True, help="what was done about it")

    rt = arg.group(commands, "retaliation", "retaliation reviews")
    sp = arg.command(rt, "review", cmd_retaliation_review, "record a retaliation review (IA admin)")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--conclusion", required=True, choices=list(RETALIATION_CONCLUSIONS))
    sp.add_argument("--reasoning", required=True)

    pr = arg.group(commands, "protection", "good-faith reporter protection")
    sp = arg.command(
        pr, "revoke", cmd_protection_revoke, "revoke a reporter's protection (IA admin)"
    )
    sp.add_argument(
        "case", type=arg.identifier("case"), help="the case of the report that gave the protection"
    )
    sp.add_argument("--reason", required=True)
