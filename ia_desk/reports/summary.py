"""Case summaries (ReportLab), redacted for their reader.

Audiences: ``command`` (command staff: the reporter's mode only, text marked for
redaction shown as [withheld]) and ``ia`` (IA roles: identities and all text). Every
evidence item is re-hashed at print time and printed as verified or MISMATCH; the print
itself is audited with its audience and the SHA-256 of the PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk import labels
from ia_desk.audit.trail import append
from ia_desk.casefile.listing import case_flags
from ia_desk.casefile.read import cited_version_note
from ia_desk.cases.interviews import case_interviews
from ia_desk.cases.interviews import statements as interview_statements
from ia_desk.cases.queries import get_case, local_time
from ia_desk.cases.redaction import withholding_for
from ia_desk.cases.review import view as review_view
from ia_desk.cases.speech import needs_screen, screen_view
from ia_desk.db.models import AuditEvent, AuditHead, Case, EvidenceThumb
from ia_desk.discipline import brady
from ia_desk.discipline.immediate import status as immediate_status
from ia_desk.discipline.ladder import ladder
from ia_desk.errors import InputError
from ia_desk.evidence.store import check_and_record
from ia_desk.protection.retaliation import status as retaliation_status
from ia_desk.reports.pdf import CaseMarker, esc, full_stop, render, styles, without_full_stop
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require
from ia_desk.terms import COMPELLED_MARK, DISCIPLINE_STEPS
from ia_desk.terms import SUMMARY_AUDIENCES as AUDIENCES

FLAG_TEXT = {
    "retaliation_review": "RETALIATION REVIEW: a good-faith reporter (3.21 §V.C) is a subject "
    "of this case.",
    "overdue": "OVERDUE: the investigation deadline has passed.",
    "tolled": "Deadline paused (tolled).",
    "reporter_update_due": "Reporter update due.",
}


@dataclass(frozen=True)
class Printed:
    pdf: bytes
    sha256: str
    cases: list[str]


def _approval_story(
    session: Session, case: Case, audience: str, r: Callable[[Any], str], st: dict[str, Any]
) -> list[Any]:
    """Whether an approval stands for each subject (3.21 §III.E, §III.R; city 4-5), in
    words, for both audiences (text withheld on the case stays withheld). The IA summary
    adds each linked memorandum as entered: its description, purpose, site, conditions
    and why a removal was directed; the command summary leaves that free text to the
    registers (IA's words, which may name people), keeping its clause, items and dates."""
    from ia_desk.registers import approval_status, linked_requests

    lines = approval_status(session, case.id)
    if not lines:
        return []
    said = [Paragraph(full_stop(r(line)), st["body"]) for line in lines]
    # The heading stays with its first line (no page ends with a heading).
    story: list[Any] = [
        KeepTogether([Paragraph("Approval on file (3.21 §III.E, §III.R)", st["h2"]), said[0]])
    ]
    story += said[1:]
    for req in linked_requests(session, case.id):
        facts = [
            f"Request {req['id']} ({r(req['name'])}): "
            + esc(labels.approval_clause(req["clause"])),
            f"submitted {req['submitted_on']}",
            f"asks for {esc(labels.approval_items(req['items']).lower())}",
            "the case's post depicts "
            + esc(labels.approval_items(req["depicts"] or []).lower() or "(not recorded)"),
        ]
        if audience == "ia":
            facts += [
                f"proposed usage (§III.E.1): {r(req['description'] or 'not recorded')}",
                f"purpose (§III.E.2): {r(req['purpose'])}",
                f"site: {r(req['site_url'] or 'not recorded')}",
            ]
            if req["conditions"]:
                facts.append(f"conditions: {r(req['conditions'])}")
            if req["removal_reason"]:
                facts.append(f"removal directed because: {r(req['removal_reason'])}")
        story.append(Paragraph(full_stop(" · ".join(facts)), st["small"]))
    return story


def _check_audience(actor: Actor, audience: str, number: str | None) -> None:
    if audience not in AUDIENCES:
        raise InputError("audience: must be command or ia.", field="audience")
    require(actor, f"summary.print_{audience}", "summary.print", "case", number)


def _case_story(
    session: Session, actor: Actor, case: Case, audience: str, st: dict[str, Any]
) -> list[Any]:
    """The flowables of one case, and (side effect) evidence print events in the trail."""
    hide = withholding_for(session, case, ia=audience == "ia")

    def r(text: Any) -> str:
        return esc(hide.text(str(text) if text is not None else ""))

    inc = case.incident
    received = local_time(case.received_at, case.received_offset_min)
    story: list[Any] = [CaseMarker(case.number)]
    story.append(Paragraph(f"Case summary {case.number}", st["title"]))
    story.append(
        Paragraph(
            f"Status <b>{esc(labels.status(case.status).text)}</b> · received "
            f"{received:%Y-%m-%d %H:%M} ({utc_offset(received)}) · "
            f"{esc(labels.channel(case.channel).lower())} · deadline {case.deadline_on}"
            + (f" · assigned to {esc(case.assigned_to.name)}" if case.assigned_to else ""),
            st["body"],
        )
    )
    flags = case_flags(session, case)
    for flag in flags:
        if flag in FLAG_TEXT and flag != "reporter_update_due":
            story.append(Paragraph(FLAG_TEXT[flag], st["flag"]))
    story += _immediate_story(session, case, r, st)
    ret = retaliation_status(session, case, ia=audience == "ia")
    if ret["triggers"]:
        items = (
            "; ".join(esc(without_full_stop(t["text"])) for t in ret["triggers"])
            if audience == "ia"
            else "a good-faith reporter is a subject of this case"
        )
        review = (
            "; ".join(
                f"{esc(labels.retaliation_conclusion(x['conclusion']).lower())} "
                f"({x['at'][:10]}, {esc(x['by'])}): {r(without_full_stop(x['reasoning']))}"
                for x in ret["reviews"]
            )
            or "<b>no review recorded yet</b>"
        )
        story.append(
            Paragraph(
                full_stop(f"<b>Retaliation review.</b> {items}. Outcome: {review}"), st["body"]
            )
        )

    story.append(Paragraph("Reporter", st["h2"]))
    rep = case.reporter
    if rep.mode == "anonymous":
        who = "Anonymous: no identity is kept by IA Desk."
    elif audience == "command":
        who = (
            "Confidential, identity withheld."
            if rep.mode == "confidential"
            else "Named reporter: identity in the IA file."
        )
        if rep.good_faith and rep.employee_id:
            who += " Employee reporting in good faith (protected, 3.21 §V.C)."
    else:
        who = (
            f"{esc(rep.mode.capitalize())}: {esc(rep.name)}"
            + (f", badge {esc(rep.badge)}" if rep.badge else "")
            + (f", {esc(rep.phone)}" if rep.phone else "")
            + (f", {esc(rep.email)}" if rep.email else "")
            + (" · good-faith reporter (3.21 §V.C)" if rep.good_faith else "")
        )
    story.append(Paragraph(who, st["body"]))

    story.append(Paragraph("Subjects", st["h2"]))
    rows = [["Badge", "Name", "Rank", "Unit", "Department"]]
    rows += [
        [
            s.employee.badge,
            s.employee.name,
            s.employee.rank or "",
            s.employee.unit or "",
            s.employee.department,
        ]
        for s in case.subjects
    ]
    story.append(_table(rows, [0.8, 2.0, 1.2, 1.8, 1.0], st))

    story.append(Paragraph("Incident", st["h2"]))
    story.append(
        Paragraph(
            " · ".join(
                [f"Occurred {inc.occurred_on}"]
                + ([esc(inc.platform)] if inc.platform else [])
                + ([r(inc.url)] if inc.url else [])
            ),
            st["body"],
        )
    )
    story.append(Spacer(1, 4))
    for para in (inc.narrative or "").split("\n\n"):
        story.append(Paragraph(r(para), st["body"]))

    story += _approval_story(session, case, audience, r, st)

    allegations: list[Block] = []
    for a in case.allegations:
        clause = a.clause  # as cited (a version added since does not change it)
        finding = f"<b>Finding: {esc((a.disposition or 'pending').replace('_', ' '))}</b>" + (
            f" on {a.finding_on}" if a.finding_on else ""
        )
        block = [
            Paragraph(
                f"{esc(a.employee.name)} (badge {esc(a.employee.badge)}) — "
                f"<b>{esc(clause.clause_id)}</b> {esc(clause.title)} "
                f"<font size=7>({esc(cited_version_note(a))})</font>",
                st["h3"],
            ),
            Paragraph(esc(clause.text), st["clause"]),
            Spacer(1, 3),
            Paragraph(
                finding + (f". Rationale: {r(a.rationale)}" if a.rationale else ""), st["body"]
            ),
        ]
        if audience == "ia" and needs_screen(clause.clause_id):
            block.append(Paragraph(_screen_text(session, a), st["small"]))
        allegations.append((block, []))
    story += _section("Allegations and findings", allegations, "No allegations yet.", st)
    story += _review_story(session, case, r, st)
    story += _interviews_story(session, actor, case, audience, r, st)

    evidence: list[Block] = []
    statement_marks = interview_statements(session, case.id)
    for e in case.evidence:
        ok = check_and_record(session, actor, e, "evidence.print", audience=audience)
        thumb = session.get(EvidenceThumb, e.sha256)
        picture: Any = Paragraph("(no preview)", st["small"])
        if thumb is not None:
            scale = min(1.8 * inch / max(thumb.width, 1), 1.4 * inch / max(thumb.height, 1))
            picture = Image(io.BytesIO(thumb.png), thumb.width * scale, thumb.height * scale)
        badge = (
            "<font color='#1b5e20'><b>VERIFIED</b></font>"
            if ok
            else "<font color='#b00020'><b>MISMATCH: the item is not what was recorded when "
            "it was added</b></font>"
        )
        captured = (
            f"{e.captured_at:%Y-%m-%d %H:%M} UTC{esc(zone_note(e.captured_tz))}"
            if e.captured_at
            else "at a time not recorded"
        )
        meta = Paragraph(
            f"<b>{r(e.file_name)}</b> · {esc(e.media_type)} · {e.size:,} bytes"
            + (f" · {e.width}×{e.height} px" if e.width else "")
            + f"<br/>Source: {r(e.source_url or '—')} · platform {esc(e.platform or '—')}"
            + f"<br/>Captured {captured} by {esc(e.captured_by.login)} on "
            f"{esc(e.workstation)} ({esc(labels.evidence_method(e.method).lower())})"
            + (f"<br/>Note: {r(e.note)}" if e.note else "")
            + _statement_mark(statement_marks.get(e.id))
            + f"<br/>SHA-256 <font name='Body' size=7>{e.sha256}</font><br/>{badge} at print time",
            st["small"],
        )
        t = Table([[picture, meta]], colWidths=[2.0 * inch, 4.9 * inch])
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        evidence.append(([t, Spacer(1, 6)], []))
    story += _section("Evidence", evidence, "No evidence items.", st)

    story.append(CondPageBreak(1.5 * inch))
    discipline: list[Block] = []
    for entry in ladder(session, actor, case.number):
        rec = entry["recommendation"]
        kept: list[Any] = [
            Paragraph(f"{esc(entry['name'])} (badge {esc(entry['employee'])})", st["h3"]),
            _ladder_table(entry, st),
            Spacer(1, 3),
            Paragraph(esc(rec["explanation"]), st["body"]),
        ]
        flows: list[Any] = []
        earlier = {d["id"]: d["at"][:10] for d in entry["decisions"]}
        for d in entry["decisions"]:
            flows.append(Paragraph(_decision_text(d, earlier, r), st["body"]))
        hearing = entry.get("hearing")
        if hearing:
            said = (
                "waived the chance to respond"
                if hearing["waived"]
                else (
                    f"responded {hearing['response_on']}"
                    + (f", heard by {esc(hearing['heard_by'])}" if hearing["heard_by"] else "")
                    + (f": {r(hearing['response'])}" if hearing["response"] else "")
                    if hearing["response_on"]
                    else "has not responded yet"
                )
            )
            flows.append(
                Paragraph(
                    f"Notice of the charges and the evidence (Loudermill) {hearing['notice_on']}: "
                    f"{full_stop(r(hearing['charges']))} The employee {full_stop(said)}",
                    st["body"],
                )
            )
        for a in entry.get("appeals", []):
            outcome = (
                f"{labels.appeal_outcome(a['outcome']).lower()} on {a['decided_on']}"
                + (f": {r(a['note'])}" if a["note"] else "")
                if a["outcome"]
                else "pending"
            )
            flows.append(
                Paragraph(
                    full_stop(f"Appeal ({esc(a['kind_words'])}), filed {a['filed_on']}: {outcome}"),
                    st["body"],
                )
            )
        if audience == "ia":  # IA's disclosure work: in IA's summary only
            flows += _brady_paragraphs(session, case, entry["employee"], st)
        discipline.append((kept, flows))
    story += _section("Discipline (3.21 §V.B)", discipline, "No subjects to decide on.", st)

    last = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.case_number == case.number)
        .order_by(AuditEvent.seq.desc())
    ).first()
    head = session.get(AuditHead, 1)
    story.append(
        KeepTogether(
            [
                Paragraph("Audit checkpoint", st["h2"]),
                Paragraph(
                    (f"Last event of this case: {last.seq}:{last.mac}<br/>" if last else "")
                    + (f"Audit trail head: {head.seq}:{head.mac}" if head else ""),
                    st["mono"],
                ),
            ]
        )
    )
    return story


