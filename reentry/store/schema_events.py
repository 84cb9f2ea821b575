"""Migration 0004 — Outage events: start, end, wards and systems, who declared them; sheet
accounting.

Batches belong to an event through ``print_batches.event_id`` (nullable: a prepared ward-PC set
belongs to no event until an unplanned outage is declared and adopts it). Sheets and entries
belong to the event of their batch. ``store_meta`` holds facts about the database itself, such
as "this file is a drill copy".
"""

from __future__ import annotations

from sqlite_utils import Database

from reentry.store.schema import migration


@migration("0004_events")
def _events(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE outage_events (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('real', 'drill')),
            title TEXT NOT NULL,
            planned INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            wards TEXT,
            systems TEXT NOT NULL DEFAULT '[]',
            declared_by INTEGER NOT NULL REFERENCES users(id),
            declared_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('ongoing', 'ended', 'closed')),
            ended_by INTEGER REFERENCES users(id),
            closed_by INTEGER REFERENCES users(id),
            closed_at TEXT,
            exception_signed_by INTEGER REFERENCES users(id),
            exception_signed_at TEXT,
            exception_reason TEXT,
            exception_sheets TEXT
        );
        CREATE UNIQUE INDEX outage_events_one_ongoing ON outage_events(status)
            WHERE status = 'ongoing';
        ALTER TABLE print_batches ADD COLUMN event_id INTEGER REFERENCES outage_events(id);
        CREATE INDEX print_batches_event ON print_batches(event_id);
        CREATE INDEX sheet_events_action ON sheet_events(action, serial);
        CREATE TABLE store_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )
