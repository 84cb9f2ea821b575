"""Downtime admissions: open a packet's admission form, check it, store it, correct it.

The admission form's fields come from its definition (``forms/downtime_admission.json``), read
by what each field means (its export role: birth name, sex, ward, admission time, author…), so
a hospital can reword or reorder its paper form without touching this code. The checks are the
entry screen's (``formdefs_values``) plus what only an admission knows: the ward must exist, the
admission cannot be in the future nor before the birth, an admission outside the outage window
printed on the packet needs a confirmation, and so does a patient the hospital may already know.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from reentry import clock, display
from reentry.domain.admission import (
    Admission,
    AdmissionError,
    AdmissionSheet,
    AdmissionStatus,
    AdmissionToStore,
    ProvisionalPatient,
    RecordAdmission,
    temporary_code_text,
)
from reentry.domain.entry import RowProblems, SheetContext, User
from reentry.domain.permissions import Permission, require
from reentry.entry import service as entry_service
from reentry.entry.packets import is_admission_form
from reentry.errors import UserError
from reentry.formdefs import load_forms
from reentry.formdefs_model import ExportRole, FieldDefinition, FormDefinition
from reentry.formdefs_values import canonical, collect_checks, validate_row
from reentry.i18n import Msg, msg
from reentry.model import IdentityStatus, Patient, Sex, Ward
from reentry.reconcile.identity_table import fold_text
from reentry.registry import FormInstance
from reentry.store.areas import AdmissionStore, EntryStore, Store
from reentry.store.areas.work import unit_of_work

FUTURE_TOLERANCE = entry_service.FUTURE_TOLERANCE
AdmissionRefused = entry_service.EntryRefused  # same refusal as a row: fields to fix or confirm


# -- opening ---------------------------------------------------------------------------------


def open_admission(store: Store, code: str, user: User) -> AdmissionSheet:
    """The admission form a scanned code designates (refused like any other doubtful code)."""
    context = entry_service.open_sheet(store, code, user)
    return admission_sheet(store, context)


def admission_sheet(store: Store, context: SheetContext) -> AdmissionSheet:
    """What the admission screen shows for a sheet ``open_sheet`` already accepted."""
    if not is_admission_form(context.form):
        raise AdmissionError("admission.not_admission_form", form=context.form.title.as_msg())
    return _sheet(store, context.instance, context.form, context.draft)


def _sheet(store: Store, instance: FormInstance, form: FormDefinition,
           draft: Any = None) -> AdmissionSheet:
    packet = store.packet(instance.temporary_id) if instance.temporary_id else None
    if packet is None:
        raise AdmissionError("admission.no_packet")
    versions = tuple(store.admission_versions(packet.temporary_identity_id))
    active = next((v for v in versions if v.status is AdmissionStatus.ACTIVE), None)
    wards = tuple(store.wards())
    ward = next((w for w in wards if w.code == packet.ward_code), None)
    return AdmissionSheet(instance=instance, form=form, packet=packet, ward=ward, wards=wards,
                          active=active, history=versions, draft=draft)


def prefilled_values(sheet: AdmissionSheet) -> dict[str, str]:
    """What the print station printed on the form: the temporary identifier, the ward."""
    known = {"temporary_identity.id": sheet.packet.code, "ward.code": sheet.packet.ward_code,
             "ward.name": sheet.ward.name if sheet.ward else ""}
    return {f.id: known[f.prefill] for f in sheet.form.fields if f.prefill in known}


# -- checking --------------------------------------------------------------------------------


def check_admission(store: Store, sheet: AdmissionSheet, values: dict[str, str], *,
                    now: datetime | None = None) -> RowProblems:
    """Errors (refused) and warnings (need an explicit confirmation) by field id."""
    return _checked(store, sheet, values, now)[0]


def _field(form: FormDefinition, role: ExportRole) -> FieldDefinition | None:
    return next(iter(form.fields_with_role(role)), None)


def _checked(store: Store, sheet: AdmissionSheet, values: dict[str, str],
             now: datetime | None) -> tuple[RowProblems, dict[str, Any]]:
    form = sheet.form
    readonly = {k: v for k, v in prefilled_values(sheet).items() if form.field(k).readonly}
    row = {**values, **readonly}  # the printed identifier, never what a screen says it is
    errors: dict[str, Msg] = {}
    warnings: dict[str, Msg] = {}
    parsed: dict[str, Any] = {}
    for section in form.sections:
        collect_checks(validate_row(section, row), errors, warnings, parsed)
    moment = now or clock.now()
    _check_ward(form, sheet.wards, parsed, errors)
    admitted = _check_admission_time(form, sheet, parsed, errors, warnings, moment)
    born = _check_birth_date(form, parsed, errors, admitted, moment)
    name_field = _field(form, ExportRole.BIRTH_NAME)
    if name_field is not None and not errors and born is not None:
        known = _maybe_known(store, sheet, parsed, born)
        if known is not None:
            warnings[name_field.id] = known
    return RowProblems(errors, warnings), parsed


def _check_ward(form: FormDefinition, wards: tuple[Ward, ...], parsed: dict[str, Any],
                errors: dict[str, Msg]) -> None:
    """The ward as a known code (typed as its code or its name, in any case)."""
    field = _field(form, ExportRole.WARD)
    if field is None or field.id in errors or parsed.get(field.id) is None:
        return
    typed = str(parsed[field.id]).strip()
    ward = next((w for w in wards if typed.casefold() in (w.code.casefold(), w.name.casefold())),
                None)
    if ward is None:
        errors[field.id] = msg("admission.unknown_ward", ward=typed,
                               known=", ".join(w.code for w in wards))
    else:
        parsed[field.id] = ward.code


def _check_admission_time(form: FormDefinition, sheet: AdmissionSheet, parsed: dict[str, Any],
                          errors: dict[str, Msg], warnings: dict[str, Msg],
                          now: datetime) -> datetime | None:
    field = _field(form, ExportRole.EVENT_TIME)
    admitted = parsed.get(field.id) if field else None
    if field is None or not isinstance(admitted, datetime):
        return None
    if admitted > now + FUTURE_TOLERANCE:
        errors[field.id] = msg("admission.time_in_future", when=clock.format_local(admitted))
        return None
    packet = sheet.packet
    if not packet.window_start <= admitted <= packet.window_end:
        warnings[field.id] = msg("admission.outside_window", when=clock.format_local(admitted),
                                 start=clock.format_local(packet.window_start),
                                 end=clock.format_local(packet.window_end))
    return admitted


def _check_birth_date(form: FormDefinition, parsed: dict[str, Any], errors: dict[str, Msg],
                      admitted: datetime | None, now: datetime) -> date | None:
    field = _field(form, ExportRole.BIRTH_DATE)
    born = parsed.get(field.id) if field else None
    if field is None or not isinstance(born, date):
        return None
    if born > clock.local(now).date():
        errors[field.id] = msg("admission.birth_in_future", date=display.date_text(born))
        return None
    if admitted is not None and born > clock.local(admitted).date():
        errors[field.id] = msg("admission.born_after_admission", date=display.date_text(born))
        return None
    return born


def _maybe_known(store: AdmissionStore, sheet: AdmissionSheet, parsed: dict[str, Any],
                 born: date) -> Msg | None:
    """Someone else in the base born the same day with the same name and first name: perhaps
    the same person (a known inpatient, or a second packet used for one patient)."""
    traits = _traits(sheet.form, parsed)
    names = {fold_text(n) for n in (traits.birth_name, traits.used_name) if n}
    first = fold_text(traits.first_given_name)
    itself = sheet.active.patient.id if sheet.active else None
    for other in store.patients_born_on(born):
        if other.id == itself:
            continue
        other_names = {fold_text(n) for n in (other.birth_name, other.used_name) if n}
        if names & other_names and (not first or fold_text(other.first_given_name) == first):
            ident = (msg("admission.known_ipp", ipp=other.ipp) if other.ipp
                     else msg("admission.known_without_ipp"))
            return msg("admission.maybe_known", who=display.full_name(other),
                       date=display.date_text(born), ident=ident)
    return None


# -- recording -------------------------------------------------------------------------------


@unit_of_work
def record_admission(store: Store, command: RecordAdmission, *,
                     now: datetime | None = None) -> Admission:
    """Check and store the admission (or its correction) in one unit of work: refused when the
    packet was admitted meanwhile, when the version corrected is no longer the active one, or
    once identity vigilance has linked or validated the identity (the paper no longer rules)."""
    require(command.user, Permission.ENTER)
    instance = store.form_instance(command.serial)
    form = load_forms().get(instance.template_id) if instance else None
    if instance is None or form is None or not is_admission_form(form):
        raise AdmissionError("admission.not_admission_form",
                             form=form.title.as_msg() if form else "?")
    sheet = _sheet(store, instance, form)
    reason = (command.reason or "").strip() or None
    if command.corrects is None and sheet.active is not None:
        raise AdmissionError("admission.already_admitted",
                             code=temporary_code_text(sheet.packet.code),
                             when=clock.format_local(sheet.active.entered_at))
    if command.corrects is not None:
        if reason is None:
            raise UserError("entry.reason_required")
        if sheet.active is None or sheet.active.id != command.corrects:
            raise AdmissionError("admission.correction_stale")
        _refuse_if_linked(store, sheet.active)
    problems, parsed = _checked(store, sheet, command.values, now)
    unconfirmed = {k: v for k, v in problems.warnings.items()
                   if k not in command.confirmed_warnings}
    if problems.errors or unconfirmed:
        raise AdmissionRefused(RowProblems(problems.errors, unconfirmed))
    values = {k: canonical(v) for k, v in parsed.items() if v is not None}
    if sheet.active is not None and values == sheet.active.values:
        raise AdmissionError("admission.nothing_changed")
    record = _to_store(sheet, parsed, values, now or clock.now(), command.corrects, reason,
                       tuple(sorted(problems.warnings)))
    return store.save_admission(record, command.user)


def _refuse_if_linked(store: EntryStore, active: Admission) -> None:
    patient = store.patient_by_id(active.patient.id) if active.patient.id is not None else None
    if patient is None or patient.ipp or patient.identity_status is not IdentityStatus.PROV:
        raise AdmissionError("admission.already_linked")


def _text(value: Any) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _role_value(form: FormDefinition, parsed: dict[str, Any], role: ExportRole) -> Any:
    field = _field(form, role)
    return parsed.get(field.id) if field else None


def _traits(form: FormDefinition, parsed: dict[str, Any]) -> Patient:
    sex = _role_value(form, parsed, ExportRole.SEX)
    born = _role_value(form, parsed, ExportRole.BIRTH_DATE)
    return Patient(
        ipp=None, identity_status=IdentityStatus.PROV,
        birth_name=_text(_role_value(form, parsed, ExportRole.BIRTH_NAME)),
        used_name=_text(_role_value(form, parsed, ExportRole.USED_NAME)),
        given_names=_text(_role_value(form, parsed, ExportRole.GIVEN_NAMES)),
        birth_date=born if isinstance(born, date) else None,
        sex=Sex(sex) if sex in {s.value for s in Sex} else Sex.UNKNOWN,
        birthplace_insee=_text(_role_value(form, parsed, ExportRole.BIRTHPLACE_INSEE)))


def _to_store(sheet: AdmissionSheet, parsed: dict[str, Any], values: dict[str, str],
              entered_at: datetime, corrects: int | None, reason: str | None,
              warnings: tuple[str, ...]) -> AdmissionToStore:
    form = sheet.form
    admitted = _role_value(form, parsed, ExportRole.EVENT_TIME)
    assert isinstance(admitted, datetime)  # required by the definition, checked above
    return AdmissionToStore(
        packet=sheet.packet, serial=sheet.instance.serial, patient=_traits(form, parsed),
        ward_code=str(_role_value(form, parsed, ExportRole.WARD) or sheet.packet.ward_code),
        room=_text(_role_value(form, parsed, ExportRole.ROOM)),
        bed=_text(_role_value(form, parsed, ExportRole.BED)),
        admitted_at=admitted, author=_text(_role_value(form, parsed, ExportRole.AUTHOR)) or "",
        values=values, entered_at=entered_at, corrects=corrects, reason=reason,
        warnings_confirmed=warnings)


# -- lists -----------------------------------------------------------------------------------


def provisional_patients(store: AdmissionStore, ward_code: str | None = None
                         ) -> list[ProvisionalPatient]:
    """The patients admitted during the outage, with where their identity stands now."""
    return store.provisional_patients(ward_code)


def save_draft(store: EntryStore, user: User, serial: int, values: dict[str, str]) -> None:
    """The admission as typed so far, kept like any sheet's draft (offered back after a crash)."""
    store.save_draft(user, serial, 1, {DRAFT_KEY: values} if values else {})


def discard_draft(store: EntryStore, user: User, serial: int) -> None:
    store.discard_draft(user, serial, 1)


DRAFT_KEY = "admission"
