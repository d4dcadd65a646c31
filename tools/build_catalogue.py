"""Build the shipped clause catalogue from the policy texts (a maintainer's tool).

The catalogue in ``resources/policies/`` is the product's own data; this script is how
it was made from the department's texts (kept as test data in ``tests/data/policies``).
It is run by hand when a new policy version arrives, and its output is reviewed and
committed.  The application never runs it.

The parser is sequential: a line opens a new clause only if it carries the label that
can come next (the next sibling at some depth, or the first child), so a wrapped line
that happens to start with a letter is never mistaken for an item.  The page notice
"RESTRICTED LAW ENFORCEMENT DATA" is removed first, so a clause split by a page break
reads as one sentence.

Usage: python tools/build_catalogue.py   (rewrites the JSON files)
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tests" / "data" / "policies"
OUT = ROOT / "resources" / "policies"

NOTICE = (
    "RESTRICTED LAW ENFORCEMENT DATA",
    "This data shall not be duplicated, disclosed, or discussed without the written "
    "permission of this agency. Data subject to this restriction is contained throughout "
    "this publication.",
)

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
UPPER = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
LOWER = [chr(c) for c in range(ord("a"), ord("z") + 1)]
DIGITS = [str(n) for n in range(1, 100)]

# Clauses that explain, permit or enforce rather than state a rule of conduct: they are
# citable, but clause suggestion does not offer them.
NOT_RULES = {
    "vpd-3.21": {"III.B", "III.N", "V.B", "V.C", "VI.A", "VI.B", "I.E"},
    "city-sn": {"procedure.1", "procedure.13", "procedure.14"},
}

# Short titles for the clauses people cite (the policies print none below section level).
TITLES = {
    "vpd-3.21": {
        "policy": "Policy statement: conduct reflecting on the Department",
        "procedure": "Procedure: discretion in social networking",
        "I": "Department-sanctioned social media presence",
        "I.A": "Only authorized employees post for the Department",
        "I.B": "Content guidelines and prior approval",
        "I.C": "Only content appropriate for public release",
        "I.D": "Department pages identify the Department",
        "I.E": "Social networking subject to all policies",
        "II": "Official department social media use",
        "II.A": "Duties of employees authorized to post officially",
        "II.A.1": "Identify as an employee of the Department",
        "II.A.2": "Conduct as a representative of the Department",
        "II.A.3": "No statements on guilt, pending prosecutions or confidential information",
        "II.A.4": "No political activities or private business",
        "II.B": "Official posting to non-Department sites",
        "II.C": "Only authorized employees post; keep records and approvals",
        "II.D": "Investigative use of social networking sites",
        "II.E": "Professionalism online (official use)",
        "II.F": "References and recommendations not through social networking (official)",
        "III": "On-duty and off-duty social media use",
        "III.A": "Department devices used for unauthorized purposes",
        "III.B": "Department may monitor upon complaint",
        "III.C": "City network use",
        "III.D": "Department logos, photos, equipment; body-worn camera footage",
        "III.E": "Memorandum requesting approval to use Department references",
        "III.F": "Professionalism online",
        "III.G": "Harassment, threats or political campaigning as an employee",
        "III.H": "References and recommendations not through social networking",
        "III.I": "Co-workers' personal information or photographs; confidential records",
        "III.J": "Defaming or discrediting the Department",
        "III.K": "Grievances through established procedures",
        "III.L": "Depicting the Department unfavorably",
        "III.M": "Posts about investigations, proceedings or law enforcement actions",
        "III.N": "Postings that can impeach an officer's testimony",
        "III.N.1": "Sexually explicit, violent, racial or offensive material",
        "III.N.2": "Poses glorifying violence or weaponry",
        "III.N.3": "Officers abusing alcohol in social situations",
        "III.N.4": "Comments about use of force",
        "III.N.5": "Comments about statistics, arrests or citations",
        "III.O": "Insensitive, obscene or unlawful content",
        "III.P": "Posting personal information (security risk)",
        "III.Q": "Department logos, photos or equipment without consent",
        "III.R": "Chief's decision on approval requests",
        "IV": "Prohibited content",
        "IV.A": "Suspect's existence or identity before arrest",
        "IV.B": "Identity or address of a juvenile offender",
        "IV.C": "Active details of a criminal case",
        "IV.D": "Character, reputation or guilt of an accused",
        "IV.E": "Personnel, medical or disciplinary records",
        "IV.F": "Past criminal record of an accused",
        "IV.G": "Names of victims of sexual assault or child molestation",
        "IV.H": "Information known only to the perpetrator",
        "IV.I": "Doxxing, threats, harassing or discriminatory content",
        "IV.J": "Political endorsements or campaigning as an employee",
        "IV.K": "Impersonating the Department or unauthorized official accounts",
        "V": "Reporting and enforcement",
        "V.A": "Duty to report violations; anonymous reports allowed",
        "V.B": "Graduated discipline; immediate action by the Chief",
        "V.C": "Good-faith reporting is protected",
        "VI": "Training and oversight",
        "VI.A": "Mandatory training at hire; annual policy review",
        "VI.B": "Oversight of official accounts; posting log",
    },
    "city-sn": {
        "policy": "Policy statement: conduct, disruption and confidential material",
        "procedure": "Procedure: discretion in social networking",
        "procedure.1": "Social networking subject to all City policies",
        "procedure.2": "City network for City business only",
        "procedure.3": "City logos, photographs of premises, uniforms or vehicles",
        "procedure.4": "Memorandum requesting approval to use City references",
        "procedure.5": "Department head's decision on approval requests",
        "procedure.6": "References and recommendations not through social networking",
        "procedure.7": "Co-workers' personal information or photographs",
        "procedure.8": "Defaming or discrediting the City",
        "procedure.9": "Depicting the City unfavorably",
        "procedure.10": "Posts about on-duty employees, investigations or proceedings",
        "procedure.11": "Discriminatory, harassing, obscene or unlawful content",
        "procedure.12": "Posting personal information (security risk)",
        "procedure.13": "City may monitor upon complaint",
        "procedure.14": "Failure to comply may lead to discipline",
    },
}

EXTRA_PARAGRAPH_NAME = "examples"


def strip_notices(text: str) -> list[str]:
    lines = [ln.rstrip() for ln in text.splitlines()]
    kept: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == NOTICE[0]:
            # the notice heading, a blank line, the notice sentence
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and lines[j].strip() == NOTICE[1]:
                i = j + 1
                continue
        kept.append(lines[i])
        i += 1
    return kept


def slug(term: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")


def auto_title(text: str) -> str:
    words = text.split()
    title = " ".join(words[:9])
    return title if len(words) <= 9 else title.rstrip(",;:") + " …"


LABEL_RE = re.compile(r"^\s*(?:-\s*)?(?P<label>[IVX]+|[A-Za-z]|\d+)(?:\.\s+|\s+)(?P<rest>.*)$")


class Builder:
    def __init__(self, policy: str) -> None:
        self.policy = policy
        self.clauses: list[dict] = []
        self.current: dict | None = None

    def open(self, path: str, kind: str, text: str = "", title: str = "", label: str = "") -> dict:
        clause = {"path": path, "kind": kind, "label": label, "title": title, "text": text}
        self.clauses.append(clause)
        self.current = clause
        return clause

    def add_line(self, line: str, new_paragraph: bool) -> None:
        assert self.current is not None, line
        line = line.strip()
        if not self.current["text"]:
            self.current["text"] = line
        elif new_paragraph:
            self.current["text"] += "\n\n" + line
        else:
            self.current["text"] += " " + line


def expected_labels(stack: list[str], schemes: list[list[str]]) -> list[tuple[int, str]]:
    """Labels that may come next: first child, or next sibling at any depth."""
    out: list[tuple[int, str]] = []
    depth = len(stack)
    if depth < len(schemes):
        out.append((depth, schemes[depth][0]))
    for d in range(depth - 1, -1, -1):
        seq = schemes[d]
        idx = seq.index(stack[d])
        if idx + 1 < len(seq):
            out.append((d, seq[idx + 1]))
    return out


def parse(policy: str, text: str, headings: dict[str, str]) -> list[dict]:
    """headings maps the printed heading to the block it opens."""
    b = Builder(policy)
    lines = strip_notices(text)
    block = None  # policy | purpose | definitions | procedure
    stack: list[str] = []
    prefix = ""
    schemes: list[list[str]] = []
    definition = ""
    blank_before = False
    for raw in lines:
        line = raw.replace("**", "")
        if not line.strip():
            blank_before = True
            continue
        stripped = line.strip()
        if stripped in headings:
            block = headings[stripped]
            stack = []
            if block == "policy":
                b.open("policy", "policy", title="Policy")
            elif block == "purpose":
                prefix, schemes = "purpose", [DIGITS]
                b.current = None
            elif block == "definitions":
                b.current = None
            elif block == "procedure":
                b.open("procedure", "preamble", title="Procedure")
                prefix = ""
                schemes = [ROMAN, UPPER, DIGITS] if policy == "vpd-3.21" else [DIGITS, LOWER]
                if policy == "city-sn":
                    prefix = "procedure"
            blank_before = False
            continue
        if block is None:
            blank_before = False
            continue  # document header: metadata, not clause text
        if block == "definitions":
            m = re.match(r"^(?P<term>[A-Z][A-Za-z -]+):\s+(?P<rest>.*)$", stripped)
            if m and not stack:
                definition = "definitions." + slug(m.group("term"))
                b.open(definition, "definition", m.group("rest"), title=m.group("term"))
                schemes = [DIGITS, LOWER]
                blank_before = False
                continue
            if m and stack:
                definition = "definitions." + slug(m.group("term"))
                stack = []
                b.open(definition, "definition", m.group("rest"), title=m.group("term"))
                blank_before = False
                continue
            prefix = definition
        lm = LABEL_RE.match(line)
        if lm and block in ("purpose", "definitions", "procedure") and schemes:
            label = lm.group("label")
            for depth, want in expected_labels(stack, schemes):
                if label == want:
                    stack = stack[:depth] + [label]
                    path = ".".join(([prefix] if prefix else []) + stack)
                    roman_heading = policy == "vpd-3.21" and block == "procedure" and depth == 0
                    if roman_heading:
                        b.open(path, "section", "", title=lm.group("rest").strip(), label=label)
                    else:
                        kind = "purpose" if block == "purpose" else "item"
                        b.open(path, kind, lm.group("rest").strip(), label=label)
                    blank_before = False
                    break
            else:
                lm = None
            if lm is not None:
                continue
        # continuation or a new paragraph
        cur = b.current
        assert cur is not None, f"{policy}: text outside any clause: {stripped!r}"
        ends_sentence = cur["text"].rstrip().endswith((".", ":", ";")) if cur["text"] else False
        new_para = blank_before and ends_sentence and stripped[:1].isupper()
        if block == "definitions" and new_para and cur["path"] != definition:
            b.open(f"{definition}.{EXTRA_PARAGRAPH_NAME}", "paragraph", title="")
            b.add_line(stripped, False)
        else:
            b.add_line(stripped, new_para)
        blank_before = False
    return b.clauses


def finish(policy: str, clauses: list[dict]) -> list[dict]:
    out = []
    titles = TITLES[policy]
    not_rules = NOT_RULES[policy]
    for i, c in enumerate(clauses):
        path = c["path"]
        if c["kind"] == "definition":
            title = c["title"]
        elif c["kind"] == "section":
            title = c["title"].capitalize()
        else:
            title = titles.get(path) or auto_title(c["text"])
        if c["kind"] == "section" and path in titles:
            title = titles[path]
        if c["kind"] == "paragraph":
            parent = next(x for x in clauses if x["path"] == path.rsplit(".", 1)[0])
            title = parent["title"] + " (scope)"
        is_rule = (
            c["kind"] in ("item", "policy")
            and (path.startswith("procedure.") or policy == "vpd-3.21" or path == "policy")
            and path not in not_rules
            and not path.startswith("definitions.")
        )
        parent = path.rsplit(".", 1)[0] if "." in path else None
        out.append(
            {
                "id": f"{policy}/{path}",
                "path": path,
                "parent": f"{policy}/{parent}" if parent else None,
                "kind": c["kind"],
                "label": c["label"] or None,
                "heading": c["title"] if c["kind"] == "section" else None,
                "title": title,
                "text": c["text"],
                "rule": is_rule,
                "order": i,
            }
        )
    return out


def main() -> int:
    specs = [
        (
            "vpd-3.21",
            "vpd-3.21.txt",
            {
                "POLICY": "policy",
                "PURPOSE AND SCOPE": "purpose",
                "DEFINITIONS": "definitions",
                "PROCEDURE": "procedure",
            },
            {
                "policy": "vpd-3.21",
                "title": "Vicksburg Police Department Policy 3.21, Social Networking",
                "department": "police",
                "version": "2026-02-02",
                "issued_on": "2012-02-06",
                "revised_on": "2026-02-02",
                "effective_from": "2026-02-02",
                "approval": "The Board of Mayor and Aldermen, Police Chief Larry Burns",
                "note": "Revision of February 2, 2026. The catalogue holds no earlier text of "
                "3.21: an incident before this date cites this version, marked as such.",
            },
        ),
        (
            "city-sn",
            "city-sn.txt",
            {
                "Policy": "policy",
                "Purpose and Scope": "purpose",
                "Definitions": "definitions",
                "Procedure": "procedure",
            },
            {
                "policy": "city-sn",
                "title": "City of Vicksburg Employees Social Networking Policy",
                "department": "city",
                "version": "undated",
                "issued_on": None,
                "revised_on": None,
                "effective_from": None,
                "approval": None,
                "note": "The text carries no issue or revision date; it is taken as in force "
                "for every incident date until a dated version is added.",
            },
        ),
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    for policy, source, headings, meta in specs:
        raw = (SOURCES / source).read_text(encoding="utf-8")
        clauses = finish(policy, parse(policy, raw, headings))
        doc = dict(meta)
        doc["source_sha256"] = hashlib.sha256(raw.encode("utf-8")).hexdigest()
        doc["clauses"] = clauses
        target = OUT / f"{policy}@{meta['version']}.json"
        target.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{target.relative_to(ROOT)}: {len(clauses)} clauses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
