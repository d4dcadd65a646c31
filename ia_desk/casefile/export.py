"""Everything in one JSON file, for an IA administrator (``ia-desk export``): the
policies, the roster, the accounts and every case with the identities IA may see; an
anonymous reporter's identity, never stored, is never in it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ia_desk import __version__
from ia_desk.audit.trail import append
from ia_desk.casefile.read import allegation_dict, incident_dict
from ia_desk.cases.interviews import case_interviews
from ia_desk.db.models import AuditHead, Case, CaseSubject, Employee, PolicyVersion, User
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require


def export_all(session: Session, actor: Actor, out: Path) -> str:
    """Write every case (with identities IA may see) to a JSON file; return its SHA-256.

    IA administrators only. The export itself is audited with the file's hash.
    """
    require(actor, "export.all", "export.all", "file", out.name)
    if out.exists() and out.is_dir():
        raise InputError(f"{out} is a folder; give a file name.", field="file")
    cases = session.scalars(
        select(Case)
        .order_by(Case.id)
        .options(
            selectinload(Case.subjects).selectinload(CaseSubject.employee),
            selectinload(Case.allegations),
            selectinload(Case.evidence),
        )
    )
    doc: dict[str, Any] = {
        "format": "ia-desk-export",
        "format_version": 1,
        "app_version": __version__,
        "policies": [
            {"policy": v.policy_id, "version": v.version, "content_sha256": v.content_sha256}
            for v in session.scalars(select(PolicyVersion).order_by(PolicyVersion.id))
        ],
        "employees": [
            {
                "badge": e.badge,
                "name": e.name,
                "department": e.department,
                "rank": e.rank,
                "unit": e.unit,
                "active": e.active,
            }
            for e in session.scalars(select(Employee).order_by(Employee.id))
        ],
        "users": [
            {"login": u.login, "name": u.name, "role": u.role, "active": u.active}
            for u in session.scalars(select(User).order_by(User.id))
        ],
        "cases": [],
    }
    for c in cases:
        r = c.reporter
        reporter: dict[str, Any] = {"mode": r.mode}
        if r.mode != "anonymous":
            reporter.update(
                {
                    "name": r.name,
                    "badge": r.badge,
                    "phone": r.phone,
                    "email": r.email,
                    "good_faith": r.good_faith,
                }
            )
        inc = c.incident
        doc["cases"].append(
            {
                "case": c.number,
                "status": c.status,
                "received_at_utc": c.received_at.isoformat() + "Z",
                "channel": c.channel,
                "deadline": c.deadline_on.isoformat(),
                "reporter": reporter,
                "subjects": [s.employee.badge for s in c.subjects],
                "incident": incident_dict(inc),
                "allegations": [allegation_dict(a) for a in c.allegations],
                "evidence": [
                    {
                        "id": e.id,
                        "sha256": e.sha256,
                        "file_name": e.file_name,
                        "media_type": e.media_type,
                        "size": e.size,
                    }
                    for e in c.evidence
                ],
                # Interviews (issue 22), each marked when its statement is compelled.
                "interviews": [
                    {**i, "advisement": {k: v for k, v in i["advisement"].items() if k != "text"}}
                    for i in case_interviews(session, actor, c)
                ],
            }
        )
    head = session.get(AuditHead, 1)
    doc["audit_checkpoint"] = f"{head.seq}:{head.mac}" if head else None
    payload = json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(payload).hexdigest()
    # Audit first (same transaction): if writing the file fails, the audit row goes too.
    append(
        session,
        actor,
        "export.all",
        object_type="file",
        object_id=out.name,
        details={"sha256": digest, "cases": len(doc["cases"])},
    )
    session.flush()
    tmp = out.with_name(out.name + ".partial")
    try:
        tmp.write_bytes(payload)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"Cannot write {out}: {exc.strerror}.", field="file") from None
    return digest
