"""IA Desk core: domain, storage, rules, evidence, reports and the CLI. No Qt here."""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "IA Desk"
APP_ID = "ia-desk"
