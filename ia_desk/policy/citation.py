"""Which clauses an allegation may cite: only those that state conduct.

An allegation says an employee breached a clause, so the clause must state something an
employee does or must not do. Read clause by clause against both policies
(``../shared/seeds``), the catalogue holds four other kinds of text, and none of them
can be breached:

- headings, purpose statements, definitions and their items, and the preambles that
  introduce a list (3.21 "Purpose and scope", "Definitions"; city the same);
- lead-ins that only name other policies: "Social networking is subject to all
  Departmental and City Policies, including … Discipline; …" (3.21 §I.E.1–9, city
  procedure 1.a–i). A breach of the Discipline policy is cited under that policy, not
  under the word "Discipline;" in this one;
- what a request for approval must contain (3.21 §III.E.1–3, city 4.a–c): a request
  missing its layout is an incomplete request, not misconduct; §III.E (or city 4)
  itself is the rule;
- what the Department does, not the employee: it reserves the right to monitor
  (§III.B, city 13), it disciplines (§V.B, city 14), it protects good-faith reporters
  (§V.C), it trains (§VI.A–B).

Advice is citable but marked: "Employees should be mindful … It is recommended that
employees refrain …" (3.21 §III.P, city 12) states no duty, so an allegation under it
says *advisory* wherever the clause is shown, and a department should expect it to be
sustained only with another clause.

The judgment is made on the catalogue's own structure (each clause's kind and its
``rule`` flag, set when the catalogue was built from the policy's text) and on the
paths listed here, so an earlier version of the same policy that an administrator adds
is judged the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ia_desk.errors import InputError

RULE = "rule"
ADVISORY = "advisory"
NOT_CITABLE = "not_citable"

# Kinds of catalogue text that never state conduct.
_NEVER = {
    "heading": "it is a heading",
    "section": "it is a heading",
    "purpose": "it states the policy's purpose, not a rule of conduct",
    "definition": "it defines a term, it states no rule of conduct",
    "preamble": "it introduces the rules that follow; cite the rule itself",
    "paragraph": "it explains a definition, it states no rule of conduct",
}

_LEAD_IN = (
    "it only names another policy that also applies; cite that policy's own rule "
    "(or, for the social networking conduct itself, the clause of this policy that states it)"
)
_MEMO = (
    "it lists what a request for approval must contain; cite the rule that needs the "
    "approval ({parent})"
)

# Per policy: paths whose kind says "item" but which state no conduct, and why.
_NOT_CONDUCT: dict[str, dict[str, str]] = {
    "vpd-3.21": {
        **{f"I.E.{n}": _LEAD_IN for n in range(1, 10)},
        **{f"III.E.{n}": _MEMO.format(parent="§III.E") for n in range(1, 4)},
        "I.E": _LEAD_IN,
        "III.B": "it states the Department's right to monitor, not a duty of the employee",
        "III.N": "it introduces the list of postings that follows; cite the posting (§III.N.1–5)",
        "V.B": "it states the Department's discipline ladder, not a rule of conduct",
        "V.C": "it protects good-faith reporters; it states no conduct anyone can breach",
        "VI.A": "it states the training the Department gives, not a rule of conduct",
        "VI.B": "it states who gives the training, not a rule of conduct",
    },
    "city-sn": {
        **{f"procedure.1.{c}": _LEAD_IN for c in "abcdefghi"},
        **{f"procedure.4.{c}": _MEMO.format(parent="procedure 4") for c in "abc"},
        "procedure.1": _LEAD_IN,
        "procedure.13": "it states the City's right to monitor, not a duty of the employee",
        "procedure.14": "it states that failures are disciplined, not a rule of conduct",
    },
}

_ADVICE = re.compile(r"^\s*employees should\b|\bit is recommended\b", re.IGNORECASE)
_ADVISORY_WHY = (
    'it gives advice ("should", "it is recommended"), not a duty: it is marked '
    "advisory and is rarely sustained on its own"
)


@dataclass(frozen=True)
class Citability:
    """Whether a clause may be cited (``kind``: :data:`RULE`, :data:`ADVISORY` or
    :data:`NOT_CITABLE`) and, when it is not a plain rule, why, in IA's words."""

    kind: str
    why: str = ""

    @property
    def citable(self) -> bool:
        return self.kind != NOT_CITABLE


def judge(clause_id: str, kind: str, is_rule: bool, text: str) -> Citability:
    """The citability of one catalogue clause (see the module's docstring)."""
    policy, _, path = clause_id.partition("/")
    if kind in _NEVER:
        return Citability(NOT_CITABLE, _NEVER[kind])
    if path.startswith("definitions"):
        return Citability(NOT_CITABLE, _NEVER["definition"])
    why = _NOT_CONDUCT.get(policy, {}).get(path)
    if why is not None:
        return Citability(NOT_CITABLE, why)
    if not is_rule:
        return Citability(NOT_CITABLE, "it states no rule of conduct")
    if _ADVICE.search(text or ""):
        return Citability(ADVISORY, _ADVISORY_WHY)
    return Citability(RULE)


def of(clause: Any) -> Citability:
    """The citability of a :class:`ia_desk.db.models.Clause`."""
    return judge(clause.clause_id, clause.kind, bool(clause.is_rule), clause.text)


def require_citable(clause: Any, field: str = "clause") -> Citability:
    """Refuse (InputError naming ``field``) a clause that states no conduct."""
    found = of(clause)
    if not found.citable:
        raise InputError(
            f"{field}: {clause.clause_id} cannot be cited in an allegation: {found.why}.",
            field=field,
        )
    return found
