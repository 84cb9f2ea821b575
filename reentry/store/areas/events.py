"""Outage events, their lifecycle and signed exceptions, declared sheet outcomes, facts about
the store itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from reentry.store.areas.work import UnitOfWork

if TYPE_CHECKING:
    from reentry.domain.entry import User
    from reentry.domain.events import EventKind, OutageEvent, SheetToDeclare
    from reentry.domain.sheet_state import SheetState


class EventStore(UnitOfWork, Protocol):
    """Outage events, their lifecycle and signed exceptions, declared sheet outcomes, facts
    about the store itself."""

    def insert_outage_event(
        self,
        *,
        kind: EventKind,
        title: str,
        planned: bool,
        started_at: datetime,
        wards: Sequence[str] | None,
        systems: Sequence[str],
        user: User,
    ) -> tuple[OutageEvent, list[int]]:
        """Record the event; an unplanned one adopts the latest prepared set of each
        affected ward (see docs/events.md). Returns the event and the batches adopted."""
        ...

    def outage_event(self, event_id: int) -> OutageEvent | None: ...
    def outage_events(self) -> list[OutageEvent]:
        """Newest first."""
        ...

    def ongoing_event(self) -> OutageEvent | None: ...
    def end_outage_event(self, event_id: int, user: User, ended_at: datetime) -> OutageEvent: ...
    def unaccounted_sheets(self, event_id: int) -> dict[int, str]:
        """Serial → ward of every sheet of the event still owed (``UNACCOUNTED`` states)."""
        ...

    def record_event_exception(
        self, event_id: int, signer: User, reason: str, signed_at: datetime,
        sheets: Mapping[int, str],
    ) -> None:
        """The signer's exception for ``sheets`` (serial → ward), replacing any earlier one."""
        ...

    def close_outage_event(self, event_id: int, user: User, unaccounted: int) -> OutageEvent:
        """Close the event; ``unaccounted`` sheets (covered by its exception) are noted."""
        ...

    def event_of_serial(self, serial: int) -> int | None: ...
    def event_of_batch(self, batch_id: int) -> int | None: ...
    def event_batch_ids(self, event_id: int) -> list[int]: ...
    def sheets_to_declare(self, serials: Sequence[int]) -> dict[int, SheetToDeclare]:
        """What the registry and the events say of each of ``serials`` (absent: unknown)."""
        ...

    def declare_sheet_outcomes(
        self, serials: Sequence[int], outcome: SheetState, reason: str, user: User
    ) -> int:
        """Record ``outcome`` for every sheet, with the reason and who says so (audited)."""
        ...

    def reserve_serial_ranges(self, first_serial: int, first_temporary: int) -> None:
        """From now on, new sheets and temporary identities are numbered from these values
        (a drill copy's, so that its papers can never be taken for the real database's)."""
        ...

    def store_meta(self, key: str) -> str | None: ...
    def set_store_meta(self, key: str, value: str, user: User | None = None) -> None: ...
