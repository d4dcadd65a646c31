"""Which database to open: a file of this workstation or a server, named without its
secrets, and refused where SQLite cannot live (a network share)."""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from ia_desk.db.connection import saved_connection
from ia_desk.db.paths import data_dir
from ia_desk.errors import StorageError

DB_ENV = "IA_DESK_DB"
DEFAULT_FILE = "ia-desk.db"
NETWORK_FS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "sshfs",
    "fuse.sshfs",
    "9p",
    "afs",
    "ceph",
    "glusterfs",
    "fuse.glusterfs",
    "davfs",
    "fuse.davfs2",
    "fuse.rclone",
    "ncpfs",
    "lustre",
}


LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}
TLS_SSLMODES = {"require", "verify-ca", "verify-full"}


def is_loopback(host: str | None) -> bool:
    """True for a server on this computer (a Unix socket or a loopback address)."""
    if not host or host.startswith("/"):
        return True
    return host.lower() in LOOPBACK_HOSTS or host.startswith("127.")


def without_password(url: URL) -> URL:
    return url._replace(password=None)  # URL.set(password=None) keeps the old one


@dataclass(frozen=True)
class Target:
    """Which database to open, with no secret in it."""

    url: URL
    kind: str  # "sqlcipher" | "sqlite" | "postgresql"
    path: Path | None = None

    @property
    def ident(self) -> str:
        """A stable name for this database, used to find its secrets in the keyring."""
        if self.path:
            where = str(self.path)
        else:  # the server, port, database and user; not the password or TLS options
            where = without_password(self.url).set(query={}).render_as_string()
        return hashlib.sha256(where.encode("utf-8")).hexdigest()[:24]

    @property
    def plaintext_remote(self) -> bool:
        """A server on another computer reached without TLS (needs an admin's consent)."""
        if self.kind != "postgresql" or is_loopback(self.url.host):
            return False
        return str(self.url.query.get("sslmode", "require")) not in TLS_SSLMODES

    def describe(self) -> str:
        if self.path:
            extra = " (encrypted)" if self.kind == "sqlcipher" else " (NOT encrypted)"
            return f"{self.path}{extra}"
        return without_password(self.url).render_as_string()


def resolve_target(url: str | None = None) -> Target:
    """``url`` (or ``IA_DESK_DB``), else this workstation's saved server connection, else
    the encrypted default file in the data directory.

    Accepted: a path to a file (encrypted), ``sqlite+pysqlcipher:///path`` (encrypted),
    ``sqlite:///path`` (NOT encrypted: tests and diagnostics only),
    ``postgresql+psycopg://...``.
    """
    raw = url or os.environ.get(DB_ENV)
    if not raw:
        server = saved_connection()
        if server is not None:
            return resolve_target(server.url())
        path = data_dir() / DEFAULT_FILE
        return Target(URL.create("sqlite+pysqlcipher", database=str(path)), "sqlcipher", path)
    if "://" not in raw:
        path = Path(raw).expanduser().resolve()
        return Target(URL.create("sqlite+pysqlcipher", database=str(path)), "sqlcipher", path)
    try:
        parsed = make_url(raw)
    except Exception as exc:  # noqa: BLE001
        raise StorageError(f"The database URL is not valid: {exc}") from None
    backend = parsed.get_backend_name()
    driver = parsed.get_driver_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StorageError("An in-memory database cannot hold IA records; give a file path.")
        path = Path(parsed.database).expanduser().resolve()
        if driver == "pysqlcipher":
            clean = URL.create("sqlite+pysqlcipher", database=str(path))
            return Target(clean, "sqlcipher", path)
        return Target(URL.create("sqlite", database=str(path)), "sqlite", path)
    if backend == "postgresql":
        if driver not in ("psycopg", "psycopg2", ""):
            raise StorageError(
                f"PostgreSQL driver '{driver}' is not supported: use postgresql+psycopg://..."
            )
        parsed = parsed.set(drivername="postgresql+psycopg")
        if not parsed.database:
            raise StorageError("The PostgreSQL URL names no database: add /DATABASE at its end.")
        if not is_loopback(parsed.host) and "sslmode" not in parsed.query:
            # Another computer: TLS unless an administrator has said otherwise.
            parsed = parsed.update_query_dict({"sslmode": "require"})
        return Target(parsed, "postgresql")
    raise StorageError(
        f"Database type '{backend}' is not supported: use an SQLite/SQLCipher file or PostgreSQL."
    )


def _mount_fstype(path: Path) -> str | None:
    """The file system type holding ``path`` on Linux (from /proc/mounts)."""
    mounts = Path("/proc/mounts")
    if not mounts.exists():
        return None
    best: tuple[int, str] | None = None
    target = str(path)
    for line in mounts.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mnt = parts[1].replace("\\040", " ")
        if (target == mnt or target.startswith(mnt.rstrip("/") + "/")) and (
            best is None or len(mnt) > best[0]
        ):
            best = (len(mnt), parts[2])
    return best[1] if best else None


def refuse_network_share(path: Path) -> None:
    """SQLite's WAL needs shared memory, which network file systems do not provide."""
    msg = (
        f"The database {path} is on a network share. SQLite cannot be shared safely over a "
        "network drive; keep the file on this computer, or use a PostgreSQL server for "
        "several workstations."
    )
    raw = str(path)
    if raw.startswith(("\\\\", "//")):
        raise StorageError(msg)
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        drive = os.path.splitdrive(raw)[0] + "\\"
        if ctypes.windll.kernel32.GetDriveTypeW(drive) == 4:  # DRIVE_REMOTE
            raise StorageError(msg)
        return
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    fstype = _mount_fstype(existing.resolve())
    if fstype and fstype in NETWORK_FS:
        raise StorageError(msg)
