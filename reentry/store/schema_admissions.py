"""Migration 0007 — Downtime admissions: the identity written on paper for a
temporary-identity packet.
"""

from __future__ import annotations

from sqlite_utils import Database

from reentry.store.schema import migration


@migration("0007_admissions")
def _admissions(db: Database) -> None:
    """Every version of an admission typed from paper: the active one is what the provisional
    patient and stay say now; a correction keeps the version it replaces (status 'corrected')."""
    db.executescript(
        """
        CREATE TABLE downtime_admissions (
            id INTEGER PRIMARY KEY,
            temporary_identity_id INTEGER NOT NULL REFERENCES temporary_identities(id),
            serial INTEGER NOT NULL REFERENCES form_instances(serial),
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            stay_id INTEGER NOT NULL REFERENCES stays(id),
            birth_name TEXT NOT NULL,
            used_name TEXT,
            given_names TEXT,
            birth_date TEXT,
            sex TEXT NOT NULL,
            birthplace_insee TEXT,
            ward_code TEXT NOT NULL REFERENCES wards(code),
            room TEXT,
            bed TEXT,
            admitted_at TEXT NOT NULL,
            author TEXT NOT NULL,
            field_values TEXT NOT NULL,
            entered_by INTEGER NOT NULL REFERENCES users(id),
            entered_at TEXT NOT NULL,
            status TEXT NOT NULL,
            corrects INTEGER REFERENCES downtime_admissions(id),
            reason TEXT,
            warnings_confirmed TEXT NOT NULL DEFAULT '[]'
        );
        CREATE UNIQUE INDEX downtime_admissions_one_active
            ON downtime_admissions(temporary_identity_id) WHERE status = 'active';
        CREATE INDEX downtime_admissions_patient ON downtime_admissions(patient_id);
        """
    )
