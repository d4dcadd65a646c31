"""The shapes of the read models: what a case file, a timeline event and an employee's
history hold.

They are TypedDicts: plain JSON-ready data at run time (the command line prints them as
they are, the export and the windows read the same keys), typed for whoever reads them.
A reader who may see only the status of a report gets a :class:`CaseStatus`, everyone
else a :class:`CaseFile`; :func:`is_status_only` tells them apart, so no caller needs
to probe for keys.
"""

from __future__ import annotations

from typing import Any, TypedDict, TypeGuard, cast


class ReporterView(TypedDict, total=False):
    """Who reported, as the reader may see it: the mode always; an anonymous reporter
    has nothing else. Outside IA a confidential identity is ``"withheld"``."""

    mode: str
    good_faith: bool
    name: str | None
    badge: str | None
    phone: str | None
    email: str | None
    identity: str


class SubjectView(TypedDict):
    badge: str
    name: str
    department: str
    rank: str | None
    unit: str | None


class IncidentView(TypedDict):
    occurred_on: str
    platform: str | None
    url: str | None
    narrative: str


class AllegationView(TypedDict):
    id: int
    employee: str
    clause: str
    clause_version: str
    clause_version_note: str  # e.g. "version 2026-02-02, in force on 30 October 2026"
    clause_title: str
    disposition: str | None
    finding_on: str | None
    rationale: str | None
    # A clause that punishes speech (ia_desk.cases.speech), and its screen (IA only).
    needs_speech_screen: bool
    speech_screen: dict[str, Any] | None


class EvidenceItem(TypedDict):
    id: int
    sha256: str
    file_name: str
    media_type: str
    size: int
    width: int | None
    height: int | None
    source_url: str | None
    captured_at_utc: str | None
    captured_by: str
    verified: bool
    # The interview it is the statement of (issue 22): {"interview", "compelled", "mark"}.
    statement: dict[str, Any] | None


class ReviewView(TypedDict):
    by: str
    at: str
    conclusion: str
    reasoning: str


class RetaliationView(TypedDict, total=False):
    """The retaliation review of a case: its triggers (naming no one outside IA), the
    reviews recorded, and whether the case is held until one is."""

    triggers: list[dict[str, Any]]
    reviews: list[ReviewView]
    blocking: bool
    protected_subjects: list[str]  # IA readers only


class DecisionView(TypedDict):
    id: int
    employee: str
    step: str
    recommended: str | None
    within_range: bool
    reason: str | None
    by: str
    at: str
    current: bool  # False: amended by a later decision
    amends: int | None
    suspension_days: int | None
    without_pay: bool | None
    length: str  # "5 days without pay" for a suspension, else empty


class CaseStatus(TypedDict):
    """What the supervisor who submitted a report sees of it."""

    case: str
    status: str
    received_at: str


class CaseFile(TypedDict):
    """Everything a reader of the case may see of it."""

    case: str
    status: str
    received_at: str
    channel: str
    deadline: str
    assigned_to: str | None
    version: int
    reporter: ReporterView
    subjects: list[SubjectView]
    incident: IncidentView
    allegations: list[AllegationView]
    evidence: list[EvidenceItem]
    flags: list[str]
    tolled_since: str | None
    retaliation: RetaliationView
    approvals: list[str]
    discipline: list[DecisionView]
    # The Chief's immediate action (3.21 §V.B; ia_desk.discipline.immediate.status), or None.
    immediate_action: dict[str, Any] | None
    # The review chain of its findings (ia_desk.cases.review.view): the steps, the round,
    # the step awaited and every decision.
    review: dict[str, Any]
    # Its interviews as the reader may see them (ia_desk.cases.interviews.case_interviews).
    interviews: list[dict[str, Any]]


CaseView = CaseFile | CaseStatus


def is_status_only(view: CaseView) -> TypeGuard[CaseStatus]:
    """Whether the reader may see only the status of the report (a supervisor)."""
    return "deadline" not in view


def full_file(view: CaseView) -> CaseFile | None:
    """The case file, or None when the reader may see only the report's status."""
    return None if is_status_only(view) else cast(CaseFile, view)


class TimelineEvent(TypedDict):
    seq: int
    at: str
    user: str | None
    workstation: str
    event: str
    outcome: str
    details: str  # canonical JSON, withheld outside IA


class EmployeeRow(TypedDict):
    badge: str
    name: str
    department: str
    rank: str | None
    unit: str | None
    cases: int


class EmployeeAllegation(TypedDict):
    case: str
    received_at: str
    clause: str
    title: str
    disposition: str | None
    finding_on: str | None


class EmployeeDecision(TypedDict):
    case: str
    step: str
    recommended: str | None
    within_range: bool
    at: str
    length: str  # "5 days without pay" for a suspension, else empty


class EmployeeHistory(TypedDict):
    badge: str
    name: str
    department: str
    rank: str | None
    unit: str | None
    allegations: list[EmployeeAllegation]
    discipline: list[EmployeeDecision]
    warnings: list[dict[str, Any]]  # early-warning alerts, newest first
    # Brady/Giglio flags, newest first (ia_desk.discipline.brady.view); empty for a role
    # without brady.read
    brady: list[dict[str, Any]]
