"""Small helpers that check one field of input and name it when it is wrong.

One helper per kind of field, so that a field is held to the same rule wherever it comes
from (a report file, the intake form, a command-line argument, a register):

- ``identifier`` (badges, logins, case numbers, clause ids): normalised with the PRECIS
  username profile (RFC 8265: full-width and other compatibility forms become their plain
  form, NFC), so "１２３４" *is* badge 1234; invisible, direction-control, control and
  other characters that would make two identifiers look alike are refused.
- ``person_name``: the PRECIS nickname profile (RFC 8266: NFKC, spaces tidied), the same
  refusals; zero-width joiners only where a script needs them (after a virama, or
  between Arabic letters that join).
- ``text`` (free text: narratives, rationales, notes, platforms): kept exactly as given
  (emoji sequences use U+200D), but control characters, lone surrogates (not Unicode
  text; no database can store them) and the bidirectional embedding, override and
  isolate controls (U+202A-U+202E, U+2066-U+2069, which make displayed text lie) are
  refused.
- ``date``/``aware_datetime``/``bounded_date``: years 1900 to 2200 (see ``MIN_YEAR``).
- ``record_id`` and ``limit``: whole numbers in the range the database holds.
- ``json_document``: JSON text with nothing a parser would silently lose or choke on.
- ``file_path``/``output_file``: a file name the user gave; where a command writes a
  file (the folder must exist already, an existing target must be a regular file).

A message names the field and, for a refused character, its code point (U+202E) rather
than the character itself: a direction override echoed back would make the message lie.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from precis_i18n import get_profile

from ia_desk.errors import InputError

# The years a date may fall in. Every date IA Desk keeps is about people employed by the
# department now or in living memory (reports, incidents, captures, findings, training,
# policy versions), so nothing before 1900 is a real value, and 2200 leaves two centuries
# for deadlines and look-back windows computed from a date. Within these bounds no
# arithmetic the app does (a UTC offset of +-14 h, a deadline of 3650 days, a month
# range for statistics) can leave the range Python, SQLite and PostgreSQL represent.
MIN_YEAR = 1900
MAX_YEAR = 2200
# Ids are the database's INTEGER primary keys: PostgreSQL's integer is 32-bit signed.
MAX_ID = 2_147_483_647
# JSON numbers: a report or matrix needs small counts only; more digits than an int64
# has is a hostile document (Python refuses to convert over 4300 digits, with a
# ValueError the caller would not expect).
MAX_JSON_DIGITS = 19

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_DIGITS = re.compile(r"[+-]?[0-9]+", re.ASCII)

_IDENTIFIER = get_profile("UsernameCasePreserved")
_NAME = get_profile("NicknameCasePreserved")

# What a PRECIS refusal means, in the words of the person at the keyboard.
_PRECIS_REASONS = {
    "controls": "holds a control character",
    "precis_ignorable_properties": "holds an invisible or text-direction character",
    "zero_width_joiner": "holds an invisible joining character",
    "zero_width_nonjoiner": "holds an invisible joining character",
    "old_hangul_jamo": "holds an invisible or obsolete Hangul filler",
    "has_compat": "holds a compatibility character; type its plain form",
    "spaces": "may not hold spaces",
    "symbols": "holds a symbol",
    "punctuation": "holds punctuation other than . - _ / : and the like",
    "other_letter_digits": "holds a character not used in identifiers",
    "unassigned": "holds a character that Unicode does not define",
    "bidi_rule": "mixes right-to-left and left-to-right text in a way that displays misleadingly",
    "other": "holds a character that is not allowed",
}


def code_point(c: str) -> str:
    """How a message names one character: U+202E, never the character itself."""
    return f"U+{ord(c):04X}"


def printable(value: str, limit: int = 40) -> str:
    """A value as a message may quote it: cut short, lone surrogates and controls escaped."""
    cut = value[:limit] + ("..." if len(value) > limit else "")
    if not _UNPRINTABLE.search(cut):
        return cut
    return _UNPRINTABLE.sub(lambda m: code_point(m.group()), cut)


def _blank(value: Any, field: str, required: bool) -> bool:
    """True for a missing value (None or only spaces) that may be left out."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InputError(f"{field}: required.", field=field)
        return True
    return False


