"""The user guide shown inside the app (Help > User guide), one guide per role.

:func:`pages` gives a role its guide as pages of simple HTML (what ``QTextBrowser``
renders). The guide is built from the code's own tables, so it cannot drift from what
IA Desk does: the role table and the screens of :mod:`ia_desk.security.roles`, the words
of :mod:`ia_desk.labels`, the ladder of :mod:`ia_desk.terms` and the clause catalogue
as shipped (:mod:`ia_desk.policy.catalogue`, judged by :mod:`ia_desk.policy.citation`).
What is written here is only the words: one line per permission
(:data:`PERMISSION_WORDS`; a test fails when a permission has none), one per screen and
a few paragraphs per role.

A role's guide says what that role may do. What is left to other roles is named (so a
reader knows whom to ask), never explained as if the reader could do it: how to reach
IA's working papers is in IA's guides only.

Nothing here reads the database or imports Qt; the guide holds no case data.
"""

from __future__ import annotations

import html
from typing import NamedTuple

from ia_desk import labels
from ia_desk.policy.catalogue import shipped_files
from ia_desk.policy.citation import ADVISORY, RULE, judge
from ia_desk.security.roles import (
    COMMAND_STAFF,
    IA_ADMIN,
    IA_INVESTIGATOR,
    PERMISSIONS,
    ROLE_LABELS,
    ROLE_PLURALS,
    SCREENS,
    SUPERVISOR,
)
from ia_desk.terms import CASE_STATUSES, DISCIPLINE_STEPS, HEARING_STEPS, REPORTER_MODES


class Page(NamedTuple):
    """One page of the guide: its title (the page list) and its body (HTML)."""

    title: str
    html: str


# What each permission lets a person do, in the words of IA work (every key of
# ia_desk.security.roles.PERMISSIONS has its line: tests/test_help.py).
PERMISSION_WORDS: dict[str, str] = {
    "report.submit": "Take a report of a violation and open a case with it (the intake form).",
    "case.read": "Read case files: the report, the employees, allegations, findings and the "
    "timeline (text IA withholds stays withheld outside IA).",
    "case.read_own_status": "Look up where a case stands (its status).",
    "reporter.identity.read": "Read who a confidential reporter is, and which reporters are "
    "protected good-faith reporters.",
    "evidence.add": "Add screenshots of a post to a case.",
    "evidence.view": "Look at a case's screenshots and check that none has been altered.",
    "allegation.add": "Add allegations: an employee and the clause of a policy breached.",
    "allegation.find": "Record the finding on an allegation (sustained, not sustained, "
    "exonerated...) with the reasoning.",
    "discipline.record": "Decide the discipline on a case, on the ladder of 3.21 §V.B, with "
    "a reason when it is not the recommended step.",
    "retaliation.review": "Record the retaliation review that releases a case held because "
    "a good-faith reporter is one of its subjects (3.21 §V.C).",
    "protection.revoke": "Revoke a reporter's good-faith protection (a report found to be "
    "knowingly false), with a reason.",
    "case.toll": "Pause a case's deadline (toll it), e.g. while a criminal investigation "
    "goes first, and resume it.",
    "case.immediate_action": "Raise the Chief's immediate action on the facts of a case, "
    "and record who told the Chief, when and how (3.21 §V.B).",
    "immediate.act": "Record what the Chief did on an immediate-action case (relief from "
    "duty, an order to take the post down, a referral...).",
    "registers.manage": "Enter approval requests with their decisions and the approver's "
    "standing, link them to cases with what a post depicts, record directions to remove a "
    "post, add official accounts, log official posts, record training and employees' hire "
    "dates (the training upon hiring falls due from them). A training closes the training "
    "owed after a referral only when it is recorded as answering that case's referral.",
    "registers.read": "Read the registers: approval requests (3.21 §III.E, §III.R) and any "
    "removal directed, the official accounts and their posting log, the training owed upon "
    "hiring and after a referral, and when each policy's yearly review is due (3.21 §VI.A).",
    "summary.print_ia": "Print the case summary for IA, with what is withheld outside IA.",
    "summary.print_command": "Print the case summary for command staff (withheld text left out).",
    "stats.view": "Read the department's figures and print the annual review (3.21 §VI.A).",
    "warning.read": "Read the early-warning alerts: employees with cases close together.",
    "warning.acknowledge": "Acknowledge an early-warning alert (the IA commander).",
    "brady.read": "Read the Brady/Giglio flags: sustained findings that bear on credibility.",
    "brady.manage": "Decide a Brady/Giglio flag and log each disclosure to a prosecutor.",
    "user.manage": "Add users, disable them, reset their passwords. When an IA user who "
    "held IA's key leaves, change IA's key (Administration > Change IA's key…): every note "
    "and task is sealed again to a new key that only the IA users still with IA are given, "
    "and a new recovery code is shown once for the safe.",
    "settings.manage": "Change the department's settings (deadlines, protection period, "
    "session lock...) and the discipline matrix.",
    "audit.read": "Read, verify and export the audit trail.",
    "export.all": "Export every case at once.",
    "policy.read": "Read the policies' clauses.",
    "note.read": "Read IA's notes on a case.",
    "note.write": "Write IA's notes on a case.",
    "task.read": "Read IA's tasks on a case, and which are overdue.",
    "task.assign": "Give a task on a case to someone in IA, with a due date.",
    "task.complete": "Mark a task done.",
    "review.commander": "Sign off a case's findings as the IA commander, or return them to "
    "the investigator with comments (the first step of the review chain).",
    "review.chief": "Sign off a case's findings as the Chief, or return them to the "
    "investigator with comments (the last step of the review chain, after the IA commander).",
    "interview.record": "Record an interview of a subject or a witness on the case's Interviews "
    "tab: when, where, by whom, the representative present (Weingarten), the advisement read "
    "and whether it was signed, whether the statement is compelled (Garrity), the statement "
    "as an evidence item and IA's summary; amend one with a reason (the earlier version is "
    "kept and shown).",
    "interview.read": "Read a case's interviews, with the exact advisement text each "
    "interviewee was given; a compelled statement is marked for administrative use only.",
    "referral.packet": "Make the packet of a case referred to the Criminal Investigations "
    "Division: it never holds a compelled (Garrity) statement or its evidence item.",
}

