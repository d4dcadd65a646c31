"""Tracking codes: what an (anonymous) reporter quotes to follow up on a report.

A code is 60 random bits written as three groups of four characters from an alphabet
without look-alikes (no I, L, O, U). Only its SHA-256 is stored, so the database cannot
give a code back, and the same code quoted on a new report links the two reports
without anybody learning who made them.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
GROUPS = 3
GROUP_LEN = 4


def new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LEN))
    return "-".join(chars[i : i + GROUP_LEN] for i in range(0, len(chars), GROUP_LEN))


def normalise(code: str) -> str | None:
    """Upper-case, drop separators, map look-alikes; None if it cannot be a code."""
    cleaned = (
        code.strip()
        .upper()
        .replace("-", "")
        .replace(" ", "")
        .replace("O", "0")
        .replace("I", "1")
        .replace("L", "1")
    )
    if len(cleaned) != GROUPS * GROUP_LEN or any(c not in ALPHABET for c in cleaned):
        return None
    return "-".join(cleaned[i : i + GROUP_LEN] for i in range(0, len(cleaned), GROUP_LEN))


def code_hash(code: str) -> str:
    norm = normalise(code)
    if norm is None:
        raise ValueError("not a tracking code")
    return hashlib.sha256(("ia-desk tracking|" + norm).encode("ascii")).hexdigest()
