"""Department-wide settings kept in the database, each declared once with its default."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ia_desk.audit.trail import append
from ia_desk.db.models import Setting, utcnow
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: Any
    kind: type
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""


SPECS = {
    s.key: s
    for s in [
        SettingSpec(
            "deadline_days", 90, int, 1, 3650, "Days from receipt to the investigation deadline."
        ),
        SettingSpec(
            "reporter_update_days", 30, int, 1, 365, "Days after receipt to update the reporter."
        ),
        SettingSpec(
            "retaliation_window_months",
            24,
            int,
            1,
            240,
            "Months a good-faith reporter stays protected.",
        ),
        SettingSpec(
            "immediate_action_hours",
            24,
            int,
            1,
            720,
            "Hours the Chief has to act on a case that endangers others or an investigation.",
        ),
        SettingSpec(
            "review_chain",
            2,
            int,
            0,
            2,
            "Who signs off a case's findings before it closes: 0 nobody, 1 the IA "
            "commander, 2 the IA commander and then the Chief.",
        ),
        SettingSpec(
            "warning_cases",
            3,
            int,
            0,
            50,
            "Cases naming an employee close together that raise an early warning (0: off).",
        ),
        SettingSpec("warning_cases_months", 12, int, 1, 120, "Months those cases fall within."),
        SettingSpec(
            "warning_same_clause",
            2,
            int,
            0,
            50,
            "Cases alleging the same clause against an employee that raise one (0: off).",
        ),
        SettingSpec(
            "warning_same_clause_months", 24, int, 1, 120, "Months those cases fall within."
        ),
        SettingSpec(
            "warning_after_training_months",
            6,
            int,
            0,
            60,
            "Months after the social media training within which a sustained allegation "
            "raises one (0: off).",
        ),
        SettingSpec(
            "hiring_training_days",
            30,
            int,
            1,
            365,
            "Days after an employee's hire date by which the mandatory social media "
            "training (3.21 §VI.A: upon hiring) is due.",
        ),
        SettingSpec(
            "annual_review_warning_days",
            30,
            int,
            0,
            180,
            "Days before a policy's yearly review falls due (3.21 §VI.A) that the Registers "
            "screen starts to remind IA of it.",
        ),
        SettingSpec(
            "session_lock_minutes", 30, int, 1, 480, "Minutes without input before the app locks."
        ),
        SettingSpec("evidence_max_mb", 50, int, 1, 2048, "Largest evidence file accepted, in MB."),
        SettingSpec("backups_kept", 10, int, 1, 1000, "How many automatic backups are kept."),
        SettingSpec(
            "allow_unencrypted_server_connections",
            0,
            int,
            0,
            1,
            "1 lets workstations reach a PostgreSQL server on another computer without TLS.",
        ),
    ]
}


# Settings that moved elsewhere: asked for by their old name, they say where they went.
# The look-back window of the ladder is the discipline matrix's alone (one source: a
# setting beside it changed nothing the ladder read).
MOVED = {
    "lookback_months": (
        "the look-back window is part of the discipline matrix: change it in "
        "Administration > Discipline matrix, or with `ia-desk discipline matrix set`."
    ),
}


def get_setting(session: Session, key: str) -> Any:
    spec = SPECS[key]
    row = session.get(Setting, key)
    return spec.default if row is None else spec.kind(row.value)


def get_settings(session: Session, keys: tuple[str, ...]) -> dict[str, Any]:
    """Several settings in one query (the case list reads two for every page)."""
    rows = session.connection().execute(_SETTINGS, {"keys": list(keys)})
    stored = {key: value for key, value in rows}
    return {k: SPECS[k].kind(stored[k]) if k in stored else SPECS[k].default for k in keys}


_SETTINGS = select(Setting.key, Setting.value).where(
    Setting.key.in_(bindparam("keys", expanding=True))
)


def stored_audit_salt(session: Session) -> bytes | None:
    row = session.get(Setting, "audit_key_salt")
    return None if row is None else base64.b64decode(row.value)


def audit_salt(session: Session) -> bytes:
    """The (non-secret) salt of the passphrase-derived audit key; made on first use."""
    row = session.get(Setting, "audit_key_salt")
    if row is None:
        row = Setting(
            key="audit_key_salt", value=base64.b64encode(secrets.token_bytes(16)).decode()
        )
        session.add(row)
        session.flush()
    return base64.b64decode(row.value)


def all_settings(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "key": k,
            "value": get_setting(session, k),
            "default": spec.default,
            "minimum": spec.minimum,
            "maximum": spec.maximum,
            "help": spec.help,
        }
        for k, spec in SPECS.items()
    ]


def set_setting(session: Session, actor: Actor, key: str, raw: Any) -> Any:
    """Change a department-wide setting (IA administrators). Audited with old and new value."""
    require(actor, "settings.manage", "settings.set", "setting", key)
    spec = SPECS.get(key)
    if key in MOVED:
        raise InputError(f"{key}: {MOVED[key]}", field="setting")
    if spec is None:
        raise InputError(f"setting: unknown '{key}' (known: {', '.join(SPECS)}).", field="setting")
    try:
        value = spec.kind(raw)
    except (TypeError, ValueError):
        raise InputError(f"{key}: must be a whole number.", field=key) from None
    if (spec.minimum is not None and value < spec.minimum) or (
        spec.maximum is not None and value > spec.maximum
    ):
        raise InputError(f"{key}: must be between {spec.minimum} and {spec.maximum}.", field=key)
    old = get_setting(session, key)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()
    session.flush()
    append(
        session,
        actor,
        "settings.set",
        object_type="setting",
        object_id=key,
        details={"old": old, "new": value},
    )
    return value
