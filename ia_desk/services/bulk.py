"""A synthetic department for benchmarks and load tests: many cases in minutes.

``generate`` writes realistic distributions (subjects on a roster of a mid-size
department, one to three clauses per case drawn from the rule clauses with the common
ones more often, dispositions for older cases, screenshots on a third of the cases, a
full audit trail of intake, views, findings and prints) straight through SQL in large
batches, so 100,000 cases and a few million audit events take minutes. The audit chain
is computed exactly as the app computes it and verifies.

Reporters are spread as a department's are: half anonymous; of the named and
confidential, a share are employees on the roster (``reporter.employee_id`` set, as
intake sets it from the badge), most of them reporting in good faith; and a share of
cases name as their subject an employee who reported in good faith within the last two
years, so the retaliation review has cases to flag. A database whose reporters were all
off the roster gave the query planner statistics no real department has (issue 24).

It refuses a database that already holds cases: it is for empty benchmark databases.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import random
from collections.abc import Callable
from typing import Any

from PIL import Image
from sqlalchemy import func, insert, select, text

from ia_desk.audit import records, signatures
from ia_desk.audit.trail import GENESIS, canonical_details, canonical_form
from ia_desk.cases.tracking import code_hash, new_code
from ia_desk.db.engine import Database
from ia_desk.db.models import (
    Allegation,
    AuditEvent,
    AuditHead,
    Case,
    CaseNumberCounter,
    CaseSubject,
    Clause,
    Employee,
    Evidence,
    EvidenceBlob,
    EvidenceThumb,
    Incident,
    PolicyVersion,
    Reporter,
    utcnow,
)
from ia_desk.discipline.brady import flag_earlier_findings
from ia_desk.errors import InputError
from ia_desk.policy import citation
from ia_desk.security.actor import Actor

PLATFORMS = [
    "Facebook",
    "Instagram",
    "X (Twitter)",
    "TikTok",
    "Reddit",
    "Nextdoor",
    "YouTube",
    "Snapchat",
]
PHRASES = [
    "posted a photo in uniform leaning on the patrol car",
    "shared body camera footage from the traffic stop",
    "commented about the arrest and named the suspect",
    "posted a meme mocking the sergeant and the shift schedule",
    "was drinking at a party in a photo with the badge visible",
    "posted about the ongoing investigation and the court date",
    "shared the home address of a coworker in a public post",
    "posed with rifles and the caption glorified violence",
    "wrote that the accused is guilty before the trial",
    "named a juvenile involved in the break-ins",
    "endorsed a candidate for alderman while in uniform",
    "used the department logo on a personal business page",
]
FIRST = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Tyrone",
    "Keisha",
    "Marcus",
    "Latoya",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
]
UNITS = [
    "Patrol",
    "Traffic",
    "Criminal Investigations",
    "Narcotics",
    "Community Services",
    "School Resource",
    "Records",
    "SWAT",
]
DISPOSITIONS = (
    ["sustained"] * 4
    + ["not_sustained"] * 3
    + ["exonerated", "unfounded", "withdrawn", "policy_failure"]
)
VIEW_EVENTS = [
    "case.view",
    "case.view",
    "case.view",
    "reporter.identity.view",
    "case.timeline",
    "summary.print",
    "evidence.view",
]
BATCH = 20_000
# The version of what ``generate`` writes: a benchmark database names it
# (tools/bench.py), so a changed generator is measured on data it made. Bump it with
# any change to the distributions.
GENERATOR_VERSION = 3  # 3: the Brady/Giglio flags of its sustained findings
# Of the named and confidential reporters, the share who are employees on the roster;
# of those, the share who report in good faith (intake's default for a known reporter).
ROSTER_REPORTERS = 0.4
GOOD_FAITH = 0.9
# The employees who report colleagues are few (supervisors, mostly): this share of the
# roster. Drawn from the whole roster, at four cases per employee a year most officers
# would be protected reporters and most cases held for a retaliation review.
REPORTING_SHARE = 0.03
# The share of cases whose subject reported in good faith within the last two years
# (the cases the retaliation review is for), while there is such an employee; subjects
# drawn from the roster at large add about REPORTING_SHARE more.
SUBJECT_WAS_PROTECTED = 0.02
PROTECTION_DAYS = 730


def _png(seed: int) -> bytes:
    rnd = random.Random(seed)
    im = Image.new("RGB", (96, 64), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    im.putpixel((rnd.randrange(96), rnd.randrange(64)), (seed % 256, (seed >> 8) % 256, 7))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def generate(
    db: Database,
    actor: Actor,
    cases: int,
    events_per_case: int = 24,
    seed: int = 2026,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Fill an empty database with ``cases`` cases, every event recorded as the
    ``actor``'s and signed with their key; returns what was written."""
    say = progress or (lambda _m: None)
    rng = random.Random(seed)
    with db.read() as s:
        if (s.scalar(select(func.count()).select_from(Case)) or 0) > 0:
            raise InputError("The database already holds cases; generate into an empty one.")
        versions = {v.policy_id: v.id for v in s.scalars(select(PolicyVersion))}
        rules = [
            (c.id, c.clause_id)
            for c in s.scalars(
                select(Clause)
                .where(Clause.policy_version_id == versions["vpd-3.21"])
                .order_by(Clause.ordinal)
            )
            if citation.of(c).citable
        ]
        head = s.get(AuditHead, 1)
        seq, prev = (head.seq, head.mac) if head else (0, GENESIS)
    weights = [1.0 / (1 + i * 0.35) for i in range(len(rules))]
    key = db.audit_key
    admin_id, admin_login, signing = actor.user_id, actor.login, actor.keys
    n_employees = max(60, cases // 40)
    today = dt.date.today()
    start = today - dt.timedelta(days=365 * 10)
    written = {
        "cases": cases,
        "employees": n_employees,
        "allegations": 0,
        "evidence": 0,
        "audit_events": 0,
    }
    days = sorted(rng.randrange((today - start).days) for _ in range(cases))
    counters: dict[int, int] = {}
    audit_rows: list[dict[str, Any]] = []
    workstation = db.workstation

    def audit(
        at: dt.datetime,
        event: str,
        case_number: str | None,
        obj: str | None,
        details: dict[str, Any],
        otype: str = "case",
    ) -> None:
        nonlocal seq, prev
        seq += 1
        det = canonical_details(details)
        msg = canonical_form(
            seq, at, admin_login, workstation, event, otype, obj, case_number, "ok", det, prev
        )
        mac = hmac.new(key, msg, hashlib.sha256).hexdigest()
        signature = signatures.sign(signing.signing_private, msg) if signing else None
        audit_rows.append(
            {
                "seq": seq,
                "at": at,
                "user_login": admin_login,
                "workstation": workstation,
                "event_type": event,
                "object_type": otype,
                "object_id": obj,
                "case_number": case_number,
                "outcome": "ok",
                "details": det,
                "prev_mac": prev,
                "mac": mac,
                "signer_key": signing.fingerprint if signing else None,
                "signature": signature,
            }
        )
        prev = mac

    def write_trail(conn: Any) -> None:
        """The events gathered so far, in the transaction of what they record."""
        if audit_rows:
            conn.execute(insert(AuditEvent), audit_rows)
            conn.execute(text("DELETE FROM audit_head"))
            conn.execute(insert(AuditHead), [{"id": 1, "seq": seq, "mac": prev}])
            written["audit_events"] += len(audit_rows)
            audit_rows.clear()

    # Every transaction writes the events of what it writes (the server's record of
    # changes finds each change beside its event: ia_desk.audit.server).
    roster: list[dict[str, Any]] = [
        {
            "id": i + 1_000_000,
            "badge": f"B{i + 1:05d}",
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "department": "police",
            "rank": rng.choice(["Officer"] * 6 + ["Corporal", "Sergeant", "Lieutenant"]),
            "unit": rng.choice(UNITS),
            "active": True,
            "created_at": dt.datetime(2016, 1, 1),
        }
        for i in range(n_employees)
    ]
    reporting = rng.sample(roster, max(3, round(n_employees * REPORTING_SHARE)))
    # Employees who reported in good faith, by the day of their report, oldest first
    # (the subjects the retaliation review is about are drawn from the last two years).
    protected: list[tuple[dt.date, int]] = []
    with db.engine.begin() as conn:
        conn.execute(insert(Employee), roster)
        details = {"cases": cases, "employees": n_employees}
        audit(utcnow(), "demo.generate", None, None, details, "database")
        write_trail(conn)

    case_id = allegation_id = evidence_id = 0
    for chunk_start in range(0, cases, BATCH):
        chunk = days[chunk_start : chunk_start + BATCH]
        rows: dict[str, list[dict[str, Any]]] = {
            k: []
            for k in (
                "case",
                "reporter",
                "incident",
                "subject",
                "allegation",
                "blob",
                "thumb",
                "evidence",
                "fts",
            )
        }
        for day in chunk:
            case_id += 1
            received_on = start + dt.timedelta(days=day)
            received = dt.datetime.combine(
                received_on, dt.time(rng.randrange(7, 18), rng.choice([0, 15, 30, 45]))
            )
            year = received.year
            counters[year] = counters.get(year, 0) + 1
            number = f"IA-{year}-{counters[year]:04d}"
            age = (today - received_on).days
            status = (
                "closed"
                if age > 150
                else "findings"
                if age > 90
                else "investigating"
                if age > 20
                else "received"
            )
            while protected and (received_on - protected[0][0]).days > PROTECTION_DAYS:
                protected.pop(0)
            if protected and rng.random() < SUBJECT_WAS_PROTECTED:
                subject = rng.choice(protected)[1]
            else:
                subject = rng.randrange(n_employees) + 1_000_000
            narrative = (
                f"Officer {rng.choice(PHRASES)} on {rng.choice(PLATFORMS)}. "
                f"{rng.choice(PHRASES).capitalize()}. Ref {case_id}."
            )
            rows["case"].append(
                {
                    "id": case_id,
                    "number": number,
                    "status": status,
                    "received_at": received,
                    "received_offset_min": -360,
                    "channel": rng.choice(["supervisor", "ia_direct", "web", "phone", "email"]),
                    "deadline_on": received_on + dt.timedelta(days=90),
                    "created_at": received,
                    "updated_at": received,
                    "created_by_id": admin_id,
                    "assigned_to_id": admin_id if status != "received" else None,
                    "closed_at": received + dt.timedelta(days=rng.randrange(30, 150))
                    if status == "closed"
                    else None,
                    "version_id": 1,
                }
            )
            mode = rng.choice(["anonymous", "anonymous", "named", "confidential"])
            reporter: dict[str, Any] = {
                "case_id": case_id,
                "received_at": received,
                "mode": mode,
                "name": None,
                "badge": None,
                "employee_id": None,
                "good_faith": False,
                "tracking_hash": code_hash(new_code()),
            }
            if mode != "anonymous":
                reporter["good_faith"] = True
                reporter["name"] = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                if rng.random() < ROSTER_REPORTERS:
                    employee = rng.choice(reporting)
                    if employee["id"] != subject:
                        reporter["employee_id"] = employee["id"]
                        reporter["badge"] = employee["badge"]
                        reporter["name"] = employee["name"]
                        reporter["good_faith"] = rng.random() < GOOD_FAITH
                        if reporter["good_faith"]:
                            protected.append((received_on, employee["id"]))
            rows["reporter"].append(reporter)
            platform = rng.choice(PLATFORMS)
            rows["incident"].append(
                {
                    "case_id": case_id,
                    "occurred_on": received_on - dt.timedelta(days=2),
                    "platform": platform,
                    "url": None,
                    "narrative": narrative,
                }
            )
            rows["subject"].append({"case_id": case_id, "employee_id": subject})
            picked = {
                rules[i]
                for i in rng.choices(range(len(rules)), weights, k=rng.choice([1, 1, 2, 3]))
            }
            bound: list[tuple[str, str, int, dict[str, Any], dt.datetime]] = []
            for pk, _cid in picked:
                disposition = rng.choice(DISPOSITIONS) if age > 60 else None
                allegation_id += 1
                rows["allegation"].append(
                    {
                        "id": allegation_id,
                        "case_id": case_id,
                        "employee_id": subject,
                        "clause_pk": pk,
                        "disposition": disposition,
                        "finding_on": received_on + dt.timedelta(days=40) if disposition else None,
                        "finding_by_id": admin_id if disposition else None,
                        "rationale": "Generated finding." if disposition else None,
                        "created_at": received,
                        "created_by_id": admin_id,
                        "version_id": 1,
                    }
                )
                event = "allegation.find" if disposition else "allegation.add"
                at = received + dt.timedelta(minutes=1)
                bound.append(("allegation", event, allegation_id, rows["allegation"][-1], at))
            if rng.random() < 0.33:
                data = _png(case_id)
                digest = hashlib.sha256(data).hexdigest()
                rows["blob"].append(
                    {"sha256": digest, "size": len(data), "data": data, "stored_at": received}
                )
                rows["thumb"].append({"sha256": digest, "png": data, "width": 96, "height": 64})
                evidence_id += 1
                rows["evidence"].append(
                    {
                        "id": evidence_id,
                        "case_id": case_id,
                        "sha256": digest,
                        "file_name": f"post-{case_id}.png",
                        "media_type": "image/png",
                        "size": len(data),
                        "width": 96,
                        "height": 64,
                        "platform": platform,
                        "captured_at": received,
                        "captured_tz": "CST",
                        "captured_by_id": admin_id,
                        "workstation": workstation,
                        "method": "file",
                        "source_url": None,
                        "added_at": received,
                    }
                )
                added = received + dt.timedelta(minutes=2)
                bound.append(("evidence", "evidence.add", evidence_id, rows["evidence"][-1], added))
            rows["fts"].append(
                {
                    "id": case_id,
                    "number": number,
                    "narrative": narrative,
                    "platform": platform,
                    "url": "",
                    "subjects": f"B{subject - 1_000_000 + 1:05d}",
                    "clauses": " ".join(c for _, c in picked),
                }
            )
            audit(received, "case.intake", number, str(case_id), {"reporter_mode": mode})
            # Each allegation, finding and item of evidence carries its digest in its
            # event, as the services write them (ia_desk.audit.records).
            for kind, event, row_id, row, at in sorted(bound, key=lambda b: b[4]):
                digest = records.digest_of(kind, row_id, row)
                audit(at, event, number, str(row_id), {records.RECORD_KEY: digest}, kind)
            for k in range(events_per_case - 1):
                audit(
                    received + dt.timedelta(hours=k + 1),
                    rng.choice(VIEW_EVENTS),
                    number,
                    str(case_id),
                    {},
                )
        with db.engine.begin() as conn:
            conn.execute(insert(Case), rows["case"])
            conn.execute(insert(Reporter), rows["reporter"])
            conn.execute(insert(Incident), rows["incident"])
            conn.execute(insert(CaseSubject), rows["subject"])
            conn.execute(insert(Allegation), rows["allegation"])
            if rows["blob"]:
                conn.execute(insert(EvidenceBlob), rows["blob"])
                conn.execute(insert(EvidenceThumb), rows["thumb"])
                conn.execute(insert(Evidence), rows["evidence"])
            if db.engine.dialect.name == "sqlite":
                conn.execute(
                    text(
                        "INSERT INTO case_fts(rowid, number, narrative, platform, url, subjects, "
                        "clauses) VALUES (:id, :number, :narrative, :platform, :url, :subjects, "
                        ":clauses)"
                    ),
                    rows["fts"],
                )
            else:
                from ia_desk.cases.search import document_rows

                conn.execute(*document_rows(rows["fts"]))
            write_trail(conn)
        written["allegations"] += len(rows["allegation"])
        written["evidence"] += len(rows["evidence"])
        say(f"{min(chunk_start + BATCH, cases):,} of {cases:,} cases")
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM case_number_counter"))
        conn.execute(
            insert(CaseNumberCounter), [{"year": y, "last": n} for y, n in counters.items()]
        )
        audit(utcnow(), "demo.numbering", None, None, {"years": sorted(counters)}, "database")
        write_trail(conn)
        if db.engine.dialect.name == "postgresql":
            from ia_desk.db.pg import reset_sequences

            reset_sequences(conn)
        conn.execute(text("ANALYZE"))
    # The Brady/Giglio flags its sustained findings under credibility clauses are owed,
    # as the app raises them (signed by ``actor``), so a measured database holds them.
    written["brady_flags"] = flag_earlier_findings(db, actor)
    return written
