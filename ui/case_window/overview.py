"""The Overview tab: reporter (as this reader may see them), subjects, the incident, and
what holds the case (a retaliation review, a paused deadline, text withheld, approvals)."""

from __future__ import annotations

import html
from typing import Any

from ia_desk import labels
from ia_desk.terms import REDACTION_KINDS


def overview_html(d: dict[str, Any]) -> str:
    """The tab's text, from what ``load_case`` read; every free text escaped."""
    rep = d["reporter"]
    if rep["mode"] == "anonymous":
        who = "Anonymous: no identity is kept."
    elif "identity" in rep:
        who = f"{labels.reporter_mode(rep['mode'])}: identity withheld."
    else:
        who = (
            f"{labels.reporter_mode(rep['mode'])}: {esc(rep.get('name'))}"
            f"{' (badge ' + esc(rep['badge']) + ')' if rep.get('badge') else ''}"
            f"{' · ' + esc(rep['phone']) if rep.get('phone') else ''}"
            f"{' · ' + esc(rep['email']) if rep.get('email') else ''}"
        )
        if rep.get("good_faith"):
            who += " · good-faith reporter (protected, 3.21 §V.C)"
    subjects = "".join(
        f"<li>{esc(s['badge'])} {esc(s['name'])}, {esc(s['rank'] or '')} "
        f"{esc(s['unit'] or '')} ({s['department']})</li>"
        for s in d["subjects"]
    )
    inc = d["incident"]
    retaliation = ""
    if d["retaliation"]["triggers"]:
        items = "".join(f"<li>{esc(t['text'])}</li>" for t in d["retaliation"]["triggers"])
        reviews = "".join(
            f"<li>{labels.local_minute(r['at'])} {r['by']}: "
            f"<b>{labels.retaliation_conclusion(r['conclusion'])}</b> — "
            f"{esc(r['reasoning'])}</li>"
            for r in d["retaliation"]["reviews"]
        )
        retaliation = f"<h3>Retaliation review</h3><ul>{items}</ul>" + (
            f"<p>Reviews:</p><ul>{reviews}</ul>"
            if reviews
            else "<p><b>No review recorded yet.</b></p>"
        )
    tolled = (
        f"<p><b>Deadline paused since {d['tolled_since']}.</b></p>" if d["tolled_since"] else ""
    )
    approvals = ""
    if d.get("approvals"):
        approvals = (
            "<h3>Approval on file (3.21 §III.E, §III.R; city 4-5)</h3><ul>"
            + "".join(f"<li>{esc(line)}</li>" for line in d["approvals"])
            + "</ul>"
        )
    withheld = ""
    if d.get("marked"):
        withheld = (
            "<h3>Withheld outside IA</h3><ul>"
            + "".join(
                f"<li>{esc(m['text'])} <i>({esc(REDACTION_KINDS.get(m['kind'], m['kind']))},"
                f" marked by {esc(m['by'])})</i></li>"
                for m in d["marked"]
            )
            + "</ul>"
        )
    return (
        immediate_html(d.get("immediate_action"))
        + review_html(d.get("review"), d["status"])
        + tolled
        + retaliation
        + withheld
        + approvals
        + f"<h3>Reporter</h3><p>{who}</p><p>Channel: {esc(labels.channel(d['channel']))}</p>"
        f"<h3>Subjects</h3><ul>{subjects}</ul>"
        f"<h3>Incident</h3><p>{inc['occurred_on']} · {esc(inc['platform'] or '')} · "
        f"{esc(inc['url'] or '')}</p>"
        f"<p>{esc(inc['narrative']).replace(chr(10), '<br>')}</p>"
    )


def review_html(review: dict[str, Any] | None, status: str) -> str:
    """The review chain of the findings (issue 22): what the case awaits, every decision."""
    if not review or not (review["chain"] or review["decisions"]):
        return ""
    if status not in ("findings", "closed") and not review["decisions"]:
        return ""
    lines = []
    if review["awaiting"]:
        lines.append(f"<b>Awaiting {esc(review['awaiting'])}'s sign-off.</b>")
    elif review["signed_off"]:
        lines.append(
            "<b>Signed off: IA may close the case.</b>"
            if status == "findings"
            else f"Signed off (round {review['round']})."
        )
    for r in review["decisions"]:
        what = (
            "signed off" if r["decision"] == "signed_off" else "<b>returned to the investigator</b>"
        )
        lines.append(
            f"Round {r['round']}, {esc(r['step'])}: {what} by {esc(r['by'])}"
            + (" (the case's own investigator)" if r["own_case"] else "")
            + f" on {labels.local_minute(r['at'])}"
            + (f" — {esc(r['comments'])}" if r["comments"] else "")
        )
    chain = " and then ".join(review["chain"]) or "nobody: the review chain was off"
    return (
        f"<h3>Review of the findings (by {esc(chain)})</h3><ul>"
        + "".join(f"<li>{line}</li>" for line in lines)
        + "</ul>"
    )


def immediate_html(ia: dict[str, Any] | None) -> str:
    """The Chief's immediate action (3.21 §V.B): why, who told the Chief, what was done."""
    if not ia:
        return ""

    def when(iso: str) -> str:
        return iso[:16].replace("T", " ") + " UTC"

    by = "IA, on the facts" if ia["raised_by"] == "IA on the facts" else ia["raised_by"]
    lines = [
        f"Raised by {esc(by)} on {when(ia['raised_at'])}: it {esc(' and '.join(ia['grounds']))}."
    ]
    if ia["facts"]:
        lines.append(f"Facts: {esc(ia['facts'])}")
    if ia["chief_notified_at"]:
        lines.append(
            f"Chief told on {when(ia['chief_notified_at'])} by {esc(ia['chief_notified_by'])}:"
            f" {esc(ia['notified_how'])}"
        )
    else:
        lines.append("<b>The Chief's notification is not recorded yet.</b>")
    lines += [
        f"{when(s['at'])}: {esc(s['label'])}" + (f" — {esc(s['note'])}" if s["note"] else "")
        for s in ia["steps"]
    ]
    if not ia["steps"]:
        lines.append(
            f"<b>Nothing is recorded as done; due by {when(ia['due_by'])}"
            + (" (overdue)" if ia["overdue"] else "")
            + ".</b>"
        )
    return (
        "<h3>Immediate action by the Chief</h3><ul>"
        + "".join(f"<li>{line}</li>" for line in lines)
        + "</ul>"
    )


def esc(text: str | None) -> str:
    """Free text as HTML shows it (None as nothing)."""
    return html.escape(text or "", quote=False)
