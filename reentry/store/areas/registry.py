"""The print registry: batches, sheets and their serials, what happened to each sheet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from reentry.store.areas.work import UnitOfWork

if TYPE_CHECKING:
    from reentry.domain.sheet_plan import RegisteredSheet, SheetPlan
    from reentry.registry import (
        BatchKind,
        BatchStatus,
        FormInstance,
        PrintBatch,
    )


class RegistryStore(UnitOfWork, Protocol):
    """The print registry: batches, sheets and their serials, what happened to each sheet."""

    def open_batch(
        self,
        snapshot_id: int | None,
        wards: Sequence[str],
        window_start: datetime,
        window_hours: float,
        language: str,
        operator: str | None,
        kind: BatchKind = ...,
    ) -> PrintBatch:
        """A print batch belongs to the ongoing (or declared planned) outage event, if any;
        a prepared set belongs to none until an unplanned outage adopts it
        (docs/events.md)."""
        ...

    def register_sheets(
        self,
        batch_id: int,
        plans: Sequence[SheetPlan],
        *,
        supersede: bool = False,
        user: str | None = None,
    ) -> list[RegisteredSheet]:
        """Give each planned sheet its serial, in one transaction, before anything is
        drawn."""
        ...

    def mark_printed(self, serials: Sequence[int], user: str | None = None) -> None: ...
    def cancel_sheets(self, serials: Sequence[int], user: str | None, reason: str) -> int:
        """Withdraw sheets explicitly; returns how many were still usable and are now
        cancelled."""
        ...

    def close_batch(self, batch_id: int, status: BatchStatus) -> None: ...
    def form_instance(self, serial: int) -> FormInstance | None: ...
    def batch_sheets(self, batch_id: int) -> list[FormInstance]: ...
    def batches(self) -> list[PrintBatch]: ...
    def sheet_events(self, serial: int) -> list[dict[str, Any]]: ...
