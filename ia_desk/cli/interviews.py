"""``ia-desk case interview N add|list|amend`` and ``ia-desk case referral N``: the
interviews of a case's subjects and witnesses (issue 22), and the packet of a case
referred to the Criminal Investigations Division, which never holds a compelled
(Garrity) statement. The rules are the services'."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ia_desk.cli import arguments as arg
from ia_desk.cli import context
from ia_desk.errors import InputError
from ia_desk.terms import (
    ACKNOWLEDGEMENTS,
    ADVISEMENT_KINDS,
    COMPELLED_MARK,
    INTERVIEWEE_KINDS,
    REPRESENTATIONS,
    REPRESENTATIVE_CAPACITIES,
)

YES_NO = {"yes": True, "no": False}
# The options of ``add`` and ``amend``, each as the field the services take.
OPTIONS = {
    "interviewee": "interviewee",
    "badge": "badge",
    "name": "name",
    "started": "started",
    "ended": "ended",
    "place": "place",
    "interviewer": "interviewers",
    "rep_requested": "rep_requested",
    "representation": "representation",
    "rep_name": "rep_name",
    "rep_capacity": "rep_capacity",
    "advisement": "advisement",
    "advised_at": "advised_at",
    "acknowledgement": "acknowledgement",
    "compelled": "compelled",
    "statement": "statement",
    "summary": "summary",
}


def _given(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for option, field in OPTIONS.items():
        value = getattr(args, option)
        if value is None:
            continue
        out[field] = YES_NO[value] if option in ("rep_requested", "compelled") else value
    return out


def interview_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The interviews as ``case interview N list`` prints them (each audience's view)."""
    out: list[str] = []
    for i in rows:
        when = f"{i['started'][:16].replace('T', ' ')} to {i['ended'][11:16]}"
        head = f"interview {i['id']}: {i['kind_words']} {i['interviewee']}, {when}"
        if i["version"] > 1:
            head += f" (amended, version {i['version']})"
        out.append(head)
        adv = i["advisement"]
        out.append(f"  advisement: {adv['words']}, version {adv['version']}")
        if i["compelled"]:
            out.append(f"  {COMPELLED_MARK.upper()}")
        if "summary" not in i:  # command staff's view: that it took place, and how
            if i["statement_attached"]:
                out.append("  statement attached as evidence")
            continue
        out.append(f"  place: {i['place']}; interviewers: {', '.join(i['interviewers'])}")
        rep = i["representation_words"]
        if i["representation"] == "present":
            rep += f": {i['rep_name']} ({i['rep_capacity_words']})"
        asked = "asked for one" if i["rep_requested"] else "did not ask for one"
        out.append(f"  representative (Weingarten): {rep}; the interviewee {asked}")
        out.append(
            f"  advised at {i['advised_at'][:16].replace('T', ' ')}: {i['acknowledgement_words']}"
            f"; SHA-256 of the text {adv['sha256']}"
        )
        if i["statement"]:
            s = i["statement"]
            out.append(f"  statement: evidence item {s['id']} {s['file_name']} ({s['sha256']})")
        for line in i["summary"].splitlines() or [""]:
            out.append(f"    {line}")
        if i["amend_reason"]:
            out.append(f"  amended {i['recorded_at']} by {i['recorded_by']}: {i['amend_reason']}")
        for old in i["history"]:
            out.append(
                f"  earlier version, interview {old['id']} (recorded {old['recorded_at']} by "
                f"{old['recorded_by']}): {old['started'][:16].replace('T', ' ')}, {old['place']}"
            )
            for line in old["summary"].splitlines() or [""]:
                out.append(f"      {line}")
    return out


