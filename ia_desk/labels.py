"""The words a person reads for every value IA Desk stores: statuses, flags, channels,
findings, discipline steps, department settings, audit events and the fields of a
report. The core stores and the command line prints the identifiers of
:mod:`ia_desk.terms`; a window shows only what this module makes of them, so the words
of IA work are chosen here once and no screen spells an identifier out.

Nothing here reads the database; everything is a pure function of its arguments, so the
command line, the windows and the tests get the same words. Colours are given as plain
``#rrggbb`` strings (a badge's background, white text on it); Qt is not imported.

An identifier this module does not know (a new event type, a status of a later
release) is still shown in words (``case.new_thing`` reads "Case: new thing"), never as
the raw identifier and never as an error.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from ia_desk.terms import BRADY_STATUSES, CASE_STATUSES, REVIEW_STEPS


@dataclass(frozen=True)
class Badge:
    """A value shown as a coloured badge: its words, what it means (the tooltip) and
    its background colour (white text on it)."""

    text: str
    meaning: str
    colour: str


def _words(identifier: str) -> str:
    """An identifier in words, first letter capital: ``not_sustained`` -> "Not sustained"."""
    text = identifier.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


# -- case statuses: the workflow, in order
STATUSES: dict[str, Badge] = {
    "received": Badge("Received", "The report is in; no investigator is assigned yet.", "#1f5f99"),
    "assigned": Badge(
        "Assigned", "An investigator is assigned; the investigation has not started.", "#5a3e8a"
    ),
    "investigating": Badge(
        "Investigating", "The assigned investigator is gathering facts.", "#8a5a00"
    ),
    "findings": Badge(
        "Findings complete",
        "Every allegation has a finding; the case awaits discipline and closing.",
        "#2e6b30",
    ),
    "closed": Badge("Closed", "The case is closed; it can be reopened with a reason.", "#555555"),
}


def status(value: str) -> Badge:
    """The badge of a case status (an unknown one in words, grey)."""
    return STATUSES.get(value) or Badge(_words(value), "", "#555555")


def status_order(value: str) -> int:
    """Where a status lies in the workflow (received first); unknown ones last."""
    return CASE_STATUSES.index(value) if value in CASE_STATUSES else len(CASE_STATUSES)


# -- the flags of a case (ia_desk.casefile.listing.flags_for)
FLAGS: dict[str, Badge] = {
    "overdue": Badge(
        "Overdue", "The investigation deadline has passed and the case is still open.", "#a40000"
    ),
    "tolled": Badge(
        "Deadline paused",
        "The deadline is paused (tolled), e.g. while a criminal investigation goes first.",
        "#44546a",
    ),
    "immediate_action": Badge(
        "Immediate action",
        "The case endangers someone or compromises an investigation (raised by its clause "
        "or by IA on the facts): the Chief acts at once (3.21 §V.B).",
        "#7a0000",
    ),
    "immediate_action_overdue": Badge(
        "Immediate action overdue",
        "Nothing is recorded as done on the Chief's immediate action within the hours the "
        "department allows.",
        "#a40000",
    ),
    "retaliation_review": Badge(
        "Retaliation review",
        "A good-faith reporter is a subject: the case cannot close and takes no discipline "
        "until an IA administrator records the review (3.21 §V.C).",
        "#6a3d00",
    ),
    "retaliation_reviewed": Badge(
        "Review recorded",
        "An IA administrator recorded the retaliation review: the case is no longer held.",
        "#44546a",
    ),
    "reporter_update_due": Badge(
        "Update reporter",
        "The report has been open for the update period without an update to the reporter.",
        "#5b5b00",
    ),
    "task_overdue": Badge(
        "Task overdue",
        "A task on the case is not done and its due date has passed (IA's tasks; see the "
        "Notes & tasks tab).",
        "#8a4b00",
    ),
}


def flag(value: str) -> Badge:
    """The badge of a case flag (an unknown one in words, grey)."""
    return FLAGS.get(value) or Badge(_words(value), "", "#555555")


def shown_flags(values: list[str] | tuple[str, ...]) -> list[str]:
    """The flags a person needs to see: a recorded retaliation review replaces the hold
    it lifted (the core keeps both: the case still involves a protected reporter)."""
    if "retaliation_reviewed" in values:
        return [v for v in values if v != "retaliation_review"]
    return list(values)


def flags_text(values: list[str] | tuple[str, ...]) -> str:
    """Flags as a short line of words: "Overdue · Retaliation review"."""
    return " · ".join(flag(v).text for v in shown_flags(values))


# -- how a report reached IA
CHANNELS = {
    "supervisor": "Through a supervisor",
    "ia_direct": "Directly to IA",
    "phone": "Telephone",
    "email": "E-mail",
    "web": "Web form",
    "walk_in": "In person (walk-in)",
    "mail": "Letter",
    "other": "Other",
}


def channel(value: str | None) -> str:
    return CHANNELS.get(value or "", _words(value or "not recorded"))


REPORTER_MODES = {
    "named": "Named",
    "confidential": "Confidential",
    "anonymous": "Anonymous",
}


def reporter_mode(value: str) -> str:
    return REPORTER_MODES.get(value, _words(value))


# -- findings and discipline
DISPOSITIONS = {
    "sustained": "Sustained",
    "not_sustained": "Not sustained",
    "exonerated": "Exonerated",
    "unfounded": "Unfounded",
    "policy_failure": "Policy failure",
    "withdrawn": "Withdrawn",
}


def disposition(value: str | None) -> str:
    """A finding in words; none yet reads "Pending"."""
    if not value:
        return "Pending"
    return DISPOSITIONS.get(value, _words(value))


DISCIPLINE_STEPS = {
    "counseling": "Counseling",
    "training": "Referral for training",
    "written_reprimand": "Written reprimand",
    "suspension": "Suspension",
    "termination": "Termination",
}


def discipline_step(value: str | None) -> str:
    """A step of the ladder of 3.21 §V.B in words (the matrix's own labels agree)."""
    if not value:
        return ""
    return DISCIPLINE_STEPS.get(value, _words(value))


RETALIATION_CONCLUSIONS = {
    "no_retaliation": "No retaliation",
    "retaliation_found": "Retaliation found",
    "inconclusive": "Inconclusive",
}


def appeal_outcome(value: str | None) -> str:
    """'Upheld', 'Modified', 'Overturned' (empty while the appeal is open)."""
    return "" if value is None else value.capitalize()


def retaliation_conclusion(value: str) -> str:
    return RETALIATION_CONCLUSIONS.get(value, _words(value))


APPROVAL_DECISIONS = {
    "approved": "Approved",
    "disapproved": "Disapproved",
    "further_inquiry": "Further inquiry needed",
}


def approval_decision(value: str | None) -> str:
    """A decision on an approval request of 3.21 §III.E; none yet reads "Pending"."""
    if not value:
        return "Pending"
    return APPROVAL_DECISIONS.get(value, _words(value))


APPROVAL_ITEMS = {
    "reference": "Reference to the department",
    "photo": "Department photograph",
    "uniform": "Uniform",
    "badge": "Badge",
    "patch": "Patch",
    "marked_unit": "Patrol car (marked unit)",
    "vehicle": "Other department vehicle",
    "graphics": "Department graphics",
    "logo": "Department logo",
    "premises": "Department premises",
    "crime_scene": "Crime scene",
    "evidence": "Evidence",
    "weapon": "Weapon",
    "equipment": "Other department equipment",
}


def approval_items(values: list[str]) -> str:
    """What an approval request asks to use, in words."""
    return ", ".join(APPROVAL_ITEMS.get(v, _words(v)) for v in values)


APPROVERS = {
    "chief": "the Chief",
    "chief_designee": "the Chief's designee",
    "department_head": "the department head",
    "department_head_designee": "the department head's designee",
    "other": "no standing",
}


def approver(value: str | None) -> str:
    """Who decided a request or directed a removal, as recorded ("the Chief"); a
    decision entered before the standing was asked reads "standing not recorded"."""
    if not value:
        return "standing not recorded"
    return APPROVERS.get(value, _words(value).lower())


APPROVAL_CLAUSES = {
    "vpd-3.21/III.E": "3.21 §III.E (memorandum to the Chief)",
    "vpd-3.21/III.R": "3.21 §III.R (the Chief's decision)",
    "city-sn/procedure.4": "City procedure 4 (memorandum to the department head)",
    "city-sn/procedure.5": "City procedure 5 (the department head's decision)",
}


def approval_clause(value: str | None) -> str:
    """The clause an approval request is under, in words."""
    return APPROVAL_CLAUSES.get(value or "", value or "")


def approval_clause_short(value: str | None) -> str:
    """The clause in a table's few words: "3.21 §III.E", "City 4"."""
    return approval_clause(value).split(" (")[0].replace("City procedure", "City")


POST_FLAGS = {
    "not_authorised": "Posted by someone not authorised",
    "no_approval": "No approval on file",
    "approved_after_posting": "Approved only after it was posted",
    "approval_time_unknown": "Time of the approval not recorded",
    "page_lacks_phone": "Page lacks the Department's phone number",
    "page_lacks_address": "Page lacks the Department's address",
    "page_lacks_contact": "Page lacks contact details",
}


def post_flags(values: list[str]) -> str:
    """The flags of an official post (3.21 §II.C) in words."""
    return ", ".join(POST_FLAGS.get(v, _words(v)) for v in values)


POLICY_NAMES = {
    "vpd-3.21": "VPD Policy 3.21 Social Networking",
    "city-sn": "City of Vicksburg Employees Social Networking Policy",
}


def policy_name(value: str) -> str:
    return POLICY_NAMES.get(value, value)


def hiring_training(entry: dict[str, Any]) -> str:
    """Where an employee's training upon hiring (3.21 §VI.A) stands, in words."""
    status = entry.get("status")
    if status == "no_hire_date":
        return "Never trained; hire date not on file"
    hired = f"hired {entry.get('hired_on')}"
    earlier = (
        f"; trained {entry['before_hire']}, before the hire date, which does not count"
        if entry.get("before_hire")
        else ""
    )
    if status == "overdue":
        return f"Overdue since {entry.get('due_on')} ({hired}){earlier}"
    return f"Due by {entry.get('due_on')} ({hired}){earlier}"


def annual_review_status(entry: dict[str, Any]) -> str:
    """A policy's yearly review (3.21 §VI.A) in words."""
    last = entry.get("last_reviewed_on")
    since = f"last reviewed {last}" if last else "no review on file"
    status = entry.get("status")
    if status == "no_date":
        return (
            "No review on file and the policy is undated: record its last review to count "
            "the year from"
        )
    if status == "overdue":
        return f"Overdue since {entry.get('due_on')} ({since})"
    if status == "due_soon":
        return f"Due by {entry.get('due_on')} ({since})"
    return f"Next due {entry.get('due_on')} ({since})"


ROLES = {
    "ia_admin": "IA administrator",
    "ia_investigator": "IA investigator",
    "supervisor": "Supervisor",
    "command_staff": "Command staff",
}


def role(value: str) -> str:
    return ROLES.get(value, _words(value))


EVIDENCE_METHODS = {
    "file": "Picked from a file",
    "clipboard": "Pasted from the clipboard",
    "drag": "Dropped into IA Desk",
}


def evidence_method(value: str) -> str:
    """How a screenshot came into IA Desk."""
    return EVIDENCE_METHODS.get(value, _words(value))


# -- department settings (ia_desk.settings.SPECS)
SETTINGS = {
    "deadline_days": "Investigation deadline (days)",
    "reporter_update_days": "Reporter update due after (days)",
    "retaliation_window_months": "Reporter protection lasts (months)",
    "session_lock_minutes": "Lock after no input for (minutes)",
    "evidence_max_mb": "Largest screenshot (MB)",
    "backups_kept": "Automatic backups kept",
    "allow_unencrypted_server_connections": "Server connections without TLS allowed (1 = yes)",
    "immediate_action_hours": "The Chief acts on an immediate-action case within (hours)",
    "review_chain": "Findings signed off by (0 = nobody, 1 = IA commander, 2 = then the Chief)",
    "warning_cases": "Early warning: cases close together (0 = off)",
    "warning_cases_months": "Early warning: within (months)",
    "warning_same_clause": "Early warning: same clause alleged again (cases, 0 = off)",
    "warning_same_clause_months": "Early warning: same clause within (months)",
    "warning_after_training_months": "Early warning: sustained within months of training (0 = off)",
    "hiring_training_days": "Training upon hiring due within (days)",
    "annual_review_warning_days": "Remind of the yearly policy review (days before)",
}


def setting(key: str) -> str:
    return SETTINGS.get(key, _words(key))


# -- audit events
EVENTS = {
    "case.intake": "Report received, case opened",
    "case.view": "Case opened for reading",
    "case.view_status": "Status looked up",
    "case.list_exported": "Case list exported (CSV)",
    "case.assign": "Investigator assigned",
    "case.start": "Investigation started",
    "case.findings": "Findings recorded complete",
    "case.close": "Case closed",
    "case.reopen": "Case reopened",
    "review.sign_off": "Findings signed off",
    "review.return": "Findings returned to the investigator",
    "case.toll": "Deadline paused",
    "case.untoll": "Deadline resumed",
    "case.reporter_update": "Reporter updated",
    "case.redact": "Text marked to be withheld outside IA",
    "case.timeline": "Timeline read",
    "allegation.add": "Allegation added",
    "allegation.find": "Finding recorded",
    "allegation.screen": "Scope and First Amendment screen recorded",
    "case.immediate_raised": "The Chief's immediate action raised",
    "case.chief_notified": "The Chief told of the case",
    "case.immediate_step": "The Chief's action recorded",
    "catalogue.add_version": "Policy version added",
    "catalogue.load": "Policy catalogue loaded",
    "evidence.add": "Screenshot added",
    "evidence.view": "Screenshot viewed",
    "evidence.verify": "Screenshots verified",
    "evidence.export": "Screenshot exported",
    "evidence.print": "Screenshot printed",
    "evidence.custody": "Custody log read",
    "discipline.recommend": "Discipline recommended",
    "discipline.record": "Discipline decided",
    "discipline.amend": "Discipline decision amended",
    "discipline.notice": "Pre-disciplinary notice of the charges given",
    "discipline.response": "Employee's response to the notice recorded",
    "discipline.appeal": "Discipline decision appealed",
    "discipline.appeal_outcome": "Appeal decided",
    "discipline.view": "Discipline read",
    "warning.raised": "Early-warning alert raised",
    "warning.grown": "Early-warning alert grown by a further case",
    "warning.list": "Early-warning alerts read",
    "warning.acknowledge": "Early-warning alert acknowledged",
    "brady.raised": "Brady/Giglio disclosure review flag raised",
    "brady.withdrawn": "Brady/Giglio flag withdrawn (finding no longer sustained)",
    "brady.list": "Brady/Giglio flags read",
    "brady.show": "Brady/Giglio flag read",
    "brady.decide": "Brady/Giglio disclosure decided",
    "brady.disclose": "Disclosure to a prosecutor recorded",
    "discipline.matrix_update": "Discipline matrix changed",
    "discipline.matrix_load": "Discipline matrix loaded",
    "discipline.lookback_moved": "Look-back window moved from the settings into the matrix",
    "discipline.matrix_view": "Discipline matrix read",
    "retaliation.review": "Retaliation review recorded",
    "protection.revoke": "Reporter protection revoked",
    "summary.print": "Summary printed",
    "summary.print_command": "Summary for command staff printed",
    "summary.print_ia": "Summary for IA printed",
    "approval.add": "Approval request entered",
    "approval.decide": "Approval decided",
    "approval.link": "Approval linked to a case",
    "approval.direct_removal": "Removal of an approved post directed",
    "approval.removal_done": "Directed removal recorded done",
    "audit.binding_extends": "Records bound to their events from here on",
    "training.record": "Training recorded",
    "employee.hire_date": "Hire date recorded",
    "post.log": "Post logged",
    "settings.set": "Department setting changed",
    "auth.sign_in": "Signed in",
    "auth.sign_out": "Signed out",
    "auth.lockout": "Account locked after failed sign-ins",
    "auth.session_lock": "Session locked",
    "user.add": "User added",
    "user.disable": "User disabled",
    "user.enable": "User enabled",
    "user.reset_password": "Password reset",
    "user.change_password": "Password changed",
    "user.create_first_admin": "First IA administrator created",
    "ia_key.create": "IA's key made (notes and tasks sealed)",
    "ia_key.grant": "IA's key given to a user",
    "ia_key.commit": "IA's key recorded by the user's own key",
    "ia_key.rotate": "IA's key changed (notes and tasks sealed again, new recovery code)",
    "ia_key.state": "IA's key looked at",
    "user.recover": "Administrator given a password with the recovery code",
    "database.recovery_code": "New recovery code made (the old one replaced)",
    "database.retire_passphrase": "Old shared database passphrase retired",
    "backup.create": "Backup made",
    "backup.restore": "Backup restored",
    "employee.history": "Employee history read",
    "export.all": "All cases exported",
    "stats.view": "Statistics read",
    "stats.print": "Statistics printed",
    "audit.verify": "Audit trail verified",
    "audit.export": "Audit trail exported",
    "audit.checkpoint": "Audit checkpoint taken",
    "policy.annual_review": "Annual review printed",
    "demo.generate": "Demonstration cases made",
    "demo.add": "Demonstration cases added",
    "case.list": "Case list read",
    "case.redactions": "Text withheld outside IA read",
    "clause.cases": "Cases citing a clause listed",
    "reporter.identity.view": "Reporter's identity read",
    "note.add": "IA note written",
    "note.list": "IA notes read",
    "task.add": "Task given",
    "task.done": "Task marked done",
    "task.list": "Tasks read",
    "approval.list": "Approval requests read",
    "account.list": "Official accounts read",
    "account.add": "Official account added",
    "post.list": "Posting log read",
    "training.overview": "Training overview read",
    "employee.list": "Roster read",
    "policy.review_items": "Policy review items read",
    "user.list": "Users listed",
    "user.list_investigators": "Investigators listed",
    "user.key_created": "User's signing key made",
    "audit.list": "Audit trail read",
    "audit.outside": "Changes made outside IA Desk read",
    "search.reindex_withheld": "Search index rebuilt without withheld text",
    "db.audit_key_installed": "Audit key's check value recorded",
    "db.own_passwords": "Database moved to own passwords",
    "db.migrate_from": "Database copied here from an embedded file",
    "db.migrate_to": "Database copied to a server",
    "db.guards_restored": "Database protections put back",
    "db.guards_missing": "Database protections found missing",
    "storage.read_only": "Disk full: database read-only",
    "storage.writable": "Room on disk again: database writable",
}


def event(event_type: str) -> str:
    """An audit event type in words ("case.toll" -> "Deadline paused")."""
    if event_type in EVENTS:
        return EVENTS[event_type]
    room, _, what = event_type.partition(".")
    return f"{_words(room)}: {what.replace('_', ' ')}" if what else _words(room)


# What an audit event acted on, in words: the trail stores a type and an id ("user:4",
# "setting:warning_cases"); the Audit trail screen names the thing as IA knows it. The
# stored values stay as they are (the trail is signed; its export keeps them raw).
OBJECTS = {
    "account": "Social media account",
    "review": "Review decision",
    "brady_flag": "Brady/Giglio flag",
    "allegation": "Allegation",
    "appeal": "Appeal",
    "approval": "Approval request",
    "case": "Case",
    "case_list": "Case list",
    "clause": "Clause",
    "database": "The database",
    "discipline": "Discipline decision",
    "employee": "Employee",
    "evidence": "Screenshot",
    "file": "File",
    "hearing": "Pre-disciplinary notice",
    "ia_key": "IA key",
    "matrix": "Discipline matrix version",
    "note": "Case note",
    "policy": "Policy",
    "post": "Posting log entry",
    "setting": "Setting",
    "task": "Task",
    "user": "User",
    "warning": "Early-warning alert",
}


def audit_object(
    object_type: str | None,
    object_id: str | None,
    *,
    case_number: str | None = None,
    login: str | None = None,
) -> str:
    """What an audit event acted on, as the Audit trail screen shows it: "Case
    IA-2026-0007", "User cmd", "Setting: Automatic backups kept", "Screenshot no. 25".
    ``login`` is the user account's sign-in name where the caller looked it up; a case is
    named by its number where the event carries it (its id means nothing to a reader)."""
    if not object_type:
        return ""
    what = OBJECTS.get(object_type, _words(object_type))
    if object_type == "case" and case_number:
        return f"Case {case_number}"
    if object_type == "user" and login:
        return f"User {login}"
    if not object_id:
        return what
    if object_type == "setting":
        return f"Setting: {setting(object_id)}"
    # A number is a row's id ("Screenshot no. 25"); anything else is a name the reader
    # knows (a file, a clause, a sign-in name, a case number).
    return f"{what} no. {object_id}" if str(object_id).isdigit() else f"{what} {object_id}"


OUTCOMES = {"ok": "Done", "denied": "Refused: not permitted", "refused": "Refused"}


def outcome(value: str) -> str:
    return OUTCOMES.get(value, _words(value))


# Words for the keys audit details carry; any other key in words. "key" is a person's
# signing key, named by its fingerprint (the user and IA key events: who was given which
# key); a setting change names its setting as the event's object, never in its details.
# The stored keys stay as they are: the trail is signed, its rows must keep verifying.
DETAIL_KEYS = {
    "channel": "channel",
    "clauses": "clauses",
    "linked_to": "linked to earlier reports",
    "reporter_mode": "reporter",
    "subjects": "employees",
    "file_name": "file",
    "media_type": "kind",
    "method": "added by",
    "sha256": "SHA-256",
    "size": "size",
    "source_url": "posted at",
    "evidence_verified": "screenshots verified",
    "previous": "before",
    "assignee": "investigator",
    "reason": "reason",
    "badge": "badge",
    "clause": "clause",
    "disposition": "finding",
    "step": "step",
    "recommended": "recommended",
    "conclusion": "conclusion",
    "key": "key fingerprint",
    "old": "was",
    "new": "now",
    "value": "value",
    "from": "from",
    "to": "to",
    "kind": "kind",
    "audience": "for",
    "ia_key": "IA's key",
    "sealed": "papers sealed",
    "recovery": "sealed to the recovery code",
    "review_step": "for",
    "review_steps": "sign-offs needed",
    "round": "review round",
    "replaces": "replaces IA's key",
    "resealed": "sealed again",
    "not_opened": "did not open (changed outside IA Desk)",
    "given": "given the new key",
    "given_later": "given it at a later sign-in",
    "not_given": "not given it",
    "depicts": "the post depicts",
    "as": "as",
    "counts": "counts",
    "due": "to be removed by",
    "items": "asks for",
    "shows_phone": "page shows the phone",
    "shows_address": "page shows the address",
}


def _detail_value(key: str, value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "channel" and isinstance(value, str):
        return channel(value)
    if key == "reporter_mode" and isinstance(value, str):
        return reporter_mode(value)
    if key in ("disposition",) and isinstance(value, str):
        return disposition(value)
    if key in ("step", "recommended") and isinstance(value, str):
        return discipline_step(value)
    if key == "conclusion" and isinstance(value, str):
        return retaliation_conclusion(value)
    if key in ("decision", "previous") and isinstance(value, str) and value in BRADY_STATUSES:
        return BRADY_STATUSES[value]
    if key == "review_step" and isinstance(value, str):
        return REVIEW_STEPS.get(value, _words(value))
    if key == "method" and isinstance(value, str):
        return evidence_method(value)
    if key in ("items", "depicts") and isinstance(value, list):
        return approval_items([str(v) for v in value]).lower()
    if key == "as" and isinstance(value, str):
        return approver(value)
    if key == "flags" and isinstance(value, list):
        return post_flags([str(v) for v in value]).lower()
    if key == "size" and isinstance(value, int):
        return f"{value:,} bytes"
    if key == "evidence_verified" and isinstance(value, dict):
        good = [k for k, ok in value.items() if ok]
        bad = [k for k, ok in value.items() if not ok]
        parts = []
        if good:
            parts.append(f"intact: {', '.join('no. ' + str(k) for k in good)}")
        if bad:
            parts.append(f"ALTERED: {', '.join('no. ' + str(k) for k in bad)}")
        return "; ".join(parts)
    if isinstance(value, list | tuple):
        return ", ".join(_detail_value(key, v) for v in value)
    if isinstance(value, dict):
        return ", ".join(
            f"{_words(str(k)).lower()} {_detail_value(str(k), v)}" for k, v in value.items()
        )
    return str(value)


def details(raw: str | dict[str, Any] | None) -> str:
    """Audit details (as stored: a JSON object) as one sentence of words, each key as IA
    says it and each value in words: no braces, quotes, ``None`` or ``True``."""
    if not raw:
        return ""
    if isinstance(raw, str):
        try:
            data = json.loads(raw)
        except ValueError:
            return raw
    else:
        data = raw
    if not isinstance(data, dict):
        return str(data)
    parts = [
        f"{DETAIL_KEYS.get(k, _words(k).lower())}: {_detail_value(k, v)}" for k, v in data.items()
    ]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "." if text else ""


# -- times
def local_minute(value: str | dt.datetime | None) -> str:
    """A moment as the local date and time to the minute, with the zone it is in
    ("2026-11-02 09:15 CST"); a moment without a zone is taken as UTC (as stored)."""
    if value is None or value == "":
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone()
    zone = local.tzname() or local.strftime("UTC%z")
    if re.fullmatch(r"[+-]\d{2}", zone):  # zones without a name read "+05": say UTC+05
        zone = "UTC" + zone
    return f"{local:%Y-%m-%d %H:%M} {zone}"


# -- IA's tasks (ia_desk.cases.notes.task_view)
def task_state(task: dict[str, Any]) -> str:
    """A task's state in words: "Done 2026-11-02 by jdoe" (the local date), "Overdue by 3
    day(s)", "Due today" or "4 day(s) left"."""
    if task["done_at"]:
        by = f" by {task['done_by']}" if task.get("done_by") else ""
        return f"Done {local_minute(task['done_at'])[:10]}{by}"
    if task["overdue"]:
        return f"Overdue by {-task['days_left']} day(s)"
    if task["days_left"] == 0:
        return "Due today"
    return f"{task['days_left']} day(s) left"


# -- the fields of a report, as the intake form names them
FIELDS = {
    "received_at": "Received",
    "channel": "Channel",
    "reporter": "Reporter",
    "reporter.mode": "Reporter",
    "reporter.name": "Reporter's name",
    "reporter.badge": "Reporter's badge",
    "reporter.phone": "Reporter's phone",
    "reporter.email": "Reporter's e-mail",
    "reporter.good_faith": "Good faith",
    "reporter.tracking_code": "Earlier tracking code",
    "subjects": "Employees complained about",
    "incident": "Incident",
    "incident.occurred_on": "Occurred on",
    "incident.platform": "Platform",
    "incident.url": "Post URL",
    "incident.narrative": "Narrative",
    "clauses": "Clauses breached",
    "file": "Screenshots",
    "reasoning": "Reasoning",
    "conclusion": "Conclusion",
    "reason": "Reason",
    "rationale": "Rationale",
    "disposition": "Finding",
    "decided_as": "Deciding as",
    "directed_as": "Directing as",
    "depicts": "What the post depicts",
    "site_url": "The site's address",
    "posted_at": "Went up at",
    "approved_at": "Approved at",
    "approved_by": "Approved by",
}
SUBJECT_FIELDS = {
    "badge": "badge",
    "name": "name",
    "department": "department",
    "rank": "rank",
    "unit": "unit",
}
_INDEXED = re.compile(r"^(subjects|clauses)\[(\d+)\](?:\.(\w+))?$")


def field(key: str | None) -> str:
    """A field key of a refusal as the form labels the field: ``reporter.name`` ->
    "Reporter's name", ``subjects[1].badge`` -> "Employee 2, badge"."""
    if not key:
        return ""
    m = _INDEXED.match(key)
    if m:
        group, index, part = m.group(1), int(m.group(2)) + 1, m.group(3)
        if group == "clauses":
            return f"Clause {index}"
        return f"Employee {index}" + (
            f", {SUBJECT_FIELDS.get(part, _words(part).lower())}" if part else ""
        )
    if key in FIELDS:
        return FIELDS[key]
    if key in SETTINGS:
        return SETTINGS[key]
    return _words(key.rsplit(".", 1)[-1])


_KEY_PREFIX = re.compile(r"^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+)*):\s*")


def message(text: str, key: str | None = None, *, beside: bool = False) -> str:
    """A refusal's message in the form's words. The core writes ``field.key: what is
    wrong``; that key becomes the field's label, or is dropped when the message is shown
    ``beside`` the field it names (the label is already there). Every other field key
    in the text (``subjects[1].badge`` in a message about ``subjects``) is put in words
    as well."""
    m = _KEY_PREFIX.match(text)
    if m and (key is None or m.group(1) == key or key.startswith(m.group(1))):
        rest = text[m.end() :]
        rest = rest[:1].upper() + rest[1:]
        text = rest if beside else f"{field(m.group(1))}: {rest}"
    return re.sub(
        r"\b(?:subjects|clauses)\[\d+\](?:\.\w+)?|\b(?:reporter|incident)\.\w+",
        lambda k: field(k.group(0)),
        text,
    )


# -- interviews of subjects and witnesses (issue 22) --------------------------------------

EVENTS.update(
    {
        "interview.record": "Interview recorded",
        "interview.amend": "Interview amended (the earlier version kept)",
        "interview.list": "Interviews read",
        "referral.packet": "CID referral packet written (no compelled statement)",
    }
)
OBJECTS.update({"interview": "Interview"})
DETAIL_KEYS.update(
    {
        "interviewee": "interviewee",
        "advisement": "advisement",
        "compelled": "compelled (Garrity)",
        "statement": "statement (screenshot no.)",
        "amends": "amends interview",
        "excluded_compelled": "compelled statements left out",
        "evidence": "screenshots handed over",
    }
)
FIELDS.update(
    {
        "interviewee": "Interviewee",
        "badge": "Badge",
        "name": "Name",
        "started": "Started",
        "ended": "Ended",
        "place": "Place",
        "interviewers": "Interviewers",
        "rep_requested": "Representative asked for",
        "representation": "Representative",
        "rep_name": "Representative's name",
        "rep_capacity": "Capacity",
        "advisement": "Advisement",
        "advised_at": "Advised at",
        "acknowledgement": "Acknowledgement",
        "compelled": "Compelled",
        "statement": "Statement (evidence no.)",
        "summary": "Summary",
        "interview": "Interview",
    }
)
