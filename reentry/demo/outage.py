"""A demo hospital in which an outage has happened, so a newcomer sees the whole journey at once.

The snapshot is taken at ``as_of``; the outage runs for ``hours`` from then; every ward's sheets
are printed and registered; the next morning a realistic share of the sheets has come back and
been typed with plausible values by a few nurses, some only half, one medication record typed a
second time blind (verified); the rest is still missing. The next day the ward manager declares
the blank admission packets not used and one sheet lost, and a sheet declared lost the first
morning turns up. So every state a sheet can be in is on screen. Same seed, same outage.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from reentry import clock
from reentry.admission.service import record_admission
from reentry.barcodes import page_code
from reentry.demo import create_demo, default_as_of
from reentry.demo.sih_export import write_sih_export, write_sih_patients
from reentry.domain.admission import RecordAdmission
from reentry.domain.entry import ItemKind, RecordRow, Role, User
from reentry.domain.events import DeclareEvent, OutageEvent
from reentry.domain.sheet_state import SheetCounts, count_states
from reentry.entry import service
from reentry.events.service import declare_event, end_event
from reentry.files import open_private
from reentry.formdefs import load_forms
from reentry.formdefs_model import FormKind
from reentry.i18n import tr
from reentry.printing.station import PrintRequest, print_batch
from reentry.sheets.tracking import tracked_sheets
from reentry.store.areas import EntryStore, Store

NURSES = (("aurore.petit", "Aurore Petit", "AP"), ("karim.benali", "Karim Benali", "KB"),
          ("lea.moreau", "Léa Moreau", "LM"))
MANAGER = ("claire.roux", "Claire Roux")
QUALITY = ("qualite", "Quentin Qualité")
IDENTITY_VIGILANCE = ("idv", "Inès Vigilance")

OUTAGE_AGE = timedelta(days=2)  # when the default demo outage began, before now
RETURNED = 0.75  # share of sheets back from the wards the next morning
TYPED = 0.8  # of those, share already (at least partly) typed
FINISHED = 0.85  # of those, share marked finished


@dataclass(frozen=True)
class OutageDemo:
    batch_id: int
    sheets: SheetCounts  # the outage's sheets as progress and the accounting count them
    typed_rows: int
    already_done: bool = False
    sih_export: Path | None = None  # what the SIH holds after recovery (item CSV)
    review_run: int | None = None  # the reconciliation stored for the quality review
    event_id: int | None = None


def create_outage_demo(store: Store, out_dir: Path, patients: int = 120, seed: int = 1,
                       as_of: datetime | None = None, hours: float = 8.0) -> OutageDemo:
    """The outage, by default, began two days ago: it is over, its sheets came back the next
    morning and the quality team has worked a first day, all in the past of whoever opens it."""
    as_of = as_of or default_as_of() - OUTAGE_AGE
    create_demo(store, patients=patients, seed=seed, as_of=as_of)
    if store.batches():
        return OutageDemo(store.batches()[0].id, SheetCounts(), 0, already_done=True)
    manager = _user(store, *MANAGER, Role.WARD_MANAGER)
    event = _declare_outage(store, manager, as_of)
    outcome = print_batch(store, PrintRequest(out_dir=out_dir, user=manager, start=as_of,
                                              hours=hours, admission_packets=1))
    end_event(store, manager, event.id, as_of + timedelta(hours=hours))
    nurses = [_user(store, name, display, Role.NURSE) for name, display, _ in NURSES]
    rng = random.Random(seed)
    morning = as_of + timedelta(hours=hours + 2)
    forms = load_forms()
    typed_rows = 0
    second_typing: tuple[Any, int, list[tuple[str, int, dict[str, str]]]] | None = None
    sheets = [s for s in store.batch_sheets(outcome.batch_id)
              if s.patient_id and s.template_id in forms
              and s.template_id in (FormKind.VITAL_SIGNS, FormKind.MEDICATION_ADMINISTRATION,
                                    FormKind.NURSING_NOTES)]
    for index, sheet in enumerate(sheets):
        if rng.random() > RETURNED:
            continue
        nurse_index = rng.randrange(len(nurses))
        nurse, initials = nurses[nurse_index], NURSES[nurse_index][2]
        now = morning + timedelta(minutes=index)
        context = service.open_sheet(store, sheet.code(1), nurse)
        if rng.random() > TYPED:
            continue
        service.confirm_identity(store, nurse, sheet.serial)
        rows = _rows(sheet.template_id, context, rng, as_of, hours, initials)
        finished = rng.random() < FINISHED
        if not finished:
            rows = rows[: max(1, len(rows) // 2)]
        date = clock.local(as_of).strftime("%d/%m/%Y")
        for section_id, row_index, values in rows:
            service.record_row(store, RecordRow(sheet.serial, 1, section_id, row_index, values,
                                                {"date": date}, nurse,
                                                confirmed_warnings=frozenset(values)), now=now)
            typed_rows += 1
        if finished:
            service.mark_sheet_entered(store, nurse, sheet.serial)
            if second_typing is None and sheet.template_id == FormKind.MEDICATION_ADMINISTRATION:
                second_typing = (sheet, nurse_index, rows)
    if second_typing is not None:
        _second_entry(store, nurses, *second_typing, as_of, morning + timedelta(hours=2))
    _downtime_admission(store, outcome.batch_id, nurses[0], as_of, morning)
    export = out_dir / "sih-export.csv"
    write_sih_export(store.items(), export, seed=seed)
    sih_patients = out_dir / "sih-patients.csv"
    write_sih_patients(store, sih_patients, seed=seed)
    review_run = _first_reconciliation(store, export, sih_patients, out_dir,
                                       morning + timedelta(hours=4))
    _declare_lost_and_found(store, event.id, manager, nurses[0])
    if review_run is not None:
        _quality_follow_up(store, event.id, review_run, export, sih_patients, out_dir, manager,
                           morning + timedelta(days=1))
    _declare_blank_packets(store, event.id, manager)
    counts = count_states(s.state for s in tracked_sheets(store, event_id=event.id))
    return OutageDemo(outcome.batch_id, counts, typed_rows, sih_export=export,
                      review_run=review_run, event_id=event.id)


def _second_entry(store: Store, nurses: list[User], sheet: Any, first_typist: int,
                  rows: list[tuple[str, int, dict[str, str]]], as_of: datetime,
                  now: datetime) -> None:
    """A medication record is typed twice blind (the default for it): another nurse types what
    she reads on the same paper, the entries agree, the sheet is verified."""
    from reentry.verify import second_entry

    nurse = nurses[(first_typist + 1) % len(nurses)]
    service.open_sheet(store, sheet.code(1), nurse)
    service.confirm_identity(store, nurse, sheet.serial)
    date = clock.local(as_of).strftime("%d/%m/%Y")
    for section_id, row_index, values in rows:
        second_entry.record_row(store, RecordRow(sheet.serial, 1, section_id, row_index, values,
                                                 {"date": date}, nurse,
                                                 confirmed_warnings=frozenset(values)), now=now)
    second_entry.mark_sheet_entered(store, nurse, sheet.serial)


def _declare_lost_and_found(store: Store, event_id: int, manager: User, nurse: User) -> None:
    """A sheet not back the first morning is declared lost; it turns up in radiology and is
    scanned: found, it counts as returned again, its declaration kept in its history."""
    from reentry.events.accounting import declare_sheets

    missing = next((s for s in tracked_sheets(store, event_id=event_id)
                    if not s.returned and not s.temporary_id), None)
    if missing is None:
        return
    declare_sheets(store, [missing.serial], "lost", "introuvable dans l'unité", manager)
    service.open_sheet(store, page_code(missing.serial, 1), nurse)


def _declare_blank_packets(store: Store, event_id: int, manager: User) -> None:
    """No one else was admitted during the outage: the ward manager declares the sheets of the
    admission packets nobody opened not used."""
    from reentry.events.accounting import declare_sheets

    sheets = tracked_sheets(store, event_id=event_id)
    opened = {s.temporary_id for s in sheets if s.temporary_id and s.returned}
    blank = [s.serial for s in sheets if s.temporary_id and s.temporary_id not in opened
             and s.declared is None]
    if blank:
        declare_sheets(store, blank, "not_used", "dossier d'admission vierge, aucune admission",
                       manager)


def _downtime_admission(store: Store, batch_id: int, nurse: User, as_of: datetime,
                        now: datetime) -> None:
    """One patient arrived during the outage: the first packet's admission form is typed, so
    the demo shows a provisional identity waiting to be linked (reentry admissions list)."""
    sheet = next((s for s in store.batch_sheets(batch_id)
                  if s.template_id == FormKind.DOWNTIME_ADMISSION), None)
    if sheet is None:
        return
    service.open_sheet(store, sheet.code(1), nurse)
    arrival = clock.local(as_of + timedelta(hours=2, minutes=35))
    values = {"birth_name": "RENAUD", "given_names": "Margaux Élise",
              "birth_date": "14/07/1986", "sex": "F", "birthplace_insee": "69123",
              "ward": sheet.ward_code, "admitted_at": arrival.strftime("%d/%m/%Y %H:%M"),
              "initials": NURSES[0][2]}
    record_admission(store, RecordAdmission(sheet.serial, values, nurse,
                                            confirmed_warnings=frozenset(values)), now=now)


def _declare_outage(store: Store, manager: User, as_of: datetime) -> OutageEvent:
    """The cut is declared before printing, as a planned outage is, so the batch belongs to it;
    it is ended at the end of the window and left open: sheets are still missing."""
    ongoing = store.ongoing_event()
    if ongoing is not None:
        return ongoing
    return declare_event(store, DeclareEvent(
        title=tr("events.demo_title"), started_at=as_of, user=manager, planned=True,
        systems=("DPI", "pharmacie", "laboratoire"))).event


def _first_reconciliation(store: Store, export: Path, patients: Path, out_dir: Path,
                          now: datetime) -> int | None:
    """The quality team's first reconciliation against the SIH export, so that the review
    screen has flags to work (sign in as ``qualite``, or ``idv`` for identities)."""
    from reentry.reconcile_run import run_reconciliation

    quality = _user(store, *QUALITY, Role.QUALITY)
    _user(store, *IDENTITY_VIGILANCE, Role.IDENTITY_VIGILANCE)
    if not store.items():
        return None
    return run_reconciliation(store, [export], None, out_dir / "rapprochement", user=quality,
                              sih_patients=patients, now=now).run_id


def _quality_follow_up(store: Store, event_id: int, run_id: int, export: Path,
                       sih_patients: Path, out_dir: Path, manager: User,
                       next_day: datetime) -> None:
    """The quality team's next day, so that ``reentry report`` has closures to show: two flags
    resolved by hand, two missing items typed into the SIH (a newer export, whose run closes
    their flags), and one sheet that never came back declared lost by the ward manager."""
    import csv

    from reentry.domain.items import ItemVerdict
    from reentry.domain.review import ResolutionReason
    from reentry.events.accounting import declare_sheets
    from reentry.export.csv_items import ITEM_COLUMNS
    from reentry.reconcile_run import run_reconciliation
    from reentry.review import service as review

    quality = _user(store, *QUALITY, Role.QUALITY)
    flags = sorted(review.flags(store, run_id, open_only=True), key=lambda f: f.item_key)
    fixes: dict[str, ResolutionReason] = {
        ItemVerdict.DIFFERS: ResolutionReason.ACCEPTED_DIFFERENCE,
        ItemVerdict.DUPLICATE: ResolutionReason.DUPLICATE_REMOVED}
    for flag in [f for f in flags if f.verdict in fixes][:2]:
        review.resolve_flag(store, quality, flag.item_key, fixes[flag.verdict],
                            now=next_day - timedelta(hours=18))
    rows = []
    for flag in [f for f in flags if f.verdict == ItemVerdict.MISSING][:2]:
        paper = review.flag_detail(store, run_id, flag.item_key).paper
        value = paper.get("value")
        rows.append({"record_id": f"SIH-late-{paper['id']}", "ipp": paper.get("ipp") or "",
                     "nda": paper.get("nda") or "", "kind": paper["kind"],
                     "code": "" if paper["kind"] == ItemKind.NURSING_NOTE else paper["code"],
                     "value": f"{value:g}" if value is not None else paper.get("value_text") or "",
                     "unit": paper.get("unit") or "", "route": paper.get("route") or "",
                     "effective_time": paper["effective_time"], "author": paper.get("author") or "",
                     "text": paper.get("text") or ""})
    newer = out_dir / "sih-export-2.csv"
    with open_private(newer, "w", encoding="utf-8", newline="") as handle:
        handle.write(export.read_text(encoding="utf-8"))
        csv.DictWriter(handle, fieldnames=ITEM_COLUMNS, lineterminator="\n").writerows(rows)
    run_reconciliation(store, [newer], None, out_dir / "rapprochement-2", user=quality,
                       sih_patients=sih_patients, now=next_day)
    missing = next((s for s in tracked_sheets(store, event_id=event_id)
                    if not s.returned and s.declared is None), None)
    if missing is not None:
        declare_sheets(store, [missing.serial], "lost", "égarée lors du transfert en radiologie",
                       manager)


def _user(store: EntryStore, username: str, display: str, role: Role) -> User:
    return store.user_by_name(username) or service.add_user(store, username, display, role)


def _rows(template: str, context: Any, rng: random.Random, start: datetime, hours: float,
          initials: str) -> list[tuple[str, int, dict[str, str]]]:
    """Plausible rows as a nurse would have written them during the outage."""
    local_start = clock.local(start)
    if template == FormKind.VITAL_SIGNS:
        rounds = rng.randint(2, 3)
        step = hours / rounds
        rows = []
        for i in range(rounds):
            moment = local_start + timedelta(hours=step * i + 1, minutes=rng.randint(0, 40))
            if moment.date() != local_start.date():
                break  # one sheet per day: the next day's round goes on the next sheet
            rows.append(("readings", i, {
                "time": moment.strftime("%H:%M"), "systolic": str(rng.randint(105, 150)),
                "diastolic": str(rng.randint(60, 90)), "heart_rate": str(rng.randint(58, 100)),
                "temperature": f"{rng.uniform(36.2, 38.1):.1f}".replace(".", ","),
                "spo2": str(rng.randint(93, 99)), "respiratory_rate": str(rng.randint(12, 22)),
                "pain": str(rng.randint(0, 4)), "initials": initials}))
        return rows or [("readings", 0, {"time": local_start.strftime("%H:%M"),
                                         "heart_rate": str(rng.randint(60, 90)),
                                         "initials": initials})]
    if template == FormKind.MEDICATION_ADMINISTRATION:
        rows = []
        for i, dose in enumerate(context.planned_doses):
            if dose.planned_at is None:
                continue  # "as needed": nothing given in this demo
            amount = dose.dose.split(" ")[0]
            if rng.random() < 0.92:
                given = clock.local(dose.planned_at) + timedelta(minutes=rng.randint(-10, 25))
                rows.append(("administrations", i, {
                    "status": "given", "actual_time": given.strftime("%H:%M"),
                    "dose_given": amount, "initials": initials}))
            else:
                rows.append(("administrations", i, {
                    "status": rng.choice(["refused", "not_given"]),
                    "reason": rng.choice(["patient endormi", "refus du patient", "à jeun"]),
                    "initials": initials}))
        return rows
    notes = ["Nuit calme, patient dormait au passage de 2 h.", "Douleur soulagée après antalgique.",
             "Pansement propre et sec.", "Patient agité vers minuit, rassuré.",
             "Diurèse conservée, pas de plainte."]
    count = rng.randint(1, 3)
    return [("notes", i, {"time": (local_start + timedelta(hours=1 + i * 2)).strftime("%H:%M"),
                          "text": rng.choice(notes), "initials": initials})
            for i in range(count)
            if (local_start + timedelta(hours=1 + i * 2)).date() == local_start.date()] or [
        ("notes", 0, {"time": local_start.strftime("%H:%M"), "text": notes[0],
                      "initials": initials})]
