"""``ia-desk report add`` and ``ia-desk case ...``: intake of a report, the case list, one
case's file, its workflow actions, its deadline and reporter updates, and the text it
withholds from everyone outside IA."""

from __future__ import annotations

import argparse
import sys

from ia_desk.cli import arguments as arg
from ia_desk.cli import context, interviews
from ia_desk.errors import InputError
from ia_desk.terms import (
    IMMEDIATE_GROUNDS,
    IMMEDIATE_STEPS,
    REDACTION_KINDS,
    REVIEW_STEPS,
    WORKFLOW_ACTIONS,
)

# The largest report read whole: its narrative is at most 100,000 characters, so a
# document bigger than this is not one.
MAX_REPORT_BYTES = 8 * 1024 * 1024


def _report_bytes(name: str) -> bytes:
    """The report document: a file, or standard input for ``-``; refused over the size."""
    if name != "-":
        return arg.input_file(name, "file", MAX_REPORT_BYTES)
    raw = sys.stdin.buffer.read(MAX_REPORT_BYTES + 1)
    if len(raw) > MAX_REPORT_BYTES:
        raise InputError(
            f"file: the report on standard input is over {MAX_REPORT_BYTES:,} bytes.",
            field="file",
        )
    return raw


def cmd_report_add(args: argparse.Namespace) -> int:
    """Open a case from a report document, checked whole before anyone signs in (a bad
    one stores nothing); the tracking code is shown this once."""
    from ia_desk.services import intake

    report = intake.read_report(_report_bytes(args.file))  # checked before signing in
    done = intake.submit_report(*context.signed_in(args), report).value
    out = {
        "case": done.number,
        "tracking_code": done.tracking_code,
        "linked_cases": done.linked_cases,
    }
    human = f"case opened: {out['case']}\ntracking code for the reporter: {out['tracking_code']}"
    if done.linked_cases:
        human += "\nlinked to earlier reports: " + ", ".join(done.linked_cases)
    context.show(out, args.json, human)
    return 0


def cmd_case_list(args: argparse.Namespace) -> int:
    from ia_desk.services import cases

    found = cases.case_list(*context.signed_in(args), status=args.status, search=args.search)
    rows = [r.as_dict() for r in found]
    if args.json:
        context.show(rows, True, "")
    else:
        for r in rows:
            flags = ",".join(r["flags"])
            print(
                f"{r['case']:<14} {r['status']:<14} {r['received_at'][:10]}  "
                f"due {r['deadline']}  {r['subjects'][:30]:<30} {r['clauses'][:40]:<40} {flags}"
            )
        print(f"{len(rows)} case(s)")
    return 0


def cmd_home(args: argparse.Namespace) -> int:
    """The home screen's counts for the signed-in user, under their headings."""
    from ia_desk.services import home

    counts = home.home_counts(*context.signed_in(args))
    if args.json:
        context.show([c.as_dict() for c in counts], True, "")
        return 0
    lines: list[str] = []
    group = None
    for c in counts:
        if c.group != group:
            if lines:
                lines.append("")
            group = c.group
            lines.append(f"{group}:")
        lines.append(f"  {c.count:>6,}  {c.label}")
    print("\n".join(lines))
    return 0


def cmd_case_show(args: argparse.Namespace) -> int:
    from ia_desk.casefile.model import full_file
    from ia_desk.services import cases

    view = cases.file(*context.signed_in(args), args.case)
    if args.json:
        context.show(view, True, "")
        return 0
    lines = [f"{view['case']}  status: {view['status']}  received: {view['received_at']}"]
    data = full_file(view)
    if data is not None:
        lines.append(f"deadline: {data['deadline']}  flags: {', '.join(data['flags']) or '-'}")
        rep = data["reporter"]
        who = rep.get("name") or rep.get("identity") or ""
        lines.append(f"reporter: {rep['mode']} {who}".rstrip())
        for sj in data["subjects"]:
            lines.append(
                f"subject: {sj['badge']} {sj['name']} ({sj['rank'] or ''} {sj['unit'] or ''})"
            )
        inc = data["incident"]
        lines.append(f"incident: {inc['occurred_on']} {inc['platform'] or ''} {inc['url'] or ''}")
        lines.append(inc["narrative"])
        for a in data["allegations"]:
            lines.append(
                f"allegation {a['id']}: {a['employee']} {a['clause']} "
                f"[{a['disposition'] or 'pending'}]"
            )
        lines += immediate_lines(data.get("immediate_action"))
        lines += review_lines(data["review"])
        lines += interviews.interview_lines(data["interviews"])  # issue 22
    print("\n".join(lines))
    return 0


