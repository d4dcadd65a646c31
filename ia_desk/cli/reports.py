"""``ia-desk summary`` and ``ia-desk stats``: case summaries printed to PDF for their
audience (command staff see no identities), and the statistics of a period (as CSV, JSON
or the annual-review PDF of 3.21 §VI.A)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ia_desk.cli import arguments as arg
from ia_desk.cli import context
from ia_desk.errors import InputError
from ia_desk.terms import SUMMARY_AUDIENCES


def cmd_summary(args: argparse.Namespace) -> int:
    """Summaries to one PDF, written in the transaction that audits the print (a file
    that cannot be written is not recorded as printed)."""
    from ia_desk.services import reports

    arg.output_file(args.out, "--out")
    out = Path(args.out)
    printed = reports.print_summaries(*context.signed_in(args), args.cases, args.audience, out)
    print(f"wrote {out} ({len(printed.cases)} case(s), sha256 {printed.sha256})")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """The period's figures: the annual-review PDF (``--out``), CSV (``--csv``), JSON,
    or CSV on standard output when no file is asked for. Files are checked first."""
    from ia_desk import validation
    from ia_desk.services import reports

    start = validation.date(args.start, "--from")
    end = validation.date(args.end, "--to")
    assert start is not None and end is not None
    if end < start:
        raise InputError("--to: the period ends before it starts.", field="--to")
    arg.output_file(args.out, "--out")
    csv_path = arg.output_file(args.csv, "--csv")
    db, actor = context.signed_in(args)
    if args.out:
        pdf, figures = reports.annual_review_pdf(db, actor, start, end, args.unit)
        reports.save_pdf(pdf, Path(args.out))
        print(f"wrote {args.out} ({figures['cases']} case(s))")
    figures = reports.statistics(db, actor, start, end, args.unit)
    if csv_path is not None:
        try:
            csv_path.write_text(reports.statistics_csv(figures), encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"--csv: cannot write {args.csv}: {exc.strerror}.", field="--csv"
            ) from None
        print(f"wrote {args.csv}")
    if args.json:
        context.show(figures, True, "")
    elif not args.out and not args.csv:
        print(reports.statistics_csv(figures), end="")
    return 0


def register(commands: arg.Commands) -> None:
    """Add ``summary`` and ``stats`` to the parser."""
    sp = arg.command(
        commands, "summary", cmd_summary, "print case summaries to PDF (several: one PDF)"
    )
    sp.add_argument("cases", nargs="+", metavar="CASE", type=arg.identifier("case"))
    sp.add_argument("--out", required=True, metavar="FILE.pdf", type=arg.path("--out"))
    sp.add_argument("--audience", choices=list(SUMMARY_AUDIENCES), default="command")

    sp = arg.command(
        commands, "stats", cmd_stats, "statistics for a period (PDF for the annual review, CSV)"
    )
    sp.add_argument("--from", dest="start", required=True, metavar="DATE")
    sp.add_argument("--to", dest="end", required=True, metavar="DATE")
    sp.add_argument("--unit")
    sp.add_argument("--out", metavar="FILE.pdf", type=arg.path("--out"))
    sp.add_argument("--csv", metavar="FILE.csv", type=arg.path("--csv"))
    sp.add_argument("--json", action="store_true")
