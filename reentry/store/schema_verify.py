"""Migration 0006 — Double entry: second entries, discrepancies and the decisions that
resolve them.
"""

from __future__ import annotations

from sqlite_utils import Database

from reentry.store.schema import migration


@migration("0006_verify")
def _verify(db: Database) -> None:
    """The double-entry policy per form, the blind second entry kept apart from the first, the
    sighted checks, the decisions on differences, and when each sheet was verified."""
    db.executescript(
        """
        CREATE TABLE double_entry_policy (
            template_id TEXT PRIMARY KEY,
            mode TEXT NOT NULL CHECK (mode IN ('none', 'sighted', 'blind')),
            changed_by INTEGER REFERENCES users(id),
            changed_at TEXT NOT NULL
        );
        CREATE TABLE second_entries (
            id INTEGER PRIMARY KEY,
            serial INTEGER NOT NULL REFERENCES form_instances(serial),
            page INTEGER NOT NULL,
            section_id TEXT NOT NULL,
            row_index INTEGER NOT NULL,
            field_values TEXT NOT NULL,
            sheet_values TEXT NOT NULL DEFAULT '{}',
            event_time TEXT NOT NULL,
            author TEXT NOT NULL,
            entered_by INTEGER NOT NULL REFERENCES users(id),
            entered_at TEXT NOT NULL,
            status TEXT NOT NULL,
            corrects INTEGER REFERENCES second_entries(id),
            reason TEXT,
            warnings_confirmed TEXT NOT NULL DEFAULT '[]'
        );
        CREATE UNIQUE INDEX second_entries_one_active_row
            ON second_entries(serial, section_id, row_index) WHERE status = 'active';
        CREATE TABLE double_entry_sheets (
            serial INTEGER PRIMARY KEY REFERENCES form_instances(serial),
            second_user_id INTEGER REFERENCES users(id),
            second_done_at TEXT,
            differences INTEGER,
            verified_mode TEXT,
            verified_by INTEGER REFERENCES users(id),
            verified_at TEXT,
            last_entry_id INTEGER
        );
        CREATE TABLE sighted_checks (
            entry_id INTEGER PRIMARY KEY REFERENCES entries(id),
            serial INTEGER NOT NULL REFERENCES form_instances(serial),
            user_id INTEGER NOT NULL REFERENCES users(id),
            at TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('confirmed', 'corrected')),
            correction_id INTEGER REFERENCES entries(id)
        );
        CREATE INDEX sighted_checks_serial ON sighted_checks(serial);
        CREATE TABLE double_entry_decisions (
            id INTEGER PRIMARY KEY,
            serial INTEGER NOT NULL REFERENCES form_instances(serial),
            section_id TEXT NOT NULL,
            row_index INTEGER NOT NULL,
            field_id TEXT NOT NULL,
            first_value TEXT,
            second_value TEXT,
            choice TEXT NOT NULL CHECK (choice IN ('first', 'second', 'third')),
            value TEXT,
            reason TEXT,
            decided_by INTEGER NOT NULL REFERENCES users(id),
            decided_at TEXT NOT NULL
        );
        CREATE INDEX double_entry_decisions_serial ON double_entry_decisions(serial);
        """
    )
