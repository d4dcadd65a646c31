"""Small helpers that check one field of input and name it when it is wrong."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlparse

from ia_desk.errors import InputError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")


def text(
    value: Any, field: str, *, required: bool = True, max_len: int = 200, multiline: bool = False
) -> str | None:
    """A text field: trimmed; refused if not a string, too long or with control characters."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InputError(f"{field}: required.", field=field)
        return None
    if not isinstance(value, str):
        raise InputError(f"{field}: must be text, not {type(value).__name__}.", field=field)
    value = value.strip()
    if len(value) > max_len:
        raise InputError(f"{field}: at most {max_len} characters (got {len(value)}).", field=field)
    pattern = _CONTROL if multiline else _CONTROL_ONE_LINE
    if pattern.search(value):
        raise InputError(f"{field}: contains control characters.", field=field)
    return value


def choice(value: Any, field: str, allowed: tuple[str, ...] | list[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InputError(
            f"{field}: must be one of {', '.join(allowed)} (got {value!r}).", field=field
        )
    return value


def boolean(value: Any, field: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InputError(f"{field}: must be true or false.", field=field)
    return value


def date(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    if value is None:
        if required:
            raise InputError(f"{field}: required (a date such as 2026-10-30).", field=field)
        return None
    if not isinstance(value, str):
        raise InputError(f"{field}: must be a date such as 2026-10-30.", field=field)
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"{field}: '{value[:40]}' is not a date such as 2026-10-30.", field=field
        ) from None


def aware_datetime(value: Any, field: str) -> dt.datetime:
    """An ISO 8601 date-time with its UTC offset (2026-11-02T09:15:00-06:00)."""
    if not isinstance(value, str):
        raise InputError(
            f"{field}: must be a date-time such as 2026-11-02T09:15:00-06:00.", field=field
        )
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{field}: '{value[:40]}' is not a date-time such as 2026-11-02T09:15:00-06:00.",
            field=field,
        ) from None
    if parsed.tzinfo is None:
        raise InputError(
            f"{field}: give the UTC offset too (e.g. 2026-11-02T09:15:00-06:00).", field=field
        )
    return parsed


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
