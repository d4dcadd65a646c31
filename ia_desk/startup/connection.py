"""Connecting this workstation to a PostgreSQL server, and back to the embedded database.

The connection's settings are a file of the storage room (:mod:`ia_desk.db.connection`);
its password lives in the OS keyring only (:mod:`ia_desk.security.keys`), never in a
file.
"""

from __future__ import annotations

from ia_desk.db.connection import ServerConnection, remove_connection, store_connection
from ia_desk.db.location import resolve_target
from ia_desk.security import keys


def save_connection(conn: ServerConnection, password: str | None) -> str:
    """Remember the connection, its password in the keyring; returns its URL."""
    url = conn.checked().url()
    if password:
        keys.remember_server_password(resolve_target(url).ident, password)
    return store_connection(conn)


def forget_connection() -> bool:
    """Back to the embedded database: the saved connection and its password go."""
    conn = remove_connection()
    if conn is None:
        return False
    keys.forget_server_password(resolve_target(conn.url()).ident)
    return True