def _not_unicode(value: str, field: str) -> None:
    bad = _SURROGATE.search(value)
    if bad:
        raise InputError(
            f"{field}: not valid Unicode text (it holds a lone surrogate, "
            f"{code_point(bad.group())}).",
            field=field,
        )


def _precis(profile: Any, value: Any, field: str, required: bool, max_len: int) -> str | None:
    if _blank(value, field, required):
        return None
    if not isinstance(value, str):
        raise InputError(f"{field}: must be text, not {type(value).__name__}.", field=field)
    value = value.strip()
    if len(value) > 4 * max_len:  # no normalising of a megabyte to refuse it afterwards
        raise InputError(f"{field}: at most {max_len} characters (got {len(value)}).", field=field)
    _not_unicode(value, field)
    try:
        out = str(profile.enforce(value))
    except UnicodeEncodeError as exc:
        kind = str(exc.reason).split("/")[-1]
        what = _PRECIS_REASONS.get(kind, _PRECIS_REASONS["other"])
        if kind == "empty":
            raise InputError(f"{field}: required.", field=field) from None
        where = ""
        if 0 <= exc.start < len(value) and kind not in ("bidi_rule", "spaces"):
            where = f" ({code_point(value[exc.start])})"
        raise InputError(f"{field}: {what}{where}.", field=field) from None
    if len(out) > max_len:
        raise InputError(f"{field}: at most {max_len} characters (got {len(out)}).", field=field)
    return out


def identifier(value: Any, field: str, *, required: bool = True, max_len: int = 40) -> str | None:
    """A badge, login, case number or clause id, in its one normal form.

    Full-width and other compatibility forms are mapped to the plain form ("１２３４" ->
    "1234"), so callers compare and store the returned value only. Spaces, invisible,
    direction-control and control characters are refused.
    """
    return _precis(_IDENTIFIER, value, field, required, max_len)


def person_name(value: Any, field: str, *, required: bool = True, max_len: int = 120) -> str | None:
    """A person's name (reporter, subject, user, decider), NFKC-normalised, spaces tidied;
    invisible, direction-control and control characters refused."""
    return _precis(_NAME, value, field, required, max_len)


def text(
    value: Any, field: str, *, required: bool = True, max_len: int = 200, multiline: bool = False
) -> str | None:
    """Free text: trimmed and otherwise kept as given. Refused if not a string, too long,
    with control characters (newline and tab allowed when ``multiline``), lone surrogates
    or bidirectional embedding/override/isolate controls."""
    if _blank(value, field, required):
        return None
    if not isinstance(value, str):
        raise InputError(f"{field}: must be text, not {type(value).__name__}.", field=field)
    value = value.strip()
    if len(value) > max_len:
        raise InputError(f"{field}: at most {max_len} characters (got {len(value)}).", field=field)
    pattern = _CONTROL if multiline else _CONTROL_ONE_LINE
    if pattern.search(value):
        raise InputError(f"{field}: contains control characters.", field=field)
    _not_unicode(value, field)
    bidi = _BIDI_CONTROL.search(value)
    if bidi:
        raise InputError(
            f"{field}: holds a text-direction control ({code_point(bidi.group())}) that makes "
            "the text display other than it reads; remove it.",
            field=field,
        )
    return value


def plain_argument(value: str, field: str) -> str:
    """Any command-line argument: Unicode text (no undecodable bytes) without direction
    controls. Kinds of field with their own rule are checked again by their helper."""
    _not_unicode(value, field)
    bidi = _BIDI_CONTROL.search(value)
    if bidi:
        raise InputError(
            f"{field}: holds a text-direction control ({code_point(bidi.group())}); remove it.",
            field=field,
        )
    return value


