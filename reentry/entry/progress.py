"""Where re-entry stands: per ward and batch, the sheets expected back and what became of them
(``reentry.sheets``: the same sheets and states as the event accounting), the lists of what is
still missing, and how fast each operator types.

An operator's pace is counted over the time they actually typed, not from their first row to
their last: rows saved less than ``PAUSE`` (15 min) apart belong to one sitting and the time
between them is worked; a longer gap is a break (another task, a meal, the night) and is not
counted; the first row of each sitting counts for the operator's usual time between two rows
(the median of their gaps within sittings), since nothing says when they sat down. Typing more
rows over more sittings therefore leaves the pace as it is.

Only forms under double entry (sighted or blind, ``reentry.sheets.policy``) are ever verified:
an entered sheet of a form typed once is "entered, not double-checked", counted apart, never
as verified.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from reentry import clock
from reentry.barcodes import page_code
from reentry.domain.sheet_state import SheetCounts, SheetState, count_states
from reentry.i18n import tr
from reentry.sheets.tracking import TrackedSheet
from reentry.store.areas import EntryStore


@dataclass(frozen=True)
class WardProgress:
    ward_code: str
    sheets: SheetCounts
    to_verify: int = 0  # entered, their form needs a check, not verified yet
    not_double_checked: int = 0  # entered, their form is typed once (never verified)
    open_disagreements: int = 0  # scanned page contradicts the typing, nobody answered yet


PAUSE = timedelta(minutes=15)  # a longer gap between two rows is a break, not typing


@dataclass(frozen=True)
class OperatorThroughput:
    username: str
    display_name: str
    rows: int
    first_at: datetime | None
    last_at: datetime | None
    worked: timedelta = timedelta(0)  # time actually spent typing (see the module docstring)
    sittings: int = 0  # stretches of typing separated by breaks longer than ``PAUSE``

    @property
    def rows_per_hour(self) -> float | None:
        """Rows per hour of time worked; None when the time worked cannot be told (a single
        row, or rows all saved at the same moment)."""
        hours = self.worked.total_seconds() / 3600
        return self.rows / hours if hours > 0 else None


def operator_pace(username: str, display_name: str, times: Sequence[datetime],
                  pause: timedelta = PAUSE) -> OperatorThroughput:
    """One operator's rows and the time they worked, from the times their rows were saved."""
    times = sorted(times)
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    within = [gap for gap in gaps if gap <= pause]
    sittings = (1 + sum(gap > pause for gap in gaps)) if times else 0
    typing = [gap.total_seconds() for gap in within if gap > timedelta(0)]
    first_row = timedelta(seconds=statistics.median(typing)) if typing else timedelta(0)
    worked = sum(within, timedelta(0)) + sittings * first_row
    return OperatorThroughput(username, display_name, len(times),
                              times[0] if times else None, times[-1] if times else None,
                              worked, sittings)


def ward_progress(sheets: list[TrackedSheet],
                  disagreements: Mapping[str, int] | None = None) -> list[WardProgress]:
    """Per ward, the sheets' states; ``disagreements``: sheets with open disagreements by
    ward, as ``reentry.second_read.counts.open_disagreements_by_ward`` gives them."""
    disagreements = disagreements or {}
    states: dict[str, list[SheetState]] = {}
    checks: dict[str, Counter[str]] = {}
    for sheet in sheets:
        states.setdefault(sheet.ward_code, []).append(sheet.state)
        checks.setdefault(sheet.ward_code, Counter())[sheet.double_check] += 1
    return [WardProgress(code, count_states(found), checks[code]["pending"],
                         checks[code]["not_required"], disagreements.get(code, 0))
            for code, found in sorted(states.items())]


def worked_text(worked: timedelta) -> str:
    """« 7 h 05 », « 40 min »: a time worked as a ward PC shows it."""
    minutes = round(worked.total_seconds() / 60)
    if minutes < 60:
        return tr("entry.worked_minutes", minutes=minutes)
    return tr("entry.worked_hours", hours=minutes // 60, minutes=f"{minutes % 60:02d}")


def pace_text(operator: OperatorThroughput) -> str:
    """« 36 » rows per hour of time worked, « — » when it cannot be told."""
    rate = operator.rows_per_hour
    return f"{rate:.0f}" if rate else "—"


def operators(store: EntryStore, pause: timedelta = PAUSE) -> list[OperatorThroughput]:
    """Every operator's rows and pace, the busiest first."""
    times: dict[str, list[datetime]] = {}
    names: dict[str, str] = {}
    for r in store.operator_entry_times():
        at = clock.from_storage(r["entered_at"])
        if at is not None:
            times.setdefault(r["username"], []).append(at)
            names[r["username"]] = r["display_name"]
    found = [operator_pace(user, names[user], rows, pause) for user, rows in times.items()]
    return sorted(found, key=lambda o: (-o.rows, o.username))


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
