"""The scanned page as a second reader: page readings, cross-check outcomes, acknowledgements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from reentry.store.areas.work import UnitOfWork

if TYPE_CHECKING:
    from reentry.domain.entry import User
    from reentry.domain.second_read import (
        Acknowledgement,
        AckOutcome,
        FieldKey,
        PageReading,
        Verdict,
    )


class SecondReadStore(UnitOfWork, Protocol):
    """The scanned page as a second reader: page readings, cross-check outcomes,
    acknowledgements."""

    def page_reading(self, scan_page_id: int) -> PageReading | None:
        """What was read on a stored page image, if it has been read."""
        ...

    def save_page_reading(self, reading: PageReading) -> PageReading:
        """Keep a page's reading; a page read meanwhile by another PC keeps its first reading,
        which is returned."""
        ...

    def save_sheet_cross_check(
        self, serial: int, open_disagreements: int, open_written_not_typed: int,
        counts: dict[str, Any]
    ) -> None:
        """The latest cross-check of a sheet, in place of the previous one."""
        ...

    def sheet_cross_check(self, serial: int) -> dict[str, Any] | None: ...
    def open_disagreement_counts(
        self, event_id: int | None = None, ward_code: str | None = None
    ) -> dict[str, int]:
        """Ward code → sheets whose latest cross-check left a disagreement open."""
        ...

    def scanned_sheets(self, ward_code: str | None = None) -> list[int]:
        """Serials of the sheets with a scanned page attached (of one ward), in serial order."""
        ...

    def acknowledgements(self, serial: int) -> list[Acknowledgement]: ...
    def save_acknowledgement(
        self, serial: int, key: FieldKey, verdict: Verdict, typed_value: str | None,
        read_value: str | None, outcome: AckOutcome, user: User
    ) -> Acknowledgement:
        """One typist's answer to a disagreement, audited."""
        ...

    def record_finish_reason(
        self, serial: int, reason: str, fields: Sequence[dict[str, Any]], user: User
    ) -> None:
        """Why a sheet was finished with fields written on paper but not typed, audited."""
        ...

    def finish_reasons(self, serial: int) -> list[dict[str, Any]]: ...
