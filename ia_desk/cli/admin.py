"""An IA administrator's commands: department settings, the export of every case,
backups and restoring one, a synthetic department for load tests (``demo``), and the
audit trail (verifying its chain, its checkpoint, listing and exporting events)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ia_desk.cli import arguments as arg
from ia_desk.cli import context

AUDIT_LIST_MAX = 100_000
DEMO_CASES_MAX = 1_000_000


def cmd_settings_list(args: argparse.Namespace) -> int:
    from ia_desk.services import settings

    rows = settings.all_settings(*context.signed_in(args))
    if args.json:
        context.show(rows, True, "")
    else:
        for r in rows:
            print(f"{r['key']:<28} {r['value']!s:>6}  (default {r['default']})  {r['help']}")
    return 0


def cmd_settings_set(args: argparse.Namespace) -> int:
    from ia_desk.services import settings

    value = settings.change_setting(*context.signed_in(args), args.key, args.value).value
    print(f"{args.key} = {value}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ia_desk.services import maintenance

    arg.output_file(args.file, "file")
    digest = maintenance.export_everything(*context.signed_in(args), Path(args.file))
    print(f"exported to {args.file} (sha256 {digest})")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from ia_desk.services import maintenance

    db, actor = context.signed_in(args)
    passphrase = context.backup_passphrase(args.own_passphrase, confirm=True)
    digest = maintenance.make_backup(db, actor, Path(args.file), passphrase)
    print(f"backup written to {args.file} (sha256 {digest})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database by a checked backup; the current file is kept aside."""
    from ia_desk.services import maintenance

    db, actor = context.signed_in(args)
    passphrase = context.backup_passphrase(args.own_passphrase, confirm=False)
    aside = maintenance.restore_backup(db, actor, Path(args.file), passphrase)
    print(f"restored from {args.file}; the previous database is kept at {aside}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ia_desk.services import maintenance

    done = maintenance.generate_synthetic(
        *context.signed_in(args),
        args.cases,
        args.events_per_case,
        progress=lambda m: print(m, file=sys.stderr),
    )
    print(", ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in done.items()))
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Walk the chain (against a checkpoint kept elsewhere, given one): exit 1 names the
    first broken row."""
    from ia_desk.services import audit

    checkpoint = audit.parse_checkpoint(args.checkpoint) if args.checkpoint else None
    result = audit.verify_trail(*context.signed_in(args), checkpoint)
    if result.ok:
        print(f"audit trail intact: {result.checked} events, head {result.checkpoint}")
        return 0
    print(
        f"audit trail BROKEN at sequence {result.first_bad_seq}: {result.problem}", file=sys.stderr
    )
    return 1


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    from ia_desk.services import audit

    print(audit.checkpoint(*context.signed_in(args)))
    return 0


def _audit_filters(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "user": args.user,
        "case": args.case,
        "event": args.event,
        "since": arg.optional_date(args.since, "--from"),
        "until": arg.optional_date(args.until, "--to"),
    }


def cmd_audit_list(args: argparse.Namespace) -> int:
    from ia_desk.services import audit

    db, actor = context.signed_in(args)
    rows = audit.events(db, actor, limit=args.limit, **_audit_filters(args))
    if args.json:
        context.show(rows, True, "")
    else:
        for r in rows:
            print(
                f"{r['seq']:>8} {r['at'][:19]} {r['user'] or '':<12} {r['event']:<24} "
                f"{r['outcome']:<8} {r['case'] or ''} {r['details']}"
            )
    return 0


def cmd_audit_export(args: argparse.Namespace) -> int:
    from ia_desk.services import audit

    arg.output_file(args.file, "file")
    db, actor = context.signed_in(args)
    n = audit.export(db, actor, Path(args.file), **_audit_filters(args))
    print(f"exported {n} event(s) to {args.file}")
    return 0


def register(commands: arg.Commands) -> None:
    """Add ``settings ...``, ``export``, ``backup``, ``restore``, ``demo`` and ``audit ...``
    to the parser."""
    st = arg.group(commands, "settings", "department-wide settings")
    sp = arg.command(st, "list", cmd_settings_list, "list settings with their values")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(st, "set", cmd_settings_set, "change a setting (IA admin)")
    sp.add_argument("key", type=arg.identifier("key"))
    sp.add_argument("value")

    sp = arg.command(commands, "export", cmd_export, "export every case to JSON (IA admin)")
    sp.add_argument("file", type=arg.path("file"))

    for name, handler, what in (
        ("backup", cmd_backup, "write a consistent encrypted backup"),
        ("restore", cmd_restore, "replace the database by a backup"),
    ):
        sp = arg.command(commands, name, handler, f"{what} (IA admin)")
        sp.add_argument("file", type=arg.path("file"))
        sp.add_argument(
            "--own-passphrase",
            action="store_true",
            help=f"the backup has its own passphrase ({context.BACKUP_PASSPHRASE_ENV} or asked)",
        )

    sp = arg.command(
        commands, "demo", cmd_demo, "fill an empty database with synthetic cases (benchmarks)"
    )
    sp.add_argument("--cases", type=arg.count("--cases", DEMO_CASES_MAX), required=True)
    sp.add_argument(
        "--events-per-case", type=arg.count("--events-per-case", 1000, minimum=0), default=24
    )

    au = arg.group(commands, "audit", "the audit trail")
    sp = arg.command(au, "verify", cmd_audit_verify, "verify the audit trail's chain")
    sp.add_argument("--checkpoint", metavar="SEQ:HASH")
    arg.command(au, "checkpoint", cmd_audit_checkpoint, "print the current head to keep elsewhere")
    sp = arg.command(au, "list", cmd_audit_list, "list audit events, newest first (IA admin)")
    sp.add_argument("--limit", type=arg.count("--limit", AUDIT_LIST_MAX), default=200)
    sp.add_argument("--json", action="store_true")
    _filters(sp)
    sp = arg.command(au, "export", cmd_audit_export, "export audit events as CSV (IA admin)")
    sp.add_argument("file", type=arg.path("file"))
    _filters(sp)


def _filters(sp: arg.Parser) -> None:
    """The filters of ``audit list`` and ``audit export``."""
    sp.add_argument("--user", type=arg.identifier("--user"))
    sp.add_argument("--case", type=arg.identifier("--case"))
    sp.add_argument("--event", type=arg.identifier("--event", 60))
    sp.add_argument("--from", dest="since", metavar="DATE")
    sp.add_argument("--to", dest="until", metavar="DATE")