def _brady_paragraphs(session: Session, case: Case, badge: str, st: dict[str, Any]) -> list[Any]:
    """The Brady/Giglio flags the employee's findings on the case raised, each with its
    status, decision and disclosures (the texts as :func:`brady.view` gives them:
    withheld as outside IA, since they are what goes to a prosecutor)."""
    subject = next((s.employee for s in case.subjects if s.employee.badge == badge), None)
    if subject is None:
        return []
    out: list[Any] = []
    for flag in brady.on_case(session, case.id, subject.id):
        f = brady.view(session, flag)
        text = (
            f"Brady/Giglio: {esc(f['clause'])} bears on {esc(', '.join(f['grounds']))}; "
            f"raised {f['raised_at'][:10]}, {esc(f['status_words'])}"
            + (
                f" (decided {f['decided_at'][:10]} by {esc(f['decided_by'])}: "
                f"{esc(without_full_stop(f['reason']))})"
                if f["decided_at"]
                else ""
            )
        )
        for d in f["disclosures"]:
            text += (
                f". Disclosed {d['disclosed_on']} to {esc(d['office'])} by "
                f"{esc(d['disclosed_by'])}: {esc(without_full_stop(d['what']))}"
            )
        if f["notice"]:
            text += f". {esc(without_full_stop(f['notice']))}"
        # One flag on one page: what was disclosed to whom is never split by a page foot.
        out.append(KeepTogether([Paragraph(full_stop(text), st["body"])]))
    return out


