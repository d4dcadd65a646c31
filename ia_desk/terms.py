"""The values of IA work the core stores and the doors offer (kinds of withheld text, for
now). Nothing is imported here: the command line's parser reads these at every start,
before the database layer is loaded."""

from __future__ import annotations

REDACTION_KINDS = {
    "juvenile": "identity or address of a juvenile (3.21 §IV.B)",
    "victim": "name of a victim of sexual assault or child molestation (3.21 §IV.G)",
    "reporter": "anything that points to who reported (3.21 §V.A, §V.C)",
    "other": "other text IA must not pass on outside IA",
}
