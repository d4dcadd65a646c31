"""Realistic sample cases for demonstrations and first-time users (``init --demo``).

The people are invented. Every case goes through the same intake service as a real
report, so the demo data is audited and indexed like everything else.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk.cases.intake import open_case, parse_report
from ia_desk.cases.interviews import record_interview
from ia_desk.cases.review import close_hold, decide, pending_step
from ia_desk.cases.speech import needs_screen, record_screen
from ia_desk.cases.workflow import perform
from ia_desk.db.models import ApprovalRequest, Employee
from ia_desk.discipline.hearings import HEARING_STEPS, record_notice, record_response
from ia_desk.discipline.immediate import raise_by_clause
from ia_desk.discipline.ladder import recommend
from ia_desk.evidence.store import EvidenceInput, add_evidence
from ia_desk.protection.retaliation import blocking_reason, record_review
from ia_desk.registers import record_annual_review, record_hire_date, record_training
from ia_desk.security.actor import Actor
from ia_desk.services.allegations import record_finding_in
from ia_desk.services.demo_images import post_screenshot
from ia_desk.services.discipline import decide_in

ROSTER = [
    ("1042", "Marcus Bell", "police", "Officer", "Patrol"),
    ("1187", "Dana Whitfield", "police", "Sergeant", "Patrol"),
    ("1203", "Tyrone Gaines", "police", "Officer", "Traffic"),
    ("1311", "Kelly Ashford", "police", "Detective", "Criminal Investigations"),
    ("1356", "Ray Delgado", "police", "Officer", "Patrol"),
    ("1420", "Shawna Pruitt", "police", "Corporal", "Community Services"),
    ("1488", "Wes Harlan", "police", "Lieutenant", "Narcotics"),
    ("1502", "Jenna Morrow", "police", "Officer", "School Resource"),
    ("C-2210", "Lonnie Fairchild", "city", "Clerk", "Public Works"),
    ("C-2317", "Brenda Oakes", "city", "Analyst", "Finance"),
]

SCENARIOS = [
    (
        "Facebook",
        "Officer posted a photo of himself leaning on a marked patrol car with the "
        "department patch visible, captioned 'another day cleaning up the streets'.",
        ["vpd-3.21/III.D"],
    ),
    (
        "Instagram",
        "Selfie in uniform at a bar holding several shots; caption jokes about "
        "driving the cruiser home.",
        ["vpd-3.21/III.N.3", "vpd-3.21/III.L"],
    ),
    (
        "X (Twitter)",
        "Reply to a news story about last week's arrest naming the suspect as "
        "'guilty as sin' before any charges were filed.",
        ["vpd-3.21/IV.D", "vpd-3.21/III.M"],
    ),
    (
        "Facebook",
        "Post in a neighbourhood group gave the first name and school of the juvenile "
        "picked up for the car break-ins.",
        ["vpd-3.21/IV.B"],
    ),
    (
        "TikTok",
        "Video filmed inside the booking area showing a detainee; body-worn camera "
        "clip re-posted with music.",
        ["vpd-3.21/III.D", "vpd-3.21/III.M"],
    ),
    (
        "Facebook",
        "Comment calling the sergeant 'a spineless clown who should be fired' under a "
        "post about shift changes.",
        ["vpd-3.21/III.J"],
    ),
    (
        "Instagram",
        "Photo posing with personal rifles and the caption 'come find out'.",
        ["vpd-3.21/III.N.2"],
    ),
    (
        "Reddit",
        "Thread describing how much force was used on a suspect during Saturday's "
        "arrest, with details of the takedown.",
        ["vpd-3.21/III.N.4", "vpd-3.21/III.M"],
    ),
    (
        "Facebook",
        "Employee shared a co-worker's home address and phone number in a public "
        "post about a parking dispute.",
        ["city-sn/procedure.7"],
    ),
    (
        "Nextdoor",
        "City clerk posted that the department head is 'corrupt and lazy' and "
        "that the office is 'a joke'.",
        ["city-sn/procedure.8", "city-sn/procedure.9"],
    ),
]


def add_demo_data(
    session: Session, actor: Actor, count: int = 24, seed: int = 7, with_evidence: bool = True
) -> int:
    rng = random.Random(seed)
    today = dt.date.today()
    tz = dt.timezone(dt.timedelta(hours=-6))
    made = 0
    pictured: list[tuple[str, str, dt.date]] = []  # cases citing §III.D (images used)

    interviewed = False  # one case under investigation carries the demo's interviews
    # Received dates first, in order, so that case numbers follow the calendar.
    ages = sorted((rng.randint(1, 200) for _ in range(count)), reverse=True)
    for i, days_ago in enumerate(ages):
        platform, narrative, clauses = SCENARIOS[i % len(SCENARIOS)]
        police = clauses[0].startswith("vpd")
        pool = [r for r in ROSTER if (r[2] == "police") == police]
        badge, name, dept, rank, unit = rng.choice(pool)
        received = dt.datetime.combine(
            today - dt.timedelta(days=days_ago),
            dt.time(rng.randint(7, 17), rng.choice([0, 15, 30, 45])),
            tzinfo=tz,
        )
        mode = rng.choice(["anonymous", "anonymous", "named", "confidential"])
        reporter: dict[str, object] = {"mode": mode}
        if mode != "anonymous":
            other = rng.choice([r for r in ROSTER if r[0] != badge])
            reporter.update(
                {
                    "name": other[1],
                    "badge": other[0],
                    "phone": f"601-555-01{i:02d}",
                    "good_faith": True,
                }
            )
        report = parse_report(
            {
                "received_at": received.isoformat(),
                "channel": rng.choice(["supervisor", "ia_direct", "web", "phone"]),
                "reporter": reporter,
                "subjects": [
                    {"badge": badge, "name": name, "department": dept, "rank": rank, "unit": unit}
                ],
                "incident": {
                    "occurred_on": (
                        received.date() - dt.timedelta(days=rng.randint(0, 5))
                    ).isoformat(),
                    "platform": platform,
                    "url": f"https://example.invalid/{platform.split()[0].lower()}/post/{1000 + i}",
                    "narrative": narrative,
                },
                "clauses": clauses,
            }
        )
        result = open_case(session, actor, report)
        number = result.case.number
        # Raised when the report came in (the demo's cases are back-dated).
        raise_by_clause(
            session, actor, result.case, result.case.received_at, new_case_clauses=report.clauses
        )
        if with_evidence:
            shot = post_screenshot(platform, name, narrative, report.occurred_on.isoformat())
            add_evidence(
                session,
                actor,
                number,
                [
                    EvidenceInput(
                        shot,
                        f"{platform.split()[0].lower()}-post-{1000 + i}.png",
                        source_url=report.url,
                        captured_at=received - dt.timedelta(hours=rng.randint(1, 30)),
                        note="Screenshot supplied with the report.",
                    )
                ],
            )
        # Older cases have moved on through the same workflow an investigator uses.
        if days_ago > 20:
            perform(session, actor, number, "start")
            if not interviewed and days_ago <= 60:
                interviewed = _demo_interviews(session, actor, result.case, received, with_evidence)
        if days_ago > 60:
            if blocking_reason(session, result.case, ia=True):
                # A protected reporter is a subject: the review comes before any finding.
                record_review(
                    session,
                    actor,
                    number,
                    "no_retaliation",
                    "Demo review: the complaint concerns a public post that the "
                    "reporter did not bring up; no link to the earlier report.",
                )
            for a in result.case.allegations:
                if needs_screen(a.clause.clause_id):
                    # A speech clause: the scope and First Amendment screen comes first.
                    record_screen(
                        session,
                        actor,
                        a.id,
                        {
                            "identified_as_employee": True,
                            "workplace_effect": "Colleagues named in the post asked for a "
                            "transfer; the shift's supervisor reports open friction.",
                            "public_concern": False,
                            "balance": "Demo screen: a personal grievance against a named "
                            "supervisor, not speech on a matter of public concern.",
                        },
                    )
                record_finding_in(
                    session,
                    actor,
                    a.id,
                    rng.choice(
                        ["sustained", "sustained", "not_sustained", "exonerated", "unfounded"]
                    ),
                    "Demo finding: the screenshot and the interview support this result.",
                    on=received.date() + dt.timedelta(days=rng.randint(20, 55)),
                )
            perform(session, actor, number, "findings")
            if days_ago > 90 and pending_step(session, result.case) == "commander":
                # The review chain (issue 22): the IA commander signs off; a chain that
                # goes on to the Chief leaves the case awaiting the Chief's sign-off.
                decide(
                    session,
                    actor,
                    number,
                    "signed_off",
                    "Demo sign-off: the findings follow from the evidence.",
                )
        if days_ago > 120:
            case = result.case
            for subject in case.subjects:
                rec = recommend(session, actor, number, subject.employee.badge)
                if rec["step"]:
                    days = rng.choice([3, 5, 10]) if rec["step"] == "suspension" else None
                    if rec["step"] in HEARING_STEPS:  # Loudermill comes first
                        heard = received.date() + dt.timedelta(days=60)
                        record_notice(
                            session,
                            actor,
                            number,
                            subject.employee.badge,
                            heard,
                            "Demo notice: the sustained allegations and the screenshots.",
                        )
                        record_response(
                            session,
                            actor,
                            number,
                            subject.employee.badge,
                            heard + dt.timedelta(days=7),
                            "Demo response: the employee regrets the post.",
                            "Commander Demo",
                        )
                    decide_in(
                        session,
                        actor,
                        number,
                        subject.employee.badge,
                        rec["step"],
                        suspension_days=days,
                        without_pay=True if days else None,
                    )
            if close_hold(session, result.case) is None:
                perform(session, actor, number, "close")
        if "vpd-3.21/III.D" in clauses and result.case.status != "closed":
            # (a closed case takes no new link: the demo links approvals to open ones)
            pictured.append((number, badge, report.occurred_on))
        made += 1
    _demo_registers(session, actor, pictured, today, tz)
    _demo_training(session, actor, today)
    return made


def _demo_registers(
    session: Session,
    actor: Actor,
    pictured: list[tuple[str, str, dt.date]],
    today: dt.date,
    tz: dt.tzinfo,
) -> None:
    """The registers of 3.21 beside the cases (issue 22): approvals for cases that
    picture the department (one that stands, one decided after the incident, one that
    does not cover what the post shows, one by someone without standing), a removal
    directed and done, two official accounts and a posting log with its flags."""
    from ia_desk import registers

    if session.scalar(select(ApprovalRequest.id).limit(1)) is not None:
        return  # demo cases added again: the registers already have their examples
    kinds = [
        # (decided by, as, days from the incident, what it asks for, what the post shows)
        ("Chief Larry Burns", "chief", -20, ["uniform", "patch", "marked_unit"], ["uniform"]),
        ("Chief Larry Burns", "chief", 3, ["uniform", "marked_unit"], ["marked_unit"]),
        ("Chief Larry Burns", "chief", -10, ["uniform", "patch"], ["uniform", "marked_unit"]),
        ("Lt. Wes Harlan", "other", -5, ["uniform", "marked_unit"], ["marked_unit"]),
    ]
    for (number, badge, occurred), (by, standing, days, asks, shows) in zip(
        pictured, kinds, strict=False
    ):
        decided = min(occurred + dt.timedelta(days=days), today)
        req = registers.add_approval_request(
            session,
            actor,
            badge,
            asks,
            "Recruiting page of the department's community outreach.",
            decided - dt.timedelta(days=2),
            clause="vpd-3.21/III.E",
            description="A photograph of the officer in uniform beside a marked unit, "
            "with the department patch, as the page's banner.",
            site_url="https://example.invalid/recruiting",
        )
        registers.decide_approval(
            session, actor, req.id, "approved", by, decided, "For recruiting only.", standing
        )
        registers.link_approval(session, actor, number, req.id, shows)
        if days == -20:
            registers.direct_removal(
                session,
                actor,
                req.id,
                "Chief Larry Burns",
                "chief",
                today - dt.timedelta(days=1),
                today + dt.timedelta(days=6),
                "The recruiting campaign has ended.",
            )
            registers.record_removal_done(session, actor, req.id, today)
    police = list(
        session.scalars(
            select(Employee.badge).where(Employee.department == "police").order_by(Employee.badge)
        )
    )
    if len(police) < 2:
        return
    press, other = police[0], police[-1]  # the press officer, and someone not authorised
    fb = registers.add_account(session, actor, "Facebook", "@VicksburgPD", True, True, [press])
    ig = registers.add_account(session, actor, "Instagram", "@vpd_community", True, False, [press])
    noon = dt.datetime.combine(today - dt.timedelta(days=3), dt.time(12, 0), tzinfo=tz)
    registers.log_post(
        session,
        actor,
        fb.id,
        "Road closure on Clay St. from 9 to 5 for the parade.",
        press,
        noon,
        "Capt. Dana Whitfield",
        approved_at=noon - dt.timedelta(hours=2),
    )
    registers.log_post(
        session,
        actor,
        fb.id,
        "Thank you to everyone who came to National Night Out!",
        press,
        noon + dt.timedelta(days=1),
        "Capt. Dana Whitfield",
        approved_at=noon + dt.timedelta(days=1, hours=3),
    )
    registers.log_post(
        session, actor, ig.id, "Look who we caught tonight!", other, noon + dt.timedelta(days=2)
    )


# Hire dates and trainings of the demo's officers (3.21 §VI.A): most were hired years ago
# and trained after; one was hired last month and is overdue, one this month and is due.
_HIRED_DAYS_AGO = {"1042": 2900, "1187": 4100, "1203": 1500, "1311": 3300, "1356": 45, "1502": 12}


def _demo_training(session: Session, actor: Actor, today: dt.date) -> None:
    if session.scalar(select(Employee.id).where(Employee.hired_on.is_not(None)).limit(1)):
        return  # demo cases added again: the training register has its examples
    on_roster = set(session.scalars(select(Employee.badge)))
    for badge, days in _HIRED_DAYS_AGO.items():
        if badge not in on_roster:
            continue
        hired = today - dt.timedelta(days=days)
        record_hire_date(session, actor, badge, hired)
        if days > 60:
            record_training(
                session,
                actor,
                badge,
                hired + dt.timedelta(days=9),
                "Social media policy",
                "Lt. Ames",
            )
    record_annual_review(
        session,
        actor,
        "vpd-3.21",
        today - dt.timedelta(days=350),
        "Chief Burns, Lt. Ames",
        "No change; §III.P kept as advice.",
    )


def _demo_interviews(
    session: Session, actor: Actor, case: Any, received: dt.datetime, with_evidence: bool
) -> bool:
    """Issue 22: a compelled subject interview with a union representative (its signed
    statement as evidence), and a civilian witness's voluntary one."""
    subject = case.subjects[0].employee
    day = received + dt.timedelta(days=9)
    statement = None
    if with_evidence:
        shot = post_screenshot(
            "Statement",
            subject.name,
            "Compelled statement, signed: I posted the photograph from my own phone after "
            "the shift. I did not think of the policy.",
            day.date().isoformat(),
        )
        statement = (
            add_evidence(
                session,
                actor,
                case.number,
                [
                    EvidenceInput(
                        shot,
                        "statement-subject-signed.png",
                        captured_at=day.replace(hour=11, minute=0),
                        note="Signed statement.",
                    )
                ],
            )
            .evidence[0]
            .id
        )
    record_interview(
        session,
        actor,
        case.number,
        {
            "interviewee": "subject",
            "badge": subject.badge,
            "started": day.replace(hour=10, minute=0).isoformat(),
            "ended": day.replace(hour=10, minute=50).isoformat(),
            "place": "IA office, interview room 2",
            "interviewers": [actor.login],
            "rep_requested": True,
            "representation": "present",
            "rep_name": "Dale Marsh",
            "rep_capacity": "union",
            "advisement": "garrity",
            "acknowledgement": "signed",
            "compelled": True,
            "statement": statement,
            "summary": "Demo interview: the employee said the account is theirs and that they "
            "posted the photograph after the shift; they had not read the policy's update.",
        },
    )
    record_interview(
        session,
        actor,
        case.number,
        {
            "interviewee": "civilian_witness",
            "name": "Morgan Ellis",
            "started": (day + dt.timedelta(days=1)).replace(hour=14, minute=0).isoformat(),
            "ended": (day + dt.timedelta(days=1)).replace(hour=14, minute=25).isoformat(),
            "place": "By telephone",
            "interviewers": [actor.login],
            "rep_requested": False,
            "representation": "none",
            "advisement": "voluntary",
            "acknowledgement": "not_signed",
            "compelled": False,
            "summary": "Demo interview: the witness saw the post the evening it went up and "
            "sent the screenshot the next morning.",
        },
    )
    return True
