"""A demo hospital in which an outage has happened, so a newcomer sees the whole journey at once.

The snapshot is taken at ``as_of``; the outage runs for ``hours`` from then; every ward's sheets
are printed and registered; the next morning a realistic share of the sheets has come back and
been typed with plausible values by a few nurses, some only half; the rest is still missing.
Same seed, same outage.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from reentry import clock
from reentry.demo import create_demo, default_as_of
from reentry.demo.sih_export import write_sih_export
from reentry.entry import service
from reentry.entry.model import RecordRow, Role, User
from reentry.formdefs import load_forms
from reentry.printing.station import PrintRequest, print_batch

NURSES = (("aurore.petit", "Aurore Petit", "AP"), ("karim.benali", "Karim Benali", "KB"),
          ("lea.moreau", "Léa Moreau", "LM"))
MANAGER = ("claire.roux", "Claire Roux")

RETURNED = 0.75  # share of sheets back from the wards the next morning
TYPED = 0.8  # of those, share already (at least partly) typed
FINISHED = 0.85  # of those, share marked finished


@dataclass(frozen=True)
class OutageDemo:
    batch_id: int
    sheets: int
    returned: int
    typed_rows: int
    already_done: bool = False
    sih_export: Path | None = None  # what the SIH holds after recovery (item CSV)


def create_outage_demo(store: Any, out_dir: Path, patients: int = 120, seed: int = 1,
                       as_of: datetime | None = None, hours: float = 8.0) -> OutageDemo:
    as_of = as_of or default_as_of()
    create_demo(store, patients=patients, seed=seed, as_of=as_of)
    if store.batches():
        return OutageDemo(store.batches()[0].id, 0, 0, 0, already_done=True)
    outcome = print_batch(store, PrintRequest(out_dir=out_dir, start=as_of, hours=hours,
                                              admission_packets=1, operator="demo"))
    nurses = [_user(store, name, display, Role.NURSE) for name, display, _ in NURSES]
    _user(store, *MANAGER, Role.WARD_MANAGER)
    rng = random.Random(seed)
    morning = as_of + timedelta(hours=hours + 2)
    forms = load_forms()
    returned = typed_rows = 0
    sheets = [s for s in store.batch_sheets(outcome.batch_id)
              if s.patient_id and s.template_id in forms
              and s.template_id in ("vital_signs", "medication_administration", "nursing_notes")]
    for index, sheet in enumerate(sheets):
        if rng.random() > RETURNED:
            continue
        nurse_index = rng.randrange(len(nurses))
        nurse, initials = nurses[nurse_index], NURSES[nurse_index][2]
        now = morning + timedelta(minutes=index)
        context = service.open_sheet(store, sheet.code(1), nurse)
        returned += 1
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
    export = out_dir / "sih-export.csv"
    write_sih_export(store.items(), export, seed=seed)
    return OutageDemo(outcome.batch_id, len(sheets), returned, typed_rows, sih_export=export)


def _user(store: Any, username: str, display: str, role: Role) -> User:
    return store.user_by_name(username) or service.add_user(store, username, display, role)


def _rows(template: str, context: Any, rng: random.Random, start: datetime, hours: float,
          initials: str) -> list[tuple[str, int, dict[str, str]]]:
    """Plausible rows as a nurse would have written them during the outage."""
    local_start = clock.local(start)
    if template == "vital_signs":
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
    if template == "medication_administration":
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
