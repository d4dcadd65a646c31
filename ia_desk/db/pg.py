"""PostgreSQL-only database objects, shared by the migrations that create them.

The workstation role: the README's server script creates ``ia_desk_owner`` (owns the
tables, runs migrations) and ``ia_desk_app`` (what workstations sign in with). Every
migration that creates a table calls :func:`grant_workstation_role` so the workstation
role can use it, and never gains UPDATE, DELETE or TRUNCATE on the append-only tables.
"""

from __future__ import annotations

from typing import Any

WORKSTATION_ROLE = "ia_desk_app"
APPEND_ONLY = {
    "audit_event": "the audit trail is append-only",
    "evidence_blob": "evidence is write-once",
}
# Foreign-key checks lock the referenced row (SELECT ... FOR KEY SHARE), which
# PostgreSQL allows only to the owner holding UPDATE on some column of it: the owner keeps
# that on the key column alone. The trigger still refuses every UPDATE.
REFERENCED_KEY = {"evidence_blob": "sha256"}
CHANGE_CHANNEL = "ia_desk_cases"


REFUSAL_FUNCTION = "ia_desk_refuse"
REFUSAL_BODY = "BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'insufficient_privilege'; END"
# pg_trigger.tgtype of the two triggers: ROW(1) | BEFORE(2) | DELETE(8) | UPDATE(16), and
# BEFORE(2) | TRUNCATE(32) for each statement.
APPEND_ONLY_TGTYPE = 27
NO_TRUNCATE_TGTYPE = 34
CHANGES = ("UPDATE", "DELETE", "TRUNCATE")


def create_refusal_function(execute: Any) -> None:
    execute(
        f"CREATE OR REPLACE FUNCTION {REFUSAL_FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ {REFUSAL_BODY} $$"
    )


def protect_append_only(execute: Any) -> None:
    """Refuse UPDATE, DELETE and TRUNCATE on the append-only tables for every role: the
    privileges are revoked (from the owner too) and a trigger refuses them anyway."""
    create_refusal_function(execute)
    for table, why in APPEND_ONLY.items():
        execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION ia_desk_refuse('{why}')"
        )
        execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION ia_desk_refuse('{why}')"
        )
        execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC, CURRENT_USER")
        if table in REFERENCED_KEY:
            execute(f"GRANT UPDATE ({REFERENCED_KEY[table]}) ON {table} TO CURRENT_USER")


def guard_problems(conn: Any) -> tuple[list[str], str]:
    """What is missing of the append-only protection made by :func:`protect_append_only`
    (and :func:`grant_workstation_role`), and the tables' owner. Each problem is a short
    sentence: "trigger audit_event_append_only is missing", "ia_desk_app may UPDATE
    audit_event"."""
    from sqlalchemy import text

    problems: list[str] = []
    body = conn.execute(
        text(
            "SELECT prosrc FROM pg_proc WHERE proname = :name "
            "AND pronamespace = current_schema()::regnamespace"
        ),
        {"name": REFUSAL_FUNCTION},
    ).scalar()
    if body is None:
        problems.append(f"function {REFUSAL_FUNCTION} is missing")
    elif " ".join(str(body).split()) != REFUSAL_BODY:
        problems.append(f"function {REFUSAL_FUNCTION} was altered")
    found = {
        (table, name): (tgtype, enabled, function)
        for table, name, tgtype, enabled, function in conn.execute(
            text(
                "SELECT c.relname, t.tgname, t.tgtype, t.tgenabled, p.proname "
                "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE c.relnamespace = current_schema()::regnamespace "
                "AND NOT t.tgisinternal AND c.relname IN ('audit_event', 'evidence_blob')"
            )
        )
    }
    for table in APPEND_ONLY:
        for name, tgtype in (
            (f"{table}_append_only", APPEND_ONLY_TGTYPE),
            (f"{table}_no_truncate", NO_TRUNCATE_TGTYPE),
        ):
            got = found.get((table, name))
            if got is None:
                problems.append(f"trigger {name} is missing")
            elif got[1] not in ("O", "A"):
                problems.append(f"trigger {name} is disabled")
            elif got[0] != tgtype or got[2] != REFUSAL_FUNCTION:
                problems.append(f"trigger {name} was altered")
    owner, owner_is_super = conn.execute(
        text(
            "SELECT r.rolname, r.rolsuper FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE c.oid = 'audit_event'::regclass"
        )
    ).one()
    roles = ["public"]
    if not owner_is_super:  # a superuser holds every privilege whatever is revoked
        roles.append(owner)
    if conn.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": WORKSTATION_ROLE}
    ).first():
        roles.append(WORKSTATION_ROLE)
    checks = [
        (role, table, change) for role in roles for table in APPEND_ONLY for change in CHANGES
    ]
    params: dict[str, str] = {}
    for i, (role, table, change) in enumerate(checks):
        params.update({f"r{i}": role, f"t{i}": table, f"p{i}": change})
    held = conn.execute(
        text(
            "SELECT "
            + ", ".join(f"has_table_privilege(:r{i}, :t{i}, :p{i})" for i in range(len(checks)))
        ),
        params,
    ).one()
    for (role, table, change), has in zip(checks, held, strict=True):
        if has:
            problems.append(f"{role} may {change} {table}")
    return problems, str(owner)


