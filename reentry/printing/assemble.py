"""Gathering one ward's print from a store: dossiers in bed order, plans, registered sheets.

Registration is passed in as a function, so that the print station registers through the
registry (``functools.partial(store.register_sheets, batch_id)``: every sheet of the ward in one
transaction) while previews, tests and benchmarks number sheets with ``SerialCounter``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from reentry import display
from reentry.domain.sheet_plan import PatientPacket, RegisteredSheet, SheetPlan, WardPrint
from reentry.events.drill import is_drill
from reentry.formdefs_model import FormDefinition
from reentry.i18n import language
from reentry.model import Dossier, Site, Ward
from reentry.printing.dossier_pages import WINDOW_HOURS
from reentry.printing.planner import plan_admission_packet, plan_cover, plan_patient
from reentry.registry import temporary_identifier
from reentry.store.areas import Store

Registrar = Callable[[Sequence[SheetPlan]], list[RegisteredSheet]]


@dataclass
class SerialCounter:
    """Registers nothing: numbers sheets 1, 2, 3… and packets' temporary identities likewise.

    For previews, tests and benchmarks only; a sheet printed for real must come from the
    registry, or its code will not be found when the paper comes back.
    """

    next_serial: int = 1
    next_identity: int = 1

    def __call__(self, plans: Sequence[SheetPlan]) -> list[RegisteredSheet]:
        identities: dict[tuple[str, int], str] = {}
        sheets = []
        for plan in plans:
            temporary = None
            if plan.admission_packet is not None:
                key = (plan.ward_code, plan.admission_packet)
                if key not in identities:
                    identities[key] = temporary_identifier(self.next_identity)
                    self.next_identity += 1
                temporary = identities[key]
            sheets.append(RegisteredSheet(plan, self.next_serial, temporary))
            self.next_serial += 1
        return sheets


def ward_dossiers(store: Store, ward: Ward, start: datetime) -> list[Dossier]:
    """The ward's inpatients in bed order, each with the last 24 hours of their dossier."""
    snapshot = store.latest_snapshot()
    since = display.dossier_since(snapshot, start, WINDOW_HOURS)
    return [store.dossier(row.patient.id, since) for row in store.census(ward.code)
            if row.patient.id is not None]


def build_ward_print(store: Store, site: Site, ward: Ward, forms: dict[str, FormDefinition],
                     register: Registrar, *, start: datetime, hours: float,
                     printed_at: datetime, packets: int = 0, lang: str = "fr") -> WardPrint:
    """Plan the ward (cover, patients, blank admission packets), register every sheet in one
    call, and return what ``render_ward`` draws."""
    dossiers = ward_dossiers(store, ward, start)
    with language(lang):  # the doses printed on the medication record are planned texts
        patient_plans = [plan_patient(d, forms, start, hours) for d in dossiers]
    packet_plans = [plan_admission_packet(ward, forms, i) for i in range(packets)]
    plans = [plan_cover(ward, len(dossiers)), *(p for group in patient_plans for p in group),
             *(p for group in packet_plans for p in group)]
    sheets = iter(register(plans))
    cover = next(sheets)
    patients = [PatientPacket(d, [next(sheets) for _ in group])
                for d, group in zip(dossiers, patient_plans, strict=True)]
    admission = [[next(sheets) for _ in group] for group in packet_plans]
    return WardPrint(site=site, ward=ward, snapshot=store.latest_snapshot(),
                     printed_at=printed_at, window_start=start, window_hours=hours,
                     cover=cover, patients=patients,
                     admission_packets=admission, language=lang, drill=is_drill(store))
