"""The print station's job: for each ward, plan, register, render, then hand the PDF over.

Registration happens in this process, ward by ward, one transaction each, before the ward's PDF
is drawn; drawing happens in worker processes (one ward per task, both cores busy) that end
with this process, however it ends (``reentry.workers``). A PDF is written, readable by its
owner only, under a temporary name and moved into place only when complete, so a folder never
holds half a ward. A batch stopped half-way (cancel, error, Ctrl+C, SIGTERM, full disk) is
closed as interrupted: the workers are stopped, the ``.partial`` files removed, and its
registered-but-unprinted sheets stay visible in the registry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, cast

from reentry import clock, display, i18n
from reentry.domain.entry import User
from reentry.domain.events import OutageEvent
from reentry.domain.permissions import Permission, require
from reentry.domain.sheet_plan import PatientPacket, RegisteredSheet, WardPrint
from reentry.errors import UserError
from reentry.events.drill import is_drill
from reentry.files import make_private_folder, partial_path, remove_quietly, written_whole
from reentry.formdefs import load_forms
from reentry.i18n import msg
from reentry.model import Site, Ward
from reentry.printing.assemble import SerialCounter, build_ward_print
from reentry.printing.dossier_pages import WINDOW_HOURS
from reentry.printing.planner import plan_patient
from reentry.printing.render import render_patient, render_ward
from reentry.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from reentry.registry import BatchKind, BatchStatus
from reentry.store.areas import Store
from reentry.workers import stop_workers, worker_pool


@dataclass(frozen=True)
class PrintRequest:
    out_dir: Path
    user: User  # who prints: must be allowed to (``Permission.PRINT``); the registry names them
    wards: tuple[str, ...] = ()  # empty: every ward that has inpatients
    hours: float = 8.0  # the outage window the blank forms cover (a shift)
    start: datetime | None = None  # start of that window; default: this hour
    admission_packets: int = 2  # blank downtime-admission packets per ward
    language: str = "fr"
    per_patient: bool = False  # also one PDF per patient
    workers: int = 2
    kind: BatchKind = BatchKind.PRINT
    event_id: int | None = None  # the event printed for: refused unless it is still ongoing


@dataclass(frozen=True)
class WardResult:
    ward_code: str
    pdf: Path
    pages: int
    sheets: int
    patients: int
    patient_pdfs: tuple[Path, ...] = ()


@dataclass
class PrintOutcome:
    batch_id: int
    wards: list[WardResult] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return sum(w.pages for w in self.wards)


def default_window_start(now: datetime) -> datetime:
    """The current hour, in the hospital's zone: a dose due later this hour is on the sheet."""
    return clock.local(now).replace(minute=0, second=0, microsecond=0)


def event_window_start(event: OutageEvent | None, now: datetime) -> datetime:
    """Where the blank forms' window starts for ``event``: at the cut itself when it is planned
    ahead (the sheets are printed before it, and until then the SIH records the doses), else at
    the current hour."""
    if event is not None and event.started_at > now:
        return clock.local(event.started_at)
    return default_window_start(now)


