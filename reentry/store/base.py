"""The narrow interface every store implements (embedded SQLite today, a shared server later)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from reentry.model import (
    CensusRow,
    Dossier,
    ImportBatch,
    ImportOutcome,
    Patient,
    Site,
    Snapshot,
    Ward,
)


class Store(Protocol):
    def apply_import(self, batch: ImportBatch) -> ImportOutcome:
        """Store everything ``batch`` says in one transaction, or nothing."""
        ...

    def sites(self) -> list[Site]: ...

    def wards(self, site_code: str | None = None) -> list[Ward]: ...

    def census(self, ward_code: str | None = None) -> list[CensusRow]:
        """Current inpatients in site, ward, room and bed order."""
        ...

    def patient_by_ipp(self, ipp: str) -> Patient | None: ...

    def dossier(self, patient_id: int, since: datetime | None = None) -> Dossier:
        """The patient's dossier; observations and notes from ``since`` on (all if None)."""
        ...

    def latest_snapshot(self) -> Snapshot | None: ...

    def snapshots(self) -> list[Snapshot]: ...

    def counts(self) -> dict[str, int]:
        """Number of rows per kind of record (for reports and tests)."""
        ...

    def close(self) -> None: ...
