"""The case list as a CSV file: the rows the actor's list shows for a query, in its order,
in the words of the screen; the export audited with the filter and the row count.

The filter is recorded without the search words (they may be a reporter's name, which
the audit trail must not carry); that words were given is recorded."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from ia_desk import labels
from ia_desk.audit.trail import append
from ia_desk.casefile.listing import CaseQuery, CaseRow, case_page
from ia_desk.security.actor import Actor
from ia_desk.security.roles import allowed

HEADINGS = (
    "Case",
    "Status",
    "Received",
    "Deadline",
    "Days left",
    "Assigned to",
    "Reporter",
    "Subjects",
    "Clauses",
    "Disposition",
    "Flags",
)
# A spreadsheet runs a cell that begins with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _line(r: CaseRow, detail: bool) -> list[str]:
    days = r.days_left()
    cells: list[object] = [
        r.number,
        labels.status(r.status).text,
        r.received_at.strftime("%Y-%m-%d %H:%M"),
        r.deadline_on.isoformat(),
        "paused" if r.tolled and r.status != "closed" else ("" if days is None else days),
    ]
    if detail:
        cells += [
            r.assigned_to or "",
            labels.reporter_mode(r.reporter_mode) if r.reporter_mode else "",
            r.subjects,
            r.clauses,
            ", ".join(dict.fromkeys(labels.disposition(d) for d in r.dispositions)),
        ]
    cells.append(labels.flags_text(r.flags))
    return [_cell(c) for c in cells]


def filter_of(q: CaseQuery) -> dict[str, Any]:
    """The query's filters as the audit records them: those set, search words withheld."""
    given = {k: v for k, v in asdict(q).items() if v not in (None, False, "")}
    given.pop("sort", None)
    given.pop("descending", None)
    if "search" in given:
        given["search"] = "words given (not recorded)"
    return {k: str(v) if not isinstance(v, (bool, int)) else v for k, v in given.items()}


def list_csv(session: Session, actor: Actor, q: CaseQuery) -> tuple[str, int]:
    """The CSV text of every row the query lists for the actor, and how many. Audited
    (``case.list_exported``) in the caller's transaction."""
    rows = case_page(session, actor, q, 0, None)
    detail = allowed(actor, "case.read")
    headings = list(HEADINGS) if detail else [*HEADINGS[:5], HEADINGS[-1]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    for r in rows:
        writer.writerow(_line(r, detail))
    append(
        session,
        actor,
        "case.list_exported",
        object_type="case_list",
        details={"filter": filter_of(q), "rows": len(rows)},
    )
    return out.getvalue(), len(rows)