# Where a role holds a permission only in part (the footnotes of the role table).
PERMISSION_WORDS_FOR_ROLE: dict[tuple[str, str], str] = {
    ("case.read_own_status", SUPERVISOR): "Look up where the reports you submitted stand "
    "(their status); you do not read the case files.",
    ("evidence.add", SUPERVISOR): "Add screenshots to a report you submitted, while it is "
    "still being received.",
    ("task.complete", IA_INVESTIGATOR): "Mark done a task given to you.",
    ("interview.read", COMMAND_STAFF): "See that a case's interviews took place: when, of "
    "which subject (a witness is not named), the advisement given and whether the statement "
    "is compelled (for administrative use only). IA's summary of an interview stays with IA.",
}

# The screens of the main window (ia_desk.security.roles.SCREENS), as the navigation
# names them, and what each is for.
SCREEN_WORDS: dict[str, tuple[str, str]] = {
    "home": ("Home", "What needs doing today, as counts; click a count to list its cases."),
    "cases": (
        "Cases",
        "The case list: search, filter by status or clause, sort; double-click a case to open it.",
    ),
    "my_tasks": (
        "My tasks",
        "Your tasks on every case, open ones first by due date, overdue in red; Enter "
        "opens the task's case, Mark done… records what was done.",
    ),
    "employees": ("Employees", "The roster, and each employee's allegations and discipline."),
    "policies": ("Policies", "The clauses of both policies, and the cases citing each."),
    "registers": (
        "Registers",
        "Approval requests (who decided, with what standing, what they cover, any removal "
        "directed), the official accounts and their posting log (approved before posting? "
        "phone and address shown?), and training.",
    ),
    "statistics": ("Statistics", "Figures for a period and unit, charts, CSV and PDF."),
    "administration": (
        "Administration",
        "Users, department settings, backups and the discipline matrix.",
    ),
    "audit_trail": ("Audit trail", "Every action recorded, filters, export and verification."),
}

# The screen list as a supervisor reads it (they see their own submissions only).
SCREEN_WORDS_FOR_ROLE: dict[tuple[str, str], str] = {
    ("cases", SUPERVISOR): "The reports you submitted and the status of each.",
    ("home", SUPERVISOR): "Counts of the reports you submitted that need attention.",
    ("my_tasks", IA_ADMIN): "Your tasks on every case, or all IA's tasks, open ones first by "
    "due date, overdue in red; Enter opens the task's case, Mark done… records what was done.",
}

