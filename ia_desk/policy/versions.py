"""An earlier (or later) version of a policy, added by an IA administrator.

The catalogue ships the version of each policy the department gave us. An incident
before that version's effective date was governed by an earlier text, which the
department may still have on paper; an administrator adds it as a file of the same form
as the shipped ones (``resources/policies/*.json``), with its effective date. From then
on a new allegation for such an incident cites the text in force on its date, and what
was cited before stays as it was (a version is write-once).

The file is checked whole before anything is stored; every problem is named in words,
and nothing is half-loaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk.audit.trail import append
from ia_desk.db.models import Policy, PolicyVersion
from ia_desk.errors import InputError
from ia_desk.policy import citation
from ia_desk.policy.catalogue import CatalogueFile, sync_catalogue
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_CLAUSES = 2000
KINDS = {"policy", "purpose", "definition", "item", "paragraph", "preamble", "section", "heading"}
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


def read_version_file(path: Path) -> CatalogueFile:
    """A version file read and parsed (InputError for one that is not)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"The file {path} cannot be read: {exc.strerror}.", field="file") from None
    if size > MAX_FILE_BYTES:
        raise InputError(f"{path.name} is larger than a policy file can be (5 MB).", field="file")
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(
            f"{path.name} is not a policy file (JSON in UTF-8): {exc}.", field="file"
        ) from None
    if not isinstance(data, dict):
        raise InputError(f"{path.name} is not a policy file: it holds no policy.", field="file")
    return CatalogueFile(path, data, hashlib.sha256(raw).hexdigest())


def check_version(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """The version's content, checked against the catalogue (InputError naming the first
    problem, in words)."""
    policy_id = data.get("policy")
    policy = session.get(Policy, policy_id) if isinstance(policy_id, str) else None
    if policy is None:
        known = ", ".join(session.scalars(select(Policy.id).order_by(Policy.id)))
        raise InputError(
            f"policy: give the id of a policy in the catalogue ({known}).", field="policy"
        )
    assert isinstance(policy_id, str)
    version = data.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise InputError(
            "version: a short name for this version, such as its effective date (2019-05-01).",
            field="version",
        )
    if session.scalar(
        select(PolicyVersion.id).where(
            PolicyVersion.policy_id == policy_id, PolicyVersion.version == version
        )
    ):
        raise InputError(
            f"version: {policy_id} already has a version {version}; a version never changes "
            "once loaded.",
            field="version",
        )
    try:
        effective = dt.date.fromisoformat(str(data.get("effective_from")))
    except ValueError:
        raise InputError(
            "effective_from: the date this version came into force (YYYY-MM-DD); without it "
            "no incident can be matched to it.",
            field="effective_from",
        ) from None
    if effective > dt.date.today():
        raise InputError("effective_from: a date that has come.", field="effective_from")
    taken = session.scalar(
        select(PolicyVersion.version).where(
            PolicyVersion.policy_id == policy_id, PolicyVersion.effective_from == effective
        )
    )
    if taken:
        raise InputError(
            f"effective_from: version {taken} of {policy_id} came into force on {effective} "
            "already.",
            field="effective_from",
        )
    clauses = data.get("clauses")
    if not isinstance(clauses, list) or not clauses:
        raise InputError("clauses: the version's clauses, as a list.", field="clauses")
    if len(clauses) > MAX_CLAUSES:
        raise InputError(f"clauses: at most {MAX_CLAUSES}.", field="clauses")
    seen: set[str] = set()
    for i, c in enumerate(clauses):
        where = f"clauses[{i}]"
        if not isinstance(c, dict):
            raise InputError(f"{where}: a clause (id, kind, title, text, rule).", field=where)
        cid = c.get("id")
        if not isinstance(cid, str) or not cid.startswith(f"{policy_id}/") or cid in seen:
            raise InputError(
                f"{where}.id: a clause id of {policy_id} (like {policy_id}/III.M), once each.",
                field=where,
            )
        seen.add(cid)
        if c.get("kind") not in KINDS:
            raise InputError(f"{where}.kind: one of {', '.join(sorted(KINDS))}.", field=where)
        for key in ("title", "text"):
            if not isinstance(c.get(key), str) or len(c[key]) > 20_000:
                raise InputError(f"{where}.{key}: text (at most 20,000 characters).", field=where)
        if c["kind"] != "heading" and not c["text"].strip() and not c["title"].strip():
            raise InputError(f"{where}: a clause with neither title nor text.", field=where)
        if not isinstance(c.get("rule"), bool):
            raise InputError(f"{where}.rule: true for a rule of conduct, else false.", field=where)
        parent = c.get("parent")
        if parent is not None and (not isinstance(parent, str) or not parent.startswith(policy_id)):
            raise InputError(f"{where}.parent: a clause id of {policy_id}, or null.", field=where)
    return {
        "policy": policy_id,
        "title": policy.title,
        "department": policy.department,
        "version": version,
        "effective_from": effective.isoformat(),
        "issued_on": data.get("issued_on") if isinstance(data.get("issued_on"), str) else None,
        "revised_on": data.get("revised_on") if isinstance(data.get("revised_on"), str) else None,
        "note": str(data.get("note") or "")[:500] or None,
        "clauses": [
            {
                "id": c["id"],
                "path": c["id"].split("/", 1)[1],
                "parent": c.get("parent"),
                "kind": c["kind"],
                "label": c.get("label") if isinstance(c.get("label"), str) else None,
                "title": c["title"],
                "text": c["text"],
                "rule": c["rule"],
                "order": i,
            }
            for i, c in enumerate(clauses)
        ],
    }


def add_version(session: Session, actor: Actor, file: CatalogueFile, classed: set[str]) -> str:
    """Load a version of a policy from ``file`` (IA administrators). ``classed``: the
    clause ids the discipline matrix in force gives a class: a citable clause it does
    not know would be disciplined as the mildest class without anyone deciding so.
    Audited, signed."""
    require(actor, "settings.manage", "catalogue.add_version", "policy")
    content = check_version(session, file.data)
    unclassed = [
        c["id"]
        for c in content["clauses"]
        if c["id"] not in classed
        and citation.judge(c["id"], c["kind"], c["rule"], c["text"]).citable
    ]
    if unclassed:
        more = f" (and {len(unclassed) - 1} more)" if len(unclassed) > 1 else ""
        raise InputError(
            f"clauses: {unclassed[0]}{more} can be cited but has no class in the discipline "
            "matrix; a clause that is new in this version must first be given a class there "
            "(Administration, Discipline matrix).",
            field="clauses",
        )
    for d in (content.get("issued_on"), content.get("revised_on")):
        if d is not None:
            try:
                dt.date.fromisoformat(d)
            except ValueError:
                raise InputError(
                    "issued_on / revised_on: dates (YYYY-MM-DD) or left out.", field="file"
                ) from None
    added = sync_catalogue(session, [CatalogueFile(file.path, content, file.sha256)])
    name = added[0]
    append(
        session,
        actor,
        "catalogue.add_version",
        object_type="policy",
        object_id=content["policy"],
        details={
            "version": content["version"],
            "effective_from": content["effective_from"],
            "clauses": len(content["clauses"]),
            "file_sha256": file.sha256,
        },
    )
    return name
