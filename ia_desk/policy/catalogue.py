"""The clause catalogue: shipped as one JSON file per policy version, loaded into the database.

A policy version is write-once. ``sync_catalogue`` adds versions the database lacks and
refuses a shipped file whose content differs from the version already loaded under the
same name (a correction must be a new version, so an old allegation keeps citing the
text that was in force).

Clause ids are ``<policy>/<path>`` with the labels as printed joined by dots
(``vpd-3.21/III.N.2``, ``city-sn/procedure.1.f``, ``vpd-3.21/definitions.website``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ia_desk.audit.trail import append
from ia_desk.db.models import Clause, Policy, PolicyVersion
from ia_desk.errors import InputError, NotFound
from ia_desk.resources import resource

if TYPE_CHECKING:
    from ia_desk.db.engine import Database

POLICY_ORDER = {"police": ["vpd-3.21", "city-sn"], "city": ["city-sn"]}


@dataclass(frozen=True)
class CatalogueFile:
    path: Path
    data: dict[str, Any]
    sha256: str


def shipped_files(folder: Path | None = None) -> list[CatalogueFile]:
    folder = folder or resource("policies")
    out = []
    for path in sorted(folder.glob("*.json")):
        raw = path.read_bytes()
        out.append(CatalogueFile(path, json.loads(raw), hashlib.sha256(raw).hexdigest()))
    return out


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _content_hash(data: dict[str, Any]) -> str:
    """Hash of what matters (the clauses), stable across JSON formatting."""
    clauses = [(c["id"], c["kind"], c["title"], c["text"], c["rule"]) for c in data["clauses"]]
    return hashlib.sha256(json.dumps(clauses, ensure_ascii=False).encode("utf-8")).hexdigest()


def sync_catalogue(session: Session, files: Iterable[CatalogueFile] | None = None) -> list[str]:
    """Load every shipped policy version the database lacks; return what was added."""
    added = []
    for f in files if files is not None else shipped_files():
        d = f.data
        policy = session.get(Policy, d["policy"])
        if policy is None:
            policy = Policy(id=d["policy"], title=d["title"], department=d["department"])
            session.add(policy)
        content = _content_hash(d)
        existing = session.scalar(
            select(PolicyVersion).where(
                PolicyVersion.policy_id == d["policy"], PolicyVersion.version == d["version"]
            )
        )
        if existing is not None:
            if existing.content_sha256 != content:
                raise InputError(
                    f"The shipped catalogue file {f.path.name} differs from version "
                    f"{d['version']} of {d['policy']} already in the database. A policy version "
                    "never changes once loaded; issue the corrected text as a new version."
                )
            continue
        version = PolicyVersion(
            policy_id=d["policy"],
            version=d["version"],
            effective_from=_date(d.get("effective_from")),
            issued_on=_date(d.get("issued_on")),
            revised_on=_date(d.get("revised_on")),
            note=d.get("note"),
            content_sha256=content,
        )
        session.add(version)
        session.flush()
        for c in [*d["clauses"], *missing_parents(d["clauses"])]:
            session.add(
                Clause(
                    policy_version_id=version.id,
                    clause_id=c["id"],
                    path=c["path"],
                    parent_id=c.get("parent"),
                    kind=c["kind"],
                    label=c.get("label"),
                    title=c["title"],
                    text=c["text"],
                    is_rule=bool(c["rule"]),
                    ordinal=int(c["order"]),
                )
            )
        added.append(f"{d['policy']}@{d['version']}")
    session.flush()
    return added


# The headings of the two shipped policies that hold numbered clauses but no text of
# their own ("PURPOSE AND SCOPE", "DEFINITIONS"): the catalogue's first build gave their
# clauses a parent it did not write.
HEADING_TITLES = {"purpose": "Purpose and scope", "definitions": "Definitions"}


def missing_parents(clauses: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Headings for the parents that clauses name and the catalogue lacks, placed before
    their first child (a heading holds no text and is never citable)."""
    have = {c["id"] for c in clauses}
    out: dict[str, dict[str, Any]] = {}
    for c in clauses:
        parent = c.get("parent")
        if not parent or parent in have or parent in out:
            continue
        path = parent.split("/", 1)[1]
        out[parent] = {
            "id": parent,
            "path": path,
            "parent": None,
            "kind": "heading",
            "label": None,
            "title": HEADING_TITLES.get(path, path.replace("-", " ").capitalize()),
            "text": "",
            "rule": False,
            "order": int(c["order"]),
        }
    return list(out.values())


def add_missing_headings(session: Session) -> list[str]:
    """Give each loaded version the headings its clauses point to and it lacks (a
    database loaded before they were made). Returns the clause ids added."""
    added: list[str] = []
    for version in session.scalars(select(PolicyVersion).order_by(PolicyVersion.id)):
        rows = [
            {"id": c.clause_id, "parent": c.parent_id, "order": c.ordinal} for c in version.clauses
        ]
        for h in missing_parents(rows):
            session.add(
                Clause(
                    policy_version_id=version.id,
                    clause_id=h["id"],
                    path=h["path"],
                    parent_id=None,
                    kind="heading",
                    label=None,
                    title=h["title"],
                    text="",
                    is_rule=False,
                    ordinal=h["order"],
                )
            )
            added.append(f"{h['id']}@{version.version}")
    session.flush()
    return added


