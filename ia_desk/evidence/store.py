"""Evidence intake, storage, verification and custody.

Bytes are stored in the database, content-addressed by SHA-256 and written once: the
same image added twice is stored once and linked twice. Adding a file whose SHA-256 is
already evidence (on this case or another) still adds it, and the caller is warned: a
role that may read cases is told the case numbers, any other (a supervisor) only "on
this case" or "elsewhere"; the audit event records the numbers either way. The original
file name is metadata only; nothing is ever written to a path derived from it. Every
view, export and print re-hashes the bytes and records the result in the audit trail,
which is also each item's custody log. The viewer is given a rendition made in the
isolated decoder (:func:`view_evidence`), never the original bytes to decode.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ia_desk import validation as v
from ia_desk.audit import records
from ia_desk.audit.trail import CUSTODY_FIELDS, append, event_view
from ia_desk.cases.interviews import statements
from ia_desk.cases.queries import get_case
from ia_desk.cases.workflow import case_write_problem, require_case_write
from ia_desk.db.engine import Database
from ia_desk.db.models import AuditEvent, Case, Evidence, EvidenceBlob, EvidenceThumb, utcnow
from ia_desk.db.upsert import insert_unless_present
from ia_desk.errors import AuditedRefusal, InputError, NotFound, PermissionDenied, RefusedInput
from ia_desk.evidence.decode import EXTENSIONS, Rendition, Unreadable, inspect, render
from ia_desk.security.actor import Actor
from ia_desk.security.roles import SUPERVISOR, allowed, require, sees_identities
from ia_desk.settings import get_setting

METHODS = ("file", "clipboard", "drag")
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class EvidenceInput:
    data: bytes
    file_name: str
    method: str = "file"
    source_url: str | None = None
    platform: str | None = None
    captured_at: dt.datetime | None = None  # aware; None = now
    captured_tz: str | None = None  # the capturing workstation's time zone
    note: str | None = None


@dataclass(frozen=True)
class DuplicateWarning:
    """An added file whose SHA-256 was already evidence. ``other_cases`` is empty for a
    caller who may not read cases (``elsewhere`` still says there were some)."""

    evidence_id: int  # the item just added
    file_name: str
    sha256: str
    on_this_case: bool
    elsewhere: bool
    other_cases: tuple[str, ...]

    @property
    def message(self) -> str:
        """The warning in the user's words."""
        shown = ", ".join(self.other_cases[:10])
        if len(self.other_cases) > 10:
            shown += f" and {len(self.other_cases) - 10} more"
        if self.on_this_case and self.elsewhere:
            where = "already on this case and " + (
                f"on {shown}" if shown else "stored as evidence elsewhere"
            )
        elif self.on_this_case:
            where = "already on this case"
        elif shown:
            where = f"already stored as evidence on {shown}"
        else:
            where = "already stored as evidence elsewhere"
        return (
            f"{self.file_name}: the same file (SHA-256 {self.sha256[:12]}…) is {where}; "
            "it was added all the same."
        )


@dataclass
class Added:
    """What :func:`add_evidence` stored, and a warning for each file already evidence."""

    evidence: list[Evidence]
    warnings: list[DuplicateWarning]


def local_zone_name() -> str:
    """The workstation's time zone as a name (or its UTC offset when it has none)."""
    now = dt.datetime.now().astimezone()
    name = time.tzname[time.daylight and time.localtime().tm_isdst > 0]
    offset = now.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{name} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"


def check_file_name(name: str) -> str:
    """The original name, kept as metadata: refused if it could not be an honest file name."""
    if not name or name in (".", ".."):
        raise ValueError("the file has no usable name")
    if _CONTROL.search(name):
        raise ValueError("the file name contains control characters")
    if "/" in name or "\\" in name or ".." in name.split("."):
        raise ValueError("the file name contains a path ('/', '\\' or '..')")
    if len(name) > 255:
        raise ValueError("the file name is longer than 255 characters")
    stem = name.split(".")[0].strip().upper()
    if stem in _RESERVED or name.endswith((" ", ".")):
        raise ValueError("the file name is reserved by Windows or ends in a dot or space")
    return name


def _refuse(number: str, name: str, reason: str, size: int, digest: str | None) -> RefusedInput:
    shown = _CONTROL.sub("?", name)[:120] or "(no name)"
    return RefusedInput(
        f"{shown}: refused: {reason}. Nothing was stored.",
        AuditedRefusal(
            "evidence.add",
            "case",
            number,
            {"case": number, "file_name": shown, "size": size, "sha256": digest},
        ),
        field="file",
    )


