"""The values of IA work the core stores and the doors offer: roles, departments, how a
report reached IA and who made it, a case's statuses, findings, the discipline ladder,
kinds of withheld text. Nothing is imported here: the command line's parser reads these
at every start, before the database layer is loaded, and the models
(:mod:`ia_desk.db.models`, which re-exports them) store them as plain strings.

The order of each tuple is meaningful where it is used: :data:`CASE_STATUSES` is the
workflow in order and :data:`DISCIPLINE_STEPS` the ladder of 3.21 §V.B, mildest first.
"""

from __future__ import annotations

ROLES = ("ia_admin", "ia_investigator", "supervisor", "command_staff")
"""What a user of IA Desk may be (``app_user.role``)."""

DEPARTMENTS = ("police", "city")
"""The two departments whose employees are on the roster and whose policies ship."""

REPORTER_MODES = ("anonymous", "named", "confidential")
"""How a reporter came forward; an anonymous reporter's identity is kept nowhere."""

CASE_STATUSES = ("received", "assigned", "investigating", "findings", "closed")
"""A case's statuses, in the order of the workflow."""

CHANNELS = ("supervisor", "ia_direct", "phone", "email", "web", "walk_in", "mail", "other")
"""How a report reached IA."""

DISPOSITIONS = (
    "sustained",
    "not_sustained",
    "exonerated",
    "unfounded",
    "policy_failure",
    "withdrawn",
)
"""The findings an allegation can be closed with."""

DISCIPLINE_STEPS = ("counseling", "training", "written_reprimand", "suspension", "termination")
"""The discipline ladder of 3.21 §V.B, mildest first."""

REDACTION_KINDS = {
    "juvenile": "identity or address of a juvenile (3.21 §IV.B)",
    "victim": "name of a victim of sexual assault or child molestation (3.21 §IV.G)",
    "reporter": "anything that points to who reported (3.21 §V.A, §V.C)",
    "other": "other text IA must not pass on outside IA",
}
"""Kinds of text IA marks to be withheld outside IA, and what each covers."""
