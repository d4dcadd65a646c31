"""Report intake: a report (with its screenshots) opens one case, all in one transaction."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from ia_desk.cases.intake import ReportInput, open_case, parse_json, parse_report
from ia_desk.db.engine import Database
from ia_desk.discipline import early_warning
from ia_desk.discipline.immediate import raise_by_clause
from ia_desk.errors import InputError
from ia_desk.evidence.store import DuplicateWarning, EvidenceInput, add_evidence
from ia_desk.security.actor import Actor
from ia_desk.services import Changes, Done

__all__ = [
    "ReportInput",
    "Submitted",
    "check_form",
    "check_report",
    "read_report",
    "submit_report",
]


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


MAX_PROBLEMS = 30
_INDEX = re.compile(r"^(subjects|clauses)\[(\d+)\](?:\.(\w+))?$")


def check_form(document: dict[str, Any]) -> tuple[ReportInput | None, list[InputError]]:
    """Check a report typed into the intake form: the report if it is right, else every
    problem at once (each names its field), so the form can show them all beside their
    fields. Nothing is written.

    The core names the first wrong field; to find the others, the wrong value is put
    aside (replaced by a harmless stand-in) and the report checked again. The form also
    requires the platform to be chosen: it offers a list, and a list with a silent first
    choice once filed Snapchat posts as Facebook ones (the command line may leave it out).
    """
    doc = copy.deepcopy(document)
    problems: list[InputError] = []
    report: ReportInput | None = None
    for _ in range(MAX_PROBLEMS):
        try:
            report = parse_report(doc)
            break
        except InputError as exc:
            problems.append(exc)
            if not _set_aside(doc, exc.field or ""):
                break
    platform = (document.get("incident") or {}).get("platform")
    if not (isinstance(platform, str) and platform.strip()) and not any(
        p.field == "incident.platform" for p in problems
    ):
        problems.append(
            InputError(
                "incident.platform: pick the platform the post was on (or Other).",
                field="incident.platform",
            )
        )
    return (report if not problems else None), problems


def _set_aside(doc: dict[str, Any], key: str) -> bool:
    """Replace the value a refusal names with one the check accepts; False when the key
    is not one the form fills (then no further problem can be found)."""
    reporter = doc.get("reporter") if isinstance(doc.get("reporter"), dict) else None
    incident = doc.get("incident") if isinstance(doc.get("incident"), dict) else None
    m = _INDEX.match(key)
    if key == "received_at":
        doc["received_at"] = None
    elif key == "channel":
        doc["channel"] = "other"
    elif key in ("reporter", "reporter.mode") or reporter is None and key.startswith("reporter"):
        doc["reporter"] = {"mode": "anonymous"}
    elif key == "reporter.name" and reporter is not None:
        reporter["name"] = "Stand-in"
    elif key.startswith("reporter.") and reporter is not None:
        reporter.pop(key.split(".", 1)[1], None)
    elif key == "subjects":
        doc["subjects"] = [{"badge": "stand-in-0"}]
    elif m and m.group(1) == "subjects" and isinstance(doc.get("subjects"), list):
        i, part = int(m.group(2)), m.group(3)
        subject = doc["subjects"][i] if i < len(doc["subjects"]) else None
        if not isinstance(subject, dict) or part is None:
            doc["subjects"][i] = {"badge": f"stand-in-{i}"}
        elif part == "badge":
            subject["badge"] = f"stand-in-{i}"
        else:
            subject.pop(part, None)
    elif key == "clauses":
        doc["clauses"] = []
    elif m and m.group(1) == "clauses" and isinstance(doc.get("clauses"), list):
        doc["clauses"][int(m.group(2))] = "stand-in"
    elif key == "incident" or incident is None and key.startswith("incident"):
        doc["incident"] = {"occurred_on": "2000-01-01", "narrative": "Stand-in."}
    elif key == "incident.occurred_on" and incident is not None:
        incident["occurred_on"] = "2000-01-01"
    elif key == "incident.narrative" and incident is not None:
        incident["narrative"] = "Stand-in."
    elif key.startswith("incident.") and incident is not None:
        incident.pop(key.split(".", 1)[1], None)
    else:
        return False
    return True


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
        # The employees named may now show a pattern (an alert the reporter never sees).
        early_warning.check(s, actor, [subject.employee_id for subject in result.case.subjects])
        warnings = add_evidence(s, actor, number, evidence).warnings if evidence else []
    return Done(
        Submitted(number, result.tracking_code, result.linked_cases, warnings),
        Changes.case(number) | Changes(roster=True),
    )
