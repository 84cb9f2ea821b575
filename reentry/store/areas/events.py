"""Outage events, their lifecycle and signed exceptions, declared sheet outcomes, facts about
the store itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from reentry.domain.entry import User
    from reentry.domain.events import (
        EventKind,
        OutageEvent,
        SignedException,
    )
    from reentry.domain.sheet_state import SheetState


class EventStore(Protocol):
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
    def sign_event_exception(self, event_id: int, signer: User, reason: str) -> SignedException:
        """The signer accepts that the sheets unaccounted for *now* will never come back."""
        ...

    def close_outage_event(
        self, event_id: int, user: User, exception: tuple[User, str] | None = None
    ) -> OutageEvent:
        """Close, in one transaction with the exception when one is signed at the same time;
        refused while a sheet is unaccounted for and not covered by a signed exception."""
        ...

    def event_of_serial(self, serial: int) -> int | None: ...
    def event_of_batch(self, batch_id: int) -> int | None: ...
    def event_batch_ids(self, event_id: int) -> list[int]: ...
    def declare_sheet_outcomes(
        self, serials: Sequence[int], outcome: SheetState, reason: str, user: User
    ) -> int:
        """Declare every sheet, or none: each must be a sheet still standing, not entered,
        of an event not closed."""
        ...

    def reserve_serial_ranges(self, first_serial: int, first_temporary: int) -> None:
        """From now on, new sheets and temporary identities are numbered from these values
        (a drill copy's, so that its papers can never be taken for the real database's)."""
        ...

    def store_meta(self, key: str) -> str | None: ...
    def set_store_meta(self, key: str, value: str, user: User | None = None) -> None: ...
