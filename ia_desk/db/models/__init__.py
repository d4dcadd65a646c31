"""Typed SQLAlchemy 2 models of everything IA Desk stores, one module per room of the
work, split by what each room owns and writes:

- :mod:`~ia_desk.db.models.base`: the declarative base, the naming convention,
  :func:`utcnow`, :func:`table_of` and the columns many tables share.
- :mod:`~ia_desk.db.models.people`: the roster and the users who sign in. Cases,
  evidence, discipline and the registers point here; this room points nowhere.
- :mod:`~ia_desk.db.models.policy`: the clause catalogue, write-once versions with
  their verbatim clauses. Cases cite it; it knows no case.
- :mod:`~ia_desk.db.models.cases`: a case and what exists only as part of one (number,
  reporter, incident, subjects, allegations and findings, withheld text, tolls, the
  retaliation review): the confidential rows, written together under one rule.
- :mod:`~ia_desk.db.models.notes`: IA's notes on a case (append-only, an edit
  supersedes) and its tasks, with an assignee and a due date.
- :mod:`~ia_desk.db.models.evidence`: the write-once blob store, previews, and evidence
  items with their custody metadata.
- :mod:`~ia_desk.db.models.interviews`: interviews of subjects and witnesses, each
  version a row of its own (an amendment supersedes, never overwrites).
- :mod:`~ia_desk.db.models.discipline`: the versioned matrix and the decisions, the
  early-warning alerts, and the Brady/Giglio flags with their disclosures.
- :mod:`~ia_desk.db.models.registers`: the oversight registers of 3.21 (approvals,
  official accounts and posts, training, the policy's review), as
  :mod:`ia_desk.registers` keeps them.
- :mod:`~ia_desk.db.models.audit`: the hash-chained trail and its head; it points to no
  table, so it stays verifiable whatever happens to the rows it speaks of.
- :mod:`~ia_desk.db.models.settings` and :mod:`~ia_desk.db.models.storage`: department
  settings, and the embedded file's disk reserve (not IA data, never copied).

A room that points to another names the target by string and imports its class only
under ``TYPE_CHECKING``, so the modules import in any order; importing this package
maps every table. ``from ia_desk.db.models import X`` keeps working for every model and
for the stored values of :mod:`ia_desk.terms` (``ROLES``, ``CASE_STATUSES``...), which
code that needs only the values imports from :mod:`ia_desk.terms` directly.

Times are stored as UTC (naive ``DateTime`` columns hold UTC by convention; the
original offset is kept beside them where the person's local time matters). Dates
that are calendar dates in the department's sense (incident date, deadline) are ``Date``.

Schema changes only through Alembic revisions in ``ia_desk/db/migrations``;
``tests/test_schema.py`` fails when these models and a database migrated to head differ.
"""

from __future__ import annotations

from ia_desk.db.models.audit import REPORTER_UPDATE_EVENT, AuditEvent, AuditHead
from ia_desk.db.models.base import NAMING, Base, table_of, utcnow
from ia_desk.db.models.cases import (
    PROTECTED_REPORTER,
    PROTECTED_REPORTER_TERMS,
    Allegation,
    Case,
    CaseNumberCounter,
    CaseRedaction,
    CaseReview,
    CaseSubject,
    CaseToll,
    ImmediateAction,
    ImmediateActionStep,
    Incident,
    Reporter,
    RetaliationReview,
    SpeechScreen,
)
from ia_desk.db.models.discipline import (
    BradyDisclosure,
    BradyFlag,
    DisciplineAction,
    DisciplineAppeal,
    DisciplineMatrixVersion,
    EarlyWarning,
    PreDisciplinaryHearing,
)
from ia_desk.db.models.evidence import Evidence, EvidenceBlob, EvidenceThumb
from ia_desk.db.models.interviews import Interview
from ia_desk.db.models.notes import CaseNote, CaseTask
from ia_desk.db.models.people import Employee, IaKey, IaKeyGrant, User, UserKey
from ia_desk.db.models.policy import Clause, Policy, PolicyVersion
from ia_desk.db.models.registers import (
    ApprovalRequest,
    CaseApproval,
    OfficialAccount,
    OfficialPost,
    PolicyAnnualReview,
    PolicyReviewItem,
    TrainingItem,
    TrainingRecord,
)
from ia_desk.db.models.settings import Setting
from ia_desk.db.models.storage import StorageReserve
from ia_desk.terms import (
    CASE_STATUSES,
    CHANNELS,
    DEPARTMENTS,
    DISCIPLINE_STEPS,
    DISPOSITIONS,
    REPORTER_MODES,
    ROLES,
)

__all__ = [
    "PROTECTED_REPORTER",
    "PROTECTED_REPORTER_TERMS",
    "REPORTER_UPDATE_EVENT",
    "CASE_STATUSES",
    "CHANNELS",
    "DEPARTMENTS",
    "DISCIPLINE_STEPS",
    "DISPOSITIONS",
    "NAMING",
    "REPORTER_MODES",
    "ROLES",
    "Allegation",
    "ApprovalRequest",
    "AuditEvent",
    "AuditHead",
    "Base",
    "BradyDisclosure",
    "BradyFlag",
    "Case",
    "CaseApproval",
    "CaseNote",
    "CaseNumberCounter",
    "CaseRedaction",
    "CaseReview",
    "CaseSubject",
    "CaseTask",
    "CaseToll",
    "Clause",
    "DisciplineAction",
    "DisciplineAppeal",
    "DisciplineMatrixVersion",
    "EarlyWarning",
    "Employee",
    "Evidence",
    "EvidenceBlob",
    "EvidenceThumb",
    "IaKey",
    "IaKeyGrant",
    "ImmediateAction",
    "ImmediateActionStep",
    "Interview",
    "Incident",
    "OfficialAccount",
    "OfficialPost",
    "Policy",
    "PolicyAnnualReview",
    "PolicyReviewItem",
    "PolicyVersion",
    "PreDisciplinaryHearing",
    "Reporter",
    "RetaliationReview",
    "Setting",
    "SpeechScreen",
    "StorageReserve",
    "TrainingItem",
    "TrainingRecord",
    "User",
    "UserKey",
    "table_of",
    "utcnow",
]