def evidence_problem(actor: Actor, case: Case) -> str | None:
    """Why the actor may not add evidence to ``case`` now (None: they may). A supervisor
    adds to a report they submitted while it is being received; IA roles follow the
    rule of every case write (:func:`ia_desk.cases.workflow.case_write_problem`)."""
    if actor.role == SUPERVISOR:
        if case.created_by_id != actor.user_id:
            return f"{case.number} is not a report you submitted"
        if case.status != "received":
            return f"{case.number} is with IA now ({case.status}); IA adds its evidence"
        return None
    return case_write_problem(actor, case)


def _cases_holding(session: Session, digest: str) -> list[str]:
    """The numbers of the cases that already have this SHA-256 as evidence."""
    rows = session.scalars(
        select(Case.number)
        .join(Evidence, Evidence.case_id == Case.id)
        .where(Evidence.sha256 == digest)
    )
    return sorted(set(rows))


def add_evidence(session: Session, actor: Actor, number: str, items: list[EvidenceInput]) -> Added:
    """Check and store items on a case, all or none. A refusal names the file and why,
    stores nothing, and is audited. A file already evidence (same SHA-256, on this case,
    earlier in the same call, or on another case) is stored too; the result carries a
    warning for it, naming the other cases only to a role that may read cases."""
    require(actor, "evidence.add", "evidence.add", "case", number)
    case = get_case(session, number)
    if actor.role != SUPERVISOR:
        require_case_write(actor, case, "evidence.add")
    problem = evidence_problem(actor, case)
    if problem is not None:
        raise PermissionDenied(
            f"Permission denied: {problem}.",
            AuditedRefusal("evidence.add", "case", str(case.id), {"case": case.number}),
        )
    if not items:
        raise InputError("No files were given.", field="file")
    cap_mb = int(get_setting(session, "evidence_max_mb"))
    may_read_cases = allowed(actor, "case.read")
    stored: list[Evidence] = []
    duplicates: list[DuplicateWarning] = []
    for item in items:
        data = item.data
        digest = hashlib.sha256(data).hexdigest() if data else None
        try:
            name = check_file_name(item.file_name)
        except ValueError as exc:
            raise _refuse(case.number, item.file_name, str(exc), len(data), digest) from None
        if item.method not in METHODS:
            raise InputError(f"method: must be one of {', '.join(METHODS)}.", field="method")
        if len(data) > cap_mb * 1024 * 1024:
            raise _refuse(
                case.number,
                name,
                f"it is {len(data) / 1024**2:.1f} MB, over the limit of {cap_mb} MB",
                len(data),
                digest,
            )
        try:
            info = inspect(data)
        except Unreadable as exc:
            raise _refuse(case.number, name, str(exc), len(data), digest) from None
        assert digest is not None
        url = v.url(item.source_url, "source_url")
        platform = v.text(item.platform, "platform", required=False, max_len=60)
        note = v.text(item.note, "note", required=False, max_len=10_000, multiline=True)
        captured = item.captured_at or dt.datetime.now(dt.UTC)
        if captured.tzinfo is None:
            raise InputError("captured_at: give the UTC offset too.", field="captured_at")
        if captured > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5):
            raise InputError("captured_at: lies in the future.", field="captured_at")
        holding = _cases_holding(session, digest)
        # Stored once per content; another workstation may store the same file meanwhile.
        if session.get(EvidenceBlob, digest) is None:
            blob = {"sha256": digest, "size": len(data), "data": data}
            if insert_unless_present(session, EvidenceBlob, "sha256", blob) and info.thumbnail:
                thumb = {
                    "sha256": digest,
                    "png": info.thumbnail,
                    "width": info.thumb_width or 0,
                    "height": info.thumb_height or 0,
                }
                insert_unless_present(session, EvidenceThumb, "sha256", thumb)
        evidence = Evidence(
            case_id=case.id,
            sha256=digest,
            file_name=name,
            media_type=info.media_type,
            size=len(data),
            width=info.width,
            height=info.height,
            source_url=url,
            platform=platform or (case.incident.platform if case.incident else None),
            captured_at=captured.astimezone(dt.UTC).replace(tzinfo=None),
            captured_tz=item.captured_tz or local_zone_name(),
            captured_by_id=actor.user_id,
            workstation=session.info.get("workstation", "?"),
            method=item.method,
            note=note,
        )
        session.add(evidence)
        session.flush()
        details: dict[str, Any] = {
            "sha256": digest,
            "file_name": name,
            "size": len(data),
            "media_type": info.media_type,
            "method": item.method,
            "source_url": url,
            records.RECORD_KEY: records.digest("evidence", evidence),
        }
        if holding:
            details["duplicate_of"] = holding  # every case that held it, this one too
            others = tuple(n for n in holding if n != case.number)
            duplicates.append(
                DuplicateWarning(
                    evidence.id,
                    name,
                    digest,
                    on_this_case=case.number in holding,
                    elsewhere=bool(others),
                    other_cases=others if may_read_cases else (),
                )
            )
        append(
            session,
            actor,
            "evidence.add",
            object_type="evidence",
            object_id=evidence.id,
            case_number=case.number,
            details=details,
        )
        stored.append(evidence)
    case.updated_at = utcnow()
    return Added(stored, duplicates)


