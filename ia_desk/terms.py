"""The values of IA work the core stores and the doors offer: roles, departments, how a
report reached IA and who made it, a case's statuses and workflow actions, findings, the
discipline ladder, kinds of withheld text, and the choices of the retaliation review, the
approval register, summaries and server connections. Nothing of IA Desk is imported here
(only the standard library's ``dataclasses``, which every start loads anyway): the command
line's parser reads these at every start, before the database layer is loaded, and the
models (:mod:`ia_desk.db.models`, which re-exports them) store them as plain strings. Each
room that owns one of these re-exports it under the name it always had
(``ia_desk.cases.workflow.ACTIONS``, ``ia_desk.registers.ITEMS``...).

The order of each tuple is meaningful where it is used: :data:`CASE_STATUSES` is the
workflow in order and :data:`DISCIPLINE_STEPS` the ladder of 3.21 §V.B, mildest first.
"""

from __future__ import annotations

from dataclasses import dataclass

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

MAX_SUSPENSION_DAYS = 365
"""The longest suspension a decision may set, in days (a year): a longer one is a typing
error, not a discipline, and termination is the step above."""

HEARING_STEPS = ("suspension", "termination")
"""The steps decided only after the employee's pre-disciplinary notice and response
(Loudermill): the ones that take pay or the job."""

APPEAL_KINDS = {
    "grievance": "grievance",
    "civil_service": "appeal to the Board of Civil Service Commission (3.21 §III.K)",
    "arbitration": "arbitration",
}
"""The ways a discipline decision is appealed."""

APPEAL_OUTCOMES = {
    "upheld": "upheld",
    "modified": "modified",
    "overturned": "overturned",
}
"""How an appeal ends: the decision stands, is changed to another step, or is set aside."""

BRADY_STATUSES = {
    "review": "awaiting IA's disclosure review",
    "disclose": "to be disclosed to prosecutors",
    "not_disclosable": "reviewed: not disclosable",
    "withdrawn": "withdrawn: the finding is no longer sustained",
}
"""Where a Brady/Giglio flag stands (ia_desk.discipline.brady)."""

BRADY_DECISIONS = ("disclose", "not_disclosable")
"""IA's decisions on a Brady/Giglio flag under review."""

REDACTION_KINDS = {
    "juvenile": "identity or address of a juvenile (3.21 §IV.B)",
    "victim": "name of a victim of sexual assault or child molestation (3.21 §IV.G)",
    "reporter": "anything that points to who reported (3.21 §V.A, §V.C)",
    "other": "other text IA must not pass on outside IA",
}
"""Kinds of text IA marks to be withheld outside IA, and what each covers."""


POLICIES = ("vpd-3.21", "city-sn")
"""The policies that ship with IA Desk (their clause catalogues), as the registers name
them: 3.21 is the Chief's, the city's policy its department head's."""


@dataclass(frozen=True)
class Action:
    """A workflow action on a case: its name, its label on a button, and whether it needs
    an assignee or a reason (:mod:`ia_desk.cases.workflow` holds the rules)."""

    name: str
    label: str
    needs_user: bool = False
    needs_reason: bool = False


WORKFLOW_ACTIONS = {
    a.name: a
    for a in [
        Action("assign", "Assign investigator…", needs_user=True),
        Action("start", "Start investigation"),
        Action("findings", "Record findings complete"),
        Action("close", "Close case"),
        Action("reopen", "Reopen case…", needs_reason=True),
    ]
}
"""The actions that move a case through its statuses (``ia_desk.cases.workflow.ACTIONS``)."""

REVIEW_STEPS = {
    "commander": "the IA commander",
    "chief": "the Chief",
}
"""Who signs off a case's findings, in the chain's order (``ia_desk.cases.review``): the
IA commander (an IA administrator), then the Chief (command staff). The department's
``review_chain`` setting says how many of them a case needs."""

REVIEW_DECISIONS = ("signed_off", "returned")
"""What a reviewer decides: sign the findings off, or return them to the investigator
with comments."""

RETALIATION_CONCLUSIONS = ("no_retaliation", "retaliation_found", "inconclusive")
"""What a retaliation review of 3.21 §V.C may conclude
(``ia_desk.protection.retaliation.CONCLUSIONS``)."""

IMMEDIATE_GROUNDS = {
    "safety": "endangers the safety of others",
    "investigation": "compromises a criminal investigation or prosecution",
}
"""Why the Chief must act at once (3.21 §V.B: disclosures or reports of a violation
that "endanger the safety of others or compromise the criminal investigation")."""