# Each role's daily work, in a few sentences (paragraphs of plain text).
DAILY_WORK: dict[str, tuple[str, ...]] = {
    IA_ADMIN: (
        "You run the Internal Affairs unit in IA Desk: you receive reports, assign each "
        "case to an investigator, follow the deadlines and release the cases held for a "
        "retaliation review.",
        "You also look after IA Desk itself: the users and their passwords, the "
        "department's settings and discipline matrix, backups and the audit trail.",
    ),
    IA_INVESTIGATOR: (
        "You investigate the cases assigned to you: add the screenshots, the allegations "
        "(each an employee and the clause breached), your notes and tasks, and record a "
        "finding on every allegation.",
        "Keep the reporter updated and watch the deadline: a case past it is flagged "
        "Overdue. When the facts endanger someone or compromise an investigation, raise "
        "the Chief's immediate action.",
    ),
    SUPERVISOR: (
        "When an employee reports a violation of the social networking policy to you "
        "(3.21 §V.A), enter it with File > New report, with the screenshots you were "
        "given. The report goes to Internal Affairs, who investigate it.",
        "Afterwards you can follow the status of the reports you submitted. The "
        "investigation itself is Internal Affairs' work: you do not read the case files.",
    ),
    COMMAND_STAFF: (
        "You read the cases and their screenshots, decide the discipline on the ladder of "
        "3.21 §V.B, and record what the Chief did on a case that calls for immediate "
        "action.",
        "Print a case's summary for command staff, follow the early-warning alerts and "
        "the department's figures. Text Internal Affairs withholds (a confidential "
        "reporter, a juvenile, a victim) is never shown to you.",
    ),
}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _paragraphs(texts: tuple[str, ...] | list[str]) -> str:
    return "".join(f"<p>{_e(t)}</p>" for t in texts)


def _table(rows: list[tuple[str, str]], head: tuple[str, str], *, bold: bool = True) -> str:
    """A two-column table; ``bold`` sets the first column's cells in bold (a name)."""
    first = "<b>{}</b>" if bold else "{}"
    cells = "".join(
        f"<tr><td valign='top'>{first.format(_e(a))}</td><td valign='top'>{_e(b)}</td></tr>"
        for a, b in rows
    )
    return (
        "<table width='100%' cellspacing='0' cellpadding='4' border='1' "
        "style='border-collapse: collapse'>"
        f"<tr><th align='left'>{_e(head[0])}</th><th align='left'>{_e(head[1])}</th></tr>"
        f"{cells}</table>"
    )


