"""Where re-entry stands: per ward and batch, the sheets expected back and what became of them
(``reentry.sheets``: the same sheets and states as the event accounting), the lists of what is
still missing, and how fast each operator types.

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
from reentry.sheets.state import SheetCounts, SheetState, count_states
from reentry.sheets.tracking import TrackedSheet


@dataclass(frozen=True)
class WardProgress:
    ward_code: str
    sheets: SheetCounts
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


def ward_progress(sheets: list[TrackedSheet]) -> list[WardProgress]:
    states: dict[str, list[SheetState]] = {}
    checks: dict[str, Counter[str]] = {}
    for sheet in sheets:
        states.setdefault(sheet.ward_code, []).append(sheet.state)
        checks.setdefault(sheet.ward_code, Counter())[sheet.double_check] += 1
    return [WardProgress(code, count_states(found), checks[code]["pending"],
                         checks[code]["not_required"])
            for code, found in sorted(states.items())]


def operators(store: Any) -> list[OperatorThroughput]:
    return [OperatorThroughput(r["username"], r["display_name"], r["rows_entered"],
                               clock.from_storage(r["first_at"]),
                               clock.from_storage(r["last_at"]))
            for r in store.operator_throughput()]


CSV_COLUMNS = ("serial", "code", "ward", "batch", "form", "state", "ipp", "patient", "room",
               "bed", "temporary_id", "rows_entered", "returned_at", "entered_at",
               "verified_at", "lost_at", "not_used_at", "double_entry", "double_check")


def sheets_csv(sheets: list[TrackedSheet]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in sheets:
        writer.writerow([s.serial, page_code(s.serial, 1), s.ward_code, s.batch_id,
                         s.template_id, s.state.value, s.ipp or "", s.patient_name or "",
                         s.room or "", s.bed or "", s.temporary_id or "", s.rows_entered,
                         *(clock.local(t).isoformat() if t else "" for t in (
                             s.returned_at, s.entered_at, s.verified_at,
                             s.declared_at if s.declared is SheetState.LOST else None,
                             s.declared_at if s.declared is SheetState.NOT_USED else None)),
                         s.verify_mode, s.double_check])
    return out.getvalue()
