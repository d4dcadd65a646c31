"""The discipline matrix: a severity class per clause, a presumptive step and a range per
class, the look-back window, and which clauses bear on an officer's credibility or bias
when sustained (``credibility``, with its grounds and why: the Brady/Giglio review of
:mod:`ia_desk.discipline.brady`). Shipped in ``resources/discipline/matrix.json``; IA
administrators change it in the app, each change a new, audited version (never an edit
in place, so a decision can always be read against the matrix it was made under).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ia_desk.audit.trail import append
from ia_desk.db.models import DISCIPLINE_STEPS, Clause, DisciplineMatrixVersion, Setting
from ia_desk.errors import InputError
from ia_desk.policy import citation
from ia_desk.resources import resource
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require

if TYPE_CHECKING:
    from ia_desk.db.engine import Database

SEVERITY = ["A", "B", "C", "D"]
# What makes a sustained finding Brady/Giglio material (ia_desk.discipline.brady): the
# matrix's ``credibility_grounds`` say each in the department's words.
CREDIBILITY_GROUNDS = ("bias", "dishonesty")


def shipped_matrix() -> dict[str, Any]:
    return json.loads(resource("discipline", "matrix.json").read_text(encoding="utf-8"))


def validate(session: Session, content: Any) -> dict[str, Any]:
    """Check a matrix; raise InputError naming what is wrong."""
    if not isinstance(content, dict):
        raise InputError("matrix: must be a JSON object.", field="matrix")
    if content.get("steps") != list(DISCIPLINE_STEPS):
        raise InputError(
            "matrix.steps: must be the ladder of 3.21 §V.B: " + ", ".join(DISCIPLINE_STEPS) + ".",
            field="matrix.steps",
        )
    months = content.get("lookback_months")
    if not isinstance(months, int) or not 1 <= months <= 240:
        raise InputError(
            "matrix.lookback_months: a whole number from 1 to 240.", field="matrix.lookback_months"
        )
    classes = content.get("classes")
    if not isinstance(classes, dict) or not classes:
        raise InputError("matrix.classes: required.", field="matrix.classes")
    for name, spec in classes.items():
        f = f"matrix.classes.{name}"
        if name not in SEVERITY or not isinstance(spec, dict):
            raise InputError(f"{f}: classes are named {', '.join(SEVERITY)}.", field=f)
        rng = spec.get("range")
        if (
            not isinstance(rng, list)
            or len(rng) != 2
            or any(r not in DISCIPLINE_STEPS for r in rng)
        ):
            raise InputError(f"{f}.range: two steps of the ladder.", field=f"{f}.range")
        lo, hi = (DISCIPLINE_STEPS.index(r) for r in rng)
        if lo > hi:
            raise InputError(f"{f}.range: the lowest step comes first.", field=f"{f}.range")
        pres = spec.get("presumptive")
        if pres not in DISCIPLINE_STEPS or not lo <= DISCIPLINE_STEPS.index(pres) <= hi:
            raise InputError(f"{f}.presumptive: a step inside the range.", field=f"{f}.presumptive")
    grounds = _credibility_grounds(content)
    mapping = content.get("clauses")
    if not isinstance(mapping, dict):
        raise InputError("matrix.clauses: required.", field="matrix.clauses")
    catalogue = list(session.scalars(select(Clause)))
    known = {c.clause_id for c in catalogue}
    # Every clause an allegation may cite needs a class; a heading or a definition
    # cannot be cited (ia_desk.policy.citation), so it needs none.
    citable = {c.clause_id for c in catalogue if citation.of(c).citable}
    missing = sorted(citable - set(mapping))
    if missing:
        raise InputError(
            f"matrix.clauses: no class for {missing[0]} (and {len(missing) - 1} more)"
            if len(missing) > 1
            else f"matrix.clauses: no class for {missing[0]}.",
            field="matrix.clauses",
        )
    for cid, spec in mapping.items():
        if cid not in known:
            raise InputError(
                f"matrix.clauses.{cid}: not a clause of the catalogue.", field="matrix.clauses"
            )
        if not isinstance(spec, dict) or spec.get("class") not in classes:
            raise InputError(
                f"matrix.clauses.{cid}.class: one of {', '.join(classes)}.", field="matrix.clauses"
            )
        if not isinstance(spec.get("immediate_action", False), bool):
            raise InputError(
                f"matrix.clauses.{cid}.immediate_action: true or false.", field="matrix.clauses"
            )
        _validate_credibility(cid, spec, grounds)
    return content


def _credibility_grounds(content: dict[str, Any]) -> dict[str, Any]:
    grounds = content.get("credibility_grounds", {})
    if not isinstance(grounds, dict) or any(
        g not in CREDIBILITY_GROUNDS or not isinstance(w, str) or not w.strip()
        for g, w in grounds.items()
    ):
        raise InputError(
            "matrix.credibility_grounds: each of "
            + ", ".join(CREDIBILITY_GROUNDS)
            + " with the words that say why it bears on a witness's credibility.",
            field="matrix.credibility_grounds",
        )
    return grounds


def _validate_credibility(cid: str, spec: dict[str, Any], grounds: dict[str, Any]) -> None:
    """A clause's ``credibility``: absent (a sustained finding under it bears on no
    one's credibility) or ``{"grounds": [...], "why": "..."}``."""
    if "credibility" not in spec:
        return
    f = f"matrix.clauses.{cid}.credibility"
    cred = spec["credibility"]
    if (
        not isinstance(cred, dict)
        or not isinstance(cred.get("grounds"), list)
        or not cred["grounds"]
        or any(g not in grounds for g in cred["grounds"])
    ):
        raise InputError(
            f"{f}.grounds: one or more of "
            + (", ".join(grounds) or "the matrix's credibility_grounds (it has none)")
            + ".",
            field="matrix.clauses",
        )
    why = cred.get("why")
    if not isinstance(why, str) or len(why.strip()) < 20:
        raise InputError(
            f"{f}.why: say why a sustained finding under {cid} bears on credibility.",
            field="matrix.clauses",
        )