def _holds(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


def permission_words(permission: str, role: str | None = None) -> str:
    """What ``permission`` lets a person do, as ``role`` holds it (a footnoted part)."""
    if role is not None and (permission, role) in PERMISSION_WORDS_FOR_ROLE:
        return PERMISSION_WORDS_FOR_ROLE[(permission, role)]
    return PERMISSION_WORDS[permission]


def may_do(role: str) -> list[str]:
    """The permissions ``role`` holds, in the role table's order."""
    return [p for p in PERMISSIONS if _holds(role, p)]


def screens(role: str) -> list[str]:
    """The screens ``role`` is offered, in the navigation's order."""
    return [name for name, permission in SCREENS if _holds(role, permission)]


def _roles_holding(permission: str) -> str:
    """The roles that hold ``permission``, as a sentence says them: "IA administrators
    and command staff"."""
    names = [ROLE_PLURALS[r] for r in ROLE_LABELS if _holds(r, permission)]
    return names[-1] if len(names) < 2 else f"{', '.join(names[:-1])} and {names[-1]}"


def _daily_work(role: str) -> Page:
    label = ROLE_LABELS[role]
    screen_rows = [
        (SCREEN_WORDS[s][0], SCREEN_WORDS_FOR_ROLE.get((s, role), SCREEN_WORDS[s][1]))
        for s in screens(role)
    ]
    own = [(permission_words(p, role), "") for p in may_do(role)]
    others = [
        (PERMISSION_WORDS[p], _capital(_roles_holding(p)))
        for p in PERMISSIONS
        if p not in may_do(role)
    ]
    body = [
        f"<h2>Your daily work: {_e(label)}</h2>",
        _paragraphs(DAILY_WORK[role]),
        "<h3>Your screens</h3>",
        "<p>The list on the left of the main window; Ctrl+1, Ctrl+2... go to each.</p>",
        _table(screen_rows, ("Screen", "What it is for")),
        "<h3>What you may do</h3>",
        "<ul>" + "".join(f"<li>{_e(words)}</li>" for words, _ in own) + "</ul>",
    ]
    if others:
        body += [
            "<h3>Left to other roles</h3>",
            "<p>IA Desk does not offer these to you; ask the role named.</p>",
            _table(others, ("What", "Who"), bold=False),
        ]
    return Page("Your daily work", "".join(body))


def _quote(clause_text: str, word: str) -> str:
    """The sentence of a clause that holds ``word``, exactly as the policy says it."""
    for sentence in clause_text.replace(". ", ".\n").splitlines():
        if word in sentence:
            return sentence.strip()
    raise LookupError(f"no sentence with {word!r} in {clause_text!r}")


def _clauses() -> dict[str, dict[str, object]]:
    """The shipped catalogue's clauses by id (the newest file of each policy wins)."""
    out: dict[str, dict[str, object]] = {}
    for file in shipped_files():
        for clause in file.data["clauses"]:
            out[clause["id"]] = clause
    return out


def _reporters(role: str, clauses: dict[str, dict[str, object]]) -> Page:
    ia = _holds(role, "reporter.identity.read")
    readers = _roles_holding("reporter.identity.read")
    takers = _roles_holding("report.submit")
    anonymous = _quote(str(clauses["vpd-3.21/V.A"]["text"]), "anonymous")
    good_faith = str(clauses["vpd-3.21/V.C"]["text"])
    modes = {
        "anonymous": "The reporter gives no name. IA Desk never stores who they are: no "
        "name, badge, phone or e-mail, anywhere.",
        "confidential": f"The reporter is known, but only {readers} read who they are. "
        f"The identity is written in when the report is taken (by {takers}); outside IA "
        "it is shown as withheld, on screen and on paper.",
        "named": "The reporter is known by name like any other party to the case.",
    }
    mode_rows = [(labels.reporter_mode(m), modes[m]) for m in REPORTER_MODES]
    body = [
        "<h2>Reporters and their protection</h2>",
        f"<p>3.21 §V.A: <i>“{_e(anonymous)}”</i></p>",
        _table(mode_rows, ("Reporter", "What IA Desk keeps")),
        "<p>Every report gets a tracking code, shown once when the report is saved: hand "
        "it to the reporter. Quoting it on a later report links the two reports. Only a "
        "fingerprint of the code is stored, so IA Desk cannot show it again.</p>",
        "<h3>Good-faith reporters</h3>",
        f"<p>3.21 §V.C: <i>“{_e(good_faith)}”</i></p>",
        "<p>An employee who reports in good faith is protected from the date of the "
        "report, for the period the department set. When that employee later becomes a "
        "subject of a case, the case is held for a retaliation review: it cannot close "
        "and takes no discipline until an IA administrator records the review.</p>",
    ]
    if ia:
        body.append(
            "<p>You see which reporters are protected. An IA administrator may revoke a "
            "protection when a report is found to be knowingly false, giving a reason; "
            "the revocation and its reason are recorded in the audit trail.</p>"
        )
    else:
        body.append(
            "<p>Who is a protected reporter is known to Internal Affairs only: you see "
            "that a case is held, not why or for whom.</p>"
        )
    return Page("Reporters and their protection", "".join(body))


def shown_flags(role: str) -> list[str]:
    """The flags the case list shows ``role`` (as ``ia_desk.casefile.listing.case_page``
    gives them): outside the readers of case files only Overdue, and the task flag only
    to the readers of IA's tasks."""
    if not _holds(role, "case.read"):
        return ["overdue"]
    return [f for f in labels.FLAGS if f != "task_overdue" or _holds(role, "task.read")]


def _statuses(role: str) -> Page:
    status_rows = [(labels.status(s).text, labels.status(s).meaning) for s in CASE_STATUSES]
    flag_rows = [(labels.flag(f).text, labels.flag(f).meaning) for f in shown_flags(role)]
    body = [
        "<h2>Case statuses and flags</h2>",
        "<p>A case moves through these statuses, in this order; a closed case can be "
        "reopened with a reason.</p>",
        _table(status_rows, ("Status", "What it means")),
        "<h3>Flags</h3>",
        "<p>The Flags column of the case list marks what needs attention; hold the "
        "pointer over a flag to read what it means.</p>",
        _table(flag_rows, ("Flag", "What it means")),
    ]
    return Page("Case statuses and flags", "".join(body))


# Clauses shown as examples on the policy page (each must be in the catalogue).
CLAUSE_EXAMPLES = (
    "vpd-3.21/I.A",
    "vpd-3.21/III.N.2",
    "city-sn/procedure.4",
    "vpd-3.21/III.P",
    "vpd-3.21/definitions.website",
    "vpd-3.21/V.C",
    "city-sn/procedure.14",
)


def _policies(role: str, clauses: dict[str, dict[str, object]]) -> Page:
    verdicts = {RULE: "May be cited.", ADVISORY: "May be cited, but {why}."}
    rows = []
    for cid in CLAUSE_EXAMPLES:
        c = clauses[cid]
        found = judge(cid, str(c["kind"]), bool(c["rule"]), str(c["text"]))
        verdict = verdicts.get(found.kind, "Cannot be cited: {why}.").format(why=found.why)
        rows.append((cid, f"{str(c['title']).rstrip(' .;…')}. {verdict}"))
    titles = []
    for file in shipped_files():
        data = file.data
        since = data.get("effective_from")
        when = f"in force from {since}" if since else "undated"
        titles.append(f"{data['policy']}: {data['title']} ({when})")
    body = [
        "<h2>Policy clauses</h2>",
        "<p>IA Desk holds the clauses of the two social networking policies:</p>",
        "<ul>" + "".join(f"<li>{_e(t)}</li>" for t in titles) + "</ul>",
        "<p>A clause is named by its policy and its place in the text, the labels as "
        "printed joined by dots: <b>vpd-3.21/I.A</b> is 3.21 section I, item A; "
        "<b>city-sn/procedure.4</b> is item 4 of the city policy's procedure.</p>",
        "<p>Only a clause that states conduct (a rule) may be cited in an allegation. "
        "Headings, purposes, definitions and what the Department itself does cannot be "
        "breached; IA Desk refuses them and says why. Advice (“should”) may be cited "
        "but is marked advisory.</p>",
        _table(rows, ("Clause", "What it is")),
        "<p>An allegation cites the version of the policy in force on the incident's date.</p>",
    ]
    if _holds(role, "case.read"):
        body.append("<p>The Policies screen shows every clause and the cases citing it.</p>")
    return Page("Policy clauses", "".join(body))


def _ladder(role: str, clauses: dict[str, dict[str, object]]) -> Page:
    ladder = str(clauses["vpd-3.21/V.B"]["text"])
    steps = "".join(f"<li>{_e(labels.discipline_step(s))}</li>" for s in DISCIPLINE_STEPS)
    hearing = " or ".join(f"a {labels.discipline_step(s).lower()}" for s in HEARING_STEPS)
    deciders = _roles_holding("discipline.record")
    body = [
        "<h2>The discipline ladder (3.21 §V.B)</h2>",
        f"<p><i>“{_e(ladder)}”</i></p>",
        f"<p>The steps, mildest first:</p><ol>{steps}</ol>",
        "<p>Only sustained allegations lead to discipline. IA Desk recommends a step from "
        "the department's discipline matrix: the clause's class sets the usual step, and "
        "each earlier sustained case of the same employee within the look-back period "
        "moves it one step up, within the class's range. A decision on another step needs "
        "a written reason naming the mitigating or aggravating factors.</p>",
        f"<p>Before {_e(hearing)} is decided, the employee is given notice of the charges "
        "and a chance to respond; both are recorded.</p>",
        f"<p>Who decides: {_e(deciders)}.</p>",
    ]
    if _holds(role, "discipline.record"):
        body.append(
            "<p>You decide in the case window's Discipline tab. A case held for a "
            "retaliation review takes no decision until the review is recorded.</p>"
        )
    return Page("The discipline ladder", "".join(body))


def pages(role: str) -> list[Page]:
    """The guide for ``role`` (one of :data:`ia_desk.security.roles.ROLE_LABELS`), page by
    page; an unknown role is refused (``KeyError``), not given someone else's guide."""
    if role not in ROLE_LABELS:
        raise KeyError(f"unknown role {role!r}")
    clauses = _clauses()
    return [
        _daily_work(role),
        _reporters(role, clauses),
        _statuses(role),
        _policies(role, clauses),
        _ladder(role, clauses),
    ]
