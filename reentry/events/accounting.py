"""Every sheet accounted for: per event, batch and ward, what was expected back and what became
of it.

*Expected*: printed sheets of the event's print batches (not superseded, not cancelled; a
registered-but-unprinted sheet of an interrupted batch never reached paper), and every standing
sheet of the prepared sets the event adopted, in the wards it affects. Ward covers and dossiers
are read, not written on, and are never expected back.

*Unaccounted* = expected − entered − lost − not used. Each sheet is counted in one of those four
states only (entered wins over a declaration; the latest declaration wins over an earlier one;
a sheet declared lost that is scanned again is unaccounted for until entered), so the four add
up to *expected*. *Returned* and *verified* are progress, shown beside them: a sheet returned but
not entered is still unaccounted for.
"""

from __future__ import annotations

import csv
import functools
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reentry import display
from reentry.entry.model import User
from reentry.entry.permissions import Permission, require
from reentry.errors import UserError
from reentry.events.model import SheetAccount, SheetOutcome, SheetState
from reentry.model import Patient, Sex
from reentry.store.sqlite import natural_key
from reentry.store.sqlite_events import row_state


@dataclass(frozen=True)
class AccountLine:
    """Counts for one event, batch and ward (``batch_id`` None: all batches of the ward)."""

    event_id: int
    batch_id: int | None
    ward_code: str
    expected: int = 0
    returned: int = 0
    entered: int = 0
    verified: int = 0
    lost: int = 0
    not_used: int = 0

    @property
    def unaccounted(self) -> int:
        return self.expected - self.entered - self.lost - self.not_used


def sheet_accounts(store: Any, event_id: int | None = None, ward_code: str | None = None,
                   batch_id: int | None = None) -> list[SheetAccount]:
    """The sheets events expect back, in ward, room and bed order, with the patient's identity."""
    names: dict[tuple[Any, ...], str | None] = {}  # one patient has many sheets
    sheets = [_account(r, names) for r in store.accounting_rows(event_id, ward_code, batch_id)]
    place = functools.lru_cache(maxsize=None)(natural_key)  # a few hundred rooms and beds
    sheets.sort(key=lambda s: (s.event_id, s.ward_code, s.ipp is None and s.patient_name is None,
                               place(s.room), place(s.bed), s.serial))
    return sheets


def account_lines(sheets: Iterable[SheetAccount], *, by_batch: bool = True) -> list[AccountLine]:
    """One line per event, batch and ward (or per event and ward without ``by_batch``)."""
    counts: dict[tuple[int, int | None, str], Counter[str]] = {}
    for sheet in sheets:
        key = (sheet.event_id, sheet.batch_id if by_batch else None, sheet.ward_code)
        c = counts.setdefault(key, Counter())
        c["expected"] += 1
        c["returned"] += sheet.returned
        c["entered"] += sheet.state is SheetState.ENTERED
        c["verified"] += sheet.verified
        c["lost"] += sheet.state is SheetState.LOST
        c["not_used"] += sheet.state is SheetState.NOT_USED
    return [AccountLine(event, batch, ward, c["expected"], c["returned"], c["entered"],
                        c["verified"], c["lost"], c["not_used"])
            for (event, batch, ward), c in sorted(
                counts.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1] or 0))]


def unaccounted_by_ward(sheets: Iterable[SheetAccount]) -> dict[str, int]:
    return dict(sorted(Counter(s.ward_code for s in sheets
                               if s.state is SheetState.UNACCOUNTED).items()))


CSV_COLUMNS = ("event", "batch", "ward", "expected", "returned", "entered", "verified", "lost",
               "not_used", "unaccounted")


def accounting_csv(lines: Sequence[AccountLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        writer.writerow([line.event_id, line.batch_id if line.batch_id is not None else "",
                         line.ward_code, line.expected, line.returned, line.entered,
                         line.verified, line.lost, line.not_used, line.unaccounted])
    return out.getvalue()


def declare_sheets(store: Any, serials: Sequence[int], outcome: SheetOutcome | str, reason: str,
                   user: User) -> int:
    """Declare sheets lost or not used, all or none, with the reason and who says so.

    Refused for a sheet already entered (it is accounted for), superseded or cancelled (the
    registry already accounts for it), or of a closed event (its accounting is final).
    """
    require(user, Permission.DECLARE_SHEETS)
    try:
        chosen = SheetOutcome(outcome)
    except ValueError:
        raise UserError("events.unknown_outcome", outcome=str(outcome),
                        known=", ".join(o.value for o in SheetOutcome)) from None
    reason = (reason or "").strip()
    if not reason:
        raise UserError("events.reason_required")
    unique = list(dict.fromkeys(serials))
    if not unique:
        raise UserError("events.no_sheet_given")
    return store.declare_sheet_outcomes(unique, chosen, reason, user)  # type: ignore[no-any-return]


def _account(r: dict[str, Any], names: dict[tuple[Any, ...], str | None]) -> SheetAccount:
    key = (r["birth_name"], r["used_name"], r["given_names"], r["sex"])
    if key not in names:
        names[key] = display.full_name(Patient(
            ipp=r["ipp"], birth_name=r["birth_name"], used_name=r["used_name"],
            given_names=r["given_names"], sex=Sex(r["sex"]) if r["sex"] else None,
        )) if r["birth_name"] or r["used_name"] else None
    name = names[key]
    return SheetAccount(
        serial=r["serial"], event_id=r["event_id"], batch_id=r["batch_id"],
        batch_kind=r["batch_kind"], ward_code=r["ward_code"], template_id=r["template_id"],
        patient_name=name,
        birth_date=date.fromisoformat(r["birth_date"]) if r["birth_date"] else None,
        ipp=r["ipp"], room=r["room"], bed=r["bed"], temporary_id=r["temporary_code"],
        returned=r["returned_id"] is not None, entered=r["entered_id"] is not None,
        verified=r["verified_id"] is not None, state=row_state(r),
        declared_reason=r["declared_reason"], declared_by=r["declared_by"])