def choice(value: Any, field: str, allowed: tuple[str, ...] | list[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        got = printable(value) if isinstance(value, str) else value
        raise InputError(
            f"{field}: must be one of {', '.join(allowed)} (got {got!r}).", field=field
        )
    return value


def boolean(value: Any, field: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InputError(f"{field}: must be true or false.", field=field)
    return value


def bounded_date(value: dt.date, field: str) -> dt.date:
    """A date (or date-time) a records system can hold: years MIN_YEAR to MAX_YEAR."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InputError(
            f"{field}: {value.isoformat()[:10]} is outside the years {MIN_YEAR} to {MAX_YEAR} "
            "that IA Desk keeps.",
            field=field,
        )
    return value


def date(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    """An ISO date (2026-10-30) in the years MIN_YEAR to MAX_YEAR."""
    if value is None:
        if required:
            raise InputError(f"{field}: required (a date such as 2026-10-30).", field=field)
        return None
    if not isinstance(value, str):
        raise InputError(f"{field}: must be a date such as 2026-10-30.", field=field)
    try:
        parsed = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"{field}: '{printable(value)}' is not a date such as 2026-10-30.", field=field
        ) from None
    return bounded_date(parsed, field)


def aware_datetime(value: Any, field: str) -> dt.datetime:
    """An ISO 8601 date-time with its UTC offset (2026-11-02T09:15:00-06:00), in the years
    MIN_YEAR to MAX_YEAR (so converting it to UTC can never overflow)."""
    if not isinstance(value, str):
        raise InputError(
            f"{field}: must be a date-time such as 2026-11-02T09:15:00-06:00.", field=field
        )
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{field}: '{printable(value)}' is not a date-time such as 2026-11-02T09:15:00-06:00.",
            field=field,
        ) from None
    if parsed.tzinfo is None:
        raise InputError(
            f"{field}: give the UTC offset too (e.g. 2026-11-02T09:15:00-06:00).", field=field
        )
    bounded_date(parsed, field)
    return parsed


def integer(value: Any, field: str, minimum: int, maximum: int, what: str = "a number") -> int:
    """A whole number from ``minimum`` to ``maximum``, given as an int or decimal digits."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InputError(f"{field}: must be {what} (a whole number).", field=field)
    if isinstance(value, str):
        s = value.strip()
        if not _DIGITS.fullmatch(s):
            raise InputError(
                f"{field}: '{printable(value)}' is not {what} (a whole number).", field=field
            )
        if len(s.lstrip("+-").lstrip("0")) > 19:
            raise InputError(
                f"{field}: {printable(s, 24)} is out of range ({minimum} to {maximum}).",
                field=field,
            )
        value = int(s)
    if not minimum <= value <= maximum:
        raise InputError(
            f"{field}: {printable(str(value), 24)} is out of range ({minimum} to {maximum}).",
            field=field,
        )
    return value


def record_id(value: Any, field: str, what: str = "an id") -> int:
    """The id of a stored record (evidence item, allegation, request, account): 1 to MAX_ID.
    An id outside that range names no record; say so before asking the database."""
    return integer(value, field, 1, MAX_ID, what)


def limit(value: Any, field: str, *, maximum: int, minimum: int = 1) -> int:
    """How many rows to show (or similar count): ``minimum`` to ``maximum``."""
    return integer(value, field, minimum, maximum, "a count")


def url(value: Any, field: str) -> str | None:
    s = text(value, field, required=False, max_len=2000)
    if s is None:
        return None
    parsed = urlparse(s)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in s:
        raise InputError(
            f"{field}: must be a web address starting with http:// or https://.", field=field
        )
    return s


def obj(value: Any, field: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        what = field or "the report"
        raise InputError(f"{what}: must be a JSON object.", field=field or None)
    unknown = sorted(set(value) - allowed)
    if unknown:
        name = f"{field}.{unknown[0]}" if field else unknown[0]
        raise InputError(
            f"{name}: unknown field (allowed: {', '.join(sorted(allowed))}).", field=name
        )
    return value


# ---------------------------------------------------------------- JSON documents


class _Refused:
    """Stands in the parsed document for a value the parser must not turn into a number;
    ``json_document`` then names where it was."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _TwiceGiven(dict[str, Any]):
    """An object in which a key was given twice (json.loads would keep the last)."""

    def __init__(self, pairs: list[tuple[str, Any]], twice: str) -> None:
        super().__init__(pairs)
        self.twice = twice


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return _TwiceGiven(pairs, key)
        seen.add(key)
    return dict(pairs)


def _int(digits: str) -> int | _Refused:
    if len(digits.lstrip("-")) > MAX_JSON_DIGITS:
        return _Refused(
            f"a number with {len(digits.lstrip('-'))} digits; at most {MAX_JSON_DIGITS}"
        )
    return int(digits)


def _float(digits: str) -> float | _Refused:
    if len(digits) > 400:
        return _Refused("a number written with more than 400 characters")
    value = float(digits)
    if not math.isfinite(value):
        return _Refused(f"the number {digits[:24]} is too large")
    return value


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a JSON number")


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    name = printable(key, 60)
    return f"{parent}.{name}" if parent else name


def json_document(raw: str | bytes, what: str = "The report") -> Any:
    """Parse JSON text and refuse, naming the field, what a parser would silently lose or
    choke on later: a key given twice, lone surrogates in keys or strings (not Unicode
    text), numbers beyond MAX_JSON_DIGITS digits or not finite (NaN, 1e999).

    ``what`` names the document in messages about the text as a whole.
    """
    try:
        data = json.loads(
            raw,
            object_pairs_hook=_object,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
        )
    except UnicodeDecodeError:
        raise InputError(f"{what} is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise InputError(f"{what} is not valid JSON: nested too deeply.") from None
    # Walk without recursion: the parser accepted the nesting, Python's stack may not.
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, where = stack.pop()
        name = where or what.lower()
        if isinstance(value, _Refused):
            raise InputError(f"{name}: {value.reason}.", field=where or None)
        if isinstance(value, str):
            _not_unicode(value, name)
        elif isinstance(value, dict):
            if isinstance(value, _TwiceGiven):
                twice = _path(where, value.twice)
                raise InputError(
                    f"{twice}: given twice in one object; give each field once.", field=twice
                )
            for key, item in value.items():
                if _SURROGATE.search(key):
                    bad = _path(where, key)
                    raise InputError(
                        f"{bad}: a field name that is not valid Unicode text (it holds a "
                        "lone surrogate).",
                        field=bad,
                    )
                stack.append((item, _path(where, key)))
        elif isinstance(value, list):
            stack.extend((item, _path(where, i)) for i, item in enumerate(value))
    return data


# ---------------------------------------------------------------- files a command writes


def file_path(value: str | Path, field: str) -> Path:
    """A file or folder name the user gave: not empty, Unicode text, no NUL or control
    characters, and within the lengths file systems take (4096 bytes, 255 a component).
    Says nothing about whether it exists."""
    name = str(value)
    if not name.strip():
        raise InputError(f"{field}: give a file name.", field=field)
    _not_unicode(name, field)
    if _CONTROL_ONE_LINE.search(name):
        raise InputError(f"{field}: the file name holds control characters.", field=field)
    bidi = _BIDI_CONTROL.search(name)
    if bidi:  # "report<RLO>fdp.exe" displays as "reportexe.pdf"
        raise InputError(
            f"{field}: the file name holds a text-direction control ({code_point(bidi.group())}).",
            field=field,
        )
    if len(name.encode("utf-8")) > 4096 or any(
        len(part.encode("utf-8")) > 255 for part in Path(name).parts
    ):
        raise InputError(
            f"{field}: the file name is longer than file systems allow ({len(name):,} characters).",
            field=field,
        )
    return Path(name)


def output_file(path: str | Path, field: str) -> Path:
    """Where a command is to write a file. The folder must exist already: nothing makes
    folders on the user's behalf, since a mistyped path would otherwise put a confidential
    file wherever it happened to point. An existing target must be a regular file: a file
    is written beside its name and renamed over it, which would replace a device (as root,
    '--out /dev/zero' replaced the device node) or a folder. The writer still handles an
    OSError (a folder that exists but takes no files, such as /proc)."""
    target = file_path(path, field)
    name = str(target)
    folder = target.parent
    if not folder.is_dir():
        raise InputError(
            f"{field}: the folder {printable(str(folder), 200)} does not exist; create it "
            "first or choose another.",
            field=field,
        )
    if target.is_dir():
        raise InputError(
            f"{field}: {printable(name, 200)} is a folder; give a file name.", field=field
        )
    if target.exists() and not target.is_file():
        raise InputError(
            f"{field}: {printable(name, 200)} is not a regular file (a device, pipe or "
            "socket); give a file name.",
            field=field,
        )
    if not os.access(folder, os.W_OK):
        raise InputError(
            f"{field}: the folder {printable(str(folder), 200)} does not take new files "
            "(permission denied).",
            field=field,
        )
    return target
