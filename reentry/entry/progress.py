"""Where re-entry stands: per ward and batch, sheets printed / returned / entered / verified /
lost, the lists of what is still missing, and how fast each operator types.

A sheet is *returned* once scanned, *entered* when its typist marked it finished, *verified*
after a second check, *lost* or *not used* when declared so (the latest declaration counts, and
a sheet found and entered afterwards counts as entered); *missing* means printed and neither
returned nor declared.
Only forms under double entry (sighted or blind, ``reentry.verify.policy``) are ever verified:
an entered sheet of a form typed once is "entered, not double-checked", counted apart, never
as verified.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reentry import clock
from reentry.barcodes import page_code
from reentry.verify.policy import modes


@dataclass(frozen=True)
class SheetState:
    serial: int
    template_id: str
    ward_code: str
    batch_id: int
    ipp: str | None
    patient: str
    room: str | None
    bed: str | None
    temporary_id: str | None
    returned_at: datetime | None
    entered_at: datetime | None
    verified_at: datetime | None
    lost_at: datetime | None
    rows_entered: int
    not_used_at: datetime | None = None
    verify_mode: str = "none"  # the form's double entry: none, sighted or blind

    @property
    def double_check(self) -> str:
        """"not_required" (typed once), "pending" (entered, check to do), "done" or ""."""
        if self.verified_at:
            return "done"
        if not self.entered_at:
            return ""
        return "not_required" if self.verify_mode == "none" else "pending"

    @property
    def state(self) -> str:
        if self.verified_at:
            return "verified"
        if self.entered_at:
            return "entered"
        if self.lost_at:
            return "lost"
        if self.not_used_at:
            return "not_used"
        if self.returned_at:
            return "returned"
        return "missing"


STATES = ("missing", "returned", "entered", "verified", "lost", "not_used")


@dataclass(frozen=True)
class WardProgress:
    ward_code: str
    printed: int
    returned: int
    entered: int
    verified: int
    lost: int
    not_used: int = 0
    missing: int = 0  # printed, neither returned nor declared lost / not used
    to_verify: int = 0  # entered, their form needs a check, not verified yet
    not_double_checked: int = 0  # entered, their form is typed once (never verified)


@dataclass(frozen=True)
class OperatorThroughput:
    username: str
    display_name: str
    rows: int
    first_at: datetime | None
    last_at: datetime | None

    @property
    def rows_per_hour(self) -> float | None:
        if not self.first_at or not self.last_at or self.last_at <= self.first_at:
            return None
        return self.rows / ((self.last_at - self.first_at).total_seconds() / 3600)


def sheet_states(store: Any, ward_code: str | None = None,
                 batch_id: int | None = None, state: str | None = None) -> list[SheetState]:
    chosen = modes(store)
    sheets = [_state(r, chosen.get(r["template_id"], "none"))
              for r in store.sheet_progress(ward_code, batch_id)]
    return [s for s in sheets if state is None or s.state == state]


def ward_progress(sheets: list[SheetState]) -> list[WardProgress]:
    wards: dict[str, Counter[str]] = {}
    for sheet in sheets:
        counts = wards.setdefault(sheet.ward_code, Counter())
        counts["printed"] += 1
        counts["returned"] += sheet.returned_at is not None
        counts["entered"] += sheet.entered_at is not None
        counts["verified"] += sheet.verified_at is not None
        counts[sheet.state] += sheet.state in ("lost", "not_used", "missing")
        counts["to_verify"] += sheet.double_check == "pending"
        counts["not_double_checked"] += sheet.double_check == "not_required"
    return [WardProgress(code, c["printed"], c["returned"], c["entered"], c["verified"],
                         c["lost"], c["not_used"], c["missing"], c["to_verify"],
                         c["not_double_checked"])
            for code, c in sorted(wards.items())]


def operators(store: Any) -> list[OperatorThroughput]:
    return [OperatorThroughput(r["username"], r["display_name"], r["rows_entered"],
                               clock.from_storage(r["first_at"]),
                               clock.from_storage(r["last_at"]))
            for r in store.operator_throughput()]


CSV_COLUMNS = ("serial", "code", "ward", "batch", "form", "state", "ipp", "patient", "room",
               "bed", "temporary_id", "rows_entered", "returned_at", "entered_at",
               "verified_at", "lost_at", "not_used_at", "double_entry", "double_check")


def sheets_csv(sheets: list[SheetState]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in sheets:
        writer.writerow([s.serial, page_code(s.serial, 1), s.ward_code, s.batch_id,
                         s.template_id, s.state, s.ipp or "", s.patient, s.room or "",
                         s.bed or "", s.temporary_id or "", s.rows_entered,
                         *(clock.local(t).isoformat() if t else "" for t in (
                             s.returned_at, s.entered_at, s.verified_at, s.lost_at,
                             s.not_used_at)),
                         s.verify_mode, s.double_check])
    return out.getvalue()


def _state(r: dict[str, Any], verify_mode: str = "none") -> SheetState:
    declared, _, declared_at = (r["declared"] or "").partition("|")
    name = " ".join(p for p in ((r["used_name"] or r["birth_name"] or ""),
                                r["given_names"] or "") if p)
    return SheetState(
        serial=r["serial"], template_id=r["template_id"], ward_code=r["ward_code"],
        batch_id=r["batch_id"], ipp=r["ipp"], patient=name, room=r["room"], bed=r["bed"],
        temporary_id=r["temporary_code"], returned_at=clock.from_storage(r["returned_at"]),
        entered_at=clock.from_storage(r["entered_at"]),
        verified_at=clock.from_storage(r["verified_at"]),
        lost_at=clock.from_storage(declared_at) if declared == "lost" else None,
        not_used_at=clock.from_storage(declared_at) if declared == "not_used" else None,
        rows_entered=r["rows_entered"],
        verify_mode=str(verify_mode))
