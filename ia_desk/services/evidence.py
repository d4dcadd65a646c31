"""Evidence: adding screenshots, viewing (a rendition made in the isolated decoder),
exporting with a sidecar, verifying, and each item's custody log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ia_desk.db.engine import Database
from ia_desk.evidence.decode import shutdown_worker
from ia_desk.evidence.store import (
    Added,
    DuplicateWarning,
    EvidenceInput,
    EvidenceView,
    custody_log,
    export_evidence,
    thumbnail,
    verify_all,
    view_evidence,
)
from ia_desk.evidence.store import add_evidence as _add
from ia_desk.security.actor import Actor
from ia_desk.services import Changes, Done

__all__ = [
    "Added",
    "DuplicateWarning",
    "EvidenceInput",
    "EvidenceView",
    "add_evidence",
    "custody",
    "export",
    "shutdown_worker",
    "thumbnails",
    "verify",
    "view",
]


def add_evidence(
    db: Database, actor: Actor, number: str, items: list[EvidenceInput]
) -> Done[Added]:
    """Check and store items on a case, all or none; a refusal names the file and why,
    stores nothing, and is audited. Duplicates are stored with a warning."""
    with db.write(actor) as s:
        added = _add(s, actor, number, items)
    return Done(added, Changes.case(number))


def view(db: Database, actor: Actor, evidence_id: int) -> EvidenceView:
    """An item for the viewer: audited as a view with its re-hash; the picture is made
    in the decoder's worker, never from the original in this process. Slow for a large
    item: call it off the GUI thread."""
    return view_evidence(db, actor, evidence_id)


def export(db: Database, actor: Actor, evidence_id: int, out_dir: Path) -> tuple[Path, Path, bool]:
    """The original bytes and a sidecar JSON into ``out_dir``; whether the bytes verify."""
    with db.write(actor, audit_only=True) as s:
        return export_evidence(s, actor, evidence_id, out_dir)


def verify(db: Database, actor: Actor, number: str | None = None) -> list[dict[str, Any]]:
    """Re-hash every item (or one case's); each result is recorded in the trail."""
    with db.write(actor, audit_only=True) as s:
        return verify_all(s, actor, number)


def custody(db: Database, actor: Actor, evidence_id: int) -> list[dict[str, Any]]:
    """Every recorded add, view, export, print and verification of one item."""
    with db.read(actor) as s:
        return custody_log(s, actor, evidence_id)


def thumbnails(db: Database, actor: Actor, shas: list[str]) -> dict[str, bytes | None]:
    """The small previews of items the reader is shown (their case is already read)."""
    with db.read(actor) as s:
        return {sha: thumbnail(s, sha) for sha in shas}
