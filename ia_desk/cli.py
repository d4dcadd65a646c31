"""The ``ia-desk`` command line: parses, calls the services, prints. No rules live here.

Exit codes: 0 ok, 1 a check failed, 2 bad input, 3 permission denied (or sign-in failed),
70 an unexpected error (a bug: said plainly, with no traceback unless ``IA_DESK_DEBUG=1``).
The acting user comes from ``IA_DESK_USER``/``IA_DESK_PASSWORD`` or is asked for.
Running ``ia-desk`` with no command starts the desktop app.

Every argument is checked as it is parsed, by the helper of its kind of field in
``ia_desk.validation`` (an argparse ``type=``): identifiers are normalised, ids and counts
bounded, and any other text refused if it is not Unicode (undecodable bytes) or holds
direction controls. A refusal is an InputError naming the argument: exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ia_desk import __version__
from ia_desk.errors import AuthenticationError, IADeskError, InputError, StorageError
from ia_desk.terms import REDACTION_KINDS

USER_ENV = "IA_DESK_USER"
PASSWORD_ENV = "IA_DESK_PASSWORD"  # noqa: S105 - the name of a variable
NEW_PASSWORD_ENV = "IA_DESK_NEW_PASSWORD"  # noqa: S105
DB_PASSWORD_ENV = "IA_DESK_DB_PASSWORD"  # noqa: S105 - the name of a variable
DEBUG_ENV = "IA_DESK_DEBUG"
EXIT_UNEXPECTED = 70  # EX_SOFTWARE: an internal error, not the user's input

# The largest input files read whole: a report (its narrative is at most 100,000
# characters) and a discipline matrix are far smaller; anything bigger is not one.
MAX_REPORT_BYTES = 8 * 1024 * 1024
MAX_MATRIX_BYTES = 1024 * 1024
AUDIT_LIST_MAX = 100_000
SUGGEST_TOP_MAX = 50
DEMO_CASES_MAX = 1_000_000


class UsageError(InputError):
    pass


def _checked(helper: str, field: str, **options: Any) -> Callable[[str], Any]:
    """An argparse ``type=``: checks one argument with ``validation.<helper>`` and returns
    what the helper returns (a normalised identifier, a bounded int). Its InputError names
    the argument and is not caught by argparse, so the command ends with exit 2."""

    def convert(value: str) -> Any:
        from ia_desk import validation

        return getattr(validation, helper)(value, field, **options)

    convert.__name__ = field
    return convert


def _identifier(field: str, max_len: int = 40) -> Callable[[str], Any]:
    return _checked("identifier", field, max_len=max_len)


def _badge(field: str = "--employee") -> Callable[[str], Any]:
    return _checked("identifier", field, max_len=20)


def _badges(field: str) -> Callable[[str], Any]:
    """A comma-separated list of badges, each in its normal form."""

    def convert(value: str) -> str:
        from ia_desk import validation

        badges = [
            validation.identifier(b, field, max_len=20) for b in value.split(",") if b.strip()
        ]
        return ",".join(b for b in badges if b)

    convert.__name__ = field
    return convert


def _person(field: str) -> Callable[[str], Any]:
    return _checked("person_name", field)


def _record_id(field: str, what: str) -> Callable[[str], Any]:
    return _checked("record_id", field, what=what)


def _count(field: str, maximum: int, minimum: int = 1) -> Callable[[str], Any]:
    return _checked("limit", field, maximum=maximum, minimum=minimum)


def _path(field: str) -> Callable[[str], Any]:
    """A file or folder name (kept as text; checked for what no file system takes)."""

    def convert(value: str) -> str:
        from ia_desk import validation

        return value if value == "-" else str(validation.file_path(value, field))

    convert.__name__ = field
    return convert


def _database(value: str) -> str:
    """``--db``: a file path or a URL of a kind IA Desk opens, refused naming ``--db``
    when no database could be there (a folder, a name no file system takes, a scheme such
    as http://). Whether it opens is for ``open_database`` to say."""
    from ia_desk import validation

    validation.plain_argument(value, "--db")
    if "://" not in value:
        path = validation.file_path(value, "--db").expanduser()
    else:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise InputError(
                "--db: not a database URL (postgresql+psycopg://USER@HOST/DB, "
                "sqlite+pysqlcipher:///PATH) nor a file path.",
                field="--db",
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise InputError(
                f"--db: a '{validation.printable(url.get_backend_name())}' address is not a "
                "database IA Desk opens: give a file path, sqlite+pysqlcipher:///PATH or "
                "postgresql+psycopg://USER@HOST/DB.",
                field="--db",
            )
        if url.get_backend_name() != "sqlite" or not url.database:
            return value
        path = validation.file_path(url.database, "--db").expanduser()
    if path.is_dir():
        raise InputError(
            f"--db: {validation.printable(str(path), 200)} is a folder; give the database file.",
            field="--db",
        )
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # exit 2 with our own wording, no traceback
        self.print_usage(sys.stderr)
        raise UsageError(message)

    def add_argument(self, *args: Any, **kwargs: Any) -> Any:
        """Every text argument without a kind of its own is still checked: Unicode text
        (no undecodable bytes), no direction controls."""
        if kwargs.get("action", "store") in ("store", "append") and "type" not in kwargs:
            field = next((a for a in args if a.startswith("--")), None) or (
                args[0] if args else kwargs.get("dest", "argument")
            )
            kwargs["type"] = _checked("plain_argument", str(field))
        return super().add_argument(*args, **kwargs)


def _say(message: str) -> None:
    """Print a message to stderr whatever its encoding takes (never a second error)."""
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    safe = message.encode(encoding, "backslashreplace").decode(encoding, "replace")
    print(safe, file=sys.stderr)


def _input_file(name: str, field: str, max_bytes: int) -> bytes:
    """The bytes of a file the user names, refused (naming it) if it is not a readable
    regular file or is larger than ``max_bytes``."""
    from ia_desk import validation

    path = Path(name)
    if not path.is_file():
        raise InputError(f"{field}: {validation.printable(name, 200)}: no such file.", field=field)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{field}: {validation.printable(name, 200)} is {size:,} bytes; at most "
                f"{max_bytes:,}.",
                field=field,
            )
        return path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{field}: cannot read {validation.printable(name, 200)}: {exc.strerror}.",
            field=field,
        ) from None


def _output_file(name: str | None, field: str) -> Path | None:
    """Where a command will write: checked before anything is done (the folder exists)."""
    from ia_desk import validation

    return validation.output_file(name, field) if name else None


def _prompt_passphrase(message: str, confirm: bool) -> str:
    if not sys.stdin.isatty():
        return ""
    first = getpass.getpass(f"{message}: ")
    if confirm and getpass.getpass("Again, to confirm: ") != first:
        raise InputError("The two passphrases differ.", field="passphrase")
    return first


