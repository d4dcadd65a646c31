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


def create_refusal_function(execute: Any) -> None:
    execute(
        "CREATE OR REPLACE FUNCTION ia_desk_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'insufficient_privilege'; END $$"
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
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE "
        f"ON TABLES TO {WORKSTATION_ROLE}; "
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT "
        f"ON SEQUENCES TO {WORKSTATION_ROLE}; "
        "END IF; END $$"
    )


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
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
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