def print_batch(store: Store, request: PrintRequest, progress: ProgressCallback = ignore_progress,
                cancel: CancelToken | None = None) -> PrintOutcome:
    """Print every requested ward; returns what was written. Raises ``Cancelled`` on cancel."""
    require(request.user, Permission.PRINT)
    cancel = cancel or CancelToken()
    snapshot = store.latest_snapshot()
    if snapshot is None:
        raise UserError("station.nothing_to_print")
    wards = _chosen_wards(store, request.wards)
    _check_event(store, request.event_id)
    now = clock.now()
    start = request.start or default_window_start(now)
    _make_folder(request.out_dir)
    batch = store.open_batch(snapshot.id, list(wards), start, request.hours,
                             request.language, request.user.username, request.kind)
    outcome = PrintOutcome(batch.id)
    forms = load_forms()
    pending: list[tuple[WardPrint, Future[int] | None, Path]] = []
    try:
        with _renderers(request.workers, len(wards)) as pool:
            for index, ward_code in enumerate(wards):
                cancel.check()
                ward_print = _register_ward(store, batch.id, ward_code, forms, start, now,
                                            request)
                target = request.out_dir / f"lot{batch.id:05d}-{_safe(ward_code)}.pdf"
                progress(Progress(index, len(wards) * 2, msg(
                    "station.progress_registered", ward=ward_print.ward.name)))
                future = pool.submit(_render_to, ward_print, target) if pool else None
                pending.append((ward_print, future, target))
            for index, (ward_print, future, target) in enumerate(pending):
                cancel.check()
                pages = future.result() if future else _render_to(ward_print, target)
                patient_pdfs = _patient_pdfs(ward_print, target) if request.per_patient else ()
                serials = [sheet.serial for sheet in _sheets(ward_print)]
                if request.kind is BatchKind.PRINT:
                    store.mark_printed(serials, request.user.username)
                outcome.wards.append(WardResult(ward_print.ward.code, target, pages,
                                                len(serials), len(ward_print.patients),
                                                patient_pdfs))
                progress(Progress(len(wards) + index + 1, len(wards) * 2, msg(
                    "station.progress_rendered", ward=ward_print.ward.name, pages=pages)))
    except BaseException:
        # The workers are gone by now (``_renderers``): what they were drawing can go too.
        for _ward_print, _future, target in pending:
            remove_quietly(partial_path(target))
        store.close_batch(batch.id, BatchStatus.INTERRUPTED)
        raise
    store.close_batch(batch.id, BatchStatus.COMPLETE)
    return outcome


def _check_event(store: Store, event_id: int | None) -> None:
    """The event the operator printed for must still be the ongoing one: the batch belongs to
    the ongoing event, and its sheets would otherwise be counted for another, or for none."""
    if event_id is None:
        return
    ongoing = ongoing_event(store)
    if ongoing is None or ongoing.id != event_id:
        raise UserError("station.event_not_ongoing", event=event_id)


def ongoing_event(store: Store) -> OutageEvent | None:
    """The outage event printing belongs to now, if any (see ``reentry.events``)."""
    events: Any = store  # the event tables are not part of the print registry's interface
    return cast("OutageEvent | None", events.ongoing_event())


# Test prints: codes from a range the registry never reaches (real sheets count from 1, a drill
# copy's from 900 000 000), so a test page scanned by mistake is refused as unknown.
TEST_FIRST_SERIAL = 990_000_000
TEST_FIRST_TEMPORARY = 8_000_000  # the temporary identifiers of its packets start with 98


@dataclass
class TestPrintOutcome:
    """What a test print wrote: PDFs only. No batch, no sheet registered, no event."""

    wards: list[WardResult] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return sum(w.pages for w in self.wards)


def print_test(store: Store, request: PrintRequest, progress: ProgressCallback = ignore_progress,
               cancel: CancelToken | None = None) -> TestPrintOutcome:
    """The same pages as ``print_batch`` would print, registering nothing, to try a printer
    or show the forms outside any outage: every page carries « IMPRESSION D'ESSAI » and codes
    that the registry refuses. Drawn in this process, ward after ward."""
    require(request.user, Permission.PRINT)
    cancel = cancel or CancelToken()
    if store.latest_snapshot() is None:
        raise UserError("station.nothing_to_print")
    wards = _chosen_wards(store, request.wards)
    now = clock.now()
    start = request.start or default_window_start(now)
    _make_folder(request.out_dir)
    forms = load_forms()
    numbering = SerialCounter(TEST_FIRST_SERIAL, TEST_FIRST_TEMPORARY)
    stamp = clock.local(now).strftime("%Y%m%d-%H%M%S")
    outcome = TestPrintOutcome()
    for index, ward_code in enumerate(wards):
        cancel.check()
        ward, site = _ward_and_site(store, ward_code)
        ward_print = replace(build_ward_print(
            store, site, ward, forms, numbering, start=start, hours=request.hours,
            printed_at=now, packets=request.admission_packets, lang=request.language),
            test_print=True)
        target = request.out_dir / f"essai-{stamp}-{_safe(ward_code)}.pdf"
        pages = _render_to(ward_print, target)
        outcome.wards.append(WardResult(ward.code, target, pages, len(_sheets(ward_print)),
                                        len(ward_print.patients)))
        progress(Progress(index + 1, len(wards), msg(
            "station.progress_rendered", ward=ward.name, pages=pages)))
    return outcome


