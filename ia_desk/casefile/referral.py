"""The packet of a case referred to the Criminal Investigations Division (issue 22).

When the Chief refers a case to CID (the immediate action's *Referred to the Criminal
Investigations Division*, :mod:`ia_desk.discipline.immediate`), IA hands CID a packet:
the facts of the case as anyone outside IA reads them (a confidential reporter's
identity and marked text withheld), its voluntary interviews, and the original bytes of
its evidence, each with its SHA-256.

**A compelled statement never goes in.** A statement given under a Garrity order, and
the evidence item that holds it, may be used for administrative purposes only
(:func:`ia_desk.cases.interviews.compelled_evidence`): the packet leaves them out and
says only how many were left out and why; asked to take one in by its number, it
refuses and writes nothing. Anything else derived from a compelled statement is IA's to
keep out too (name the items to hand over with ``evidence``). The packet is audited
(``referral.packet``, with the items handed over) and each item's hand-over is in its
custody log (``evidence.export``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk import __version__
from ia_desk.audit.trail import append
from ia_desk.cases.interviews import case_interviews, compelled_evidence, compelled_interviews
from ia_desk.cases.queries import get_case
from ia_desk.cases.redaction import withholding_for
from ia_desk.cases.workflow import require_case_write
from ia_desk.db.models import Evidence, EvidenceBlob, ImmediateActionStep, Interview, utcnow
from ia_desk.errors import InputError, NotFound
from ia_desk.evidence.decode import EXTENSIONS
from ia_desk.evidence.store import check_and_record, metadata
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require
from ia_desk.terms import COMPELLED_MARK

CID_STEP = "referral_to_cid"
EXCLUDED_WORDS = (
    "Compelled (Garrity) statements and the evidence items holding them are not in this "
    "packet: they were given under an order to answer and may be used for the "
    "department's administrative purposes only, never in a criminal case (Garrity v. New "
    "Jersey, 385 U.S. 493 (1967)); nor may anything derived from them."
)


def referral_problem(session: Session, case_id: int, number: str) -> str | None:
    """Why the case has no packet to make (None: a referral to CID is recorded)."""
    referred = session.scalar(
        select(ImmediateActionStep.id).where(
            ImmediateActionStep.case_id == case_id, ImmediateActionStep.kind == CID_STEP
        )
    )
    if referred is None:
        return (
            f"no referral to the Criminal Investigations Division is recorded on {number} "
            "(the Chief's immediate action records it first)"
        )
    return None


def make_packet(
    session: Session, actor: Actor, number: str, out_dir: Path, evidence: list[int] | None = None
) -> dict[str, Any]:
    """Write the packet into ``out_dir`` (a folder): ``<case>-CID-referral.json`` and the
    original of each item handed over. ``evidence``: the items to hand over (default:
    every item of the case but the compelled statements). Returns the manifest written.
    Refused, writing nothing, for a compelled statement named in ``evidence``."""
    require(actor, "referral.packet", "referral.packet", "case", number)
    case = get_case(session, number)
    require_case_write(actor, case, "referral.packet", while_closed=True)
    problem = referral_problem(session, case.id, case.number)
    if problem:
        raise InputError(f"Nothing was written: {problem}.", field="case")
    if not out_dir.is_dir():
        raise InputError(f"out: {out_dir} is not a folder.", field="out")
    banned = _banned(session, case)
    left_out = len(compelled_interviews(session, case.id))
    items = {e.id: e for e in case.evidence}
    if evidence is None:
        chosen = [i for i in items if i not in banned]
    else:
        chosen = list(dict.fromkeys(evidence))
        for item in chosen:
            if item not in items:
                raise NotFound(
                    f"evidence: {case.number} has no evidence item {item}.", field="evidence"
                )
            if item in banned:
                raise InputError(
                    f"evidence: item {item} is {banned[item]}: {COMPELLED_MARK.lower()}; it "
                    "never goes to a criminal file. Nothing was written.",
                    field="evidence",
                )
    shown = withholding_for(session, case, ia=False).text  # CID is outside IA
    inc = case.incident
    handed: list[tuple[Evidence, str]] = []
    listed = []
    for item in chosen:
        e = items[item]
        name = f"{case.number}-E{e.id:04d}-{e.sha256[:12]}.{EXTENSIONS.get(e.media_type, 'bin')}"
        handed.append((e, name))
        meta = metadata(e, None, shown)
        meta.pop("statement", None)
        listed.append({**meta, "file": name})
    voluntary = [
        {
            key: i[key]
            for key in ("id", "kind_words", "interviewee", "started", "ended", "advisement")
        }
        | {"statement_item": i["statement_id"]}
        for i in _voluntary(session, actor, case)
    ]
    manifest = {
        "format": "ia-desk-cid-referral",
        "format_version": 1,
        "app_version": __version__,
        "case": case.number,
        "made_at_utc": utcnow().isoformat(timespec="seconds") + "Z",
        "made_by": actor.login,
        "subjects": [{"badge": s.employee.badge, "name": s.employee.name} for s in case.subjects],
        "clauses": list(dict.fromkeys(a.clause.clause_id for a in case.allegations)),
        "incident": {
            "occurred_on": inc.occurred_on.isoformat(),
            "platform": inc.platform,
            "url": shown(inc.url) or None,
            "narrative": shown(inc.narrative),
        },
        "evidence": listed,
        "voluntary_interviews": voluntary,
        "excluded": {"compelled_statements": left_out, "why": EXCLUDED_WORDS},
    }
    payload = json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(payload).hexdigest()
    for e, name in handed:  # each hand-over in the item's custody log
        check_and_record(session, actor, e, "evidence.export", file=name, to="CID referral")
    append(
        session,
        actor,
        "referral.packet",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={
            "evidence": [e.id for e, _ in handed],
            "excluded_compelled": left_out,
            "sha256": digest,
        },
    )
    session.flush()
    written: list[Path] = []
    try:
        for e, name in handed:
            blob = session.get(EvidenceBlob, e.sha256)
            (out_dir / name).write_bytes(blob.data if blob else b"")
            written.append(out_dir / name)
        target = out_dir / f"{case.number}-CID-referral.json"
        target.write_bytes(payload)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise InputError(f"Cannot write into {out_dir}: {exc.strerror}.", field="out") from None
    return manifest


def _banned(session: Session, case: Any) -> dict[int, str]:
    """{evidence item of the case: why it never goes to CID}: each compelled statement of
    the case, and any item holding the same bytes as a compelled statement of any case (a
    copy added again is the same statement)."""
    out = {
        item: f"the compelled (Garrity) statement of interview {interview}"
        for item, interview in compelled_evidence(session, case.id).items()
    }
    copies: dict[str, str] = {}
    for case_id in session.scalars(
        select(Interview.case_id).where(Interview.compelled.is_(True)).distinct()
    ):
        for item, interview in compelled_evidence(session, case_id).items():
            e = session.get(Evidence, item)
            if e is not None:
                copies[e.sha256] = f"interview {interview} of {e.case.number}"
    for e in case.evidence:
        if e.id not in out and e.sha256 in copies:
            out[e.id] = (
                f"a copy of the compelled (Garrity) statement of {copies[e.sha256]} (the same "
                "SHA-256)"
            )
    return out


def _voluntary(session: Session, actor: Actor, case: Any) -> list[dict[str, Any]]:
    """The case's interviews whose statements may go to CID, as outside IA reads them
    (no witness named, no summary), with their statement's item."""
    banned = set(compelled_interviews(session, case.id))
    current = {
        r["id"]: r
        for r in case_interviews(session, actor, case)
        if not r["compelled"] and r["id"] not in banned
    }
    out = []
    for row_id, view in current.items():
        row = session.get(Interview, row_id)
        command = {
            "id": view["id"],
            "kind_words": view["kind_words"],
            "interviewee": (
                view["interviewee"] if view["interviewee_kind"] == "subject" else view["kind_words"]
            ),
            "started": view["started"],
            "ended": view["ended"],
            "advisement": {
                k: view["advisement"][k] for k in ("kind", "words", "version", "sha256")
            },
            "statement_id": row.statement_evidence_id if row else None,
        }
        out.append(command)
    return out