def can_restore_guards(conn: Any, owner: str) -> bool:
    """May this connection's role put the protection back (the owner, or a superuser)?"""
    from sqlalchemy import text

    return bool(
        conn.execute(
            text(
                "SELECT pg_has_role(:owner, 'USAGE') OR "
                "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
            ),
            {"owner": owner},
        ).scalar()
    )


def restore_guards(execute: Any, owner: str) -> None:
    """Put the whole append-only protection back as the migrations made it: the function,
    both triggers on each table, and the revoked privileges (of the owner too, who keeps
    UPDATE on the referenced key column only)."""
    create_refusal_function(execute)
    roles = f"PUBLIC, {quote_role(owner)}"
    execute(
        "DO $$ BEGIN "
        f"IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WORKSTATION_ROLE}') THEN "
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(APPEND_ONLY)} FROM {WORKSTATION_ROLE}; "
        "END IF; END $$"
    )
    for table, why in APPEND_ONLY.items():
        execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {REFUSAL_FUNCTION}('{why}')"
        )
        execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {REFUSAL_FUNCTION}('{why}')"
        )
        execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {roles}")
        if table in REFERENCED_KEY:
            execute(f"GRANT UPDATE ({REFERENCED_KEY[table]}) ON {table} TO {quote_role(owner)}")


