"""This workstation's connection to a PostgreSQL server, remembered between starts.

The server, port, database, user and TLS mode are kept in ``connection.json`` in the
user data folder; the password only in the OS keyring, never in a file. With no saved
connection (and no ``--db``/``IA_DESK_DB``) the app opens the embedded database.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from sqlalchemy.engine import URL

from ia_desk.db.paths import data_dir
from ia_desk.errors import InputError
from ia_desk.terms import SSLMODES

CONFIG_FILE = "connection.json"
DEFAULT_PORT = 5432


@dataclass(frozen=True)
class ServerConnection:
    host: str
    database: str
    user: str
    port: int = DEFAULT_PORT
    sslmode: str = "require"

    def checked(self) -> ServerConnection:
        """The same settings, trimmed, or InputError naming the field that is wrong."""
        host, database, user = self.host.strip(), self.database.strip(), self.user.strip()
        if not host or any(c.isspace() for c in host):
            raise InputError("host: give the server's name or address.", field="host")
        if not database or "/" in database:
            raise InputError("database: give the database's name (e.g. ia_desk).", field="database")
        if not user or any(c.isspace() for c in user):
            raise InputError("user: give the database account (e.g. ia_desk_app).", field="user")
        try:
            port = int(self.port)
        except (TypeError, ValueError):
            raise InputError("port: must be a number (usually 5432).", field="port") from None
        if not 1 <= port <= 65535:
            raise InputError("port: must be between 1 and 65535.", field="port")
        if self.sslmode not in SSLMODES:
            raise InputError(f"TLS mode: one of {', '.join(SSLMODES)}.", field="sslmode")
        return ServerConnection(host, database, user, port, self.sslmode)

    def url(self) -> str:
        """The URL without a password (the password lives in the keyring)."""
        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            host=self.host,
            port=self.port,
            database=self.database,
            query={"sslmode": self.sslmode},
        ).render_as_string(hide_password=False)


def _config_path() -> os.PathLike[str]:
    return data_dir() / CONFIG_FILE


def saved_connection() -> ServerConnection | None:
    path = _config_path()
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
        return ServerConnection(**raw).checked()
    except FileNotFoundError:
        return None
    except (ValueError, TypeError, InputError) as exc:
        raise InputError(
            f"The saved server connection in {path} is damaged ({exc}); connect again."
        ) from None


def store_connection(conn: ServerConnection) -> str:
    """Remember the connection (without its password: the caller keeps that in the
    keyring); returns its URL."""
    conn = conn.checked()
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONFIG_FILE
    partial = folder / (CONFIG_FILE + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(asdict(conn), f, indent=2)
    os.replace(partial, path)
    return conn.url()


def remove_connection() -> ServerConnection | None:
    """Back to the embedded database: the saved connection is removed; returns it (None:
    there was none), so the caller can forget its password too."""
    conn = saved_connection()
    if conn is None:
        return None
    os.remove(_config_path())
    return conn
