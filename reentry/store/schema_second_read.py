"""Migration 0011 — The scanned page as a second reader (issue 14): what was read on each stored
page image, the latest cross-check of each sheet, the typists' acknowledgements and the sheets
finished over a field written but not typed.
"""

from __future__ import annotations

from sqlite_utils import Database

from reentry.store.schema import migration


@migration("0011_second_read")
def _second_read(db: Database) -> None:
    """A reading is made once per stored page image and kept (``fields``: what each box says, as
    JSON); the cross-check is re-run from it and its outcome kept per sheet, so that progress and
    reports count open disagreements without reading any image. Acknowledgements and reasons
    are kept with who and when (and audited)."""
    db.executescript(
        """
        CREATE TABLE page_readings (
            scan_page_id INTEGER PRIMARY KEY REFERENCES scan_pages(id),
            serial INTEGER NOT NULL REFERENCES form_instances(serial),
            page INTEGER NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('read', 'marks_not_found', 'no_layout')),
            residual_mm REAL,
            fields TEXT NOT NULL DEFAULT '[]',
            read_at TEXT NOT NULL,
            seconds REAL NOT NULL DEFAULT 0
        );
        CREATE INDEX page_readings_sheet ON page_readings(serial, page);
        CREATE TABLE sheet_cross_checks (
            serial INTEGER PRIMARY KEY REFERENCES form_instances(serial),
            checked_at TEXT NOT NULL,
            open_disagreements INTEGER NOT NULL,
            open_written_not_typed INTEGER NOT NULL,
            counts TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE cross_check_acknowledgements (
            id INTEGER PRIMARY KEY,
            serial INTEGER NOT NULL REFERENCES form_instances(serial),
            section_id TEXT NOT NULL,
            row_index INTEGER,
            field_id TEXT NOT NULL,
            verdict TEXT NOT NULL,
            typed_value TEXT,
            read_value TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('confirmed', 'corrected')),
            user_id INTEGER NOT NULL REFERENCES users(id),
            at TEXT NOT NULL
        );
        CREATE INDEX cross_check_acknowledgements_serial
            ON cross_check_acknowledgements(serial);
        CREATE TABLE cross_check_overrides (
            id INTEGER PRIMARY KEY,
            serial INTEGER NOT NULL REFERENCES form_instances(serial),
            reason TEXT NOT NULL,
            fields TEXT NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users(id),
            at TEXT NOT NULL
        );
        CREATE INDEX cross_check_overrides_serial ON cross_check_overrides(serial);
        """
    )
