"""``ia-desk note ...`` and ``ia-desk task ...``: IA's notes on a case (an edit
supersedes a note, never overwrites it) and the case's tasks, with an assignee and a due
date. IA roles only; every write and every read is audited (the services')."""

from __future__ import annotations

import argparse

from ia_desk.cli import arguments as arg
from ia_desk.cli import context


def cmd_note_add(args: argparse.Namespace) -> int:
    from ia_desk.services import notes

    done = notes.add_note(*context.signed_in(args), args.case, args.text, args.supersedes)
    edit = f" (edits note {args.supersedes})" if args.supersedes else ""
    context.show(
        {"case": args.case, "note": done.value}, args.json, f"note {done.value} added{edit}"
    )
    return 0


def cmd_note_list(args: argparse.Namespace) -> int:
    from ia_desk.services import notes

    rows = notes.list_notes(*context.signed_in(args), args.case)
    if args.json:
        context.show(rows, True, "")
        return 0
    for n in rows:
        edited = f", edited {len(n['history'])} time(s)" if n["history"] else ""
        print(
            f"note {n['id']} by {n['author']}, {n['written_at'][:16].replace('T', ' ')} UTC{edited}"
        )
        for line in n["text"].splitlines() or [""]:
            print(f"    {line}")
    if not rows:
        print(f"{args.case}: no notes")
    return 0


def cmd_task_add(args: argparse.Namespace) -> int:
    from ia_desk.services import notes

    done = notes.add_task(*context.signed_in(args), args.case, args.title, args.assignee, args.due)
    context.show(
        {"case": args.case, "task": done.value},
        args.json,
        f"task {done.value} added: for {args.assignee}, due {args.due}",
    )
    return 0


def _task_line(t: dict) -> str:
    if t["done_at"]:
        state = f"done {t['done_at'][:10]} by {t['done_by']}"
    elif t["overdue"]:
        state = f"OVERDUE by {-t['days_left']} day(s)"
    else:
        state = f"{t['days_left']} day(s) left"
    return (
        f"{t['id']:>5}  {t['case']:<14} due {t['due']}  {t['assignee']:<14} {t['title']} [{state}]"
    )


def cmd_task_list(args: argparse.Namespace) -> int:
    from ia_desk.services import notes

    rows = notes.list_tasks(
        *context.signed_in(args),
        args.case,
        mine=args.mine,
        open_only=args.open,
        overdue_only=args.overdue,
    )
    if args.json:
        context.show(rows, True, "")
        return 0
    for t in rows:
        print(_task_line(t))
        if t["note"]:
            print(f"       done: {t['note']}")
    print(f"{len(rows)} task(s)")
    return 0


def cmd_task_done(args: argparse.Namespace) -> int:
    from ia_desk.services import notes

    number = notes.complete_task(*context.signed_in(args), args.id, args.note).value
    print(f"task {args.id} of {number} marked done")
    return 0


def register(commands: arg.Commands) -> None:
    """Add the ``note ...`` and ``task ...`` commands to the parser."""
    note = arg.group(commands, "note", "IA's notes on a case (IA only)")
    sp = arg.command(note, "add", cmd_note_add, "write a note on a case, or edit one")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--text", required=True)
    sp.add_argument(
        "--supersedes",
        metavar="ID",
        type=arg.record_id("--supersedes", "a note id"),
        help="the note this one edits (the earlier text is kept)",
    )
    sp.add_argument("--json", action="store_true")
    sp = arg.command(note, "list", cmd_note_list, "the notes of a case, with their edits")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--json", action="store_true")

    task = arg.group(commands, "task", "tasks on a case: assignee and due date (IA only)")
    sp = arg.command(task, "add", cmd_task_add, "set a task on a case for an IA user")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("--title", required=True)
    sp.add_argument("--assignee", required=True, metavar="LOGIN", type=arg.identifier("--assignee"))
    sp.add_argument("--due", required=True, metavar="DATE", help="YYYY-MM-DD, today or later")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(task, "list", cmd_task_list, "tasks of a case, or of every case")
    sp.add_argument("case", nargs="?", type=arg.identifier("case"))
    sp.add_argument("--mine", action="store_true", help="assigned to me")
    sp.add_argument("--open", action="store_true", help="not done")
    sp.add_argument("--overdue", action="store_true", help="not done and past the due date")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(task, "done", cmd_task_done, "mark a task done (its assignee, or an IA admin)")
    sp.add_argument("id", type=arg.record_id("id", "a task id"))
    sp.add_argument("--note", help="what was done")
