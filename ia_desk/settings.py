"""Department-wide settings kept in the database, each declared once with its default."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ia_desk.db.models import Setting


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
            "lookback_months", 24, int, 1, 240, "Months of prior sustained findings counted."
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
            "session_lock_minutes", 30, int, 1, 480, "Minutes without input before the app locks."
        ),
        SettingSpec("evidence_max_mb", 50, int, 1, 2048, "Largest evidence file accepted, in MB."),
        SettingSpec("backups_kept", 10, int, 1, 1000, "How many automatic backups are kept."),
    ]
}


def get_setting(session: Session, key: str) -> Any:
    spec = SPECS[key]
    row = session.get(Setting, key)
    return spec.default if row is None else spec.kind(row.value)


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