@dataclass(frozen=True)
class WardEstimate:
    ward_code: str
    ward_name: str
    patients: int
    sheets: int
    pages: int


def estimate_wards(store: Store, wards: Sequence[str] = (), hours: float = 8.0,
                   start: datetime | None = None, admission_packets: int = 2,
                   language: str = "fr") -> list[WardEstimate]:
    """Sheets and pages each ward would print, planned exactly as printing would, registering
    nothing: the print-station screen shows them before anyone presses Print."""
    now = clock.now()
    start = start or default_window_start(now)
    forms = load_forms()
    estimates = []
    for ward_code in _chosen_wards(store, wards):
        ward, site = _ward_and_site(store, ward_code)
        ward_print = build_ward_print(store, site, ward, forms, SerialCounter(), start=start,
                                      hours=hours, printed_at=now, packets=admission_packets,
                                      lang=language)
        sheets = _sheets(ward_print)
        estimates.append(WardEstimate(ward.code, ward.name, len(ward_print.patients),
                                      len(sheets), sum(s.plan.page_count for s in sheets)))
    return estimates


def _chosen_wards(store: Store, requested: Sequence[str]) -> list[str]:
    known = {w.code: w for w in store.wards()}
    unknown = [code for code in requested if code not in known]
    if unknown:
        raise UserError("error.unknown_ward", ward=", ".join(unknown),
                        known=", ".join(sorted(known)) or "—")
    occupancy = Counter(row.ward.code for row in store.census())
    chosen = list(dict.fromkeys(requested)) or [w.code for w in store.wards() if occupancy[w.code]]
    # Fullest wards first, so that the two workers finish together.
    return sorted(chosen, key=lambda code: -occupancy[code])


@dataclass(frozen=True)
class ReprintOutcome:
    batch_id: int
    pdf: Path
    pages: int
    serials: tuple[int, ...]


def reprint_patient(store: Store, ipp: str, out_dir: Path, *, user: User, hours: float = 8.0,
                    start: datetime | None = None, language: str = "fr") -> ReprintOutcome:
    """Print one inpatient's dossier and blank forms again, under new codes, as ``user``.

    The patient's earlier sheets of the same forms that have not come back are marked as
    superseded by the new ones (see ``reentry.registry``), so only one paper per purpose counts.
    """
    require(user, Permission.PRINT)
    operator = user.username
    patient = store.patient_by_ipp(ipp)
    row = next((r for r in store.census() if patient and r.patient.id == patient.id), None)
    if patient is None or row is None:
        raise UserError("station.not_inpatient", ipp=ipp)
    snapshot = store.latest_snapshot()
    now = clock.now()
    start = start or default_window_start(now)
    ward, site = _ward_and_site(store, row.ward.code)
    batch = store.open_batch(snapshot.id if snapshot else None, [ward.code], start, hours,
                             language, operator)
    try:
        dossier = store.dossier(row.patient.id,  # type: ignore[arg-type]
                                since=display.dossier_since(snapshot, now, WINDOW_HOURS))
        with i18n.language(language):
            plans = plan_patient(dossier, load_forms(), start, hours)
        sheets = store.register_sheets(batch.id, plans, supersede=True, user=operator)
        packet = PatientPacket(dossier, sheets)
        ward_print = WardPrint(site=site, ward=ward, snapshot=snapshot, printed_at=now,
                               window_start=start, window_hours=hours, cover=None,
                               patients=[packet],
                               language=language, drill=is_drill(store))
        _make_folder(out_dir)
        target = out_dir / f"lot{batch.id:05d}-{_safe(ward.code)}-reprint-{sheets[0].serial}.pdf"
        pages = _write_whole(target, lambda out: render_patient(ward_print, packet, out))
        serials = tuple(s.serial for s in sheets)
        store.mark_printed(serials, operator)
    except BaseException:
        store.close_batch(batch.id, BatchStatus.INTERRUPTED)
        raise
    store.close_batch(batch.id, BatchStatus.COMPLETE)
    return ReprintOutcome(batch.id, target, pages, serials)


