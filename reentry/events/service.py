"""Declare, end and close an outage event; sign the exception that closes one with sheets missing.

Every function takes the store and plain values, checks who may act, and returns what changed.
The rules (one ongoing event at a time, an end after the start, a close only once every sheet
is accounted for or covered by a signed exception) are decided here, on what each function
reads in its own unit of work: another PC cannot change the event between the check and the
write. Every write is audited. On a drill copy every event is a drill event.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.events import (
    DeclareEvent,
    EventKind,
    EventStatus,
    ExceptionRequest,
    OutageEvent,
    SignedException,
    UnaccountedSheets,
)
from reentry.domain.permissions import Permission, require
from reentry.errors import UserError
from reentry.events.drill import is_drill
from reentry.store.areas import CensusStore, EventStore, Store
from reentry.store.areas.work import unit_of_work

MAX_TITLE = 200


@dataclass(frozen=True)
class Declared:
    event: OutageEvent
    adopted_batches: tuple[int, ...]  # prepared ward-PC sets that now belong to the event


@unit_of_work
def declare_event(store: Store, command: DeclareEvent, *, now: datetime | None = None) -> Declared:
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
    ongoing = store.ongoing_event()
    if ongoing is not None:
        raise UserError("events.already_ongoing", event=ongoing.id, title=ongoing.title)
    event, adopted = store.insert_outage_event(
        kind=kind, title=title, planned=planned, started_at=started_at, wards=wards,
        systems=systems, user=command.user)
    return Declared(event, tuple(adopted))


@unit_of_work
def end_event(store: EventStore, user: User, event_id: int | None = None,
              ended_at: datetime | None = None) -> OutageEvent:
    """The SIH is back: the outage ends (re-entry goes on until the event is closed)."""
    require(user, Permission.MANAGE_EVENTS)
    event = _event(store, event_id, EventStatus.ONGOING)
    moment = ended_at or clock.now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.hospital_zone())
    if moment < event.started_at:
        raise UserError("events.end_before_start", start=clock.format_local(event.started_at))
    return store.end_outage_event(event.id, user, moment)


@unit_of_work
def sign_exception(store: EventStore, event_id: int, signer: User, reason: str) -> SignedException:
    """A ward manager accepts that the sheets unaccounted for now will never come back (only
    once the outage is over: sheets may still come back before)."""
    require(signer, Permission.SIGN_EXCEPTION)
    text = _reason(reason)
    event = _event(store, event_id, EventStatus.ENDED)
    missing = store.unaccounted_sheets(event.id)
    if not missing:
        raise UserError("events.nothing_to_sign")
    now = clock.now()
    store.record_event_exception(event.id, signer, text, now, missing)
    return SignedException(signer.username, now, text, tuple(sorted(missing)))


@unit_of_work
def close_event(store: EventStore, user: User, event_id: int | None = None,
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
    missing = store.unaccounted_sheets(event.id)
    covered = set(event.exception.serials) if event.exception else set()
    if signed is not None and missing:
        store.record_event_exception(event.id, signed[0], signed[1], clock.now(), missing)
        covered = set(missing)
    uncovered = [ward for serial, ward in missing.items() if serial not in covered]
    if uncovered:
        raise UnaccountedSheets(dict(Counter(uncovered)), outdated_exception=bool(covered))
    return store.close_outage_event(event.id, user, len(missing))


def current_event(store: EventStore) -> OutageEvent | None:
    """The ongoing event, else the most recent one (what screens and commands show first)."""
    ongoing = store.ongoing_event()
    if ongoing is not None:
        return ongoing
    events = store.outage_events()
    return events[0] if events else None


def find_event(store: EventStore, event_id: int | None) -> OutageEvent:
    """The event asked for, or the current one; a clear error when there is none."""
    if event_id is not None:
        event = store.outage_event(event_id)
        if event is None:
            raise UserError("events.unknown_event", event=event_id)
        return event
    event = current_event(store)
    if event is None:
        raise UserError("events.no_event")
    return event


def _event(store: EventStore, event_id: int | None, status: EventStatus) -> OutageEvent:
    if event_id is None and status is EventStatus.ONGOING:
        event = store.ongoing_event()
        if event is None:
            raise UserError("events.none_ongoing")
        return event
    if event_id is None:
        ended = [e for e in store.outage_events() if e.status is EventStatus.ENDED]
        if not ended:
            raise UserError("events.none_ended")
        return ended[0]
    event = find_event(store, event_id)
    if event.status is not status:
        raise UserError("events.not_ongoing" if status is EventStatus.ONGOING
                        else "events.not_ended", event=event.id)
    return event


def _known_wards(store: CensusStore, wards: tuple[str, ...] | None) -> tuple[str, ...] | None:
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