Block = tuple[list[Any], list[Any]]
"""A part of a section: what is kept on one page, then what may flow on after it."""


def _section(heading: str, blocks: list[Block], empty: str, st: dict[str, Any]) -> list[Any]:
    """A headed section of blocks, each block's head kept on one page and the section's
    heading kept with the first (a heading never sits alone at a page foot; ReportLab's
    keepWithNext cannot reach into a KeepTogether, so the first block is grouped here)."""
    title = Paragraph(heading, st["h2"])
    if not blocks:
        return [KeepTogether([title, Paragraph(empty, st["body"])])]
    out: list[Any] = []
    for i, (kept, following) in enumerate(blocks):
        out.append(KeepTogether([title, *kept] if i == 0 else kept))
        out.extend(following)
    return out


def _review_story(
    session: Session, case: Case, r: Callable[[Any], str], st: dict[str, Any]
) -> list[Any]:
    """The review chain of the findings (issue 22): who must sign off, who did or
    returned them with what comments, and what the case waits for now."""
    review = review_view(session, case, r)  # comments withheld as the audience reads
    if not review["chain"] and not review["decisions"]:
        return _section(
            "Review of the findings",
            [],
            "No sign-off was needed: the department's review chain was off (or the case "
            "closed before it existed).",
            st,
        )
    chain = " and then ".join(review["chain"]) or "nobody (the review chain was off)"
    head = f"This round's findings are signed off by {esc(chain)} before the case closes."
    if review["awaiting"]:
        head += f" <b>Awaiting {esc(review['awaiting'])}'s sign-off.</b>"
    elif review["signed_off"]:
        head += f" Signed off (round {review['round']})."
    blocks: list[Block] = [([Paragraph(head, st["body"])], [])]
    for d in review["decisions"]:
        what = "Signed off" if d["decision"] == "signed_off" else "Returned to the investigator"
        text = (
            f"Round {d['round']} · {esc(d['step'])}: <b>{what}</b> by {esc(d['by'])} "
            f"({esc(d['login'])}"
            + (", the case's own investigator" if d["own_case"] else "")
            + f") on {esc(d['at'].replace('T', ' '))} UTC"
            + (f". Comments: {d['comments']}" if d["comments"] else ".")
        )
        blocks.append(([Paragraph(text, st["body"])], []))
    return _section("Review of the findings", blocks, "", st)