IMMEDIATE_STEPS = {
    "relief_from_duty": "Relieved of duty",
    "take_down_order": "Ordered to take the post down",
    "referral_to_cid": "Referred to the Criminal Investigations Division",
    "no_action_needed": "Chief found no immediate action needed",
    "other": "Other action",
}
"""What the Chief did on an immediate-action case (``ia_desk.discipline.immediate``)."""

SPEECH_OUTCOMES = {
    "department_interest_outweighs": "the Department's interest outweighs the speech interest",
    "speech_protected": "the speech is protected: the employee's interest outweighs",
}
"""How the public-concern balance of a speech screen came out (``ia_desk.cases.speech``)."""

SPEECH_SCOPE_FACTS = {
    "identified_as_employee": "identifies on the account as an employee of the Department",
    "department_resources": "used the Department's resources",
    "in_uniform": "appears in the Department's uniform",
    "official_account": "posted on an official Department account",
}
"""What brings a personal account under 3.21 (purpose and scope, item 9), besides an
effect on workplace harmony, discipline or public trust."""

APPROVAL_ITEMS = (
    "reference",
    "photo",
    "uniform",
    "badge",
    "patch",
    "marked_unit",
    "vehicle",
    "graphics",
    "logo",
    "premises",
    "crime_scene",
    "evidence",
    "weapon",
    "equipment",
)
"""What an approval request may ask to use, and what a case's post depicts: every thing
3.21 §III.D, §III.E and §III.Q and city procedure 3-4 name (references, photographs,
uniforms, badges, patches, marked units or patrol cars, other vehicles, graphics, logos,
premises, crime scenes, evidence, weapons, other equipment) (``ia_desk.registers.ITEMS``)."""

APPROVAL_UNDER = {
    "vpd-3.21/III.E": "vpd-3.21",
    "vpd-3.21/III.R": "vpd-3.21",
    "city-sn/procedure.4": "city-sn",
    "city-sn/procedure.5": "city-sn",
}
"""The clause an approval request is made and decided under, and its policy: under 3.21
(§III.E the memorandum, §III.R the decision) the Chief of Police or his designee decides
and directs removal; under the city policy (procedure 4 the memorandum, 5 the decision)
the employee's department head decides, and he or his designee directs removal."""

APPROVER_STANDINGS = (
    "chief",
    "chief_designee",
    "department_head",
    "department_head_designee",
    "other",
)
"""Who decided a request or directed a removal, as recorded at the time
(``decided_as``): only a decision by someone with standing under the request's clause
counts (``ia_desk.registers.has_standing``)."""

APPROVAL_DECISIONS = ("approved", "disapproved", "further_inquiry")
"""The decisions on an approval request (``ia_desk.registers.DECISIONS``)."""

SUMMARY_AUDIENCES = {"command": "Command staff", "ia": "Internal Affairs"}
"""Who a case summary is printed for, and the label it carries (a summary for command
staff withholds identities) (``ia_desk.reports.summary.AUDIENCES``)."""

SSLMODES = ("require", "verify-ca", "verify-full", "disable")
"""The TLS modes a saved server connection may use (``ia_desk.db.connection.SSLMODES``)."""

# -- interviews (issue 22, ia_desk.cases.interviews) ----------------------------------

INTERVIEWEE_KINDS = {
    "subject": "Subject employee",
    "witness_employee": "Witness employee",
    "civilian_witness": "Civilian witness",
}
"""Who is interviewed: a subject of the case, an employee on the roster as a witness, or
a civilian witness by name."""

ADVISEMENT_KINDS = {
    "garrity": "Garrity (compelled, administrative use only)",
    "voluntary": "Voluntary statement (Beckwith-style)",
}
"""The advisements read before a statement, each a versioned text in
``resources/advisements`` (``ia_desk.cases.advisements``)."""

ACKNOWLEDGEMENTS = {
    "signed": "Signed by the interviewee",
    "not_signed": "Not signed",
    "refused": "Refused to sign",
}
"""Whether the interviewee signed the advisement given."""

REPRESENTATIONS = {
    "present": "Representative present",
    "declined": "Offered, declined",
    "none": "None",
}
"""Who sat with the interviewee (Weingarten): a representative, a representative offered
and declined, or none (a witness who asked for none)."""

REPRESENTATIVE_CAPACITIES = {
    "union": "Union representative",
    "attorney": "Attorney",
    "other": "Other",
}
"""In what capacity a representative sat in an interview."""

COMPELLED_MARK = "Compelled (Garrity) — administrative use only"
"""How a compelled statement is marked wherever it shows: never for a criminal file."""
