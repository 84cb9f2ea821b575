"""Every sheet expected back, read once for every view: who it is about, when things happened
to it, and its state as ``reentry.domain.sheet_state.sheet_state`` decides it.

Re-entry progress (per ward and batch), the event accounting (per event), the quality report
and the demo read their sheets here, so they count the same sheets the same way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reentry import clock, display
from reentry.display import natural_key
from reentry.domain.sheet_state import EXPECTED, SheetState, sheet_state
from reentry.model import Patient, Sex
from reentry.registry import BatchKind
from reentry.sheets.policy import modes
from reentry.store.areas import Store


@dataclass(frozen=True)
class TrackedSheet:
    """One sheet expected back, with who it is about and what became of it."""

    serial: int
    event_id: int | None  # None: printed while no outage event was declared
    batch_id: int
    batch_kind: BatchKind
    ward_code: str
    template_id: str
    state: SheetState
    patient_name: str | None
    birth_date: date | None
    ipp: str | None
    room: str | None
    bed: str | None
    temporary_id: str | None
    returned_at: datetime | None = None  # the latest scan back
    entered_at: datetime | None = None
    verified_at: datetime | None = None
    declared: SheetState | None = None  # the latest declaration, kept once the sheet is found
    declared_at: datetime | None = None
    declared_reason: str | None = None
    declared_by: str | None = None
    rows_entered: int = 0
    verify_mode: str = "none"  # the form's double entry: none, sighted or blind

    @property
    def returned(self) -> bool:
        """Back on the ward PC: returned, entered or verified (a lost sheet found counts)."""
        return self.state in (SheetState.RETURNED, SheetState.ENTERED, SheetState.VERIFIED)

    @property
    def entered(self) -> bool:
        return self.state in (SheetState.ENTERED, SheetState.VERIFIED)

    @property
    def verified(self) -> bool:
        return self.state is SheetState.VERIFIED

    @property
    def double_check(self) -> str:
        """"not_required" (typed once), "pending" (entered, check to do), "done" or ""."""
        if self.verified:
            return "done"
        if not self.entered:
            return ""
        return "not_required" if self.verify_mode == "none" else "pending"


def tracked_sheets(store: Store, *, event_id: int | None = None, ward_code: str | None = None,
                   batch_id: int | None = None) -> list[TrackedSheet]:
    """The sheets expected back (of one event, ward or batch when given), in event, ward, room
    and bed order, each with its patient's identity."""
    chosen = modes(store)
    names: dict[tuple[Any, ...], str | None] = {}  # one patient has many sheets
    sheets = []
    for r in store.sheet_facts(event_id, ward_code, batch_id):
        state = sheet_state(r["facts"])
        if state in EXPECTED:
            sheets.append(_tracked(r, state, names, str(chosen.get(r["template_id"], "none"))))
    place = functools.lru_cache(maxsize=None)(natural_key)  # a few hundred rooms and beds
    sheets.sort(key=lambda s: (s.event_id or 0, s.ward_code,
                               s.ipp is None and s.patient_name is None,
                               place(s.room), place(s.bed), s.serial))
    return sheets


def _tracked(r: dict[str, Any], state: SheetState, names: dict[tuple[Any, ...], str | None],
             verify_mode: str) -> TrackedSheet:
    key = (r["birth_name"], r["used_name"], r["given_names"], r["sex"])
    if key not in names:
        names[key] = display.full_name(Patient(
            ipp=r["ipp"], birth_name=r["birth_name"], used_name=r["used_name"],
            given_names=r["given_names"], sex=Sex(r["sex"]) if r["sex"] else None,
        )) if r["birth_name"] or r["used_name"] else None
    return TrackedSheet(
        serial=r["serial"], event_id=r["event_id"], batch_id=r["batch_id"],
        batch_kind=BatchKind(r["batch_kind"]), ward_code=r["ward_code"],
        template_id=r["template_id"], state=state, patient_name=names[key],
        birth_date=date.fromisoformat(r["birth_date"]) if r["birth_date"] else None,
        ipp=r["ipp"], room=r["room"], bed=r["bed"], temporary_id=r["temporary_code"],
        returned_at=clock.from_storage(r["returned_at"]),
        entered_at=clock.from_storage(r["entered_at"]),
        verified_at=clock.from_storage(r["verified_at"]),
        declared=r["facts"].declared, declared_at=clock.from_storage(r["declared_at"]),
        declared_reason=r["declared_reason"], declared_by=r["declared_by"],
        rows_entered=r["rows_entered"], verify_mode=verify_mode)