def latest(session: Session) -> DisciplineMatrixVersion | None:
    return session.scalars(
        select(DisciplineMatrixVersion).order_by(DisciplineMatrixVersion.version.desc())
    ).first()


def current(session: Session) -> dict[str, Any]:
    """The matrix in force (the newest version; the shipped one before any is stored).
    Read as a plain row: every page of the case list asks for it."""
    row = session.connection().execute(_NEWEST).first()
    content = dict(row.content) if row else shipped_matrix()
    content["version"] = row.version if row else 0
    return content


_NEWEST = (
    select(DisciplineMatrixVersion.version, DisciplineMatrixVersion.content)
    .order_by(DisciplineMatrixVersion.version.desc())
    .limit(1)
)


def _shipped_is_due(row: DisciplineMatrixVersion | None, shipped: dict[str, Any]) -> bool:
    """Whether the shipped matrix should be stored: the database has none, or its
    newest is an older shipped default nobody changed (a department's own matrix is
    theirs: a revised default never replaces it)."""
    if row is None:
        return True
    return row.created_by == "system" and int(shipped.get("version", 1)) > int(
        row.content.get("version", 1)
    )


def ensure_matrix(db: Database) -> None:
    """Store the shipped matrix when the database has none, or when its newest is an
    older shipped default nobody changed (start-up)."""
    shipped = shipped_matrix()
    with db.read() as session:
        if not _shipped_is_due(latest(session), shipped):
            return
    with db.write(None) as session:
        row = latest(session)
        if not _shipped_is_due(row, shipped):
            return
        content = validate(session, shipped)
        number = 1 if row is None else row.version + 1
        reason = "shipped default" if row is None else str(shipped.get("revision") or "revised")
        session.add(
            DisciplineMatrixVersion(
                version=number, content=content, reason=reason, created_by="system"
            )
        )
        append(
            session,
            None,
            "discipline.matrix_load",
            details={"version": number, "shipped": int(shipped.get("version", 1))},
        )


