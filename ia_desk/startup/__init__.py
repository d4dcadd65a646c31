"""What a start does, above the rooms it sets up: opening a database (keys, schema,
guards, reference data), setting a new one up, connecting a workstation to a server,
and moving an embedded database to one."""

from ia_desk.startup.opening import (
    daily_backup_if_due,
    database_exists,
    open_database,
    start_stretching,
)

__all__ = ["daily_backup_if_due", "database_exists", "open_database", "start_stretching"]