def evidence_problem_now(session: Session, evidence: Evidence) -> str | None:
    """What is wrong with an item as stored, or None: its bytes must hash to the recorded
    SHA-256, and the row must be what its signed ``evidence.add`` event recorded (a row
    pointed at other bytes outside IA Desk hashes true but fails this)."""
    blob = session.get(EvidenceBlob, evidence.sha256)
    if blob is None:
        return "its stored bytes are missing"
    if not (hashlib.sha256(blob.data).hexdigest() == evidence.sha256 == blob.sha256):
        return f"the stored bytes no longer hash to {evidence.sha256}"
    bound = records.check_records(session, ("evidence",), (evidence.id,))
    if bound.problems:
        return bound.problems[0][1]
    return None


def rehash(session: Session, evidence: Evidence) -> bool:
    """True when the bytes verify and the row is what its intake event recorded."""
    return evidence_problem_now(session, evidence) is None


def check_and_record(
    session: Session, actor: Actor, evidence: Evidence, event: str, **details: Any
) -> bool:
    """Check an item (:func:`evidence_problem_now`) and record the result as ``event``
    (view, export, print, verify): every touch of evidence is in its custody log.
    Returns whether it verifies."""
    return _check_and_record(session, actor, evidence, event, **details) is None


def _check_and_record(
    session: Session, actor: Actor, evidence: Evidence, event: str, **details: Any
) -> str | None:
    problem = evidence_problem_now(session, evidence)
    ok = problem is None
    if problem is not None:
        details = {**details, "problem": problem}
    append(
        session,
        actor,
        event,
        object_type="evidence",
        object_id=evidence.id,
        case_number=evidence.case.number,
        outcome="ok" if ok else "mismatch",
        details={"sha256": evidence.sha256, "verified": ok, **details},
    )
    return problem


def get_evidence(session: Session, actor: Actor, evidence_id: int, event: str) -> Evidence:
    require(actor, "evidence.view", event, "evidence", str(evidence_id))
    evidence = session.get(Evidence, evidence_id)
    if evidence is None:
        raise NotFound(f"There is no evidence item {evidence_id}.", field="evidence")
    return evidence


def _as_is(text: str | None) -> str:
    return text or ""


def metadata(
    evidence: Evidence, verified: bool | None = None, shown: Callable[[str | None], str] = _as_is
) -> dict[str, Any]:
    """An item's record as plain data; ``shown`` is what the reader may see of its free
    text (the file name, the source address, the note: see ia_desk.cases.redaction)."""
    return {
        "id": evidence.id,
        "case": evidence.case.number,
        "sha256": evidence.sha256,
        "file_name": shown(evidence.file_name),
        "media_type": evidence.media_type,
        "size": evidence.size,
        "width": evidence.width,
        "height": evidence.height,
        "source_url": shown(evidence.source_url) or None,
        "platform": evidence.platform,
        "captured_at_utc": evidence.captured_at.isoformat() + "Z" if evidence.captured_at else None,
        "captured_tz": evidence.captured_tz,
        "captured_by": evidence.captured_by.login,
        "workstation": evidence.workstation,
        "method": evidence.method,
        "note": shown(evidence.note) or None,
        "added_at_utc": evidence.added_at.isoformat() + "Z",
        "verified": verified,
        # The interview it is the statement of, marked when compelled (issue 22).
        "statement": _statement_of(evidence),
    }


def _statement_of(evidence: Evidence) -> dict[str, Any] | None:
    session = object_session(evidence)
    return statements(session, evidence.case_id).get(evidence.id) if session else None


def open_evidence(session: Session, actor: Actor, evidence_id: int) -> tuple[dict[str, Any], bytes]:
    """The item's metadata and original bytes, re-verified; audited as a view."""
    evidence = get_evidence(session, actor, evidence_id, "evidence.view")
    ok = check_and_record(session, actor, evidence, "evidence.view")
    blob = session.get(EvidenceBlob, evidence.sha256)
    return metadata(evidence, ok, _shown_to(session, actor, evidence)), blob.data if blob else b""