def _new_password(login: str) -> str:
    value = os.environ.get(NEW_PASSWORD_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise InputError(
            f"No password for {login}: set {NEW_PASSWORD_ENV} or run in a terminal.",
            field="password",
        )
    first = getpass.getpass(f"New password for {login}: ")
    if getpass.getpass("Again, to confirm: ") != first:
        raise InputError("The two passwords differ.", field="password")
    return first


def _open(args: argparse.Namespace) -> Any:
    from ia_desk.startup import daily_backup_if_due, open_database

    db = open_database(args.db, prompt=_prompt_passphrase)
    try:
        daily_backup_if_due(db)
    except StorageError as exc:  # a full disk must not keep anyone from working
        print(f"ia-desk: warning: {exc.message}", file=sys.stderr)
    return db


def _credentials() -> tuple[str, str]:
    login = os.environ.get(USER_ENV)
    password = os.environ.get(PASSWORD_ENV)
    if not login or password is None:
        if not sys.stdin.isatty():
            raise AuthenticationError(
                f"Sign-in needed: set {USER_ENV} and {PASSWORD_ENV}, or run in a terminal."
            )
        login = login or input("Login: ")
        password = getpass.getpass("Password: ")
    return login, password


def _sign_in(db: Any) -> Any:
    from ia_desk.accounts.users import authenticate

    actor = authenticate(db, *_credentials())
    if actor.must_change_password:
        raise AuthenticationError(
            f"The password of {actor.login} was set by an administrator: choose your own "
            "with 'ia-desk user passwd' first (old password in IA_DESK_PASSWORD, new one in "
            f"{NEW_PASSWORD_ENV}, or asked)."
        )
    return actor


@contextlib.contextmanager
def _signed_in(
    args: argparse.Namespace, write: bool = True, audit_only: bool = False
) -> Iterator[tuple[Any, Any]]:
    """Open the database, sign in, and hold one transaction (a write unless told;
    ``audit_only`` for one that only records what was done, see Database.write)."""
    db = _open(args)
    actor = _sign_in(db)
    with db.write(actor, audit_only=audit_only) if write else db.read(actor) as session:
        yield session, actor


def _print(data: Any, as_json: bool, human: str) -> None:
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        print(human)


# ---------------------------------------------------------------- commands


def cmd_init(args: argparse.Namespace) -> int:
    from ia_desk.services.database import create as initialise

    password = os.environ.get(NEW_PASSWORD_ENV) or os.environ.get(PASSWORD_ENV)
    if not password:
        password = _new_password(args.admin)
    db, done = initialise(
        args.db,
        args.admin,
        args.name or args.admin,
        password,
        demo=args.demo,
        prompt=_prompt_passphrase,
    )
    db.dispose()
    print("\n".join(done))
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from ia_desk.accounts.users import add_user

    db = _open(args)
    actor = _sign_in(db)
    password = _new_password(args.login)
    with db.write(actor) as s:
        user = add_user(s, actor, args.login, args.role, args.name, password)
        print(f"user added: {user.login} ({user.role})")
    return 0


def cmd_policy_list(args: argparse.Namespace) -> int:
    from ia_desk.policy.catalogue import clause_dict, list_clauses

    db = _open(args)
    with db.read() as s:
        clauses = [clause_dict(c) for c in list_clauses(s, args.policy)]
    if args.json:
        _print(clauses, True, "")
    else:
        for c in clauses:
            print(f"{c['id']:<48} {c['title']}")
    return 0


def cmd_policy_show(args: argparse.Namespace) -> int:
    import datetime as dt

    from ia_desk import validation
    from ia_desk.policy.catalogue import clause_dict, clause_in_force

    on = validation.date(args.on, "--on", required=False) if args.on else None
    db = _open(args)
    with db.read() as s:
        c = clause_dict(clause_in_force(s, args.clause, on or dt.date.today()))
    _print(
        c,
        args.json,
        f"{c['id']}  ({c['policy']} version {c['version']})\n{c['title']}\n\n{c['text']}",
    )
    return 0


def cmd_report_add(args: argparse.Namespace) -> int:
    from ia_desk.cases.intake import open_case, parse_json, parse_report

    if args.file == "-":
        raw = sys.stdin.buffer.read(MAX_REPORT_BYTES + 1)
        if len(raw) > MAX_REPORT_BYTES:
            raise InputError(
                f"file: the report on standard input is over {MAX_REPORT_BYTES:,} bytes.",
                field="file",
            )
    else:
        raw = _input_file(args.file, "file", MAX_REPORT_BYTES)
    report = parse_report(parse_json(raw))
    with _signed_in(args) as (s, actor):
        result = open_case(s, actor, report)
        out = {
            "case": result.case.number,
            "tracking_code": result.tracking_code,
            "linked_cases": result.linked_cases,
        }
    human = f"case opened: {out['case']}\ntracking code for the reporter: {out['tracking_code']}"
    if result.linked_cases:
        human += "\nlinked to earlier reports: " + ", ".join(result.linked_cases)
    _print(out, args.json, human)
    return 0


def cmd_case_list(args: argparse.Namespace) -> int:
    from ia_desk.casefile.listing import list_cases

    with _signed_in(args, write=False) as (s, actor):
        rows = [r.as_dict() for r in list_cases(s, actor, status=args.status, search=args.search)]
    if args.json:
        _print(rows, True, "")
    else:
        for r in rows:
            flags = ",".join(r["flags"])
            print(
                f"{r['case']:<14} {r['status']:<14} {r['received_at'][:10]}  "
                f"due {r['deadline']}  {r['subjects'][:30]:<30} {r['clauses'][:40]:<40} {flags}"
            )
        print(f"{len(rows)} case(s)")
    return 0


def cmd_case_show(args: argparse.Namespace) -> int:
    from ia_desk.casefile.model import full_file
    from ia_desk.casefile.read import show_case

    with _signed_in(args, write=False) as (s, actor):
        view = show_case(s, actor, args.case)
    if args.json:
        _print(view, True, "")
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
    print("\n".join(lines))
    return 0


def cmd_allegation_add(args: argparse.Namespace) -> int:
    from ia_desk.cases.allegations import add_allegation

    with _signed_in(args) as (s, actor):
        a = add_allegation(s, actor, args.case, args.employee, args.clause)
        out = {
            "id": a.id,
            "case": a.case.number,
            "employee": a.employee.badge,
            "clause": a.clause.clause_id,
            "clause_version": a.clause.policy_version.version,
        }
    _print(out, args.json, f"allegation {out['id']} added: {out['employee']} {out['clause']}")
    return 0


def cmd_allegation_find(args: argparse.Namespace) -> int:
    from ia_desk import validation
    from ia_desk.services.allegations import record_finding_in as record_finding

    on = validation.date(args.on, "--on", required=False) if args.on else None
    with _signed_in(args) as (s, actor):
        a = record_finding(s, actor, args.id, args.disposition, args.rationale, on)
        out = {
            "id": a.id,
            "case": a.case.number,
            "disposition": a.disposition,
            "finding_on": a.finding_on.isoformat() if a.finding_on else None,
        }
    _print(out, args.json, f"allegation {out['id']}: {out['disposition']}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ia_desk.casefile.export import export_all

    _output_file(args.file, "file")
    with _signed_in(args, audit_only=True) as (s, actor):
        digest = export_all(s, actor, Path(args.file))
    print(f"exported to {args.file} (sha256 {digest})")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from ia_desk.audit.trail import parse_checkpoint, verify
    from ia_desk.security.roles import require

    checkpoint = parse_checkpoint(args.checkpoint) if args.checkpoint else None
    db = _open(args)
    actor = _sign_in(db)
    with db.write(actor, audit_only=True) as s:
        require(actor, "audit.read", "audit.verify")
    with db.read() as s:
        result = verify(s, checkpoint)
    if result.ok:
        print(f"audit trail intact: {result.checked} events, head {result.checkpoint}")
        return 0
    print(
        f"audit trail BROKEN at sequence {result.first_bad_seq}: {result.problem}", file=sys.stderr
    )
    return 1


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    from ia_desk.db.models import AuditHead
    from ia_desk.security.roles import require

    db = _open(args)
    actor = _sign_in(db)
    with db.write(actor) as s:
        require(actor, "audit.read", "audit.checkpoint")
        head = s.get(AuditHead, 1)
        print(f"{head.seq}:{head.mac}" if head else "0:" + "0" * 64)
    return 0


def cmd_settings_list(args: argparse.Namespace) -> int:
    from ia_desk.settings import all_settings

    db = _open(args)
    _sign_in(db)
    with db.read() as s:
        rows = all_settings(s)
    if args.json:
        _print(rows, True, "")
    else:
        for r in rows:
            print(f"{r['key']:<28} {r['value']!s:>6}  (default {r['default']})  {r['help']}")
    return 0


def cmd_settings_set(args: argparse.Namespace) -> int:
    from ia_desk.settings import set_setting

    with _signed_in(args) as (s, actor):
        value = set_setting(s, actor, args.key, args.value)
    print(f"{args.key} = {value}")
    return 0


def cmd_evidence_add(args: argparse.Namespace) -> int:
    from ia_desk import validation
    from ia_desk.evidence.store import EvidenceInput, add_evidence

    captured = (
        validation.aware_datetime(args.captured_at, "--captured-at") if args.captured_at else None
    )
    db = _open(args)
    actor = _sign_in(db)
    with db.read() as s:
        from ia_desk.settings import get_setting

        cap = int(get_setting(s, "evidence_max_mb")) * 1024 * 1024
    items = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise InputError(f"{name}: no such file.", field="file")
        size = path.stat().st_size
        # A file far over the cap is not even read; the service refuses (and audits) it.
        data = path.read_bytes() if size <= cap else b"\0" * (cap + 1)
        items.append(
            EvidenceInput(
                data=data,
                file_name=path.name,
                method="file",
                source_url=args.source_url,
                platform=args.platform,
                captured_at=captured,
                note=args.note,
            )
        )
    with db.write(actor) as s:
        added = add_evidence(s, actor, args.case, items)
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
    _print(
        out,
        args.json,
        "\n".join(f"evidence {e['id']}: {e['file_name']} sha256 {e['sha256']}" for e in out),
    )
    return 0


def cmd_evidence_verify(args: argparse.Namespace) -> int:
    from ia_desk.evidence.store import verify_all

    with _signed_in(args, audit_only=True) as (s, actor):
        results = verify_all(s, actor, args.case)
    bad = [r for r in results if not r["verified"]]
    if args.json:
        _print(results, True, "")
    else:
        for r in bad:
            print(
                f"MISMATCH: evidence {r['id']} ({r['case']}, {r['file_name']}): the stored "
                f"bytes no longer hash to {r['sha256']}"
            )
        print(f"{len(results) - len(bad)} of {len(results)} item(s) verified")
    return 1 if bad else 0


def cmd_evidence_export(args: argparse.Namespace) -> int:
    from ia_desk.evidence.store import export_evidence

    with _signed_in(args, audit_only=True) as (s, actor):
        target, sidecar, ok = export_evidence(s, actor, args.id, Path(args.out))
    print(f"exported {target} and {sidecar}" + ("" if ok else " (MISMATCH: see sidecar)"))
    return 0 if ok else 1


def cmd_evidence_custody(args: argparse.Namespace) -> int:
    from ia_desk.evidence.store import custody_log

    with _signed_in(args, write=False) as (s, actor):
        rows = custody_log(s, actor, args.id)
    if args.json:
        _print(rows, True, "")
    else:
        for r in rows:
            print(
                f"{r['at'][:19]}  {r['user']:<12} {r['workstation']:<16} {r['event']:<18} "
                f"{r['outcome']}"
            )
    return 0


def cmd_case_action(args: argparse.Namespace) -> int:
    from ia_desk.services.cases import take_action_in as perform

    with _signed_in(args) as (s, actor):
        case = perform(s, actor, args.case, args.action, assignee=args.assignee, reason=args.reason)
        print(f"{case.number}: {case.status}")
    return 0


def cmd_case_toll(args: argparse.Namespace) -> int:
    from ia_desk.cases.deadlines import toll

    with _signed_in(args) as (s, actor):
        toll(s, actor, args.case, args.reason)
    print(f"{args.case}: deadline paused")
    return 0


def cmd_case_untoll(args: argparse.Namespace) -> int:
    from ia_desk.cases.deadlines import untoll

    with _signed_in(args) as (s, actor):
        deadline = untoll(s, actor, args.case)
    print(f"{args.case}: deadline resumed, now {deadline}")
    return 0


def cmd_case_reporter_update(args: argparse.Namespace) -> int:
    from ia_desk.cases.deadlines import record_reporter_update

    with _signed_in(args) as (s, actor):
        record_reporter_update(s, actor, args.case, args.note)
    print(f"{args.case}: reporter update recorded")
    return 0


def cmd_discipline_recommend(args: argparse.Namespace) -> int:
    from ia_desk.discipline.ladder import recommend

    with _signed_in(args, write=False) as (s, actor):
        rec = recommend(s, actor, args.case, args.employee)
    _print(rec, args.json, rec["explanation"])
    return 0


def cmd_discipline_record(args: argparse.Namespace) -> int:
    from ia_desk.services.discipline import decide_in as record

    with _signed_in(args) as (s, actor):
        action = record(
            s, actor, args.case, args.employee, args.step, args.reason, amend=args.amend
        )
        out = {
            "id": action.id,
            "step": action.step,
            "recommended": action.recommended_step,
            "within_range": action.within_range,
        }
    _print(out, args.json, f"recorded: {out['step']} (recommended {out['recommended']})")
    return 0


def cmd_discipline_matrix_show(args: argparse.Namespace) -> int:
    from ia_desk.discipline.matrix import current

    db = _open(args)
    _sign_in(db)
    with db.read() as s:
        matrix = current(s)
    if args.json:
        _print(matrix, True, "")
    else:
        print(f"matrix version {matrix['version']}, look-back {matrix['lookback_months']} months")
        for name, c in matrix["classes"].items():
            print(
                f"class {name} {c['label']:<14} presumptive {c['presumptive']:<18} range "
                f"{c['range'][0]}..{c['range'][1]}"
            )
    return 0


def cmd_discipline_matrix_set(args: argparse.Namespace) -> int:
    from ia_desk.cases.intake import parse_json
    from ia_desk.discipline.matrix import update_matrix

    content = parse_json(_input_file(args.file, "file", MAX_MATRIX_BYTES), "The matrix file")
    with _signed_in(args) as (s, actor):
        version = update_matrix(s, actor, content, args.reason)
    print(f"discipline matrix version {version} stored")
    return 0


def cmd_retaliation_review(args: argparse.Namespace) -> int:
    from ia_desk.protection.retaliation import record_review

    with _signed_in(args) as (s, actor):
        record_review(s, actor, args.case, args.conclusion, args.reasoning)
    print(f"{args.case}: retaliation review recorded ({args.conclusion})")
    return 0


def cmd_protection_revoke(args: argparse.Namespace) -> int:
    from ia_desk.protection.retaliation import revoke_protection

    with _signed_in(args) as (s, actor):
        revoke_protection(s, actor, args.case, args.reason)
    print(f"{args.case}: the reporter's protection is revoked")
    return 0


def cmd_policy_reviews(args: argparse.Namespace) -> int:
    from ia_desk.cases.allegations import review_items

    with _signed_in(args, write=False) as (s, actor):
        rows = review_items(s, actor, args.policy, args.all)
    if args.json:
        _print(rows, True, "")
    else:
        for r in rows:
            print(
                f"{r['clause']:<28} {r['case']:<14} opened {r['opened_at'][:10]} by "
                f"{r['opened_by']}" + (" (closed)" if r["closed_at"] else "")
            )
        print(f"{len(rows)} item(s)")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from ia_desk.reports.summary import batch, summary, write_pdf

    _output_file(args.out, "--out")
    db = _open(args)
    actor = _sign_in(db)
    out = Path(args.out)
    with db.write(actor, audit_only=True) as s:
        if len(args.cases) == 1:
            printed = summary(s, actor, args.cases[0], args.audience)
        else:
            printed = batch(s, actor, args.cases, args.audience)
        write_pdf(printed, out)
    print(f"wrote {out} ({len(printed.cases)} case(s), sha256 {printed.sha256})")
    return 0


def cmd_case_redact(args: argparse.Namespace) -> int:
    from ia_desk.cases.redaction import add_redaction

    with _signed_in(args) as (s, actor):
        add_redaction(s, actor, args.case, args.text, args.kind)
    print(f"{args.case}: marked to be withheld from everyone outside IA")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from ia_desk import validation
    from ia_desk.reports.stats import annual_pdf, compute, to_csv

    start = validation.date(args.start, "--from")
    end = validation.date(args.end, "--to")
    assert start is not None and end is not None
    if end < start:
        raise InputError("--to: the period ends before it starts.", field="--to")
    _output_file(args.out, "--out")
    csv_path = _output_file(args.csv, "--csv")
    db = _open(args)
    actor = _sign_in(db)
    if args.out:
        with db.write(actor, audit_only=True) as s:
            pdf, figures = annual_pdf(s, actor, start, end, args.unit)
        from ia_desk.reports.summary import Printed, write_pdf

        write_pdf(Printed(pdf, "", []), Path(args.out))
        print(f"wrote {args.out} ({figures['cases']} case(s))")
    with db.read() as s:
        figures = compute(s, actor, start, end, args.unit)
    if csv_path is not None:
        try:
            csv_path.write_text(to_csv(figures), encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"--csv: cannot write {args.csv}: {exc.strerror}.", field="--csv"
            ) from None
        print(f"wrote {args.csv}")
    if args.json:
        _print(figures, True, "")
    elif not args.out and not args.csv:
        print(to_csv(figures), end="")
    return 0


BACKUP_PASSPHRASE_ENV = "IA_DESK_BACKUP_PASSPHRASE"  # noqa: S105 - a variable's name


def _backup_passphrase(args: argparse.Namespace, confirm: bool) -> str | None:
    if not args.own_passphrase:
        return None
    value = os.environ.get(BACKUP_PASSPHRASE_ENV) or _prompt_passphrase(
        "Passphrase for the backup file", confirm
    )
    if not value:
        raise InputError(
            f"Give the backup's passphrase in {BACKUP_PASSPHRASE_ENV} or run in a terminal.",
            field="passphrase",
        )
    return value


def cmd_backup(args: argparse.Namespace) -> int:
    from ia_desk.services.maintenance import make_backup

    db = _open(args)
    actor = _sign_in(db)
    digest = make_backup(db, actor, Path(args.file), _backup_passphrase(args, True))
    print(f"backup written to {args.file} (sha256 {digest})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from ia_desk.services.maintenance import restore_backup

    db = _open(args)
    actor = _sign_in(db)
    aside = restore_backup(db, actor, Path(args.file), _backup_passphrase(args, False))
    print(f"restored from {args.file}; the previous database is kept at {aside}")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from ia_desk.accounts.users import change_own_password

    db = _open(args)
    login, old = _credentials()
    actor = change_own_password(db, login, old, _new_password(login))
    print(f"password of {actor.login} changed")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from ia_desk.accounts.users import list_users

    with _signed_in(args, write=False) as (s, actor):
        rows = list_users(s, actor)
    if args.json:
        _print(rows, True, "")
    else:
        for u in rows:
            state = "disabled" if not u["active"] else "LOCKED" if u["locked"] else "active"
            print(f"{u['login']:<20} {u['role']:<16} {state:<9} {u['name']}")
    return 0


def cmd_user_reset(args: argparse.Namespace) -> int:
    from ia_desk.accounts.users import reset_password

    db = _open(args)
    actor = _sign_in(db)
    password = _new_password(args.login)
    with db.write(actor) as s:
        reset_password(s, actor, args.login, password)
    print(f"password of {args.login} reset; any lockout is lifted")
    return 0


def cmd_user_active(args: argparse.Namespace) -> int:
    from ia_desk.accounts.users import set_active

    db = _open(args)
    actor = _sign_in(db)
    active = args.user_cmd == "enable"
    with db.write(actor) as s:
        set_active(s, actor, args.login, active)
    print(f"{args.login} {'enabled' if active else 'disabled'}")
    return 0


def _audit_filters(args: argparse.Namespace) -> dict[str, Any]:
    from ia_desk import validation

    return {
        "user": args.user,
        "case": args.case,
        "event": args.event,
        "since": validation.date(args.since, "--from", required=False),
        "until": validation.date(args.until, "--to", required=False),
    }


def cmd_audit_list(args: argparse.Namespace) -> int:
    from ia_desk.audit.trail import list_events

    with _signed_in(args, audit_only=True) as (s, actor):
        rows = list_events(s, actor, limit=args.limit, **_audit_filters(args))
    if args.json:
        _print(rows, True, "")
    else:
        for r in rows:
            print(
                f"{r['seq']:>8} {r['at'][:19]} {r['user'] or '':<12} {r['event']:<24} "
                f"{r['outcome']:<8} {r['case'] or ''} {r['details']}"
            )
    return 0


def cmd_audit_export(args: argparse.Namespace) -> int:
    from ia_desk.audit.trail import export_events

    _output_file(args.file, "file")
    with _signed_in(args, audit_only=True) as (s, actor):
        n = export_events(s, actor, Path(args.file), **_audit_filters(args))
    print(f"exported {n} event(s) to {args.file}")
    return 0


def cmd_policy_suggest(args: argparse.Namespace) -> int:
    from ia_desk.policy.suggest import suggest

    rows = [s.as_dict() for s in suggest(args.text, args.department, args.policy, args.top)]
    if args.json:
        _print(rows, True, "")
    else:
        for r in rows:
            print(f"{r['score']:6.2f}  {r['clause']:<24} {r['title']}  ({', '.join(r['why'])})")
    return 0


def _date_arg(value: str | None, name: str) -> Any:
    from ia_desk import validation

    return validation.date(value, name, required=False) if value else None


def cmd_approval(args: argparse.Namespace) -> int:
    from ia_desk import registers

    db = _open(args)
    actor = _sign_in(db)
    cmd = args.approval_cmd
    layout = None
    if cmd == "add" and args.layout:
        from ia_desk.settings import get_setting

        with db.read() as s:
            cap = int(get_setting(s, "evidence_max_mb")) * 1024 * 1024
        layout = _input_file(args.layout, "--layout", cap)
    with db.write(actor) as s:
        if cmd == "add":
            r = registers.add_approval_request(
                s,
                actor,
                args.employee,
                [i.strip() for i in args.items.split(",") if i],
                args.purpose,
                _date_arg(args.submitted, "--submitted"),
                args.policy,
                layout,
                Path(args.layout).name if args.layout else None,
            )
            print(f"approval request {r.id} recorded")
        elif cmd == "decide":
            r = registers.decide_approval(
                s,
                actor,
                args.id,
                args.decision,
                args.by,
                _date_arg(args.on, "--on"),
                args.conditions,
            )
            print(f"request {r.id}: {r.decision} by {r.decided_by} on {r.decided_on}")
        elif cmd == "link":
            registers.link_approval(s, actor, args.case, args.id)
            print(f"{args.case} linked to request {args.id}")
        else:
            rows = registers.list_approvals(s, actor, args.employee)
            if args.json:
                _print(rows, True, "")
            else:
                for r2 in rows:
                    print(
                        f"{r2['id']:>4} {r2['employee']:<8} {','.join(r2['items']):<24} "
                        f"{r2['decision'] or 'pending':<16} {r2['decided_on'] or ''}"
                    )
    return 0


def cmd_account(args: argparse.Namespace) -> int:
    from ia_desk import registers, validation

    with _signed_in(args) as (s, actor):
        if args.account_cmd == "add":
            acc = registers.add_account(
                s,
                actor,
                args.platform,
                args.handle,
                args.shows_contact,
                [b.strip() for b in (args.authorised or "").split(",") if b.strip()],
            )
            print(f"official account {acc.id} recorded")
        elif args.account_cmd == "post":
            when = validation.aware_datetime(args.at, "--at") if args.at else None
            post = registers.log_post(
                s, actor, args.account, args.text, args.by, when, args.approved_by
            )
            flags = registers.post_flags(post)
            print(f"post {post.id} logged" + (f"; FLAGS: {', '.join(flags)}" if flags else ""))
        else:
            rows = registers.posting_log(s, actor, args.flagged)
            if args.json:
                _print(rows, True, "")
            else:
                for r in rows:
                    print(
                        f"{r['posted_at'][:16]} {r['account']:<28} by {r['posted_by']:<8} "
                        f"{','.join(r['flags'])}"
                    )
    return 0


def cmd_training(args: argparse.Namespace) -> int:
    from ia_desk import registers

    with _signed_in(args) as (s, actor):
        if args.training_cmd == "record":
            on = _date_arg(args.on, "--on")
            if on is None:
                raise InputError("--on: the date the training was completed.", field="on")
            registers.record_training(s, actor, args.employee, on, args.course, args.trainer)
            print(f"training of {args.employee} recorded")
        else:
            o = registers.training_overview(s, actor)
            if args.json:
                _print(o, True, "")
            else:
                print(f"not yet trained: {len(o['untrained'])}")
                for e in o["untrained"]:
                    print(f"  {e['badge']:<8} {e['name']}")
                print(f"training owed after discipline: {len(o['owed'])}")
                for e in o["owed"]:
                    print(f"  {e['badge']:<8} {e['name']:<24} {e['case']} since {e['since']}")
    return 0


def cmd_annual_review(args: argparse.Namespace) -> int:
    from ia_desk import registers

    on = _date_arg(args.on, "--on")
    if on is None:
        raise InputError("--on: the date of the review.", field="on")
    with _signed_in(args) as (s, actor):
        registers.record_annual_review(s, actor, args.policy, on, args.reviewers, args.outcome)
    print(f"annual review of {args.policy} recorded")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ia_desk.security.roles import require
    from ia_desk.services.bulk import generate

    db = _open(args)
    actor = _sign_in(db)
    with db.write(actor):
        require(actor, "settings.manage", "demo.generate")
    done = generate(
        db, actor, args.cases, args.events_per_case, progress=lambda m: print(m, file=sys.stderr)
    )
    print(", ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in done.items()))
    return 0


# ---------------------------------------------------------------- parser


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from ia_desk.db.migrate import current_revision
    from ia_desk.startup import open_database

    db = open_database(args.db, prompt=_prompt_passphrase)
    try:
        print(f"{db.target.describe()}: schema at {current_revision(db.engine)}")
    finally:
        db.dispose()
    return 0


def cmd_db_migrate_to(args: argparse.Namespace) -> int:
    from ia_desk.startup.transfer import migrate_to

    db = _open(args)
    actor = _sign_in(db)
    try:
        result = migrate_to(
            db,
            actor,
            args.url,
            prompt=_prompt_passphrase,
            progress=lambda m: print(m, file=sys.stderr),
        )
    finally:
        db.dispose()
    total = sum(result.rows.values())
    print(
        f"copied {total:,} rows into {result.target}; audit chain verified on the server "
        f"({result.audit_events_verified:,} events)"
    )
    return 0


def cmd_db_connect(args: argparse.Namespace) -> int:
    from ia_desk.db.connection import ServerConnection
    from ia_desk.startup import open_database
    from ia_desk.startup.connection import save_connection

    conn = ServerConnection(args.host, args.database, args.user, args.port, args.tls)
    password = os.environ.get(DB_PASSWORD_ENV)
    if password is None and sys.stdin.isatty():
        password = getpass.getpass(f"Password of {args.user} on {args.host}: ")
    url = save_connection(conn, password or None)
    db = open_database(url, prompt=_prompt_passphrase)
    try:
        print(f"connected: {db.target.describe()} (remembered for this workstation)")
    finally:
        db.dispose()
    return 0


def cmd_db_disconnect(args: argparse.Namespace) -> int:
    from ia_desk.startup.connection import forget_connection

    if forget_connection():
        print("the server connection is forgotten; the embedded database is used again")
    else:
        print("no server connection was saved")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ia-desk", description="IA Desk: Internal Affairs case handling.")
    p.add_argument("--version", action="version", version=f"ia-desk {__version__}")
    p.add_argument(
        "--check-start",
        action="store_true",
        help="start the desktop app, sign in from IA_DESK_USER/IA_DESK_PASSWORD, "
        "show the main window, then quit (a deployment check)",
    )
    p.add_argument(
        "--db",
        metavar="URL",
        type=_database,
        help="database file or URL (default: IA_DESK_DB, else the encrypted file "
        "in the user data folder)",
    )
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    def add(name: str, fn: Any, help_: str, parent: Any = sub) -> argparse.ArgumentParser:
        sp = parent.add_parser(name, help=help_, description=help_)
        sp.set_defaults(func=fn)
        return sp

    sp = add("init", cmd_init, "create or upgrade the database and create the first admin")
    sp.add_argument("--admin", required=True, metavar="LOGIN", type=_identifier("--admin"))
    sp.add_argument("--name", help="the administrator's full name", type=_person("--name"))
    sp.add_argument("--demo", action="store_true", help="add realistic sample cases")

    user = sub.add_parser("user", help="user accounts").add_subparsers(
        dest="user_cmd", required=True, parser_class=_Parser
    )
    sp = add("add", cmd_user_add, "add a user (password from IA_DESK_NEW_PASSWORD or asked)", user)
    sp.add_argument("login", type=_identifier("login"))
    sp.add_argument(
        "--role",
        required=True,
        choices=["ia_admin", "ia_investigator", "supervisor", "command_staff"],
    )
    sp.add_argument("--name", required=True, type=_person("--name"))

    add(
        "passwd",
        cmd_user_passwd,
        f"change your own password (old: {PASSWORD_ENV} or asked; new: {NEW_PASSWORD_ENV} or "
        "asked)",
        user,
    )
    sp = add("list", cmd_user_list, "list accounts (IA admin)", user)
    sp.add_argument("--json", action="store_true")
    sp = add("reset", cmd_user_reset, "set a new password and lift a lockout (IA admin)", user)
    sp.add_argument("login", type=_identifier("login"))
    for name in ("disable", "enable"):
        sp = add(name, cmd_user_active, f"{name} an account (IA admin)", user)
        sp.add_argument("login", type=_identifier("login"))

    for name, fn, what in (
        ("backup", cmd_backup, "write a consistent encrypted backup"),
        ("restore", cmd_restore, "replace the database by a backup"),
    ):
        sp = add(name, fn, f"{what} (IA admin)")
        sp.add_argument("file", type=_path("file"))
        sp.add_argument(
            "--own-passphrase",
            action="store_true",
            help=f"the backup has its own passphrase ({BACKUP_PASSPHRASE_ENV} or asked)",
        )

    pol = sub.add_parser("policy", help="the clause catalogue").add_subparsers(
        dest="policy_cmd", required=True, parser_class=_Parser
    )
    sp = add("list", cmd_policy_list, "list clauses", pol)
    sp.add_argument("--policy", metavar="ID")
    sp.add_argument("--json", action="store_true")
    sp = add("show", cmd_policy_show, "show one clause's verbatim text", pol)
    sp.add_argument("clause")
    sp.add_argument("--on", metavar="DATE", help="the version in force on this date")
    sp.add_argument("--json", action="store_true")

    sp = add("suggest", cmd_policy_suggest, "suggest the clauses a narrative breaches", pol)
    sp.add_argument("text")
    sp.add_argument("--policy", metavar="ID")
    sp.add_argument("--department", choices=["police", "city"], default="police")
    sp.add_argument("--top", type=_count("--top", SUGGEST_TOP_MAX), default=5)
    sp.add_argument("--json", action="store_true")
    sp = add("annual-review", cmd_annual_review, "record the yearly policy review", pol)
    sp.add_argument("--policy", required=True, choices=["vpd-3.21", "city-sn"])
    sp.add_argument("--on", required=True, metavar="DATE")
    sp.add_argument("--reviewers", required=True)
    sp.add_argument("--outcome", required=True)
    sp = add("reviews", cmd_policy_reviews, "open policy-review items", pol)
    sp.add_argument("--policy", metavar="ID")
    sp.add_argument("--all", action="store_true", help="closed items too")
    sp.add_argument("--json", action="store_true")

    rep = sub.add_parser("report", help="report intake").add_subparsers(
        dest="report_cmd", required=True, parser_class=_Parser
    )
    sp = add("add", cmd_report_add, "open a case from a JSON report (FILE or - for stdin)", rep)
    sp.add_argument("file", type=_path("file"))
    sp.add_argument("--json", action="store_true")

    case = sub.add_parser("case", help="cases").add_subparsers(
        dest="case_cmd", required=True, parser_class=_Parser
    )
    sp = add("list", cmd_case_list, "list cases", case)
    sp.add_argument("--status")
    sp.add_argument("--search", metavar="TEXT")
    sp.add_argument("--json", action="store_true")
    sp = add("show", cmd_case_show, "show one case", case)
    sp.add_argument("case", type=_identifier("case"))
    sp.add_argument("--json", action="store_true")

    sp = add("action", cmd_case_action, "take a workflow action on a case", case)
    sp.add_argument("case", type=_identifier("case"))
    sp.add_argument("action", choices=["assign", "start", "findings", "close", "reopen"])
    sp.add_argument("--assignee", metavar="LOGIN", type=_identifier("--assignee"))
    sp.add_argument("--reason")
    sp = add("toll", cmd_case_toll, "pause a case's deadline, with the reason", case)
    sp.add_argument("case", type=_identifier("case"))
    sp.add_argument("--reason", required=True)
    sp = add("untoll", cmd_case_untoll, "resume a paused deadline", case)
    sp.add_argument("case", type=_identifier("case"))
    sp = add("reporter-update", cmd_case_reporter_update, "record an update to the reporter", case)
    sp.add_argument("case", type=_identifier("case"))
    sp.add_argument("--note", required=True)

    sp = add("redact", cmd_case_redact, "withhold text from everyone outside IA", case)
    sp.add_argument("case", type=_identifier("case"))
    sp.add_argument("--text", required=True)
    sp.add_argument("--kind", required=True, choices=list(REDACTION_KINDS))

    sp = add("stats", cmd_stats, "statistics for a period (PDF for the annual review, CSV)")
    sp.add_argument("--from", dest="start", required=True, metavar="DATE")
    sp.add_argument("--to", dest="end", required=True, metavar="DATE")
    sp.add_argument("--unit")
    sp.add_argument("--out", metavar="FILE.pdf", type=_path("--out"))
    sp.add_argument("--csv", metavar="FILE.csv", type=_path("--csv"))
    sp.add_argument("--json", action="store_true")

    sp = add("demo", cmd_demo, "fill an empty database with synthetic cases (benchmarks)")
    sp.add_argument("--cases", type=_count("--cases", DEMO_CASES_MAX), required=True)
    sp.add_argument(
        "--events-per-case", type=_count("--events-per-case", 1000, minimum=0), default=24
    )

    sp = add("summary", cmd_summary, "print case summaries to PDF (several: one PDF)")
    sp.add_argument("cases", nargs="+", metavar="CASE", type=_identifier("case"))
    sp.add_argument("--out", required=True, metavar="FILE.pdf", type=_path("--out"))
    sp.add_argument("--audience", choices=["command", "ia"], default="command")

    dis = sub.add_parser("discipline", help="the discipline ladder").add_subparsers(
        dest="discipline_cmd", required=True, parser_class=_Parser
    )
    sp = add("recommend", cmd_discipline_recommend, "the recommended step and why", dis)
    sp.add_argument("case", type=_identifier("case"))
    sp.add_argument("--employee", required=True, metavar="BADGE", type=_badge())
    sp.add_argument("--json", action="store_true")
    sp = add("record", cmd_discipline_record, "record a discipline decision", dis)
    sp.add_argument("case", type=_identifier("case"))
    sp.add_argument("--employee", required=True, metavar="BADGE", type=_badge())
    sp.add_argument(
        "--step",
        required=True,
        choices=["counseling", "training", "written_reprimand", "suspension", "termination"],
    )
    sp.add_argument("--reason")
    sp.add_argument(
        "--amend", action="store_true", help="replace the decision on record (needs --reason)"
    )
    sp.add_argument("--json", action="store_true")
    mx = dis.add_parser("matrix", help="the discipline matrix").add_subparsers(
        dest="matrix_cmd", required=True, parser_class=_Parser
    )
    sp = add("show", cmd_discipline_matrix_show, "show the matrix in force", mx)
    sp.add_argument("--json", action="store_true")
    sp = add("set", cmd_discipline_matrix_set, "store a new matrix version (IA admin)", mx)
    sp.add_argument("file", type=_path("file"))
    sp.add_argument("--reason", required=True)

    rt = sub.add_parser("retaliation", help="retaliation reviews").add_subparsers(
        dest="retaliation_cmd", required=True, parser_class=_Parser
    )
    sp = add("review", cmd_retaliation_review, "record a retaliation review (IA admin)", rt)
    sp.add_argument("case", type=_identifier("case"))
    sp.add_argument(
        "--conclusion",
        required=True,
        choices=["no_retaliation", "retaliation_found", "inconclusive"],
    )
    sp.add_argument("--reasoning", required=True)

    pr = sub.add_parser("protection", help="good-faith reporter protection").add_subparsers(
        dest="protection_cmd", required=True, parser_class=_Parser
    )
    sp = add("revoke", cmd_protection_revoke, "revoke a reporter's protection (IA admin)", pr)
    sp.add_argument(
        "case", type=_identifier("case"), help="the case of the report that gave the protection"
    )
    sp.add_argument("--reason", required=True)

    al = sub.add_parser("allegation", help="allegations and findings").add_subparsers(
        dest="allegation_cmd", required=True, parser_class=_Parser
    )
    sp = add("add", cmd_allegation_add, "allege a clause against an employee", al)
    sp.add_argument("case", type=_identifier("case"))
    sp.add_argument("--employee", required=True, metavar="BADGE", type=_badge())
    sp.add_argument("--clause", required=True, type=_identifier("--clause", 80))
    sp.add_argument("--json", action="store_true")
    sp = add("find", cmd_allegation_find, "record an allegation's finding", al)
    sp.add_argument("id", type=_record_id("id", "an allegation id"))
    sp.add_argument("--disposition", required=True)
    sp.add_argument("--rationale")
    sp.add_argument("--on", metavar="DATE")
    sp.add_argument("--json", action="store_true")

    ev = sub.add_parser("evidence", help="screenshot evidence").add_subparsers(
        dest="evidence_cmd", required=True, parser_class=_Parser
    )
    sp = add("add", cmd_evidence_add, "add screenshot files to a case", ev)
    sp.add_argument("case", type=_identifier("case"))
    sp.add_argument("files", nargs="+", metavar="FILE", type=_path("file"))
    sp.add_argument("--source-url", metavar="URL")
    sp.add_argument("--platform")
    sp.add_argument("--captured-at", metavar="ISO8601")
    sp.add_argument("--note")
    sp.add_argument("--json", action="store_true")
    sp = add("verify", cmd_evidence_verify, "re-hash all (or one case's) evidence", ev)
    sp.add_argument("case", type=_identifier("case"), nargs="?")
    sp.add_argument("--json", action="store_true")
    sp = add("export", cmd_evidence_export, "export an item with a sidecar JSON", ev)
    sp.add_argument("id", type=_record_id("id", "an evidence id"))
    sp.add_argument("--out", required=True, metavar="FOLDER", type=_path("--out"))
    sp = add("custody", cmd_evidence_custody, "an item's custody log", ev)
    sp.add_argument("id", type=_record_id("id", "an evidence id"))
    sp.add_argument("--json", action="store_true")

    ap = sub.add_parser("approval", help="approval requests (3.21 §III.E)").add_subparsers(
        dest="approval_cmd", required=True, parser_class=_Parser
    )
    sp = add("add", cmd_approval, "record an approval request", ap)
    sp.add_argument("--employee", required=True, metavar="BADGE", type=_badge())
    sp.add_argument(
        "--items",
        required=True,
        help="comma-separated: reference,photo,uniform,badge,patch,marked_unit,graphics",
    )
    sp.add_argument("--purpose", required=True)
    sp.add_argument("--policy", default="vpd-3.21", choices=["vpd-3.21", "city-sn"])
    sp.add_argument("--layout", metavar="FILE", type=_path("--layout"))
    sp.add_argument("--submitted", metavar="DATE")
    sp = add("decide", cmd_approval, "record the decision on a request", ap)
    sp.add_argument("id", type=_record_id("id", "an approval request id"))
    sp.add_argument(
        "--decision", required=True, choices=["approved", "disapproved", "further_inquiry"]
    )
    sp.add_argument(
        "--by",
        required=True,
        help="who decided (the Chief or department head)",
        type=_person("--by"),
    )
    sp.add_argument("--on", metavar="DATE")
    sp.add_argument("--conditions")
    sp = add("link", cmd_approval, "link a request to a case", ap)
    sp.add_argument("case", type=_identifier("case"))
    sp.add_argument("id", type=_record_id("id", "an approval request id"))
    sp = add("list", cmd_approval, "list requests", ap)
    sp.add_argument("--employee", metavar="BADGE", type=_badge())
    sp.add_argument("--json", action="store_true")

    ac = sub.add_parser("account", help="official accounts and their posting log").add_subparsers(
        dest="account_cmd", required=True, parser_class=_Parser
    )
    sp = add("add", cmd_account, "record an official account", ac)
    sp.add_argument("--platform", required=True)
    sp.add_argument("--handle", required=True)
    sp.add_argument(
        "--shows-contact",
        action="store_true",
        help="the page shows the Department's phone and address (§I.D)",
    )
    sp.add_argument("--authorised", metavar="BADGE,BADGE", type=_badges("--authorised"))
    sp = add("post", cmd_account, "log a post on an official account", ac)
    sp.add_argument("account", type=_record_id("account", "an official account id"))
    sp.add_argument("--text", required=True)
    sp.add_argument("--by", required=True, metavar="BADGE", type=_badge("--by"))
    sp.add_argument("--approved-by", metavar="NAME", type=_person("--approved-by"))
    sp.add_argument("--at", metavar="ISO8601")
    sp = add("log", cmd_account, "the posting log", ac)
    sp.add_argument("--flagged", action="store_true")
    sp.add_argument("--json", action="store_true")

    tr = sub.add_parser("training", help="social media training (3.21 §VI.A)").add_subparsers(
        dest="training_cmd", required=True, parser_class=_Parser
    )
    sp = add("record", cmd_training, "record a completed training", tr)
    sp.add_argument("--employee", required=True, metavar="BADGE", type=_badge())
    sp.add_argument("--on", required=True, metavar="DATE")
    sp.add_argument("--course", required=True)
    sp.add_argument("--trainer", required=True, type=_person("--trainer"))
    sp = add("overview", cmd_training, "who is not trained; training owed", tr)
    sp.add_argument("--json", action="store_true")

    st = sub.add_parser("settings", help="department-wide settings").add_subparsers(
        dest="settings_cmd", required=True, parser_class=_Parser
    )
    sp = add("list", cmd_settings_list, "list settings with their values", st)
    sp.add_argument("--json", action="store_true")
    sp = add("set", cmd_settings_set, "change a setting (IA admin)", st)
    sp.add_argument("key", type=_identifier("key"))
    sp.add_argument("value")

    sp = add("export", cmd_export, "export every case to JSON (IA admin)")
    sp.add_argument("file", type=_path("file"))

    dbp = sub.add_parser(
        "db", help="the database: server connection, upgrade, move"
    ).add_subparsers(dest="db_cmd", required=True, parser_class=_Parser)
    add(
        "upgrade",
        cmd_db_upgrade,
        "bring the database's tables to this version (owner account)",
        dbp,
    )
    sp = add(
        "migrate-to",
        cmd_db_migrate_to,
        "copy this embedded database into an empty PostgreSQL database (IA admin)",
        dbp,
    )
    sp.add_argument("url", metavar="URL", help="postgresql+psycopg://USER[:PASSWORD]@HOST/DB")
    sp = add(
        "connect",
        cmd_db_connect,
        f"remember a PostgreSQL server for this workstation (password: {DB_PASSWORD_ENV} or "
        "asked; kept in the keyring)",
        dbp,
    )
    sp.add_argument("--host", required=True)
    sp.add_argument("--port", type=_count("--port", 65535), default=5432)
    sp.add_argument("--database", default="ia_desk")
    sp.add_argument("--user", default="ia_desk_app")
    sp.add_argument(
        "--tls", default="require", choices=["require", "verify-ca", "verify-full", "disable"]
    )
    add(
        "disconnect",
        cmd_db_disconnect,
        "forget the server connection; use the embedded database",
        dbp,
    )

    au = sub.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_cmd", required=True, parser_class=_Parser
    )
    sp = add("verify", cmd_audit_verify, "verify the audit trail's chain", au)
    sp.add_argument("--checkpoint", metavar="SEQ:HASH")
    add("checkpoint", cmd_audit_checkpoint, "print the current head to keep elsewhere", au)
    for name, fn, what in (
        ("list", cmd_audit_list, "list audit events, newest first"),
        ("export", cmd_audit_export, "export audit events as CSV"),
    ):
        sp = add(name, fn, f"{what} (IA admin)", au)
        if name == "export":
            sp.add_argument("file", type=_path("file"))
        else:
            sp.add_argument("--limit", type=_count("--limit", AUDIT_LIST_MAX), default=200)
            sp.add_argument("--json", action="store_true")
        sp.add_argument("--user", type=_identifier("--user"))
        sp.add_argument("--case", type=_identifier("--case"))
        sp.add_argument("--event", type=_identifier("--event", 60))
        sp.add_argument("--from", dest="since", metavar="DATE")
        sp.add_argument("--to", dest="until", metavar="DATE")
    return p


def _format_warning(message: Warning | str, *_args: Any, **_kwargs: Any) -> str:
    return f"ia-desk: warning: {message}\n"


def main(
    argv: Sequence[str] | None = None,
    run_app: Callable[[str | None, bool], int] | None = None,
) -> int:
    """Run one command. With no command, ``run_app(db_url, check_start)`` starts the app
    (passed in by ``ui.launcher`` so that the core never imports the UI)."""
    warnings.formatwarning = _format_warning
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            if run_app is None:
                parser.print_help()
                return 2
            return run_app(args.db, args.check_start)
        if not hasattr(args, "func"):
            parser.print_help()
            return 2
        return int(args.func(args))
    except IADeskError as exc:
        _say(f"ia-desk: {exc.message}")
        return exc.exit_code
    except KeyboardInterrupt:
        _say("ia-desk: interrupted; nothing was saved from the unfinished command.")
        return 130
    except SystemExit as exc:  # argparse --help / --version
        return int(exc.code or 0)
    except BrokenPipeError:  # the reader went away (`ia-desk audit list | head`)
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the interpreter's exit flush
        return 141
    except Exception as exc:  # the last line of defence: a bug, never a traceback
        # The exception's text may carry what the command was handling (SQL parameters
        # hold names and narratives): only its kind is said, unless debugging is asked for.
        if os.environ.get(DEBUG_ENV) == "1":
            _say("".join(traceback.format_exception(exc)).rstrip())
        _say(
            f"ia-desk: the command failed with an unexpected error ({type(exc).__name__}); "
            f"nothing was saved. This is a fault in IA Desk, not in what you typed: set "
            f"{DEBUG_ENV}=1 for the details to report it."
        )
        return EXIT_UNEXPECTED


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(main())