def review_lines(review: dict) -> list[str]:
    """The review chain of the findings as ``case show`` prints it."""
    if not review["chain"]:
        return []
    out = [
        "review: signed off by "
        + " and then ".join(review["chain"])
        + (f"; awaiting {review['awaiting']}" if review["awaiting"] else "")
    ]
    for d in review["decisions"]:
        what = "signed off" if d["decision"] == "signed_off" else "returned"
        out.append(
            f"  round {d['round']}, {d['step']}: {what} by {d['login']} at {d['at']}"
            + (f": {d['comments']}" if d["comments"] else "")
        )
    return out


def cmd_case_review(args: argparse.Namespace) -> int:
    from ia_desk.services import cases

    db, actor = context.signed_in(args)
    if args.decision == "sign-off":
        done = cases.sign_off(db, actor, args.case, args.comments)
        (number,) = done.changes.cases
        waiting = f"; awaiting {REVIEW_STEPS[done.value]}" if done.value else "; IA may close it"
        print(f"{number}: findings signed off{waiting}")
    else:
        returned = cases.return_findings(db, actor, args.case, args.comments)
        (number,) = returned.changes.cases
        print(f"{number}: findings returned to the investigator (under investigation again)")
    return 0


def cmd_case_action(args: argparse.Namespace) -> int:
    from ia_desk.services import cases

    done = cases.take_action(
        *context.signed_in(args), args.case, args.action, assignee=args.assignee, reason=args.reason
    )
    # The case as stored (its number in its normal form) is the one whose file changed.
    (number,) = done.changes.cases
    print(f"{number}: {done.value}")
    return 0


def cmd_case_toll(args: argparse.Namespace) -> int:
    from ia_desk.services import cases

    cases.pause_deadline(*context.signed_in(args), args.case, args.reason)
    print(f"{args.case}: deadline paused")
    return 0


def immediate_lines(ia: dict | None) -> list[str]:
    """The Chief's immediate action as ``case show`` prints it."""
    if not ia:
        return []
    out = [
        f"immediate action by the Chief (3.21 §V.B): raised by {ia['raised_by']} on "
        f"{ia['raised_at'][:16].replace('T', ' ')} UTC ({'; '.join(ia['grounds'])})"
    ]
    if ia["facts"]:
        out.append(f"  facts: {ia['facts']}")
    if ia["chief_notified_at"]:
        out.append(
            f"  Chief notified {ia['chief_notified_at'][:16].replace('T', ' ')} UTC by "
            f"{ia['chief_notified_by']}: {ia['notified_how']}"
        )
    else:
        out.append("  Chief's notification: not recorded yet")
    for step in ia["steps"]:
        out.append(
            f"  {step['at'][:16].replace('T', ' ')} UTC {step['label']}"
            + (f": {step['note']}" if step["note"] else "")
            + f" (recorded by {step['by']})"
        )
    if ia["overdue"]:
        out.append(
            f"  OVERDUE: nothing recorded as done within {ia['hours']} hours "
            f"(due {ia['due_by'][:16].replace('T', ' ')} UTC)"
        )
    return out


def cmd_case_immediate(args: argparse.Namespace) -> int:
    """The Chief's immediate action (3.21 §V.B): raise it on the facts, record who told
    the Chief, or record what was done."""
    from ia_desk.services import cases

    signed = context.signed_in(args)
    if args.raise_on_facts:
        cases.raise_immediate_action(*signed, args.case, args.grounds or [], args.raise_on_facts)
        print(f"{args.case}: the Chief's immediate action is raised")
    elif args.notified:
        cases.chief_notified(*signed, args.case, args.notified, args.at)
        print(f"{args.case}: the Chief's notification is recorded")
    elif args.action:
        cases.immediate_step(*signed, args.case, args.action, args.note, args.at)
        print(f"{args.case}: the action taken is recorded")
    else:
        raise InputError(
            "Say what to record: --raise FACTS (with --grounds), --notified HOW, or "
            "--action ACTION.",
            field="case",
        )
    return 0


