"""A database as an older Reentry left it, for the migration tests: every migration before
the one tested applied, on the server (PostgreSQL) or in the SQLite file the test is given,
then the rows of that time written with the raw SQL of the time."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reentry.store.database import SqlConnection, server_engine
from reentry.store.migrate import migrate_server
from reentry.store.schema import MIGRATION_FUNCTIONS, MIGRATION_NAMES, migrations

Execute = Callable[..., Any]  # ``execute(sql, parameters)`` of a connection


def before_migration(store_location: Path | str, db_path: Path, migration: str,
                     fill: Callable[[Execute], None]) -> None:
    """The database at ``store_location`` (a server URL, else ``db_path``) migrated up to just
    before ``migration``, then ``fill(execute)`` writing its old rows (in one transaction on
    the server)."""
    if isinstance(store_location, str):
        conn = SqlConnection(server_engine(store_location), "test")
        try:
            migrate_server(conn, MIGRATION_NAMES[:MIGRATION_NAMES.index(migration)],
                           MIGRATION_FUNCTIONS)
            with conn.transaction():
                fill(conn.execute)
        finally:
            conn.close()
    else:
        from sqlite_utils import Database

        raw = sqlite3.connect(db_path, isolation_level=None)
        migrations.apply(Database(raw), stop_before=migration)
        fill(raw.execute)
        raw.close()
