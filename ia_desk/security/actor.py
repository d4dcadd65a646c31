"""The acting user, passed explicitly to every service (there is no global current user)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int
    login: str
    name: str
    role: str

    @property
    def is_ia(self) -> bool:
        return self.role in ("ia_admin", "ia_investigator")