def _lacks_headings(session: Session) -> bool:
    rows = session.execute(
        select(Clause.policy_version_id, Clause.clause_id, Clause.parent_id)
    ).all()
    ids = {(v, c) for v, c, _ in rows}
    return any(p is not None and (v, p) not in ids for v, _, p in rows)


def ensure_catalogue(db: Database) -> list[str]:
    """Load shipped policy versions the database lacks (at start-up, after migrations)."""
    files = shipped_files()
    wanted = {(f.data["policy"], f.data["version"]) for f in files}
    with db.read() as session:
        have = set(session.execute(select(PolicyVersion.policy_id, PolicyVersion.version)).all())
        complete = not _lacks_headings(session)
    if wanted <= have and complete:
        return []
    with db.write(None) as session:
        added = sync_catalogue(session, files)
        headings = add_missing_headings(session)
        if added or headings:
            details: dict[str, Any] = {"versions": added}
            if headings:
                details["headings"] = headings
            append(session, None, "catalogue.load", details=details)
    return added


def policy_of(clause_id: str) -> str:
    if "/" not in clause_id:
        raise InputError(
            f"'{clause_id}' is not a clause id; clause ids look like vpd-3.21/III.M.",
            field="clause",
        )
    return clause_id.split("/", 1)[0]


def _in_force(rows: Sequence[Any], on: dt.date | None) -> Any:
    """Of rows with an ``effective_from``, the one in force on a date.

    The latest whose ``effective_from`` is on or before the date; an undated version
    counts as in force from the beginning. For a date before every version the catalogue
    holds, the earliest (the catalogue has no older text); for no date, the newest.
    """
    rows = sorted(rows, key=lambda r: r.effective_from or dt.date.min)
    if on is None:
        return rows[-1]
    chosen = rows[0]
    for r in rows:
        if (r.effective_from or dt.date.min) <= on:
            chosen = r
    return chosen


def version_note(version: PolicyVersion, on: dt.date, in_force: PolicyVersion | None = None) -> str:
    """What a reader is told of the version a clause is cited in, for an incident on
    ``on``: in force then, or (a date before every version on file) that the text in
    force then is not on file. ``in_force``: the version the catalogue now holds for
    that date, when it is another (an earlier one added after the allegation)."""
    when = f"{on:%d %B %Y}".lstrip("0")
    name = "undated version" if version.effective_from is None else f"version {version.version}"
    if version.effective_from is None:
        note = f"{name} (its effective date is not on file; the only version of it on file)"
    elif version.effective_from <= on:
        note = f"{name}, in force on {when}"
    else:
        note = (
            f"{name}, effective {version.effective_from:%d %B %Y}".replace(" 0", " ")
            + f": the text in force on {when} is not on file"
        )
    if in_force is not None and in_force.id != version.id:
        note += (
            f"; version {in_force.version}, in force on that date, was added to the catalogue since"
        )
    return note


def version_in_force(session: Session, policy_id: str, on: dt.date | None) -> PolicyVersion:
    """The version of a policy in force on a date (see :func:`_in_force`)."""
    versions = list(
        session.scalars(select(PolicyVersion).where(PolicyVersion.policy_id == policy_id))
    )
    if not versions:
        raise NotFound(f"There is no policy '{policy_id}' in the catalogue.", field="policy")
    return cast(PolicyVersion, _in_force(versions, on))


def clause_in_force(session: Session, clause_id: str, on: dt.date | None) -> Clause:
    """The clause as worded in the version in force on ``on`` (None: the newest).

    One query: every version of the policy, each with this clause if it has it. (Intake
    looks clauses up for each report; the version is chosen first, so a clause dropped
    from the version in force is refused, not taken from an older one.)
    """
    policy_id = policy_of(clause_id)
    rows = session.execute(
        select(PolicyVersion.effective_from, PolicyVersion.version, Clause)
        .outerjoin(
            Clause,
            and_(Clause.policy_version_id == PolicyVersion.id, Clause.clause_id == clause_id),
        )
        .where(PolicyVersion.policy_id == policy_id)
    ).all()
    if not rows:
        raise NotFound(f"There is no policy '{policy_id}' in the catalogue.", field="policy")
    chosen = _in_force(rows, on)
    if chosen.Clause is None:
        raise NotFound(
            f"Unknown clause '{clause_id}' (not in {policy_id} version {chosen.version}).",
            field="clause",
        )
    return cast(Clause, chosen.Clause)


def list_clauses(
    session: Session, policy_id: str | None = None, on: dt.date | None = None
) -> list[Clause]:
    policies = (
        [policy_id]
        if policy_id
        else [
            p.id
            for p in session.scalars(
                select(Policy).order_by(Policy.department.desc(), Policy.id.desc())
            )
        ]
    )
    out: list[Clause] = []
    for pid in policies:
        version = version_in_force(session, pid, on)
        out.extend(version.clauses)
    return out


def clause_dict(clause: Clause) -> dict[str, Any]:
    from ia_desk.policy import citation

    v = clause.policy_version
    cite = citation.of(clause)
    return {
        "id": clause.clause_id,
        "policy": v.policy_id,
        "version": v.version,
        "effective_from": v.effective_from.isoformat() if v.effective_from else None,
        "path": clause.path,
        "parent": clause.parent_id,
        "kind": clause.kind,
        "title": clause.title,
        "text": clause.text,
        "rule": clause.is_rule,
        "citable": cite.kind,
        "why_not_a_rule": cite.why or None,
    }
