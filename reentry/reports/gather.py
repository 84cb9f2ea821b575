"""The quality report of one outage event as plain data, read from the store and nothing else.

Per ward: what became of the sheets (expected back, returned, entered, verified, lost, not
used, unaccounted for; counted by ``reentry.sheets`` as progress and the accounting count
them), how the latest reconciliation run classified the paper items (in the SIH, different,
missing, doubled), and how fast the flags were closed, counted from the end of the
outage. Then the closure curve and every item still open: flags not resolved, and sheets not
accounted for. The PDF and CSV writers only lay this out; no number is computed there.

Names are rendered in the language current while gathering (« née » / "née" differ); labels
of verdicts, kinds and states stay codes until written.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from reentry import clock
from reentry.barcodes import group_for_reading, page_code
from reentry.display import natural_key
from reentry.domain.events import EventKind, OutageEvent
from reentry.domain.review import OPEN, VERDICTS, PatientIdentity
from reentry.domain.review_reasons import reason_texts
from reentry.domain.sheet_state import UNACCOUNTED, SheetCounts
from reentry.errors import UserError
from reentry.events.accounting import account_lines
from reentry.second_read.counts import open_disagreements_by_ward
from reentry.sheets.tracking import TrackedSheet, tracked_sheets
from reentry.store.areas import EventStore, Store

SHEET_COLUMNS = ("expected", "returned", "entered", "verified", "lost", "not_used", "unaccounted")
FLAG = "flag"
SHEET = "sheet"
NOT_RETURNED = "not_returned"
RETURNED_NOT_ENTERED = "returned_not_entered"


@dataclass(frozen=True)
class ClosureStats:
    """Flags of the event in one ward: how many still open, how many closed and how long after
    the end of the outage (hours; None when nothing is closed or the outage has not ended)."""

    open: int = 0
    closed: int = 0
    median_hours: float | None = None
    max_hours: float | None = None


@dataclass(frozen=True)
class WardReport:
    ward_code: str  # "" for paper items whose ward is not known
    ward_name: str
    sheets: SheetCounts
    verdicts: dict[str, int]  # in_sih, differs, missing, duplicate → count (latest run)
    closure: ClosureStats
    disagreements: int = 0  # sheets whose scanned page contradicts the typing, unanswered


@dataclass(frozen=True)
class RunSummary:
    id: int
    at: datetime
    username: str | None
    sih_files: tuple[tuple[str, str], ...]  # (file name, sha256)
    paper_source: str
    event_items: int  # paper items of this event in the run


@dataclass(frozen=True)
class OpenItem:
    """A flag not resolved, or a sheet not accounted for: who, where, what, why, since when."""

    category: str  # flag | sheet
    ward_code: str
    patient_name: str
    birth_date: str  # ISO date, or the text written when it is not a date
    ipp: str
    temporary_id: str
    kind: str  # flags: vital_sign...; sheets: the form id
    status: str  # flags: differs | missing | duplicate; sheets: not_returned | returned_...
    reason: dict[str, str]  # language → why (the matcher's reason); empty for sheets
    since: datetime | None
    reference: str  # the flag's paper item key, or the sheet's code
    ward_name: str = ""

    def reason_text(self, lang: str) -> str:
        return self.reason.get(lang) or next(iter(self.reason.values()), "")


@dataclass(frozen=True)
class QualityReport:
    event: OutageEvent
    generated_at: datetime
    wards: list[WardReport]
    total: WardReport
    runs: list[RunSummary]
    verdict_run: RunSummary | None  # the run the verdict counts come from (latest)
    open_items: list[OpenItem]
    flags_total: int
    closure_curve: list[tuple[float, float]] = field(default_factory=list)  # (hours, % closed)
    horizon_hours: float = 0.0  # how far the curve goes: the latest closure, or now

    @property
    def drill(self) -> bool:
        return self.event.kind is EventKind.DRILL


@dataclass(frozen=True)
class _Flag:
    ward_code: str
    open: bool
    hours: float | None


def report_event(store: EventStore, event_id: int) -> OutageEvent:
    event: OutageEvent | None = store.outage_event(event_id)
    if event is None:
        raise UserError("reports.unknown_event", event=event_id)
    return event


def gather_report(store: Store, event_id: int, *, now: datetime | None = None,
                  check: Callable[[], None] | None = None) -> QualityReport:
    """Everything the quality report shows about event ``event_id``; ``check`` is called
    between steps (a cancel token's ``check``)."""
    step = check or (lambda: None)
    event = report_event(store, event_id)
    generated = now or clock.now()
    accounts = tracked_sheets(store, event_id=event_id)
    step()
    runs = [_run(r) for r in store.report_runs(event_id)]
    verdict_run = runs[-1] if runs else None
    verdicts: dict[str, Counter[str]] = defaultdict(Counter)
    if verdict_run is not None:
        for r in store.report_verdict_counts(event_id, verdict_run.id):
            verdicts[r["ward_code"] or ""][r["verdict"]] += r["n"]
    step()
    flag_rows = store.report_flags(event_id)
    flags = [_flag(r, event) for r in flag_rows]
    step()
    sheets = {line.ward_code: line for line in account_lines(accounts, by_batch=False)}
    disagreements = open_disagreements_by_ward(store, event_id)  # the second reading
    names = {w.code: w.name for w in store.wards()}
    codes = sorted(set(sheets) | set(verdicts) | {f.ward_code for f in flags}
                   | set(disagreements), key=natural_key)
    wards = []
    for code in codes:
        line = sheets.get(code)
        counts = line.sheets if line else SheetCounts()
        wards.append(WardReport(code, names.get(code, ""), counts, _verdicts(verdicts[code]),
                                _closure(f for f in flags if f.ward_code == code),
                                disagreements.get(code, 0)))
    total = WardReport("", "", sum((w.sheets for w in wards), SheetCounts()),
                       _verdicts(sum(verdicts.values(), Counter())), _closure(flags),
                       sum(disagreements.values()))
    items = [_flag_item(r, names) for r in flag_rows if r["status"] == OPEN]
    items += [_sheet_item(a, event, names) for a in accounts if a.state in UNACCOUNTED]
    items.sort(key=lambda i: (natural_key(i.ward_code), i.patient_name.casefold(),
                              i.since or datetime.max.replace(tzinfo=generated.tzinfo),
                              i.reference))
    curve, horizon = _closure_curve(flags, event, generated)
    return QualityReport(event, generated, wards, total, runs, verdict_run, items, len(flags),
                         curve, horizon)


def hours_after_end(event: OutageEvent, moment: datetime | None) -> float | None:
    """Hours from the end of the outage to ``moment``; a closure before the end counts as 0."""
    if moment is None or event.ended_at is None:
        return None
    return max(0.0, (moment - event.ended_at).total_seconds() / 3600)


def _run(r: dict[str, Any]) -> RunSummary:
    at = clock.from_storage(r["at"])
    assert at is not None
    files = tuple((s["name"], s["sha256"]) for s in json.loads(r["sih_files"]))
    return RunSummary(r["id"], at, r["username"], files, r["paper_source"], r["event_items"])


def _flag(r: dict[str, Any], event: OutageEvent) -> _Flag:
    is_open = r["status"] == OPEN
    closed = None if is_open else hours_after_end(event, clock.from_storage(r["closed_at"]))
    return _Flag(r["ward_code"] or "", is_open, closed)


def _verdicts(counts: Counter[str]) -> dict[str, int]:
    return {verdict: counts.get(verdict, 0) for verdict in VERDICTS}


def _closure(flags: Iterable[_Flag]) -> ClosureStats:
    flags = list(flags)
    hours = [f.hours for f in flags if not f.open and f.hours is not None]
    return ClosureStats(
        open=sum(f.open for f in flags), closed=sum(not f.open for f in flags),
        median_hours=statistics.median(hours) if hours else None,
        max_hours=max(hours) if hours else None)


def _closure_curve(flags: list[_Flag], event: OutageEvent, now: datetime
                   ) -> tuple[list[tuple[float, float]], float]:
    """Cumulative % of the event's flags closed, at each hour a closure happened; the curve
    goes on, flat, to now when flags are still open."""
    if not flags or event.ended_at is None:
        return [], 0.0
    closures = sorted(f.hours for f in flags if not f.open and f.hours is not None)
    points = [(0.0, 0.0)]
    for done, hours in enumerate(closures, start=1):
        if points and points[-1][0] == hours:
            points.pop()
        points.append((hours, 100.0 * done / len(flags)))
    until = hours_after_end(event, now) or 0.0
    horizon = max([until if any(f.open for f in flags) else 0.0, *closures, 0.0])
    return points, horizon


def _flag_item(r: dict[str, Any], names: dict[str, str]) -> OpenItem:
    identity = PatientIdentity.from_dict(json.loads(r["identity"] or "{}"))
    return OpenItem(
        category=FLAG, ward_code=r["ward_code"] or "", patient_name=identity.name(),
        birth_date=identity.birth_date, ipp=r["ipp"] or "", temporary_id=r["temporary_id"] or "",
        kind=r["kind"], status=r["verdict"], reason=reason_texts(r["reason"]),
        since=clock.from_storage(r["first_flagged_at"]), reference=r["item_key"],
        ward_name=names.get(r["ward_code"] or "", ""))


def _sheet_item(sheet: TrackedSheet, event: OutageEvent, names: dict[str, str]) -> OpenItem:
    """A sheet still expected: back but not typed (since it came back), or not back at all
    (since the end of the outage; no date while the outage goes on)."""
    birth: date | None = sheet.birth_date
    return OpenItem(
        category=SHEET, ward_code=sheet.ward_code, patient_name=sheet.patient_name or "",
        birth_date=birth.isoformat() if birth else "", ipp=sheet.ipp or "",
        temporary_id=sheet.temporary_id or "", kind=sheet.template_id,
        status=RETURNED_NOT_ENTERED if sheet.returned else NOT_RETURNED, reason={},
        since=sheet.returned_at if sheet.returned else event.ended_at,
        reference=group_for_reading(page_code(sheet.serial, 1)),
        ward_name=names.get(sheet.ward_code, ""))