def quote_role(name: str) -> str:
    """A role name (read from the catalogue) as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def grant_workstation_role(execute: Any) -> None:
    """Let the workstation role (when the server has one) use every table, except for
    changing the append-only ones; tables made later by this owner are granted too."""
    tables = ", ".join(APPEND_ONLY)
    execute(
        "DO $$ BEGIN "
        f"IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WORKSTATION_ROLE}') THEN "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
        f"TO {WORKSTATION_ROLE}; "
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {WORKSTATION_ROLE}; "
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM {WORKSTATION_ROLE}; "
        f"IF to_regclass('{SERVER_CHANGE_TABLE}') IS NOT NULL THEN "
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {SERVER_CHANGE_TABLE} "
        f"FROM {WORKSTATION_ROLE}; END IF; "
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE "
        f"ON TABLES TO {WORKSTATION_ROLE}; "
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT "
        f"ON SEQUENCES TO {WORKSTATION_ROLE}; "
        "END IF; END $$"
    )


# -- the server's own record of every change (issue 20) ------------------------------------
SERVER_CHANGE_TABLE = "server_change"
SERVER_CHANGE_FUNCTION = "ia_desk_record_change"
SERVER_CHANGE_TRIGGER = "{table}_server_change"
SERVER_TX_FUNCTION = "ia_desk_event_tx"
# Tables whose changes are not recorded: the log itself, the trail (its rows are the
# events, signed), and Alembic's version row (moved only by the owner's migrations).
NOT_RECORDED = (SERVER_CHANGE_TABLE, "audit_event", "alembic_version")


def recorded_tables(conn: Any) -> list[str]:
    """The data tables of the schema whose every change the server records."""
    from sqlalchemy import text

    return [
        str(name)
        for (name,) in conn.execute(
            text(
                "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' "
                "AND c.relnamespace = current_schema()::regnamespace ORDER BY c.relname"
            )
        )
        if name not in NOT_RECORDED
    ]


def record_changes_of(execute: Any, table: str) -> None:
    """Have the server record every change of a table made after the change log was
    created (a table a later migration adds)."""
    name = SERVER_CHANGE_TRIGGER.format(table=table)
    execute(
        f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {SERVER_CHANGE_FUNCTION}()"
    )
    execute(
        f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {SERVER_CHANGE_FUNCTION}()"
    )


def create_server_change_log(execute: Any, tables: list[str]) -> None:
    """The server records every insert, update, delete and truncate of ``tables``, with
    the database role that signed in (``session_user``), the transaction's number and,
    for an update, the columns it changed, in ``server_change``: a table no client role
    may write (the trigger function runs as its owner) or change (append-only, like the
    trail). Each audit event gets the
    number of its transaction from the server, so ``audit verify`` can name every
    change made in a transaction that wrote no event (a ``psql`` edit, made outside IA
    Desk), and who signed in to make it."""
    execute(
        f"CREATE TABLE {SERVER_CHANGE_TABLE} ("
        "id bigserial PRIMARY KEY, "
        "tx bigint NOT NULL, "
        "table_name text NOT NULL, "
        "operation text NOT NULL, "
        "db_role text NOT NULL, "
        "changed_columns text, "
        "at timestamptz NOT NULL DEFAULT clock_timestamp())"
    )
    execute(f"CREATE INDEX ix_{SERVER_CHANGE_TABLE}_tx ON {SERVER_CHANGE_TABLE} (tx)")
    execute(
        f"CREATE OR REPLACE FUNCTION {SERVER_CHANGE_FUNCTION}() RETURNS trigger "
        "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$ "
        "DECLARE changed text; BEGIN "
        "IF TG_OP = 'UPDATE' THEN "
        "SELECT string_agg(n.key, ',' ORDER BY n.key) INTO changed "
        "FROM jsonb_each(to_jsonb(NEW)) n WHERE n.value IS DISTINCT FROM to_jsonb(OLD) -> n.key; "
        "END IF; "
        f"INSERT INTO {SERVER_CHANGE_TABLE} (tx, table_name, operation, db_role, changed_columns) "
        "VALUES (txid_current(), TG_TABLE_NAME, TG_OP, session_user, changed); "
        "RETURN NULL; END $$"
    )
    execute(f"REVOKE ALL ON FUNCTION {SERVER_CHANGE_FUNCTION}() FROM PUBLIC")
    for table in tables:
        record_changes_of(execute, table)
    execute(
        f"CREATE OR REPLACE FUNCTION {SERVER_TX_FUNCTION}() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN NEW.server_tx := txid_current(); RETURN NEW; END $$"
    )
    execute(
        "CREATE TRIGGER audit_event_server_tx BEFORE INSERT ON audit_event "
        f"FOR EACH ROW EXECUTE FUNCTION {SERVER_TX_FUNCTION}()"
    )
    why = "the record of changes is append-only"
    execute(
        f"CREATE TRIGGER {SERVER_CHANGE_TABLE}_append_only BEFORE UPDATE OR DELETE ON "
        f"{SERVER_CHANGE_TABLE} FOR EACH ROW EXECUTE FUNCTION {REFUSAL_FUNCTION}('{why}')"
    )
    execute(
        f"CREATE TRIGGER {SERVER_CHANGE_TABLE}_no_truncate BEFORE TRUNCATE ON "
        f"{SERVER_CHANGE_TABLE} FOR EACH STATEMENT EXECUTE FUNCTION {REFUSAL_FUNCTION}('{why}')"
    )
    execute(f"REVOKE ALL ON {SERVER_CHANGE_TABLE} FROM PUBLIC")
    # The owner keeps INSERT (the trigger function runs as the owner) and loses the rest.
    execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {SERVER_CHANGE_TABLE} FROM CURRENT_USER")


def create_change_notification(execute: Any) -> None:
    """Every insert or change of a case tells listening workstations its number."""
    execute(
        "CREATE OR REPLACE FUNCTION ia_desk_case_changed() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"PERFORM pg_notify('{CHANGE_CHANNEL}', NEW.number); RETURN NULL; END $$"
    )
    execute(
        "CREATE TRIGGER ia_case_changed AFTER INSERT OR UPDATE ON ia_case "
        "FOR EACH ROW EXECUTE FUNCTION ia_desk_case_changed()"
    )


def create_search_table(execute: Any) -> None:
    """The tsvector twin of SQLite's FTS5 table (see ia_desk.cases.search)."""
    execute(
        "CREATE TABLE case_search ("
        "case_id integer PRIMARY KEY REFERENCES ia_case(id), "
        "document tsvector NOT NULL)"
    )
    execute("CREATE INDEX ix_case_search_document ON case_search USING gin (document)")


def reset_sequences(conn: Any) -> None:
    """After rows were copied in with their ids, let each table's id sequence continue
    after the highest id (PostgreSQL does not move a sequence for explicit ids)."""
    from sqlalchemy import text

    rows = conn.execute(
        text(
            "SELECT c.relname, a.attname FROM pg_class c "
            # (A dropped column stays in pg_attribute, renamed, until the table is
            # rewritten: asking for its sequence fails. Migration 0026 drops one.)
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
            "WHERE c.relkind = 'r' "
            "AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL"
        )
    ).all()
    for table, col in rows:
        conn.execute(  # table and column names come from the catalogue, not from input
            text(
                f"SELECT setval(pg_get_serial_sequence(:t, :c), "
                f'coalesce((SELECT max("{col}") FROM "{table}"), 0) + 1, false)'
            ),
            {"t": f'"{table}"', "c": col},
        )