def _statement_mark(statement: dict[str, Any] | None) -> str:
    """What an evidence item adds when it is an interview's statement (issue 22)."""
    if statement is None:
        return ""
    text = f"<br/>Statement of interview {statement['interview']}"
    if statement["compelled"]:
        text += f": <font color='#b00020'><b>{esc(COMPELLED_MARK.upper())}</b></font>"
    return text


def _interviews_story(
    session: Session,
    actor: Actor,
    case: Case,
    audience: str,
    r: Callable[[Any], str],
    st: dict[str, Any],
) -> list[Any]:
    """The interviews (issue 22): for IA everything, with the advisement's version and
    the SHA-256 of its text and each amendment; for command staff that each took place,
    when, of which subject (a witness is not named), the advisement and the compelled
    mark, never IA's summary."""
    rows = case_interviews(session, actor, case, ia=audience == "ia")
    blocks: list[Block] = []
    for i in rows:
        when = (
            f"{i['started'][:16].replace('T', ' ')}–{i['ended'][11:16]} "
            f"({utc_offset(dt.datetime.fromisoformat(i['started']))})"
        )
        adv = i["advisement"]
        head = (
            f"<b>Interview {i['id']}</b> · {esc(i['kind_words'])}: {r(i['interviewee'])} · "
            f"{esc(when)}" + (f" · amended (version {i['version']})" if i["version"] > 1 else "")
        )
        lines = [Paragraph(head, st["h3"])]
        if i["compelled"]:
            lines.append(Paragraph(f"<b>{esc(COMPELLED_MARK.upper())}</b>", st["flag"]))
        advised = f"Advisement: {esc(adv['words'])}, version {esc(adv['version'])}"
        if audience != "ia":
            lines.append(
                Paragraph(
                    advised
                    + (". Statement attached as evidence." if i["statement_attached"] else "."),
                    st["body"],
                )
            )
            blocks.append((lines, []))
            continue
        rep = esc(i["representation_words"])
        if i["representation"] == "present":
            rep += f": {r(i['rep_name'])} ({esc(i['rep_capacity_words'])})"
        asked = "asked for one" if i["rep_requested"] else "did not ask for one"
        lines.append(
            Paragraph(
                f"Place: {r(i['place'])} · interviewers: {esc(', '.join(i['interviewers']))}"
                f"<br/>Representative (Weingarten): {rep}; the interviewee {asked}."
                f"<br/>{advised}, given {esc(i['advised_at'][11:16])}: "
                f"{esc(i['acknowledgement_words'].lower())}. SHA-256 of the text "
                f"<font name='Body' size=7>{esc(adv['sha256'])}</font>"
                + (f" ({esc(adv['text_problem'])})" if adv["text_problem"] else ""),
                st["small"],
            )
        )
        if i["statement"]:
            s = i["statement"]
            lines.append(
                Paragraph(f"Statement: evidence item {s['id']}, {r(s['file_name'])}", st["small"])
            )
        flows: list[Any] = [Paragraph(f"Summary: {r(i['summary'])}", st["body"])]
        if i["history"]:
            flows.append(
                Paragraph(
                    f"Amended {esc(i['recorded_at'][:10])} by {esc(i['recorded_by'])}: "
                    f"{r(i['amend_reason'])} "
                    f"({len(i['history'])} earlier version(s) kept; see the case's interviews).",
                    st["small"],
                )
            )
        blocks.append((lines, flows))
    return _section("Interviews", blocks, "No interviews recorded.", st)


