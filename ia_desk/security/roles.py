"""Who may do what: one table, enforced by every service through :func:`require`.

| permission              | ia_admin | ia_investigator | supervisor | command_staff |
|-------------------------|:--------:|:---------------:|:----------:|:-------------:|
| report.submit           |    x     |        x        |     x      |               |
| case.read               |    x     |        x        |            |       x       |
| case.read_own_status    |    x     |        x        |     x      |       x       |
| reporter.identity.read  |    x     |        x        |            |               |
| evidence.add            |    x     |        x        |     x*     |               |
| evidence.view           |    x     |        x        |            |       x       |
| allegation.add          |    x     |        x        |            |               |
| allegation.find         |    x     |        x        |            |               |
| discipline.record       |    x     |                 |            |       x       |
| retaliation.review      |    x     |                 |            |               |
| protection.revoke       |    x     |                 |            |               |
| case.toll               |    x     |        x        |            |               |
| case.immediate_action   |    x     |        x        |            |               |
| immediate.act           |    x     |        x        |            |       x       |
| registers.manage        |    x     |        x        |            |               |
| registers.read          |    x     |        x        |            |       x       |
| summary.print_ia        |    x     |        x        |            |               |
| summary.print_command   |    x     |        x        |            |       x       |
| stats.view              |    x     |                 |            |       x       |
| warning.read            |    x     |        x        |            |       x       |
| warning.acknowledge     |    x     |                 |            |               |
| brady.read              |    x     |        x        |            |       x       |
| brady.manage            |    x     |                 |            |               |
| user.manage             |    x     |                 |            |               |
| settings.manage         |    x     |                 |            |               |
| audit.read              |    x     |                 |            |               |
| export.all              |    x     |                 |            |               |
| policy.read             |    x     |        x        |     x      |       x       |
| note.read               |    x     |        x        |            |               |
| note.write              |    x     |        x        |            |               |
| task.read               |    x     |        x        |            |               |
| task.assign             |    x     |        x        |            |               |
| task.complete           |    x     |        x†       |            |               |
| review.commander        |    x     |                 |            |               |
| review.chief            |          |                 |            |       x       |
| interview.record        |    x     |        x‡       |            |               |
| interview.read          |    x     |        x        |            |       x§      |
| referral.packet         |    x     |        x‡       |            |               |

(*) a supervisor adds evidence only to a report they submitted, while it is still
being received.
(†) an investigator marks done only a task assigned to them; an IA administrator (the
IA commander) any task.
(‡) an investigator on a case assigned to them or to nobody (the one rule of case writes).
(§) command staff read that an interview took place, when, of whom (a witness is not
named), the advisement and whether the statement is compelled; never IA's summary of it,
the place, the interviewers or the representative (ia_desk.cases.interviews).
"""

from __future__ import annotations

from ia_desk.errors import AuditedRefusal, PermissionDenied
from ia_desk.security.actor import Actor

IA_ADMIN = "ia_admin"
IA_INVESTIGATOR = "ia_investigator"
SUPERVISOR = "supervisor"
COMMAND_STAFF = "command_staff"
ALL = frozenset({IA_ADMIN, IA_INVESTIGATOR, SUPERVISOR, COMMAND_STAFF})
IA = frozenset({IA_ADMIN, IA_INVESTIGATOR})

ROLE_LABELS = {
    IA_ADMIN: "IA administrator",
    IA_INVESTIGATOR: "IA investigator",
    SUPERVISOR: "Supervisor",
    COMMAND_STAFF: "Command staff",
}

# How a refusal names the role and what it may not do ("Permission denied: IA
# investigators may not manage user accounts."); every permission has its words
# (tests/test_roles.py). The longer account of each is ia_desk.help.PERMISSION_WORDS.
ROLE_PLURALS = {
    IA_ADMIN: "IA administrators",
    IA_INVESTIGATOR: "IA investigators",
    SUPERVISOR: "supervisors",
    COMMAND_STAFF: "command staff",
}

REFUSED: dict[str, str] = {
    "report.submit": "take a report of a violation",
    "case.read": "read case files",
    "case.read_own_status": "look up where a case stands",
    "reporter.identity.read": "read who a confidential reporter is",
    "evidence.add": "add screenshots to this case",
    "evidence.view": "look at a case's screenshots",
    "allegation.add": "add allegations",
    "allegation.find": "record findings",
    "discipline.record": "decide discipline",
    "retaliation.review": "record a retaliation review",
    "protection.revoke": "revoke a reporter's good-faith protection",
    "case.toll": "pause or resume a case's deadline",
    "case.immediate_action": "raise the Chief's immediate action or record who told the Chief",
    "immediate.act": "record what the Chief did",
    "registers.manage": "enter approval requests, official posts or training",
    "registers.read": "read the registers",
    "summary.print_ia": "print the case summary for IA",
    "summary.print_command": "print the case summary for command staff",
    "stats.view": "read the department's figures or the annual review",
    "warning.read": "read the early-warning alerts",
    "warning.acknowledge": "acknowledge an early-warning alert",
    "user.manage": "manage user accounts",
    "settings.manage": "change the department's settings or the discipline matrix",
    "audit.read": "read, verify or export the audit trail",
    "export.all": "export every case at once",
    "policy.read": "read the policies",
    "note.read": "read IA's notes on a case",
    "note.write": "write IA's notes on a case",
    "task.read": "read IA's tasks",
    "task.assign": "give a task to someone in IA",
    "task.complete": "mark a task done",
    "brady.read": "read the Brady/Giglio flags",
    "brady.manage": "decide a Brady/Giglio flag or log a disclosure to a prosecutor",
    "review.commander": "sign off findings as the IA commander",
    "review.chief": "sign off findings as the Chief",
    "interview.record": "record or amend an interview",
    "interview.read": "read a case's interviews",
    "referral.packet": "make the packet of a referral to the Criminal Investigations Division",
}