def _shown_to(session: Session, actor: Actor, evidence: Evidence) -> Callable[[str | None], str]:
    from ia_desk.cases.redaction import withholding_for

    return withholding_for(session, evidence.case, sees_identities(actor)).text


@dataclass(frozen=True)
class EvidenceView:
    """What the viewer shows: metadata (with ``verified``), the custody log, and a
    picture made by the isolated decoder, or ``problem`` saying why there is none."""

    metadata: dict[str, Any]
    custody: list[dict[str, Any]]
    rendition: Rendition | None
    problem: str | None = None


def view_evidence(db: Database, actor: Actor, evidence_id: int) -> EvidenceView:
    """Open an item for the screen: audited as a view with its re-hash, as
    :func:`open_evidence`, then rendered in the decoder's worker (page 1 of a PDF, an
    image's first frame, at most ``decode.VIEW_MAX_PIXELS``).

    The caller's process never decodes the original. Rendering runs after the view is
    committed, so no database lock is held meanwhile; it may take a second or more for
    a large item: call it off the GUI thread. Export still gives the original bytes."""
    with db.read(actor) as session:
        meta, data = open_evidence(session, actor, evidence_id)
        log = custody_log(session, actor, evidence_id)
    try:
        rendition = render(data, meta["media_type"])
    except Unreadable as exc:
        return EvidenceView(
            meta, log, None, f"This item cannot be shown here: {exc}. Export the original."
        )
    return EvidenceView(meta, log, rendition)


def thumbnail(session: Session, sha256: str) -> bytes | None:
    thumb = session.get(EvidenceThumb, sha256)
    return thumb.png if thumb else None


def export_evidence(
    session: Session, actor: Actor, evidence_id: int, out_dir: Path
) -> tuple[Path, Path, bool]:
    """Write the original bytes and a sidecar JSON of metadata and hash into ``out_dir``.

    The file names come from the case number, item id and hash, never from the original
    name. A mismatch is exported too, and says so in the sidecar and the audit trail.
    """
    evidence = get_evidence(session, actor, evidence_id, "evidence.export")
    if not out_dir.is_dir():
        raise InputError(f"{out_dir} is not a folder.", field="out")
    blob = session.get(EvidenceBlob, evidence.sha256)
    ext = EXTENSIONS.get(evidence.media_type, "bin")
    stem = f"{evidence.case.number}-E{evidence.id:04d}-{evidence.sha256[:12]}"
    target = out_dir / f"{stem}.{ext}"
    sidecar = out_dir / f"{stem}.json"
    # Recorded first (same transaction): if writing the files fails, the record goes too.
    ok = check_and_record(session, actor, evidence, "evidence.export", file=target.name)
    meta = metadata(evidence, ok, _shown_to(session, actor, evidence))
    meta["exported_at_utc"] = utcnow().isoformat() + "Z"
    meta["exported_by"] = actor.login
    if not ok:
        meta["warning"] = (
            "MISMATCH: the stored bytes no longer hash to the recorded "
            "SHA-256; this copy is not the evidence as captured."
        )
    session.flush()
    try:
        target.write_bytes(blob.data if blob else b"")
        sidecar.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        target.unlink(missing_ok=True)
        sidecar.unlink(missing_ok=True)
        raise InputError(f"Cannot write into {out_dir}: {exc.strerror}.", field="out") from None
    return target, sidecar, ok


def verify_all(session: Session, actor: Actor, number: str | None = None) -> list[dict[str, Any]]:
    """Re-hash every item (or one case's); each result is recorded in the audit trail."""
    require(actor, "evidence.view", "evidence.verify", "case", number)
    stmt = select(Evidence).order_by(Evidence.id)
    if number:
        stmt = stmt.where(Evidence.case_id == get_case(session, number).id)
    results = []
    for e in session.scalars(stmt):
        problem = _check_and_record(session, actor, e, "evidence.verify")
        results.append(
            {
                "id": e.id,
                "case": e.case.number,
                "file_name": _shown_to(session, actor, e)(e.file_name),
                "sha256": e.sha256,
                "verified": problem is None,
                "problem": problem,
            }
        )
    return results


def custody_log(session: Session, actor: Actor, evidence_id: int) -> list[dict[str, Any]]:
    """Every recorded add, view, export, print and verification of one item, oldest first."""
    get_evidence(session, actor, evidence_id, "evidence.custody")
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "evidence", AuditEvent.object_id == str(evidence_id))
        .order_by(AuditEvent.seq)
    )
    return [event_view(e, CUSTODY_FIELDS) for e in rows]