def _ward_and_site(store: Store, ward_code: str) -> tuple[Ward, Site]:
    ward = next(w for w in store.wards() if w.code == ward_code)
    return ward, next(s for s in store.sites() if s.code == ward.site_code)


def _register_ward(store: Store, batch_id: int, ward_code: str, forms: dict, start: datetime,
                   now: datetime, request: PrintRequest) -> WardPrint:
    """Plan the ward's sheets and register them all in one transaction."""
    ward, site = _ward_and_site(store, ward_code)
    register = partial(store.register_sheets, batch_id, user=request.user.username)
    return build_ward_print(
        store, site, ward, forms, register, start=start, hours=request.hours, printed_at=now,
        packets=request.admission_packets, lang=request.language)


def _render_to(ward_print: WardPrint, target: Path) -> int:
    return _write_whole(target, lambda out: render_ward(ward_print, out))


def _write_whole(target: Path, render: Callable[[Path], int]) -> int:
    """Draw into a private temporary file, then move it into place: a folder never holds half a
    PDF, nor the ``.partial`` of one once drawing has stopped, whatever stopped it."""
    try:
        with written_whole(target) as partial_file:
            return render(partial_file)
    except OSError as error:
        raise UserError("station.cannot_write", path=str(target),
                        detail=error.strerror or str(error)) from error


def _make_folder(folder: Path) -> None:
    try:
        make_private_folder(folder)
    except OSError as error:
        raise UserError("station.cannot_write", path=str(folder),
                        detail=error.strerror or str(error)) from error


def _patient_pdfs(ward_print: WardPrint, ward_pdf: Path) -> tuple[Path, ...]:
    folder = ward_pdf.with_suffix("")
    _make_folder(folder)
    paths = []
    for packet in ward_print.patients:
        stay = packet.dossier.stay
        place = f"{stay.room or ''}-{stay.bed or ''}" if stay else "x"
        path = folder / f"{_safe(place)}-{packet.sheets[0].serial}.pdf"
        _write_whole(path, partial(render_patient, ward_print, packet))
        paths.append(path)
    return tuple(paths)


def _sheets(ward_print: WardPrint) -> list[RegisteredSheet]:
    sheets: list[RegisteredSheet] = [ward_print.cover] if ward_print.cover else []
    for packet in ward_print.patients:
        sheets.extend(packet.sheets)
    for group in ward_print.admission_packets:
        sheets.extend(group)
    return sheets


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)


class _renderers:
    """A process pool when there is more than one ward to draw, else drawing in-process.

    On the way out of an error, a cancel or a signal the workers are stopped at once, not waited
    for: a big ward takes seconds to draw.
    """

    def __init__(self, workers: int, wards: int) -> None:
        self.pool = None
        if workers > 1 and wards > 1:
            self.pool = worker_pool(min(workers, wards))

    def __enter__(self) -> ProcessPoolExecutor | None:
        return self.pool

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if self.pool is None:
            return
        if exc_type is None:
            self.pool.shutdown(wait=True)
        else:
            stop_workers(self.pool)



def cancel_sheets(store: Store, codes: Sequence[str], reason: str, user: User) -> int:
    """Withdraw printed sheets, as ``user``, with a reason: their codes are refused from then on.
    Nothing is cancelled unless every code given designates a known sheet; returns how many
    changed (a sheet already cancelled is left as it is)."""
    from reentry.barcodes import code_problem, normalise_typed_code, split_code

    require(user, Permission.CANCEL_SHEETS)
    serials = []
    for code in codes:
        problem = code_problem(code)
        serial = split_code(code).serial if problem is None else None
        if serial is None or store.form_instance(serial) is None:
            why = problem or msg("registry.unknown_code", code=normalise_typed_code(code))
            raise UserError("station.cannot_cancel", code=code, reason=why)
        serials.append(serial)
    return store.cancel_sheets(serials, user.username, reason)