def cmd_case_untoll(args: argparse.Namespace) -> int:
    from ia_desk.services import cases

    deadline = cases.resume_deadline(*context.signed_in(args), args.case).value
    print(f"{args.case}: deadline resumed, now {deadline}")
    return 0


def cmd_case_reporter_update(args: argparse.Namespace) -> int:
    from ia_desk.services import cases

    cases.reporter_updated(*context.signed_in(args), args.case, args.note)
    print(f"{args.case}: reporter update recorded")
    return 0


def cmd_case_redact(args: argparse.Namespace) -> int:
    from ia_desk.services import cases

    cases.mark_withheld(*context.signed_in(args), args.case, args.text, args.kind)
    print(f"{args.case}: marked to be withheld from everyone outside IA")
    return 0


def register(commands: arg.Commands) -> None:
    """Add ``report add`` and the ``case ...`` commands to the parser."""
    rep = arg.group(commands, "report", "report intake")
    sp = arg.command(
        rep, "add", cmd_report_add, "open a case from a JSON report (FILE or - for stdin)"
    )
    sp.add_argument("file", type=arg.path("file"))
    sp.add_argument("--json", action="store_true")

    sp = arg.command(
        commands, "home", cmd_home, "what needs doing: your home screen's counts, per role"
    )
    sp.add_argument("--json", action="store_true")

    case = arg.group(commands, "case", "cases")
    sp = arg.command(case, "list", cmd_case_list, "list cases")
    sp.add_argument("--status")
    sp.add_argument("--search", metavar="TEXT")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(case, "show", cmd_case_show, "show one case")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--json", action="store_true")
    sp = arg.command(case, "action", cmd_case_action, "take a workflow action on a case")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("action", choices=list(WORKFLOW_ACTIONS))
    sp.add_argument("--assignee", metavar="LOGIN", type=arg.identifier("--assignee"))
    sp.add_argument("--reason")
    sp = arg.command(
        case,
        "review",
        cmd_case_review,
        "sign off a case's findings, or return them with comments (the IA commander, then "
        "the Chief)",
    )
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("decision", choices=["sign-off", "return"])
    sp.add_argument("--comments", help="required to return the findings")
    sp = arg.command(case, "toll", cmd_case_toll, "pause a case's deadline, with the reason")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--reason", required=True)
    sp = arg.command(
        case,
        "immediate",
        cmd_case_immediate,
        "the Chief's immediate action (3.21 §V.B): raise it, the notification, what was done",
    )
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument(
        "--raise", dest="raise_on_facts", metavar="FACTS", help="IA raises it on these facts"
    )
    sp.add_argument(
        "--grounds",
        action="append",
        choices=list(IMMEDIATE_GROUNDS),
        help="why (repeat for both): safety, investigation",
    )
    sp.add_argument("--notified", metavar="HOW", help="the Chief was told, and how")
    sp.add_argument("--action", choices=list(IMMEDIATE_STEPS), help="what the Chief did")
    sp.add_argument("--note", help="what was done, in words (needed for other, no_action_needed)")
    sp.add_argument("--at", metavar="TIME", help="when (2026-11-02T09:15:00-06:00; default now)")
    sp = arg.command(case, "untoll", cmd_case_untoll, "resume a paused deadline")
    sp.add_argument("case", type=arg.identifier("case"))
    sp = arg.command(
        case, "reporter-update", cmd_case_reporter_update, "record an update to the reporter"
    )
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--note", required=True)
    sp = arg.command(case, "redact", cmd_case_redact, "withhold text from everyone outside IA")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--text", required=True)
    sp.add_argument("--kind", required=True, choices=list(REDACTION_KINDS))
    # The interviews of a case and the packet of a referral to CID (issue 22).
    interviews.register(case)
