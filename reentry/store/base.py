"""The narrow interface every store implements (embedded SQLite today, a shared server later)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

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
from reentry.printing.plan import RegisteredSheet, SheetPlan
from reentry.registry import BatchKind, BatchStatus, FormInstance, PrintBatch


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

    # -- the print registry ------------------------------------------------------------------

    def open_batch(self, snapshot_id: int | None, wards: Sequence[str], window_start: datetime,
                   window_hours: float, language: str, operator: str | None,
                   kind: BatchKind = BatchKind.PRINT) -> PrintBatch: ...

    def register_sheets(self, batch_id: int, plans: Sequence[SheetPlan], *,
                        supersede: bool = False, user: str | None = None
                        ) -> list[RegisteredSheet]:
        """Serials for every planned sheet, in one transaction, before anything is drawn."""
        ...

    def mark_printed(self, serials: Sequence[int], user: str | None = None) -> None: ...

    def cancel_sheets(self, serials: Sequence[int], user: str | None, reason: str) -> int: ...

    def close_batch(self, batch_id: int, status: BatchStatus) -> None: ...

    def form_instance(self, serial: int) -> FormInstance | None: ...

    def batch_sheets(self, batch_id: int) -> list[FormInstance]: ...

    def batches(self) -> list[PrintBatch]: ...

    def sheet_events(self, serial: int) -> list[dict[str, Any]]: ...

    def write_offline_copy(self, target: Path, wards: Sequence[str]) -> int:
        """A ward PC's read-only extract of ``wards``; how many patients it holds."""
        ...

    def offline_copy(self) -> dict[str, object] | None:
        """What an offline copy says of itself (wards, source, data as of), else None."""
        ...

    def close(self) -> None: ...