def move_lookback_setting(db: Database) -> None:
    """Fold a ``lookback_months`` setting left by an earlier version into the matrix
    (start-up, after :func:`ensure_matrix`). The ladder always read the matrix's window,
    so a different setting changed nothing; the department meant it, so it becomes a new
    matrix version, and the setting goes. Audited as ``discipline.lookback_moved``."""
    with db.read() as session:
        if session.get(Setting, "lookback_months") is None:
            return
    with db.write(None) as session:
        row = session.get(Setting, "lookback_months")
        if row is None:
            return
        try:
            wanted: int | None = int(row.value)
        except (TypeError, ValueError):
            wanted = None
        before = current(session)
        details: dict[str, Any] = {
            "setting": wanted if wanted is not None else str(row.value)[:40],
            "matrix_before": before["lookback_months"],
        }
        if wanted is not None and 1 <= wanted <= 240 and wanted != before["lookback_months"]:
            content = {k: v for k, v in before.items() if k != "version"}
            content["lookback_months"] = wanted
            number = before["version"] + 1
            session.add(
                DisciplineMatrixVersion(
                    version=number,
                    content=validate(session, content),
                    reason=(
                        "The look-back window set in the settings "
                        f"({wanted} months) moved into the matrix."
                    ),
                    created_by="settings",
                )
            )
            details["version"] = number
        session.delete(row)
        session.flush()
        append(session, None, "discipline.lookback_moved", details=details)


def update_matrix(session: Session, actor: Actor, content: Any, reason: str) -> int:
    """Store a new matrix version (IA administrators); returns its number. Audited."""
    require(actor, "settings.manage", "discipline.matrix_update")
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("reason: say why the matrix changes.", field="reason")
    content = validate(session, content)
    before = current(session)
    number = (session.scalar(select(func.max(DisciplineMatrixVersion.version))) or 0) + 1
    stored = {k: v for k, v in content.items() if k != "version"}
    session.add(
        DisciplineMatrixVersion(
            version=number, content=stored, reason=reason.strip(), created_by=actor.login
        )
    )
    changed = sorted(
        cid for cid, spec in stored["clauses"].items() if before["clauses"].get(cid) != spec
    )
    append(
        session,
        actor,
        "discipline.matrix_update",
        object_type="matrix",
        object_id=number,
        details={
            "reason": reason.strip(),
            "clauses_changed": changed[:50],
            "classes_changed": sorted(
                k for k, v in stored["classes"].items() if before["classes"].get(k) != v
            ),
            "lookback_months": stored["lookback_months"],
        },
    )
    session.flush()
    return number


def clause_class(matrix: dict[str, Any], clause_id: str) -> dict[str, Any]:
    return matrix["clauses"].get(clause_id, {"class": "A", "immediate_action": False})


def is_immediate(matrix: dict[str, Any], clause_id: str) -> bool:
    return bool(clause_class(matrix, clause_id).get("immediate_action"))


def credibility(matrix: dict[str, Any], clause_id: str) -> dict[str, Any] | None:
    """Whether a sustained finding under the clause bears on the officer's credibility or
    bias (Brady/Giglio): ``{"grounds": [...], "why": ...}`` or None.

    A matrix stored before version 4 of the shipped one has no ``credibility_grounds``:
    it said nothing on credibility, which is not a decision that no clause bears on it,
    so the shipped matrix's entries answer for it. A matrix with ``credibility_grounds``
    (the shipped one since version 4, or a department's own built on it) is its own
    answer, an absent entry included."""
    if "credibility_grounds" not in matrix:
        matrix = shipped_matrix()
    spec = matrix["clauses"].get(clause_id) or {}
    cred = spec.get("credibility")
    return dict(cred) if cred else None
