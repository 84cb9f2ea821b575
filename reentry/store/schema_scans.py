"""Migration 0005 — Scanned stacks: files, pages, page images and the manual identification
queue.
"""

from __future__ import annotations

from sqlite_utils import Database

from reentry.store.schema import migration


@migration("0005_scans")
def _scans(db: Database) -> None:
    """Scan files by sha256 (complete once every page is stored), one row per scanned page
    (attached to a sheet page, queued with a reason, or set aside), and the page images in a
    table of their own so that lists and counts never read the blobs."""
    db.executescript(
        """
        CREATE TABLE scan_files (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            page_count INTEGER NOT NULL,
            imported_by INTEGER NOT NULL REFERENCES users(id),
            started_at TEXT NOT NULL,
            completed_at TEXT
        );
        CREATE TABLE scan_pages (
            id INTEGER PRIMARY KEY,
            file_id INTEGER NOT NULL REFERENCES scan_files(id),
            page_index INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('identified', 'queued', 'set_aside')),
            serial INTEGER REFERENCES form_instances(serial),
            page INTEGER,
            identified_by TEXT CHECK (identified_by IN ('barcode', 'typed')),
            identified_user INTEGER REFERENCES users(id),
            identified_at TEXT,
            rescan INTEGER NOT NULL DEFAULT 0,
            code_read TEXT,
            queue_reason TEXT,
            queue_message TEXT,
            queue_params TEXT NOT NULL DEFAULT '{}',
            set_aside_reason TEXT,
            rotation INTEGER NOT NULL,
            skew REAL NOT NULL DEFAULT 0,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            dpi INTEGER NOT NULL,
            imported_by INTEGER NOT NULL REFERENCES users(id),
            imported_at TEXT NOT NULL,
            UNIQUE (file_id, page_index),
            CHECK ((status = 'identified') = (serial IS NOT NULL AND page IS NOT NULL))
        );
        CREATE INDEX scan_pages_sheet ON scan_pages(serial, page) WHERE serial IS NOT NULL;
        CREATE INDEX scan_pages_queue ON scan_pages(status) WHERE status = 'queued';
        CREATE TABLE scan_images (
            page_id INTEGER PRIMARY KEY REFERENCES scan_pages(id),
            format TEXT NOT NULL,
            data BLOB NOT NULL
        );
        """
    )
