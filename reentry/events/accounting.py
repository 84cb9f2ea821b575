"""Every sheet accounted for: per event, batch and ward, what was expected back and what became
of it.

Which sheets an event expects back and the state of each are decided once, by
``reentry.domain.sheet_state`` (printed sheets of the event's print batches; every standing
sheet of the prepared sets it adopted, in the wards it affects; never ward covers nor dossiers).
Each sheet stands in one state, so *expected* = missing + returned + lost + not used, and
*unaccounted* (still owed: neither entered nor declared) = expected − entered − lost − not used.
A lost sheet scanned again afterwards is found: it counts as returned (unaccounted for) until it
is entered.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reentry.barcodes import group_for_reading, page_code
from reentry.domain.entry import User
from reentry.domain.events import EventStatus, SheetToDeclare
from reentry.domain.permissions import Permission, require
from reentry.domain.sheet_state import (
    DECLARATIONS,
    UNACCOUNTED,
    SheetCounts,
    SheetState,
    count_states,
)
from reentry.errors import UserError
from reentry.registry import NOT_FORMS, SheetStatus
from reentry.sheets.tracking import TrackedSheet
from reentry.store.areas import EventStore
from reentry.store.areas.work import unit_of_work


@dataclass(frozen=True)
class AccountLine:
    """Counts for one event, batch and ward (``batch_id`` None: all batches of the ward)."""

    event_id: int
    batch_id: int | None
    ward_code: str
    sheets: SheetCounts


def account_lines(sheets: Iterable[TrackedSheet], *, by_batch: bool = True) -> list[AccountLine]:
    """One line per event, batch and ward (or per event and ward without ``by_batch``)."""
    states: dict[tuple[int, int | None, str], list[SheetState]] = {}
    for sheet in sheets:
        if sheet.event_id is None:
            continue  # printed while no outage event was declared: no event to account to
        key = (sheet.event_id, sheet.batch_id if by_batch else None, sheet.ward_code)
        states.setdefault(key, []).append(sheet.state)
    return [AccountLine(event, batch, ward, count_states(found))
            for (event, batch, ward), found in sorted(
                states.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1] or 0))]


def unaccounted_by_ward(sheets: Iterable[TrackedSheet]) -> dict[str, int]:
    return dict(sorted(Counter(s.ward_code for s in sheets if s.state in UNACCOUNTED).items()))


CSV_COLUMNS = ("event", "batch", "ward", "expected", "returned", "entered", "verified", "lost",
               "not_used", "unaccounted")


def accounting_csv(lines: Sequence[AccountLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        writer.writerow([line.event_id, line.batch_id if line.batch_id is not None else "",
                         line.ward_code, *(line.sheets.value(c) for c in CSV_COLUMNS[3:])])
    return out.getvalue()


def declare_sheets(store: EventStore, serials: Sequence[int], outcome: SheetState | str,
                   reason: str, user: User) -> int:
    """Declare sheets lost or not used, all or none, with the reason and who says so.

    Refused for a sheet already entered (it is accounted for), superseded or cancelled (the
    registry already accounts for it), or of a closed event (its accounting is final).
    """
    require(user, Permission.DECLARE_SHEETS)
    chosen = next((d for d in DECLARATIONS if d.value == outcome), None)
    if chosen is None:
        raise UserError("events.unknown_outcome", outcome=str(outcome),
                        known=", ".join(d.value for d in DECLARATIONS))
    reason = (reason or "").strip()
    if not reason:
        raise UserError("events.reason_required")
    unique = list(dict.fromkeys(serials))
    if not unique:
        raise UserError("events.no_sheet_given")
    return _declare(store, unique, chosen, reason, user)


@unit_of_work
def _declare(store: EventStore, serials: list[int], outcome: SheetState, reason: str,
             user: User) -> int:
    """Every sheet or none: the checks and the writes in one unit of work, so that a sheet
    entered or an event closed on another PC meanwhile is refused, not declared."""
    facts = store.sheets_to_declare(serials)
    for serial in serials:
        _refuse_undeclarable(serial, facts.get(serial))
    return store.declare_sheet_outcomes(serials, outcome, reason, user)


def _refuse_undeclarable(serial: int, sheet: SheetToDeclare | None) -> None:
    code = group_for_reading(page_code(serial, 1))
    if sheet is None:
        raise UserError("events.declare_unknown", code=code)
    if sheet.status in (SheetStatus.SUPERSEDED, SheetStatus.CANCELLED):
        raise UserError(f"events.declare_{sheet.status.value}", code=code)
    if sheet.template_id in NOT_FORMS:
        raise UserError("events.declare_not_a_form", code=code)
    if sheet.event_status is EventStatus.CLOSED:
        raise UserError("events.declare_event_closed", code=code)
    if sheet.entered:
        raise UserError("events.declare_entered", code=code)