def cmd_case_interview(args: argparse.Namespace) -> int:
    from ia_desk.services import interviews

    db, actor = context.signed_in(args)
    if args.what == "list":
        rows = interviews.list_interviews(db, actor, args.case)
        if args.json:
            context.show(rows, True, "")
        else:
            print("\n".join(interview_lines(rows)) or f"{args.case}: no interviews")
        return 0
    given = _given(args)
    if args.what == "add":
        if args.interview is not None or args.reason is not None:
            raise InputError(
                "--interview and --reason are for amend; add records a new interview.",
                field="--interview",
            )
        done = interviews.record(db, actor, args.case, given)
        (number,) = done.changes.cases
        context.show(
            {"case": number, "interview": done.value},
            args.json,
            f"{number}: interview {done.value} recorded",
        )
        return 0
    if args.interview is None:
        raise InputError("--interview: say which interview to amend.", field="--interview")
    done = interviews.amend(db, actor, args.case, args.interview, args.reason, given)
    (number,) = done.changes.cases
    context.show(
        {"case": number, "interview": done.value, "amends": args.interview},
        args.json,
        f"{number}: interview {args.interview} amended (the new version is interview "
        f"{done.value}; the earlier one is kept)",
    )
    return 0


def cmd_case_referral(args: argparse.Namespace) -> int:
    from ia_desk.services import interviews

    db, actor = context.signed_in(args)
    manifest = interviews.referral_packet(db, actor, args.case, Path(args.out), args.evidence).value
    left = manifest["excluded"]["compelled_statements"]
    human = (
        f"{manifest['case']}: CID referral packet written to {args.out} with "
        f"{len(manifest['evidence'])} evidence item(s)"
        + (f"; {left} compelled (Garrity) statement(s) left out" if left else "")
    )
    context.show(manifest, args.json, human)
    return 0


def register(case: arg.Commands) -> None:
    """Add ``case interview`` and ``case referral`` under the ``case`` group."""
    sp = arg.command(
        case,
        "interview",
        cmd_case_interview,
        "record, list or amend the interviews of a case's subjects and witnesses",
    )
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("what", choices=["add", "list", "amend"])
    sp.add_argument("--interviewee", choices=list(INTERVIEWEE_KINDS))
    sp.add_argument("--badge", help="a subject or witness employee's badge")
    sp.add_argument("--name", help="a civilian witness's name")
    sp.add_argument("--started", metavar="TIME", help="2026-11-02T09:15:00-06:00")
    sp.add_argument("--ended", metavar="TIME", help="2026-11-02T10:05:00-06:00")
    sp.add_argument("--place")
    sp.add_argument(
        "--interviewer",
        action="append",
        metavar="LOGIN",
        type=arg.identifier("--interviewer"),
        help="an IA user who conducted it (at most two: repeat for the second)",
    )
    sp.add_argument(
        "--rep-requested", choices=list(YES_NO), help="the interviewee asked for a representative"
    )
    sp.add_argument("--representation", choices=list(REPRESENTATIONS))
    sp.add_argument("--rep-name", help="the representative present")
    sp.add_argument("--rep-capacity", choices=list(REPRESENTATIVE_CAPACITIES))
    sp.add_argument("--advisement", choices=list(ADVISEMENT_KINDS))
    sp.add_argument("--advised-at", metavar="TIME", help="when it was given (default: the start)")
    sp.add_argument("--acknowledgement", choices=list(ACKNOWLEDGEMENTS))
    sp.add_argument("--compelled", choices=list(YES_NO), help="the statement is compelled")
    sp.add_argument(
        "--statement",
        metavar="EVIDENCE",
        type=arg.record_id("--statement", "an evidence number"),
        help="the evidence item of the case holding the statement",
    )
    sp.add_argument("--summary")
    sp.add_argument(
        "--interview",
        metavar="ID",
        type=arg.record_id("--interview", "an interview number"),
        help="(amend) the interview to amend",
    )
    sp.add_argument("--reason", help="(amend) why it is amended")
    sp.add_argument("--json", action="store_true")

    sp = arg.command(
        case,
        "referral",
        cmd_case_referral,
        "write the packet of a case referred to CID (never a compelled statement)",
    )
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--out", required=True, metavar="FOLDER", type=arg.path("--out"))
    sp.add_argument(
        "--evidence",
        action="append",
        metavar="ID",
        type=arg.record_id("--evidence", "an evidence number"),
        help="an item to hand over (repeat; default: every item but compelled statements)",
    )
    sp.add_argument("--json", action="store_true")
