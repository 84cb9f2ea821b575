"""Versioned schema migrations. Append new migrations at the end; never edit an applied one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("reentry")
MIGRATION_NAMES: list[str] = []
# The same functions, by name: a server applies them through ``migrate.ServerSchema``.
MIGRATION_FUNCTIONS: dict[str, Callable[[Any], None]] = {}


def migration(name: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Register a migration for both engines (``migrate.py``), in the order of registration."""
    MIGRATION_NAMES.append(name)
    register = migrations(name=name)

    def decorate(function: Callable[[Any], None]) -> Callable[[Any], None]:
        MIGRATION_FUNCTIONS[name] = function
        register(function)
        return function
    return decorate


@migration("0001_census_and_dossier")
def _initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            format TEXT NOT NULL,
            content_hash TEXT NOT NULL UNIQUE,
            data_as_of TEXT NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE TABLE sites (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL
        );
        CREATE TABLE wards (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            site_code TEXT NOT NULL REFERENCES sites(code)
        );
        CREATE TABLE beds (
            ward_code TEXT NOT NULL REFERENCES wards(code),
            room TEXT NOT NULL,
            bed TEXT NOT NULL,
            PRIMARY KEY (ward_code, room, bed)
        );
        CREATE TABLE patients (
            id INTEGER PRIMARY KEY,
            ipp TEXT UNIQUE,
            ins_nir TEXT,
            identity_status TEXT,
            birth_name TEXT,
            used_name TEXT,
            given_names TEXT,
            birth_date TEXT,
            sex TEXT,
            birthplace_insee TEXT,
            address TEXT,
            postcode TEXT,
            city TEXT,
            snapshot_id INTEGER REFERENCES snapshots(id)
        );
        CREATE INDEX patients_ins ON patients(ins_nir);
        CREATE TABLE stays (
            id INTEGER PRIMARY KEY,
            nda TEXT NOT NULL UNIQUE,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            ward_code TEXT REFERENCES wards(code),
            room TEXT,
            bed TEXT,
            admitted_at TEXT,
            discharged_at TEXT,
            cancelled INTEGER NOT NULL DEFAULT 0,
            snapshot_id INTEGER REFERENCES snapshots(id)
        );
        CREATE INDEX stays_patient ON stays(patient_id);
        CREATE INDEX stays_ward ON stays(ward_code);
        CREATE TABLE movements (
            id INTEGER PRIMARY KEY,
            stay_id INTEGER NOT NULL REFERENCES stays(id),
            movement_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            at TEXT,
            ward_code TEXT REFERENCES wards(code),
            room TEXT,
            bed TEXT,
            cancelled INTEGER NOT NULL DEFAULT 0,
            snapshot_id INTEGER REFERENCES snapshots(id),
            UNIQUE (stay_id, movement_id)
        );
        CREATE TABLE allergies (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL UNIQUE,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            substance TEXT NOT NULL,
            reaction TEXT,
            severity TEXT,
            criticality TEXT,
            recorded_at TEXT,
            snapshot_id INTEGER REFERENCES snapshots(id)
        );
        CREATE INDEX allergies_patient ON allergies(patient_id);
        CREATE TABLE prescriptions (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL UNIQUE,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            stay_id INTEGER REFERENCES stays(id),
            drug TEXT NOT NULL,
            dose REAL,
            unit TEXT,
            route TEXT,
            schedule TEXT NOT NULL DEFAULT '[]',
            frequency TEXT,
            start TEXT,
            "end" TEXT,
            status TEXT NOT NULL,
            snapshot_id INTEGER REFERENCES snapshots(id)
        );
        CREATE INDEX prescriptions_patient ON prescriptions(patient_id);
        CREATE TABLE observations (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL UNIQUE,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            stay_id INTEGER REFERENCES stays(id),
            code TEXT NOT NULL,
            label TEXT NOT NULL,
            value REAL,
            value_text TEXT,
            unit TEXT,
            effective_at TEXT NOT NULL,
            snapshot_id INTEGER REFERENCES snapshots(id)
        );
        CREATE INDEX observations_patient_time ON observations(patient_id, effective_at);
        CREATE TABLE administrations (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL UNIQUE,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            stay_id INTEGER REFERENCES stays(id),
            drug TEXT NOT NULL,
            at TEXT NOT NULL,
            dose REAL,
            unit TEXT,
            route TEXT,
            status TEXT NOT NULL,
            performer TEXT,
            snapshot_id INTEGER REFERENCES snapshots(id)
        );
        CREATE INDEX administrations_patient_time ON administrations(patient_id, at);
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL UNIQUE,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            stay_id INTEGER REFERENCES stays(id),
            written_at TEXT NOT NULL,
            author TEXT,
            text TEXT NOT NULL,
            snapshot_id INTEGER REFERENCES snapshots(id)
        );
        CREATE INDEX notes_patient_time ON notes(patient_id, written_at);
        """
    )


@migration("0002_print_registry")
def _print_registry(db: Database) -> None:
    """Every printed sheet is registered, before it is drawn, with the serial its codes carry."""
    db.executescript(
        """
        CREATE TABLE print_batches (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            operator TEXT,
            snapshot_id INTEGER REFERENCES snapshots(id),
            wards TEXT NOT NULL,
            window_start TEXT NOT NULL,
            window_hours REAL NOT NULL,
            language TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'print',
            status TEXT NOT NULL,
            closed_at TEXT
        );
        CREATE TABLE temporary_identities (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            code TEXT NOT NULL UNIQUE,
            batch_id INTEGER NOT NULL REFERENCES print_batches(id),
            ward_code TEXT NOT NULL REFERENCES wards(code),
            patient_id INTEGER REFERENCES patients(id)
        );
        CREATE TABLE form_instances (
            serial INTEGER PRIMARY KEY AUTOINCREMENT,
            template_id TEXT NOT NULL,
            template_version INTEGER NOT NULL,
            page_count INTEGER NOT NULL CHECK (page_count BETWEEN 1 AND 99),
            batch_id INTEGER NOT NULL REFERENCES print_batches(id),
            snapshot_id INTEGER REFERENCES snapshots(id),
            ward_code TEXT NOT NULL REFERENCES wards(code),
            patient_id INTEGER REFERENCES patients(id),
            stay_id INTEGER REFERENCES stays(id),
            temporary_identity_id INTEGER REFERENCES temporary_identities(id),
            status TEXT NOT NULL,
            superseded_by INTEGER REFERENCES form_instances(serial),
            content TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL
        );
        CREATE INDEX form_instances_batch ON form_instances(batch_id);
        CREATE INDEX form_instances_patient ON form_instances(patient_id, template_id);
        CREATE TABLE sheet_events (
            id INTEGER PRIMARY KEY,
            serial INTEGER NOT NULL REFERENCES form_instances(serial),
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            user TEXT,
            reason TEXT
        );
        CREATE INDEX sheet_events_serial ON sheet_events(serial);
        """
    )


@migration("0003_reentry")
def _reentry(db: Database) -> None:
    """Users, rows typed from paper (entries), what they mean (items), drafts and the audit."""
    db.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE entries (
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
            corrects INTEGER REFERENCES entries(id),
            reason TEXT,
            warnings_confirmed TEXT NOT NULL DEFAULT '[]'
        );
        CREATE UNIQUE INDEX entries_one_active_row
            ON entries(serial, section_id, row_index) WHERE status = 'active';
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            entry_id INTEGER NOT NULL REFERENCES entries(id),
            serial INTEGER NOT NULL REFERENCES form_instances(serial),
            kind TEXT NOT NULL,
            code TEXT NOT NULL,
            label TEXT NOT NULL,
            value REAL,
            value_text TEXT,
            unit TEXT,
            route TEXT,
            status TEXT NOT NULL,
            status_reason TEXT,
            text TEXT,
            effective_time TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX items_entry ON items(entry_id);
        CREATE TABLE drafts (
            serial INTEGER NOT NULL REFERENCES form_instances(serial),
            page INTEGER NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users(id),
            rows TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (serial, page, user_id)
        );
        CREATE TABLE identity_confirmations (
            user_id INTEGER NOT NULL REFERENCES users(id),
            serial INTEGER NOT NULL REFERENCES form_instances(serial),
            at TEXT NOT NULL,
            PRIMARY KEY (user_id, serial)
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            record_id INTEGER,
            detail TEXT NOT NULL DEFAULT '{}'
        );
        """
    )


# Later migrations live in one module per area; the order of these imports is the order in which
# they apply, so it never changes once released.
from reentry.store import (  # noqa: E402, F401, I001
    schema_events,
    schema_scans,
    schema_verify,
    schema_admissions,
    schema_review,
    schema_auth,
    schema_audit,
    schema_second_read,
    schema_review_unmatched,
    schema_review_texts,
)
