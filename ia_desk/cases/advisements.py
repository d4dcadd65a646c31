"""The advisements read to an interviewee before a statement (issue 22), kept as
versioned texts.

Each kind has its texts in ``resources/advisements/<kind>@<effective date>.txt``:

- ``garrity``: the order to answer of an administrative investigation. The statement is
  compelled, so it and whatever is derived from it may be used for the department's
  administrative purposes only, never in a criminal case (Garrity v. New Jersey).
- ``voluntary``: the notice of a voluntary statement (Beckwith-style): the interviewee
  may refuse to answer and stop at any time, and what they say may be used in a
  criminal case too.

A version is never edited: a new wording is a new file with a later effective date. An
interview records the kind, the version in force on its date and the SHA-256 of the
text, so the exact words given can be shown later (:func:`text_of`), and a text changed
in the shipped files since is named as such, not shown as what was read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cache

from ia_desk.errors import InputError
from ia_desk.resources import resource
from ia_desk.terms import ADVISEMENT_KINDS

FOLDER = "advisements"


@dataclass(frozen=True)
class Advisement:
    kind: str  # one of ADVISEMENT_KINDS
    version: str  # its effective date, ISO
    text: str
    sha256: str

    @property
    def effective(self) -> dt.date:
        return dt.date.fromisoformat(self.version)


@cache
def versions(kind: str) -> tuple[Advisement, ...]:
    """Every shipped version of one kind, oldest first."""
    if kind not in ADVISEMENT_KINDS:
        raise InputError(
            f"advisement: {kind!r} is not one; it is one of {', '.join(ADVISEMENT_KINDS)}.",
            field="advisement",
        )
    out = []
    for path in sorted(resource(FOLDER).glob(f"{kind}@*.txt")):
        version = path.stem.split("@", 1)[1]
        dt.date.fromisoformat(version)  # a file named otherwise is a packaging fault
        raw = path.read_bytes()
        out.append(Advisement(kind, version, raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()))
    return tuple(sorted(out, key=lambda a: a.version))


def in_force(kind: str, on: dt.date) -> Advisement:
    """The version of ``kind`` in force on ``on`` (the latest effective on or before it)."""
    found = [a for a in versions(kind) if a.effective <= on]
    if not found:
        first = versions(kind)[0].version if versions(kind) else "none shipped"
        raise InputError(
            f"advisement: no {ADVISEMENT_KINDS[kind].lower()} text was in force on "
            f"{on.isoformat()} (the first is of {first}).",
            field="advisement",
        )
    return found[-1]


def version(kind: str, name: str) -> Advisement:
    """One version by its effective date, as an interview names it."""
    for a in versions(kind):
        if a.version == name:
            return a
    raise InputError(
        f"advisement version: {kind} has no version {name!r} (it has "
        f"{', '.join(a.version for a in versions(kind))}).",
        field="advisement_version",
    )


def text_of(kind: str, name: str, sha256: str) -> tuple[str | None, str | None]:
    """The exact text an interview records as given: (text, None), or (None, why not)
    when the shipped version is gone or no longer hashes to what the interview recorded."""
    try:
        a = version(kind, name)
    except InputError:
        return None, f"the {kind} text of {name} is no longer shipped with IA Desk"
    if a.sha256 != sha256:
        return None, (
            f"the shipped {kind} text of {name} is not the one given (its SHA-256 differs from "
            "the one the interview recorded)"
        )
    return a.text, None
