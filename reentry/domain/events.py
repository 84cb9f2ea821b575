"""What an outage event is (what became of each sheet it expects back: ``reentry.sheets``).

An event is the outage itself: when it started and ended, which wards and systems it hit, who
declared it. It goes ``ongoing`` → ``ended`` (the SIH is back) → ``closed`` (every sheet is
accounted for, or a ward manager signed an exception for those that are not). Batches belong to
one event; sheets and entries belong to the event of their batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from reentry.domain.entry import User
from reentry.errors import UserError
from reentry.registry import SheetStatus


class EventKind(StrEnum):
    REAL = "real"
    DRILL = "drill"  # recorded on a drill copy of the database: never real data


class EventStatus(StrEnum):
    ONGOING = "ongoing"  # declared (possibly ahead of a planned cut), not ended yet
    ENDED = "ended"  # the SIH is back; re-entry goes on
    CLOSED = "closed"  # every sheet accounted for, or an exception signed


@dataclass(frozen=True)
class SignedException:
    """A ward manager's signature closing an event with sheets still unaccounted for."""

    signed_by: str
    signed_at: datetime
    reason: str
    serials: tuple[int, ...]  # the sheets unaccounted for when it was signed: it covers those only


@dataclass(frozen=True)
class OutageEvent:
    id: int
    kind: EventKind
    title: str
    planned: bool
    started_at: datetime
    wards: tuple[str, ...] | None  # None: every ward
    systems: tuple[str, ...]
    declared_by: str
    declared_at: datetime
    status: EventStatus
    ended_at: datetime | None = None
    ended_by: str | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None
    exception: SignedException | None = None

    def affects(self, ward_code: str) -> bool:
        return self.wards is None or ward_code in self.wards

    def not_started_at(self, moment: datetime) -> bool:
        """A planned cut declared ahead: the event exists, the outage has not begun."""
        return self.status is EventStatus.ONGOING and self.started_at > moment


@dataclass(frozen=True)
class DeclareEvent:
    """Command: record an outage (or an upcoming planned cut) as it is declared."""

    title: str
    started_at: datetime
    user: User
    planned: bool | None = None  # None: planned when it starts in the future
    wards: tuple[str, ...] | None = None  # None: every ward
    systems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExceptionRequest:
    """Command part: who signs the exception and why the missing sheets may stay missing."""

    signer: User
    reason: str


class UnaccountedSheets(UserError):
    """Closing refused: sheets are still unaccounted for; says how many per ward and what to do."""

    message_id = "events.close_refused"

    def __init__(self, by_ward: dict[str, int], *, outdated_exception: bool = False) -> None:
        self.by_ward = dict(sorted(by_ward.items()))
        # Ward codes and numbers only, so the list reads the same in every language.
        wards = ", ".join(f"{ward} ({count})" for ward, count in self.by_ward.items())
        super().__init__("events.exception_outdated" if outdated_exception else None,
                         count=sum(self.by_ward.values()), wards=wards)


@dataclass(frozen=True)
class SheetToDeclare:
    """What decides whether a sheet may still be declared lost or not used."""

    status: SheetStatus  # in the print registry
    template_id: str
    event_status: EventStatus | None  # None: printed outside any outage event
    entered: bool  # its re-entry was finished
