"""``ia-desk evidence ...``: adding screenshot files to a case, re-hashing what is stored,
exporting an item with its sidecar, and an item's custody log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ia_desk.cli import arguments as arg
from ia_desk.cli import context
from ia_desk.errors import InputError


def cmd_evidence_add(args: argparse.Namespace) -> int:
    """Add files to a case, all or none. A file over the ``evidence_max_mb`` setting is
    not read: the service refuses it, naming it, and audits the refusal."""
    from ia_desk import validation
    from ia_desk.services import evidence, settings

    captured = (
        validation.aware_datetime(args.captured_at, "--captured-at") if args.captured_at else None
    )
    db, actor = context.signed_in(args)
    cap = int(settings.setting(db, actor, "evidence_max_mb")) * 1024 * 1024
    items = []
    for name in args.files:
        source = Path(name)
        if not source.is_file():
            raise InputError(f"{name}: no such file.", field="file")
        size = source.stat().st_size
        # A file far over the cap is not even read; the service refuses (and audits) it.
        data = source.read_bytes() if size <= cap else b"\0" * (cap + 1)
        items.append(
            evidence.EvidenceInput(
                data=data,
                file_name=source.name,
                method="file",
                source_url=args.source_url,
                platform=args.platform,
                captured_at=captured,
                note=args.note,
            )
        )
    added = evidence.add_evidence(db, actor, args.case, items).value
    out: list[dict[str, Any]] = [
        {
            "id": e.id,
            "sha256": e.sha256,
            "file_name": e.file_name,
            "media_type": e.media_type,
            "size": e.size,
        }
        for e in added.evidence
    ]
    # A file already stored as evidence is added all the same; the warning goes to
    # standard error (and into the JSON item), so standard output stays the list.
    warned = {w.evidence_id: w.message for w in added.warnings}
    for item in out:
        if item["id"] in warned:
            item["warning"] = warned[item["id"]]
            print(f"warning: {item['warning']}", file=sys.stderr)
    context.show(
        out,
        args.json,
        "\n".join(f"evidence {e['id']}: {e['file_name']} sha256 {e['sha256']}" for e in out),
    )
    return 0


def cmd_evidence_verify(args: argparse.Namespace) -> int:
    from ia_desk.services import evidence

    results = evidence.verify(*context.signed_in(args), args.case)
    bad = [r for r in results if not r["verified"]]
    if args.json:
        context.show(results, True, "")
    else:
        for r in bad:
            print(
                f"MISMATCH: evidence {r['id']} ({r['case']}, {r['file_name']}): the stored "
                f"bytes no longer hash to {r['sha256']}"
            )
        print(f"{len(results) - len(bad)} of {len(results)} item(s) verified")
    return 1 if bad else 0


def cmd_evidence_export(args: argparse.Namespace) -> int:
    from ia_desk.services import evidence

    target, sidecar, ok = evidence.export(*context.signed_in(args), args.id, Path(args.out))
    print(f"exported {target} and {sidecar}" + ("" if ok else " (MISMATCH: see sidecar)"))
    return 0 if ok else 1


def cmd_evidence_custody(args: argparse.Namespace) -> int:
    from ia_desk.services import evidence

    rows = evidence.custody(*context.signed_in(args), args.id)
    if args.json:
        context.show(rows, True, "")
    else:
        for r in rows:
            print(
                f"{r['at'][:19]}  {r['user']:<12} {r['workstation']:<16} {r['event']:<18} "
                f"{r['outcome']}"
            )
    return 0


def register(commands: arg.Commands) -> None:
    """Add the ``evidence ...`` commands to the parser."""
    ev = arg.group(commands, "evidence", "screenshot evidence")
    sp = arg.command(ev, "add", cmd_evidence_add, "add screenshot files to a case")
    sp.add_argument("case", type=arg.identifier("case"))
    sp.add_argument("files", nargs="+", metavar="FILE", type=arg.path("file"))
    sp.add_argument("--source-url", metavar="URL")
    sp.add_argument("--platform")
    sp.add_argument("--captured-at", metavar="ISO8601")
    sp.add_argument("--note")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(ev, "verify", cmd_evidence_verify, "re-hash all (or one case's) evidence")
    sp.add_argument("case", type=arg.identifier("case"), nargs="?")
    sp.add_argument("--json", action="store_true")
    sp = arg.command(ev, "export", cmd_evidence_export, "export an item with a sidecar JSON")
    sp.add_argument("id", type=arg.record_id("id", "an evidence id"))
    sp.add_argument("--out", required=True, metavar="FOLDER", type=arg.path("--out"))
    sp = arg.command(ev, "custody", cmd_evidence_custody, "an item's custody log")
    sp.add_argument("id", type=arg.record_id("id", "an evidence id"))
    sp.add_argument("--json", action="store_true")