def _decision_text(d: dict[str, Any], earlier: dict[int, str], r: Callable[[Any], str]) -> str:
    """One discipline decision as a sentence or three: the step, how it stands against
    the recommendation and range, what it amends, its written reason, whether it stands."""
    step = labels.discipline_step(d["step"])
    length = f", {d['length']}" if d.get("length") else ""
    amends = ""
    if d["amends"]:
        when = earlier.get(d["amends"])
        amends = " (amends the decision" + (f" of {when})" if when else " before it)")
    facts = []
    if d["recommended"] and d["step"] != d["recommended"]:
        below = DISCIPLINE_STEPS.index(d["step"]) < DISCIPLINE_STEPS.index(d["recommended"])
        facts.append(
            f"{'below' if below else 'above'} the recommended "
            f"{labels.discipline_step(d['recommended'])}"
        )
    if not d["within_range"]:
        facts.append("outside the range")
    text = (
        f"Decision of {d['at'][:10]} by {esc(d['by'])}: <b>{esc(step)}</b>{esc(length)}{amends}"
        + (f", {esc(' and '.join(facts))}" if facts else "")
        + "."
    )
    if d["reason"]:
        text += f" Reason: {full_stop(r(d['reason']))}"
    if not d["current"]:
        text += " Amended; no longer in force."
    if d.get("overturned"):
        text += " Overturned on appeal."
    return text