PERMISSIONS: dict[str, frozenset[str]] = {
    "report.submit": frozenset({IA_ADMIN, IA_INVESTIGATOR, SUPERVISOR}),
    "case.read": frozenset({IA_ADMIN, IA_INVESTIGATOR, COMMAND_STAFF}),
    "case.read_own_status": ALL,
    "reporter.identity.read": IA,
    "evidence.add": frozenset({IA_ADMIN, IA_INVESTIGATOR, SUPERVISOR}),
    "evidence.view": frozenset({IA_ADMIN, IA_INVESTIGATOR, COMMAND_STAFF}),
    "allegation.add": IA,
    "allegation.find": IA,
    "discipline.record": frozenset({IA_ADMIN, COMMAND_STAFF}),
    "retaliation.review": frozenset({IA_ADMIN}),
    "protection.revoke": frozenset({IA_ADMIN}),
    "case.toll": IA,
    # Raising the Chief's immediate action on the facts and recording who told the
    # Chief: IA's; what the Chief did: IA's or the Chief's office's (3.21 §V.B).
    "case.immediate_action": IA,
    "immediate.act": frozenset({IA_ADMIN, IA_INVESTIGATOR, COMMAND_STAFF}),
    "registers.manage": IA,
    "registers.read": frozenset({IA_ADMIN, IA_INVESTIGATOR, COMMAND_STAFF}),
    "summary.print_ia": IA,
    "summary.print_command": frozenset({IA_ADMIN, IA_INVESTIGATOR, COMMAND_STAFF}),
    # The department's figures and the annual review (3.21 §VI.A): for who runs the unit
    # and who reviews the policy, not for each investigator.
    "stats.view": frozenset({IA_ADMIN, COMMAND_STAFF}),
    # Early-warning alerts (ia_desk.discipline.early_warning): read by IA and command
    # staff, acknowledged by the IA commander (an IA administrator).
    "warning.read": frozenset({IA_ADMIN, IA_INVESTIGATOR, COMMAND_STAFF}),
    "warning.acknowledge": frozenset({IA_ADMIN}),
    # Brady/Giglio disclosure review (ia_desk.discipline.brady): the flags are read by IA
    # and command staff (who answer to the prosecutor for the department); the decision
    # whether to disclose and the log of each disclosure are the IA commander's.
    "brady.read": frozenset({IA_ADMIN, IA_INVESTIGATOR, COMMAND_STAFF}),
    "brady.manage": frozenset({IA_ADMIN}),
    "user.manage": frozenset({IA_ADMIN}),
    "settings.manage": frozenset({IA_ADMIN}),
    "audit.read": frozenset({IA_ADMIN}),
    "export.all": frozenset({IA_ADMIN}),
    "policy.read": ALL,
    # IA's working papers on a case (issue 22): notes and tasks are IA's alone;
    # supervisors and command staff never read them (ia_desk.cases.notes).
    "note.read": IA,
    "note.write": IA,
    "task.read": IA,
    "task.assign": IA,
    "task.complete": IA,
    # The review chain of a case's findings (issue 22, ia_desk.cases.review): the IA
    # commander signs off first, then the Chief (or the Chief's office).
    "review.commander": frozenset({IA_ADMIN}),
    "review.chief": frozenset({COMMAND_STAFF}),
    # Interviews of subjects and witnesses (issue 22, ia_desk.cases.interviews): IA records
    # them; command staff read that they took place and how (not IA's summary); the
    # packet for a criminal referral, which never holds a compelled statement, is IA's.
    "interview.record": IA,
    "interview.read": frozenset({IA_ADMIN, IA_INVESTIGATOR, COMMAND_STAFF}),
    "referral.packet": IA,
}

# The desktop's screens, in the order of its navigation, each with the permission every
# read on it needs: a role is offered a screen only where the services would answer
# (``ia_desk.services.accounts.screens``; the in-app guide, ``ia_desk.help``, lists them).
SCREENS: tuple[tuple[str, str], ...] = (
    ("home", "case.read_own_status"),
    ("cases", "case.read_own_status"),
    ("my_tasks", "task.read"),  # IA's tasks across every case (issue 22)
    ("employees", "case.read"),
    ("policies", "case.read"),
    ("registers", "registers.read"),
    ("statistics", "stats.view"),
    ("administration", "user.manage"),
    ("audit_trail", "audit.read"),
)


def allowed(actor: Actor, permission: str) -> bool:
    return actor.role in PERMISSIONS[permission]


def sees_identities(actor: Actor) -> bool:
    """Whether the actor reads as IA does: confidential identities, withheld text and who
    is a protected reporter (everyone else reads them withheld, everywhere)."""
    return allowed(actor, "reporter.identity.read")


def require(
    actor: Actor,
    permission: str,
    event_type: str,
    object_type: str | None = None,
    object_id: str | None = None,
) -> None:
    """Raise an audited :class:`PermissionDenied` unless the actor's role has ``permission``."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    if actor.role in PERMISSIONS[permission]:
        return
    raise PermissionDenied(
        f"Permission denied: {ROLE_PLURALS.get(actor.role, actor.role)} may not "
        f"{REFUSED.get(permission, permission.replace('.', ' ').replace('_', ' '))}.",
        AuditedRefusal(event_type, object_type, object_id, {"permission": permission}),
    )
