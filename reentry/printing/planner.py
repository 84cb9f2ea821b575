"""Deciding every sheet of a ward before anything is registered or drawn (pure, no I/O).

Page counts come from the same layout functions the renderer draws with, so the page codes the
registry derives from them (serial + page) are exactly the pages that come out of the printer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from reentry.domain.sheet_plan import SheetPlan
from reentry.formdefs_model import FormDefinition, FormKind, Subject
from reentry.model import Dossier, Ward
from reentry.printing.cover import COVER_VERSION, layout_cover
from reentry.printing.dossier_pages import DOSSIER_VERSION, dossier_today, layout_dossier
from reentry.printing.form_pages import form_pages, needs_doses
from reentry.printing.mar import band_reserved, planned_doses
from reentry.printing.page import content_box
from reentry.registry import PrintedTemplate

# Blank forms in the order a nurse uses them; a form of another kind follows, by id.
FORM_ORDER = (
    FormKind.VITAL_SIGNS,
    FormKind.OBSERVATIONS,
    FormKind.MEDICATION_ADMINISTRATION,
    FormKind.NURSING_NOTES,
    FormKind.TRANSFER_DISCHARGE,
)
# What a patient admitted during the outage needs besides the admission form itself.
PACKET_KINDS = frozenset({FormKind.VITAL_SIGNS, FormKind.OBSERVATIONS,
                          FormKind.MEDICATION_ADMINISTRATION, FormKind.NURSING_NOTES})


def _order(form: FormDefinition) -> tuple[int, str]:
    rank = FORM_ORDER.index(form.kind) if form.kind in FORM_ORDER else len(FORM_ORDER)
    return rank, form.id


def patient_forms(forms: Mapping[str, FormDefinition]) -> list[FormDefinition]:
    """The blank forms printed for every inpatient, in print order."""
    return sorted((f for f in forms.values() if f.subject is Subject.PATIENT), key=_order)


def plan_cover(ward: Ward, patient_count: int) -> SheetPlan:
    return SheetPlan(PrintedTemplate.WARD_COVER.value, COVER_VERSION,
                     len(layout_cover(patient_count)), ward.code)


def _ward_code(dossier: Dossier) -> str:
    code = (dossier.stay.ward_code if dossier.stay else None) or (
        dossier.ward.code if dossier.ward else None)
    if not code:
        raise ValueError("a patient without a ward cannot be planned for a ward's print")
    return code


def plan_patient(dossier: Dossier, forms: dict[str, FormDefinition], start: datetime,
                 hours: float) -> list[SheetPlan]:
    """The dossier, then one blank sheet per patient form; the medication record lists every
    planned dose of the window ``[start, start + hours]``. Texts in the plan (doses) are in the
    current language, the one the pages will be printed in."""
    ward_code = _ward_code(dossier)
    patient_id = dossier.patient.id
    stay_id = dossier.stay.id if dossier.stay else None
    pages = len(layout_dossier(dossier, dossier_today(start)).pages)
    plans = [SheetPlan(PrintedTemplate.DOSSIER.value, DOSSIER_VERSION, pages, ward_code,
                       patient_id, stay_id)]
    for form in patient_forms(forms):
        doses = planned_doses(dossier.prescriptions, start, hours) if needs_doses(form) else ()
        plans.append(SheetPlan(form.id, form.version, len(form_pages(form, len(doses))),
                               ward_code, patient_id, stay_id, doses=doses,
                               reserved_top=_reserved_top(form, dossier)))
    return plans


def _reserved_top(form: FormDefinition, dossier: Dossier | None) -> float:
    """The medication record's band, decided with the plan like the page count: the table
    under it, hence every box to read, sits where the registry says."""
    if not needs_doses(form):
        return 0.0
    return band_reserved(dossier, content_box(form.layout.orientation))


def _packet_forms(forms: Iterable[FormDefinition]) -> list[FormDefinition]:
    chosen = [f for f in forms if f.subject is Subject.TEMPORARY_IDENTITY
              or (f.subject is Subject.PATIENT and f.kind in PACKET_KINDS)]
    return sorted(chosen, key=lambda f: (f.subject is not Subject.TEMPORARY_IDENTITY, _order(f)))


def plan_admission_packet(ward: Ward, forms: dict[str, FormDefinition],
                          index: int) -> list[SheetPlan]:
    """A blank downtime-admission packet: the admission form, then blank charts for the same
    (yet unknown) patient; the registry gives all its sheets one temporary identity."""
    return [SheetPlan(f.id, f.version, len(form_pages(f)), ward.code, admission_packet=index,
                      reserved_top=_reserved_top(f, None))
            for f in _packet_forms(forms.values())]