def utc_offset(moment: Any) -> str:
    """A local time's offset as the rest of the summary writes it: "UTC-06:00"."""
    minutes = int(moment.utcoffset().total_seconds() // 60) if moment.utcoffset() else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_note(zone: str | None) -> str:
    """What a capture time (printed in UTC) adds about the capturing workstation's time
    zone, saying UTC once: nothing for a workstation on UTC, else " (workstation time
    zone CST, UTC-06:00)". ``zone`` is as stored: "CST (UTC-06:00)", or a bare name."""
    if not zone or not zone.strip():
        return ""
    zone = zone.strip()
    name, offset = zone, ""
    if zone.endswith(")") and " (UTC" in zone:
        name, offset = zone[:-1].split(" (", 1)
    if name.upper() in ("UTC", "GMT", "Z", "ETC/UTC") and offset in ("", "UTC+00:00"):
        return ""
    if name.upper().startswith("UTC") and offset:
        return f" (workstation time zone {offset})"
    return f" (workstation time zone {name}" + (f", {offset})" if offset else ")")


RUNG_COLOURS = {
    "counseling": "#4f7942",
    "training": "#6b8e23",
    "written_reprimand": "#b8860b",
    "suspension": "#cc5500",
    "termination": "#a40000",
}


def _screen_text(session: Session, a: Any) -> str:
    """The scope and First Amendment screen of an allegation, for the IA summary."""
    screen = screen_view(session, a)
    if screen is None:
        return (
            "<b>Scope and First Amendment screen:</b> not recorded (this clause punishes "
            "speech; it cannot be sustained before the screen)."
        )
    scope = "; ".join(screen["scope"])
    if screen["workplace_effect"]:
        scope += ("; " if scope else "") + "effect on the workplace: " + screen["workplace_effect"]
    concern = (
        f"a matter of public concern ({screen['concern_note'].rstrip('.')})"
        if screen["public_concern"]
        else "not a matter of public concern"
    )
    return (
        f"<b>Scope and First Amendment screen</b> ({esc(screen['by'])}, "
        f"{screen['at'][:10]}): "
        + (
            "within the policy: " + esc(scope.rstrip("."))
            if screen["in_scope"]
            else "outside the policy"
        )
        + f". Speech: {esc(concern)}."
        + (f" Balance: {esc(screen['outcome'])}." if screen["outcome"] else "")
        + f" Reasoning: {full_stop(esc(screen['balance']))}"
    )


def _immediate_story(
    session: Session, case: Case, r: Callable[[Any], str], st: dict[str, Any]
) -> list[Any]:
    """The Chief's immediate action (3.21 §V.B), as a fact of the case: why, who told
    the Chief and when, what was done."""
    ia = immediate_status(session, case)
    if ia is None:
        return []
    when = lambda iso: iso[:16].replace("T", " ") + " UTC"  # noqa: E731
    by = (
        f"the clause cited ({esc(ia['raised_by'])})"
        if ia["raised_by"] != "IA on the facts"
        else "IA, on the facts"
    )
    parts = [
        f"<b>IMMEDIATE ACTION BY THE CHIEF (3.21 §V.B).</b> Raised by {by} on "
        f"{when(ia['raised_at'])}: it {esc(' and '.join(ia['grounds']))}."
    ]
    if ia["facts"]:
        parts.append(f"Facts: {full_stop(r(ia['facts']))}")
    if ia["chief_notified_at"]:
        parts.append(
            f"The Chief was told on {when(ia['chief_notified_at'])} by "
            f"{esc(ia['chief_notified_by'])} ({r(ia['notified_how'])})."
        )
    else:
        parts.append("<b>The Chief's notification is not recorded.</b>")
    for step in ia["steps"]:
        parts.append(
            f"{when(step['at'])}: {esc(step['label'])}"
            + (f" ({r(step['note'])})" if step["note"] else "")
            + "."
        )
    if not ia["steps"]:
        parts.append(
            "<b>Nothing is recorded as done"
            + (f"; overdue since {when(ia['due_by'])}" if ia["overdue"] else "")
            + ".</b>"
        )
    return [Paragraph(" ".join(parts), st["flag"])]


def _ladder_table(entry: dict[str, Any], st: dict[str, Any]) -> Table:
    """The five rungs in a row: the range in colour, the recommendation framed, decisions
    marked."""
    rec = entry["recommendation"]
    steps = [r["step"] for r in entry["rungs"]]
    lo, hi = (
        (steps.index(rec["range"][0]), steps.index(rec["range"][1])) if rec["range"] else (-1, -1)
    )
    decided = {d["step"] for d in entry["decisions"] if d["current"]}
    cells = []
    for rung in entry["rungs"]:
        text = f"<font color='white'><b>{esc(rung['label'])}</b>"
        if rung["step"] == rec["step"]:
            text += "<br/>recommended"
        if rung["step"] in decided:
            text += "<br/>DECIDED"
        cells.append(Paragraph(text + "</font>", st["small"]))
    t = Table([cells], colWidths=[1.38 * inch] * len(cells))
    style = [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("GRID", (0, 0), (-1, -1), 0.5, colors.white)]
    for i, step in enumerate(steps):
        colour = RUNG_COLOURS[step] if lo <= i <= hi else "#b5b5b5"
        style.append(("BACKGROUND", (i, 0), (i, 0), colors.HexColor(colour)))
        if step == rec["step"]:
            style.append(("BOX", (i, 0), (i, 0), 2.5, colors.black))
    t.setStyle(TableStyle(style))
    return t


def _table(rows: list[list[str]], widths: list[float], st: dict[str, Any]) -> Table:
    data = [[Paragraph(esc(c), st["small"]) for c in row] for row in rows]
    t = Table(data, colWidths=[w * inch for w in widths], repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ec")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


def _render(story: list[Any], actor: Actor, audience: str, title: str) -> bytes:
    return render(story, f"{actor.name} ({actor.login})", AUDIENCES[audience], title)


def summary(session: Session, actor: Actor, number: str, audience: str = "command") -> Printed:
    """Build one case's summary; the print is audited (audience, PDF hash)."""
    _check_audience(actor, audience, number)
    case = get_case(session, number)
    story = _case_story(session, actor, case, audience, styles())
    pdf = _render(story, actor, audience, f"Case summary {case.number}")
    digest = hashlib.sha256(pdf).hexdigest()
    append(
        session,
        actor,
        "summary.print",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={"audience": audience, "sha256": digest},
    )
    return Printed(pdf, digest, [case.number])


def batch(
    session: Session,
    actor: Actor,
    numbers: list[str],
    audience: str = "command",
    progress: Callable[[int, int], None] | None = None,
) -> Printed:
    """Several summaries in one PDF, after a cover list. Each case's print is audited."""
    _check_audience(actor, audience, None)
    if not numbers:
        raise InputError("No cases to print.", field="cases")
    st = styles()
    cases = [get_case(session, n) for n in numbers]
    cover: list[Any] = [
        CaseMarker(""),
        Paragraph("Case summaries", st["title"]),
        Paragraph(f"{len(cases)} case(s) · audience: {AUDIENCES[audience]}", st["body"]),
        Spacer(1, 8),
    ]
    rows = [["Case", "Status", "Received", "Subjects", "Clauses"]]
    for c in cases:
        rows.append(
            [
                c.number,
                c.status,
                f"{c.received_at:%Y-%m-%d}",
                ", ".join(s.employee.name for s in c.subjects),
                ", ".join(dict.fromkeys(a.clause.clause_id for a in c.allegations)),
            ]
        )
    cover.append(_table(rows, [1.1, 0.9, 0.9, 1.9, 2.1], st))
    story = cover
    for i, c in enumerate(cases, start=1):
        story.append(PageBreak())
        story.extend(_case_story(session, actor, c, audience, st))
        if progress:
            progress(i, len(cases))
    pdf = _render(story, actor, audience, "Case summaries")
    digest = hashlib.sha256(pdf).hexdigest()
    for c in cases:
        append(
            session,
            actor,
            "summary.print",
            object_type="case",
            object_id=c.id,
            case_number=c.number,
            details={"audience": audience, "sha256": digest, "batch_of": len(cases)},
        )
    return Printed(pdf, digest, [c.number for c in cases])


def write_pdf(printed: Printed, out: Path) -> None:
    """Write a built PDF next to its final name first, so no half-written file is left."""
    if out.exists() and out.is_dir():
        raise InputError(f"{out} is a folder; give a file name.", field="out")
    tmp = out.with_name(out.name + ".partial")
    try:
        tmp.write_bytes(printed.pdf)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"Cannot write {out}: {exc.strerror}.", field="out") from None
