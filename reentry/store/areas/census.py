"""Imported SIH snapshots: sites, wards, census and dossiers; the offline copy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from reentry.store.areas.work import UnitOfWork

if TYPE_CHECKING:
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


class CensusStore(UnitOfWork, Protocol):
    """Imported SIH snapshots: sites, wards, census and dossiers; the offline copy."""

    def close(self) -> None: ...
    def write_offline_copy(self, target: Path, wards: Sequence[str]) -> int:
        """The read-only extract of ``wards`` a ward PC opens when the server is cut
        (``reentry.store.offline``); returns how many patients it holds."""
        ...

    def offline_copy(self) -> dict[str, object] | None:
        """What this store says of itself when it is a ward's offline copy, else None."""
        ...

    def apply_import(self, batch: ImportBatch) -> ImportOutcome: ...
    def sites(self) -> list[Site]: ...
    def wards(self, site_code: str | None = None) -> list[Ward]: ...
    def census(self, ward_code: str | None = None) -> list[CensusRow]: ...
    def patient_by_ipp(self, ipp: str) -> Patient | None: ...
    def dossier(self, patient_id: int, since: datetime | None = None) -> Dossier: ...
    def latest_snapshot(self) -> Snapshot | None: ...
    def snapshots(self) -> list[Snapshot]: ...
    def counts(self) -> dict[str, int]: ...
