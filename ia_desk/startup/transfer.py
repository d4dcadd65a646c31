"""``ia-desk db migrate-to URL``: copy an embedded database into an empty PostgreSQL one.

Everything goes over in one server transaction: the schema (Alembic, to head), every
table's rows with their ids, the full-text index, and the audit key, wrapped with the
server database's audit passphrase. If anything fails the transaction is rolled back and
the server database is as empty as before; the embedded database is only read. The audit
chain's rows and MACs are copied unchanged, so ``audit verify`` on the server checks the
very chain the embedded database had, with the same key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import insert, inspect, select, text
from sqlalchemy.orm import Session

from ia_desk.audit.trail import append, verify
from ia_desk.cases.search import FTS_COLUMNS, document_rows
from ia_desk.db.engine import Database, check_server, server_engine
from ia_desk.db.location import resolve_target
from ia_desk.db.migrate import alembic_config
from ia_desk.db.models import Base, Setting
from ia_desk.db.pg import reset_sequences
from ia_desk.errors import InputError, StorageError
from ia_desk.security import keys
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require
from ia_desk.startup import open_database
from ia_desk.startup.opening import install_audit_key, new_audit_passphrase

# Settings that belong to the embedded database's own key handling, not carried over.
LOCAL_SETTINGS = ("audit_key_salt", "audit_key_wrapped", "audit_key_check")
BATCH_ROWS = 1000
BATCH_BLOBS = 16  # evidence rows hold whole screenshots


@dataclass
class Transfer:
    target: str
    rows: dict[str, int] = field(default_factory=dict)
    audit_events_verified: int = 0


def migrate_to(
    source: Database,
    actor: Actor,
    url: str,
    *,
    prompt: keys.PassphrasePrompt | None = None,
    progress: Callable[[str], None] | None = None,
) -> Transfer:
    """Copy ``source`` (SQLite/SQLCipher) into the empty PostgreSQL database at ``url``."""
    say = progress or (lambda _m: None)
    with source.write(actor) as s:
        require(actor, "settings.manage", "db.migrate_to", "database", "server")
    if source.engine.dialect.name != "sqlite":
        raise InputError("migrate-to copies an embedded (SQLite) database.", field="db")
    target = resolve_target(url)
    if target.kind != "postgresql":
        raise InputError("migrate-to needs a postgresql+psycopg:// URL.", field="url")
    engine = server_engine(target)
    check_server(engine, target)
    result = Transfer(target=target.describe())
    try:
        present = inspect(engine).get_table_names()
        if present:
            raise StorageError(
                f"The server database {target.describe()} is not empty (it has "
                f"{len(present)} table(s), e.g. {sorted(present)[0]}); migrate-to only "
                "fills an empty database, so nothing there is overwritten."
            )
        passphrase = new_audit_passphrase(prompt)
        with source.read() as s:
            before = verify(s)
        if not before.ok:
            raise StorageError(
                f"The embedded audit trail does not verify ({before.problem}); fix that "
                "before moving the database, or the break would move with it."
            )
        with engine.begin() as conn:
            from alembic import command

            say("creating the tables on the server")
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            with source.engine.connect() as src:
                for table in Base.metadata.sorted_tables:
                    if table.info.get("embedded_only"):  # the file's own disk reserve
                        continue
                    batch = BATCH_BLOBS if table.name == "evidence_blob" else BATCH_ROWS
                    count = 0
                    stream = src.execute(select(table).execution_options(yield_per=batch))
                    for part in stream.partitions():
                        rows = [dict(r._mapping) for r in part]
                        if table.name == Setting.__tablename__:
                            rows = [r for r in rows if r["key"] not in LOCAL_SETTINGS]
                        if rows:
                            conn.execute(insert(table), rows)
                            count += len(rows)
                    result.rows[table.name] = count
                    say(f"{table.name}: {count:,} rows")

                cols = ", ".join(FTS_COLUMNS)
                # The withheld twins are few (cases that withhold words they contain).
                twins = src.execute(
                    text(f"SELECT rowid AS id, {cols} FROM case_fts_public")  # noqa: S608
                )
                public = {r.id: dict(r._mapping) for r in twins}
                fts = src.execute(text(f"SELECT rowid AS id, {cols} FROM case_fts"))  # noqa: S608
                for part in fts.partitions(BATCH_ROWS):
                    conn.execute(*document_rows([dict(r._mapping) for r in part], public))
            reset_sequences(conn)
            with Session(bind=conn) as session:
                install_audit_key(session, source.audit_key, passphrase, record=False)
    finally:
        engine.dispose()
    keys.remember_audit_key(target.ident, source.audit_key)

    say("checking the copy")
    server = open_database(url, prompt=lambda _message, _confirm: passphrase)
    try:
        with server.read() as s:
            after = verify(s)
        if not after.ok or after.head_seq != before.head_seq:
            raise StorageError(
                f"The copied audit trail does not verify on the server ({after.problem}); "
                "do not use the server database. The embedded database is unchanged."
            )
        result.audit_events_verified = after.checked
        details = {"to": target.describe(), "rows": result.rows}
        with server.write(actor) as s:
            append(s, actor, "db.migrate_from", object_type="database", details=details)
    finally:
        server.dispose()
    with source.write(actor) as s:
        append(s, actor, "db.migrate_to", object_type="database", details=details)
    return result
