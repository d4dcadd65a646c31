"""Report intake: a report (with its screenshots) opens one case, all in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ia_desk.cases.intake import ReportInput, open_case, parse_json, parse_report
from ia_desk.db.engine import Database
from ia_desk.discipline.immediate import raise_by_clause
from ia_desk.evidence.store import DuplicateWarning, EvidenceInput, add_evidence
from ia_desk.security.actor import Actor
from ia_desk.services import Changes, Done

__all__ = ["ReportInput", "Submitted", "check_report", "read_report", "submit_report"]


@dataclass(frozen=True)
class Submitted:
    """The case a report opened: its number, the tracking code to hand the reporter (the
    only time it is shown), the earlier reports the code links it to, and a warning for
    each screenshot already stored as evidence."""

    number: str
    tracking_code: str
    linked_cases: list[str]
    warnings: list[DuplicateWarning] = field(default_factory=list)


def read_report(raw: str | bytes) -> ReportInput:
    """Check a report document (JSON) before anything is written; an InputError names
    the first field that is wrong."""
    return parse_report(parse_json(raw))


def check_report(document: dict[str, Any]) -> ReportInput:
    """Check a report already parsed from JSON (the intake form builds one); an
    InputError names the first field that is wrong. Nothing is written."""
    return parse_report(document)


def submit_report(
    db: Database,
    actor: Actor,
    report: ReportInput,
    evidence: list[EvidenceInput] | None = None,
) -> Done[Submitted]:
    """Open a case from a checked report, with its screenshots: all of it or nothing (a
    refused screenshot stores neither the case nor any file)."""
    with db.write(actor) as s:
        result = open_case(s, actor, report)
        number = result.case.number
        # A clause that calls for the Chief at once (3.21 §V.B) raises it now.
        raise_by_clause(s, actor, result.case, new_case_clauses=report.clauses)
        warnings = add_evidence(s, actor, number, evidence).warnings if evidence else []
    return Done(
        Submitted(number, result.tracking_code, result.linked_cases, warnings),
        Changes.case(number) | Changes(roster=True),
    )
