"""Declare, end and close an outage event; sign the exception that closes one with sheets missing.

Every function takes the store and plain values, checks who may act, and returns what changed;
each write is one transaction, audited. On a drill copy every event is a drill event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.events import (
    DeclareEvent,
    EventKind,
    EventStatus,
    ExceptionRequest,
    OutageEvent,
    SignedException,
)
from reentry.domain.permissions import Permission, require
from reentry.errors import UserError
from reentry.events.drill import is_drill

MAX_TITLE = 200


@dataclass(frozen=True)
class Declared:
    event: OutageEvent
    adopted_batches: tuple[int, ...]  # prepared ward-PC sets that now belong to the event


def declare_event(store: Any, command: DeclareEvent, *, now: datetime | None = None) -> Declared:
    """Record the outage. A planned cut is declared ahead (start in the future) so the batches
    printed for it belong to it; an unplanned one adopts each affected ward's latest prepared
    set. Only one event is ongoing at a time."""
    require(command.user, Permission.MANAGE_EVENTS)
    title = " ".join(command.title.split())
    if not title:
        raise UserError("events.title_required")
    if len(title) > MAX_TITLE:
        raise UserError("events.title_too_long", limit=MAX_TITLE)
    started_at = command.started_at
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=clock.hospital_zone())
    wards = _known_wards(store, command.wards)
    systems = tuple(dict.fromkeys(s.strip() for s in command.systems if s.strip()))
    planned = (command.planned if command.planned is not None
               else started_at > (now or clock.now()))
    kind = EventKind.DRILL if is_drill(store) else EventKind.REAL
    event, adopted = store.insert_outage_event(
        kind=kind, title=title, planned=planned, started_at=started_at, wards=wards,
        systems=systems, user=command.user)
    return Declared(event, tuple(adopted))


def end_event(store: Any, user: User, event_id: int | None = None,
              ended_at: datetime | None = None) -> OutageEvent:
    """The SIH is back: the outage ends (re-entry goes on until the event is closed)."""
    require(user, Permission.MANAGE_EVENTS)
    event = _event(store, event_id, EventStatus.ONGOING)
    moment = ended_at or clock.now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.hospital_zone())
    return store.end_outage_event(event.id, user, moment)  # type: ignore[no-any-return]


def sign_exception(store: Any, event_id: int, signer: User, reason: str) -> SignedException:
    """A ward manager accepts that the sheets unaccounted for now will never come back."""
    require(signer, Permission.SIGN_EXCEPTION)
    text = _reason(reason)
    return store.sign_event_exception(event_id, signer, text)  # type: ignore[no-any-return]


def close_event(store: Any, user: User, event_id: int | None = None,
                exception: ExceptionRequest | None = None) -> OutageEvent:
    """Close an ended event. Refused (``UnaccountedSheets``, with the count per ward) while a
    sheet is unaccounted for, unless a ward manager signs an exception for those sheets, here
    (``exception``) or before (``sign_exception``)."""
    require(user, Permission.MANAGE_EVENTS)
    event = _event(store, event_id, EventStatus.ENDED)
    signed = None
    if exception is not None:
        require(exception.signer, Permission.SIGN_EXCEPTION)
        signed = (exception.signer, _reason(exception.reason))
    return store.close_outage_event(event.id, user, signed)  # type: ignore[no-any-return]


def current_event(store: Any) -> OutageEvent | None:
    """The ongoing event, else the most recent one (what screens and commands show first)."""
    ongoing = store.ongoing_event()
    if ongoing is not None:
        return ongoing  # type: ignore[no-any-return]
    events = store.outage_events()
    return events[0] if events else None


def find_event(store: Any, event_id: int | None) -> OutageEvent:
    """The event asked for, or the current one; a clear error when there is none."""
    if event_id is not None:
        event = store.outage_event(event_id)
        if event is None:
            raise UserError("events.unknown_event", event=event_id)
        return event  # type: ignore[no-any-return]
    event = current_event(store)
    if event is None:
        raise UserError("events.no_event")
    return event


def _event(store: Any, event_id: int | None, status: EventStatus) -> OutageEvent:
    if event_id is None and status is EventStatus.ONGOING:
        event = store.ongoing_event()
        if event is None:
            raise UserError("events.none_ongoing")
        return event  # type: ignore[no-any-return]
    if event_id is None:
        ended = [e for e in store.outage_events() if e.status is EventStatus.ENDED]
        if not ended:
            raise UserError("events.none_ended")
        return ended[0]  # type: ignore[no-any-return]
    event = find_event(store, event_id)
    if event.status is not status:
        raise UserError("events.not_ongoing" if status is EventStatus.ONGOING
                        else "events.not_ended", event=event.id)
    return event


def _known_wards(store: Any, wards: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if wards is None:
        return None
    chosen = tuple(dict.fromkeys(w.strip() for w in wards if w.strip()))
    if not chosen:
        return None
    known = {w.code for w in store.wards()}
    unknown = [w for w in chosen if w not in known]
    if unknown:
        raise UserError("error.unknown_ward", ward=", ".join(unknown),
                        known=", ".join(sorted(known)) or "—")
    return chosen


def _reason(reason: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise UserError("events.exception_reason_required")
    return text
